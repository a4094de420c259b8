package org.commonclient.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Times the metrics stage on tables in the layout {@link SyntheticLinkedData} writes: reads them,
 * runs {@link MetricsJob#run} and {@link MetricsWriter#write} (outputs under {@code
 * <root>/bench-out/restricted} and {@code <root>/bench-out/published}) and reports records,
 * persons, seconds per phase and total seconds.
 */
public final class MetricsBenchmark {
  private MetricsBenchmark() {}

  /** Runs the benchmark and returns a plain-text report (one {@code key: value} per line). */
  public static String run(SparkSession spark, String rootPath, MetricsConfig cfg) {
    Map<String, String> out = new LinkedHashMap<>();
    StageProfile profile = new StageProfile();
    spark.sparkContext().addSparkListener(profile);
    long c0 = StageProfile.processCpuMillis();
    long t0 = System.nanoTime();
    MetricsInputs in = read(spark, rootPath);
    long tRead = System.nanoTime();
    long cRead = StageProfile.processCpuMillis();
    MetricsResult result = MetricsJob.run(spark, cfg, in);
    long tRun = System.nanoTime();
    long cRun = StageProfile.processCpuMillis();
    MetricsWriter.write(spark, result, rootPath + "/bench-out/restricted", rootPath + "/bench-out/published");
    long tWrite = System.nanoTime();
    long cWrite = StageProfile.processCpuMillis();
    spark.sparkContext().removeSparkListener(profile);
    writeDigest(spark, result, rootPath + "/bench-out/tables.txt");
    // counted after the timed part, so the counts do not warm the timed run
    long records = in.personRecords().count();
    long persons = in.crosswalk().select("person_id").distinct().count();
    out.put("records", Long.toString(records));
    out.put("persons", Long.toString(persons));
    out.put("periods", Integer.toString(cfg.periods().size()));
    out.put("shuffle.partitions", spark.conf().get("spark.sql.shuffle.partitions"));
    out.put("adaptive (AQE)", spark.conf().get("spark.sql.adaptive.enabled"));
    out.put("read tables (s)", secs(tRead - t0) + cpu(cRead - c0));
    for (Map.Entry<String, Long> e : result.phaseMillis().entrySet()) {
      Long c = result.phaseCpuMillis().get(e.getKey());
      out.put("  run: " + e.getKey() + " (s)", String.format("%.2f", e.getValue() / 1000.0)
          + (c == null ? "" : cpu(c)));
    }
    out.put("MetricsJob.run (s)", secs(tRun - tRead) + cpu(cRun - cRead));
    out.put("MetricsWriter.write (s)", secs(tWrite - tRun) + cpu(cWrite - cRun));
    out.put("total (s)", secs(tWrite - t0) + cpu(cWrite - c0));
    out.put("restricted tables", Integer.toString(result.restricted().size()));
    out.put("published tables", Integer.toString(result.published().size()));
    out.put("notes", result.notes().toString());
    StringBuilder sb = new StringBuilder();
    out.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
    sb.append("spark task time per job description (load-independent):\n").append(profile.report(15));
    return sb.toString();
  }

  /** The inputs under {@code root} (fact tables absent when their directory is missing). */
  public static MetricsInputs read(SparkSession spark, String root) {
    return new MetricsInputs(
        delta(spark, SyntheticLinkedData.identified(root, "person_records"), true),
        delta(spark, SyntheticLinkedData.crosswalkPath(root), true),
        delta(spark, SyntheticLinkedData.identified(root, "edu_enrollment"), false),
        delta(spark, SyntheticLinkedData.identified(root, "edu_attendance"), false),
        delta(spark, SyntheticLinkedData.identified(root, "edu_assessment"), false),
        delta(spark, SyntheticLinkedData.identified(root, "edu_cohort"), false),
        delta(spark, SyntheticLinkedData.identified(root, "housing_residence"), false),
        delta(spark, SyntheticLinkedData.identified(root, "headstart_service"), false));
  }

  private static Dataset<Row> delta(SparkSession spark, String path, boolean required) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      boolean exists = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
      if (!exists) {
        if (required) {
          throw new IllegalArgumentException("Cannot read " + path + ": no such table");
        }
        return null;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + path, e);
    }
    return spark.read().format("delta").load(path);
  }

  /**
   * Every restricted and published row, sorted per table, plus the outreach list's size and an
   * order-free hash: two runs gave the same answers when their digests are equal (not timed).
   */
  static void writeDigest(SparkSession spark, MetricsResult result, String path) {
    StringBuilder sb = new StringBuilder();
    for (String zone : new String[] {"restricted", "published"}) {
      for (MetricTable t : zone.equals("restricted") ? result.restricted() : result.published()) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (Row r : t.rows()) {
          lines.add(r.toString());
        }
        java.util.Collections.sort(lines);
        sb.append("## ").append(zone).append(' ').append(t.name()).append(' ').append(lines.size()).append('\n');
        lines.forEach(l -> sb.append(l).append('\n'));
      }
    }
    Row o = result.outreach().agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)),
        org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.pmod(org.apache.spark.sql.functions.xxhash64(
            org.apache.spark.sql.functions.col("period"), org.apache.spark.sql.functions.col("rule"),
            org.apache.spark.sql.functions.col("status"), org.apache.spark.sql.functions.col("person_id")),
            org.apache.spark.sql.functions.lit(2147483647L))))
        .first();
    sb.append("## outreach ").append(o.get(0)).append(" hashsum ").append(o.get(1)).append('\n');
    MetricsWriter.writeText(spark, path, sb.toString());
  }

  /** " (cpu N s)": CPU seconds of the JVM (all threads) over a step. */
  private static String cpu(long millis) {
    return millis < 0 ? "" : String.format(" (cpu %.2f s)", millis / 1000.0);
  }

  private static String secs(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }
}
