package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.jobs.metrics.MetricsCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's first command, on a smaller sample: generate, then the whole pipeline with
 * conf/sample.conf. Checks Delta tables for every source, the linkage against the generator's
 * ground truth, and the headline metrics on linked against true person ids.
 */
@ExtendWith(SparkExtension.class)
class SamplePipelineTest {
  @Test
  void pipelineOnTheGeneratedSample(SparkSession spark) throws Exception {
    // generate 1,500 people (seed 7), then pipeline: shared with NotebooksTest (see SampleRun)
    SampleRun run = SampleRun.get();
    Path root = run.root;
    String out = run.out;
    String tables = run.tables;

    for (String t : List.of("person_records", "rejects", "edu_enrollment", "edu_attendance", "edu_assessment",
        "edu_cohort", "housing_residence", "headstart_service")) {
      assertTrue(Files.isDirectory(Path.of(tables, "identified", t, "_delta_log")), t + " is a Delta table");
    }
    List<String> sources = DeltaTables.read(spark, tables + "/identified/person_records")
        .select("source").distinct().orderBy("source").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("headstart", "housing", "medicaid", "school_students", "snap", "tanf", "wic"), sources);
    for (String t : List.of("crosswalk", "person", "match_pairs", "model", "runs", "person_id_history")) {
      assertTrue(Files.isDirectory(Path.of(tables, "linked", t, "_delta_log")), t + " is a Delta table");
    }
    assertTrue(Files.exists(Path.of(tables, "published", "metrics", "summary.html")), "summary.html");

    Dataset<Row> cw = DeltaTables.read(spark, tables + "/linked/crosswalk");
    Evaluation.Scores s = Evaluation.clusters(cw, EvaluateCommand.truthTable(spark, cw, out + "/truth/truth.csv", null));
    System.out.println("generated sample, 1,500 people:\n" + s);
    assertTrue(s.f1() >= 0.95, "pairwise F1 on the generated sample " + s.f1());

    // headline metrics on linked ids against the same on true ids
    JobOptions opts = new JobOptions();
    opts.config = root.resolve("conf/sample.conf");
    opts.overrides.put("commonclient.storage.root", tables);
    opts.overrides.put("commonclient.data.extracts", out + "/extracts");
    opts.overrides.put(TestCli.PARTITIONS_KEY, TestCli.PARTITIONS);
    // the pipeline computed them on the linked ids; now the same on the true ids (metrics_truth)
    MetricsCommand.run(opts, out + "/truth/truth.csv");
    List<String> problems = new ArrayList<>();
    Dataset<Row> lt = DeltaTables.read(spark, tables + "/linked/metrics/program_counts").where("level = 'PERSON'")
        .selectExpr("cast(period as string) AS period", "program", "n AS linked_n");
    Dataset<Row> tt = DeltaTables.read(spark, tables + "/linked/metrics_truth/program_counts").where("level = 'PERSON'")
        .selectExpr("cast(period as string) AS period", "program", "n AS true_n");
    List<Row> both = tt.join(lt, new String[] {"period", "program"}, "left").orderBy("period", "program").collectAsList();
    assertTrue(both.size() > 5, "program counts per period on the true ids: " + both);
    for (Row r : both) {
      long tn = ((Number) r.getAs("true_n")).longValue();
      Object ln = r.getAs("linked_n");
      long l = ln == null ? 0 : ((Number) ln).longValue();
      System.out.printf("%s %-12s true %6d linked %6d (%+.2f%%)%n", r.getAs("period"), r.getAs("program"), tn, l,
          tn == 0 ? 0 : 100.0 * (l - tn) / tn);
      if (tn >= 100 && Math.abs(l - tn) > 0.02 * tn) {
        problems.add(r.getAs("program") + ": linked " + l + " vs true " + tn);
      }
    }
    assertTrue(problems.isEmpty(), "program counts within 2% of the true ones: " + problems);
  }

  static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
