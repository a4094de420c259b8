package org.commonclient.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics benchmark on synthetic linked data. {@link #benchmark} runs only with {@code
 * -Dbench.records=N} (e.g. 1000000, with {@code -Dtest.argLine=-Xmx6g}); it uses 8 shuffle
 * partitions like the benchmark script and prints the report. {@link #smallSyntheticRun} always
 * runs, on a few thousand records.
 */
@ExtendWith(SparkExtension.class)
class MetricsBenchmarkTest {

  static MetricsConfig benchConfig() {
    List<Period> years = new ArrayList<>();
    for (int y = SyntheticLinkedData.FIRST_YEAR; y <= SyntheticLinkedData.LAST_YEAR; y++) {
      years.add(Period.schoolYear(y, MetricsJobTest.SY));
    }
    return MetricsConfig.defaults().withPeriods(years);
  }

  @Test
  void benchmark(SparkSession spark, @TempDir Path dir) {
    String n = System.getProperty("bench.records", "");
    Assumptions.assumeTrue(!n.isBlank(), "set -Dbench.records=N to run the metrics benchmark");
    long records = Long.parseLong(n);
    // the production session's settings (reference.conf): 8 shuffle partitions, AQE on (Spark's
    // default; the shared test session turns it off for tiny tests)
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    String aqeBefore = spark.conf().get("spark.sql.adaptive.enabled");
    spark.conf().set("spark.sql.shuffle.partitions", System.getProperty("bench.partitions", "8"));
    spark.conf().set("spark.sql.adaptive.enabled", System.getProperty("bench.aqe", "true"));
    try {
      String root = System.getProperty("bench.root", dir.resolve("bench").toString());
      long t0 = System.nanoTime();
      boolean reuse = Boolean.getBoolean("bench.reuse")
          && java.nio.file.Files.exists(Path.of(SyntheticLinkedData.identified(root, "person_records")));
      long persons = reuse ? -1 : SyntheticLinkedData.write(spark, root, records, 42L);
      System.out.printf("synthetic data: %d records requested, %d persons, written in %.1f s%n", records, persons,
          (System.nanoTime() - t0) / 1e9);
      for (int run = 1; run <= Integer.getInteger("bench.runs", 1); run++) {
        String report = MetricsBenchmark.run(spark, root, benchConfig());
        System.out.println("=== metrics benchmark run " + run + " ===\n" + report);
        assertTrue(!report.contains("FAILED"), report);
      }
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
      spark.conf().set("spark.sql.adaptive.enabled", aqeBefore);
    }
  }

  /** A few thousand synthetic records through the whole stage: every table, no failed metric. */
  @Test
  void smallSyntheticRun(SparkSession spark, @TempDir Path dir) {
    String root = dir.resolve("small").toString();
    SyntheticLinkedData.write(spark, root, 3000, 7L);
    MetricsInputs in = MetricsBenchmark.read(spark, root);
    long records = in.personRecords().count();
    assertTrue(records > 2500 && records < 3500, "about 3000 records, got " + records);
    assertEquals(0L, in.personRecords().join(in.crosswalk(), new String[] {"source", "record_id"}, "left_anti").count(),
        "every record is in the crosswalk");
    assertEquals(0L, in.eduEnrollment().withColumnRenamed("record_source", "source")
        .join(in.personRecords(), new String[] {"source", "record_id"}, "left_anti").count(),
        "every enrollment refers to a person record");
    String report = MetricsBenchmark.run(spark, root, benchConfig().withMinCell(1));
    assertTrue(report.contains("total (s)"), report);
    assertTrue(!report.contains("FAILED"), report);
    String out = root + "/bench-out/restricted/";
    for (String t : List.of("program_counts", "program_combinations", "program_overlap", "program_churn",
        "eligible_not_enrolled", "education_outcomes", "eligible_outreach")) {
      assertTrue(spark.read().format("delta").load(out + t).count() > 0, t + " has rows");
    }
    List<org.apache.spark.sql.Row> all = spark.read().format("delta").load(out + "program_counts")
        .where("period = 'SY2024-25' AND program = 'ALL'").orderBy("level").collectAsList();
    long fam = all.stream().filter(x -> x.getString(1).equals("FAMILY")).findFirst().orElseThrow().getLong(3);
    long per = all.stream().filter(x -> x.getString(1).equals("PERSON")).findFirst().orElseThrow().getLong(3);
    assertTrue(fam > 0 && fam < per, "households make fewer families (" + fam + ") than persons (" + per + ")");
  }
}
