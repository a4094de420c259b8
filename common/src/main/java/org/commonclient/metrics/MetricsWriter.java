package org.commonclient.metrics;

import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Writes a {@link MetricsResult}: raw tables and outreach lists as Delta under the restricted
 * path; published tables as Delta under {@code <published>/<name>} and CSV under {@code
 * <published>/csv/<name>}, each row carrying {@code parameters} and {@code footnote}; and {@code
 * <published>/summary.html} with the headline figures of the last period.
 */
public final class MetricsWriter {
  private MetricsWriter() {}

  /**
   * Writes every table. The tables are small and independent, so they are written from a few
   * threads at once (Spark runs jobs of different threads side by side); most of the time of a
   * small Delta write is commit and snapshot overhead, not data.
   */
  public static void write(SparkSession spark, MetricsResult result, String restrictedPath, String publishedPath) {
    List<Runnable> writes = new java.util.ArrayList<>();
    for (MetricTable t : result.restricted()) {
      writes.add(() -> spark.createDataFrame(t.rows(), t.schema()).write().format("delta").mode(SaveMode.Overwrite)
          .option("overwriteSchema", "true").save(restrictedPath + "/" + t.name()));
    }
    writes.add(() -> result.outreach().write().format("delta").mode(SaveMode.Overwrite)
        .option("overwriteSchema", "true").save(restrictedPath + "/eligible_outreach"));
    String params = paramsText(result.parameters());
    for (MetricTable t : result.published()) {
      // coalesce before the constant columns: a projection right over the local rows would be
      // folded into them (ConvertToLocalRelation), so every row would carry the parameter text
      // and footnote into the task (tens of MB for the education table, written twice)
      Dataset<Row> df = spark.createDataFrame(t.rows(), t.schema()).coalesce(1)
          .withColumn("parameters", lit(params)).withColumn("footnote", lit(t.footnote()));
      writes.add(() -> df.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true")
          .save(publishedPath + "/" + t.name()));
      writes.add(() -> df.write().mode(SaveMode.Overwrite).option("header", "true")
          .csv(publishedPath + "/csv/" + t.name()));
    }
    writes.add(() -> writeText(spark, publishedPath + "/summary.html", SummaryHtml.render(result)));
    org.commonclient.spark.SparkSessions.runAll("metrics-writer", writes, WRITER_THREADS);
  }

  static final int WRITER_THREADS = 4;

  static String paramsText(Map<String, String> p) {
    StringBuilder sb = new StringBuilder();
    p.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append('=').append(v));
    return sb.toString();
  }

  static void writeText(SparkSession spark, String path, String text) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(p, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write " + path, e);
    }
  }

  /** Unused-name guard for callers listing outputs. */
  public static List<String> restrictedNames(MetricsResult r) {
    List<String> names = new java.util.ArrayList<>(r.restricted().stream().map(MetricTable::name).toList());
    names.add("eligible_outreach");
    return names;
  }
}
