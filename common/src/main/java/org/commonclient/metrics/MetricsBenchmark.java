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
    long t0 = System.nanoTime();
    MetricsInputs in = read(spark, rootPath);
    long tRead = System.nanoTime();
    MetricsResult result = MetricsJob.run(spark, cfg, in);
    long tRun = System.nanoTime();
    MetricsWriter.write(spark, result, rootPath + "/bench-out/restricted", rootPath + "/bench-out/published");
    long tWrite = System.nanoTime();
    // counted after the timed part, so the counts do not warm the timed run
    long records = in.personRecords().count();
    long persons = in.crosswalk().select("person_id").distinct().count();
    out.put("records", Long.toString(records));
    out.put("persons", Long.toString(persons));
    out.put("periods", Integer.toString(cfg.periods().size()));
    out.put("shuffle.partitions", spark.conf().get("spark.sql.shuffle.partitions"));
    out.put("adaptive (AQE)", spark.conf().get("spark.sql.adaptive.enabled"));
    out.put("read tables (s)", secs(tRead - t0));
    for (Map.Entry<String, Long> e : result.phaseMillis().entrySet()) {
      out.put("  run: " + e.getKey() + " (s)", String.format("%.2f", e.getValue() / 1000.0));
    }
    out.put("MetricsJob.run (s)", secs(tRun - tRead));
    out.put("MetricsWriter.write (s)", secs(tWrite - tRun));
    out.put("total (s)", secs(tWrite - t0));
    out.put("restricted tables", Integer.toString(result.restricted().size()));
    out.put("published tables", Integer.toString(result.published().size()));
    out.put("notes", result.notes().toString());
    StringBuilder sb = new StringBuilder();
    out.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
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

  private static String secs(long nanos) {
    return String.format("%.2f", nanos / 1e9);
  }
}
