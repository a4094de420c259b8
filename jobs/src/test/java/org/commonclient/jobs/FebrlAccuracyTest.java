package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accuracy of the default configuration, no labels, on the FEBRL benchmarks, run end to end
 * through the command line: {@code pipeline} (ingest, link; metrics skipped), then the crosswalk
 * scored against the truth encoded in the record ids. Targets: pairwise F1 >= 0.99 on both.
 */
@ExtendWith(SparkExtension.class)
class FebrlAccuracyTest {
  @TempDir Path dir;

  static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = TestCli.execute(err, args);
    if (code != 0) {
      System.err.println(err);
    }
    return code;
  }

  private Evaluation.Scores pipeline(SparkSession spark, String conf) {
    Path root = SparkExtension.repoRoot();
    String storage = dir.resolve("tables").toString();
    List<String> args = new java.util.ArrayList<>(List.of("pipeline", "--config", root.resolve(conf).toString(),
        "-D", "commonclient.storage.root=" + storage,
        // the example configs name ../shared/data relative to the repository root
        "-D", "commonclient.data.benchmarks=" + SparkExtension.sharedData()));
    int code = run(args.toArray(new String[0]));
    assertEquals(0, code, "pipeline exit code");
    Dataset<Row> cw = DeltaTables.read(spark, storage + "/linked/crosswalk");
    Evaluation.Scores s = Evaluation.clusters(cw, EvaluateCommand.truthTable(spark, cw, null, "rec-(\\d+)-"));
    System.out.println(conf + ":\n" + s);
    return s;
  }

  @Test
  void febrl3DedupeReachesF1OfAtLeast099(SparkSession spark) throws Exception {
    Evaluation.Scores s = pipeline(spark, "conf/examples/febrl3.conf");
    assertEquals(5000, s.records());
    assertTrue(s.f1() >= 0.99, "FEBRL3 pairwise F1 " + s.f1());
    // the recall each blocking rule contributes adds up to the scored pairs' recall
    String tables = dir.resolve("tables").toString();
    Dataset<Row> mp = DeltaTables.read(spark, tables + "/linked/match_pairs");
    Dataset<Row> cw = DeltaTables.read(spark, tables + "/linked/crosswalk");
    Dataset<Row> truth = EvaluateCommand.truthTable(spark, cw, null, "rec-(\\d+)-");
    List<Evaluation.RuleContribution> rules = Evaluation.byRule(mp, truth, 0.9);
    System.out.println("FEBRL3 by rule: " + rules);
    Evaluation.ThresholdPoint at = Evaluation.thresholds(mp, truth, new double[] {0.9}).get(0);
    assertEquals(at.truePositives(), rules.stream().mapToLong(Evaluation.RuleContribution::matchedTruePairs).sum());
    assertEquals(at.recall(), rules.stream().mapToDouble(Evaluation.RuleContribution::recallShare).sum(), 1e-9);
    assertTrue(rules.size() > 1 && rules.stream().allMatch(r -> r.truePairs() <= r.pairs()), rules.toString());
    // the crosswalk exports as CSV with source, record_id, person_id in its header
    Path out = dir.resolve("cw-csv");
    assertEquals(0, run("export", "--config", SparkExtension.repoRoot().resolve("conf/examples/febrl3.conf").toString(),
        "-D", "commonclient.storage.root=" + dir.resolve("tables"),
        "-D", "commonclient.data.benchmarks=" + SparkExtension.sharedData(), "--table", "crosswalk", "--format", "csv", "--out", out.toString()));
    Path csv;
    try (var files = Files.list(out)) {
      csv = files.filter(p -> p.getFileName().toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(csv);
    assertTrue(List.of(lines.get(0).split(",")).containsAll(List.of("source", "record_id", "person_id")), lines.get(0));
    assertEquals(5001, lines.size(), "header + one line per record");
  }

  @Test
  void febrl4LinkReachesF1OfAtLeast099(SparkSession spark) {
    Evaluation.Scores s = FebrlRuns.febrl4Clear(spark);
    assertEquals(10000, s.records());
    assertTrue(s.f1() >= 0.99, "FEBRL4 pairwise F1 " + s.f1());
  }
}
