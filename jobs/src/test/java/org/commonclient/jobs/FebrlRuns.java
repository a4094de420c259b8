package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.testing.SparkExtension;
import picocli.CommandLine;

/**
 * The clear FEBRL 4 pipeline run, once per test JVM: the clear accuracy test and the privacy
 * modes' comparison with clear mode share it (a FEBRL 4 run is the most expensive test step).
 */
final class FebrlRuns {
  private static Evaluation.Scores febrl4Clear;
  private static double febrl4ClearSeconds;

  private FebrlRuns() {}

  /** Pairwise scores of the clear pipeline on FEBRL 4 (conf/examples/febrl4.conf). */
  static synchronized Evaluation.Scores febrl4Clear(SparkSession spark) {
    if (febrl4Clear == null) {
      Path dir;
      try {
        dir = Files.createTempDirectory("cc-febrl4-clear");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      String storage = dir.resolve("tables").toString();
      CommandLine cl = CommonClient.commandLine();
      StringWriter err = new StringWriter();
      cl.setErr(new PrintWriter(err));
      long t0 = System.nanoTime();
      int code = cl.execute("pipeline", "--config", SparkExtension.repoRoot().resolve("conf/examples/febrl4.conf").toString(),
          "-D", "commonclient.storage.root=" + storage,
          "-D", "commonclient.data.benchmarks=" + SparkExtension.sharedData());
      febrl4ClearSeconds = (System.nanoTime() - t0) / 1e9;
      assertEquals(0, code, "FEBRL 4 pipeline exit code; " + err);
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
