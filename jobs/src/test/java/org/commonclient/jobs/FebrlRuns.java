package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.testing.SparkExtension;

/**
 * The clear FEBRL 4 pipeline run, once per build ({@link SharedFixture}: the test JVMs share its
 * tables): the clear accuracy test and the privacy modes' comparison with clear mode both read
 * it (a FEBRL 4 run is the most expensive test step, and the two tests often run in different
 * JVMs).
 */
final class FebrlRuns {
  private static Evaluation.Scores febrl4Clear;
  private static double febrl4ClearSeconds;

  private FebrlRuns() {}

  /** Pairwise scores of the clear pipeline on FEBRL 4 (conf/examples/febrl4.conf). */
  static synchronized Evaluation.Scores febrl4Clear(SparkSession spark) {
    if (febrl4Clear == null) {
      Path storage = SharedFixture.get("febrl4-clear", dir -> {
        long t0 = System.nanoTime();
        assertEquals(0, FebrlAccuracyTest.run("pipeline", "--config",
            SparkExtension.repoRoot().resolve("conf/examples/febrl4.conf").toString(),
            "-D", "commonclient.storage.root=" + dir,
            "-D", "commonclient.data.benchmarks=" + SparkExtension.sharedData()), "FEBRL 4 pipeline exit code");
        SharedFixture.note("febrl4-clear", String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
      });
      febrl4ClearSeconds = Double.parseDouble(SharedFixture.readNote("febrl4-clear"));
      Dataset<Row> cw = DeltaTables.read(spark, storage + "/linked/crosswalk");
      febrl4Clear = Evaluation.clusters(cw, EvaluateCommand.truthTable(spark, cw, null, "rec-(\\d+)-"));
      System.out.printf("conf/examples/febrl4.conf (CLEAR, %.1f s):%n%s%n", febrl4ClearSeconds, febrl4Clear);
    }
    return febrl4Clear;
  }

  static synchronized double febrl4ClearSeconds() {
    return febrl4ClearSeconds;
  }
}
