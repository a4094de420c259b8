package org.commonclient.io;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Rows of the {@code runs} table (linked zone) written outside any atomic publish: the outcome of
 * runs that are not link runs (ingest, metrics, the whole pipeline) and of every failed run, so a
 * failure is recorded even though its publish was rolled back. The link stage's own success row
 * is written by its atomic publish, through {@link #frame}, with the same columns.
 */
public final class RunLog {
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  /**
   * The runs table's columns: every writer, the link publishes included, writes exactly these
   * ({@link Schemas#RUN} without its column comments, which the data dictionary documents).
   */
  public static final StructType SCHEMA = new StructType(java.util.Arrays.stream(Schemas.RUN.fields())
      .map(f -> new org.apache.spark.sql.types.StructField(f.name(), f.dataType(), f.nullable(),
          org.apache.spark.sql.types.Metadata.empty()))
      .toArray(org.apache.spark.sql.types.StructField[]::new));

  /** One run's outcome. {@code error} is null for a success. */
  public record Entry(String runId, String stage, String outcome, String configHash, Map<String, Long> inputVersions,
      Map<String, Long> counts, Map<String, Double> stageSeconds, long startedMillis, long finishedMillis, String error) {}

  private RunLog() {}

  /** Appends the entry to {@code runsTable} (one Delta commit; creates the table if needed). */
  public static void append(SparkSession spark, String runsTable, Entry e) {
    append(spark, runsTable, e, null);
  }

  /** As {@link #append(SparkSession, String, Entry)}, recording the data-use agreement the run ran under. */
  public static void append(SparkSession spark, String runsTable, Entry e, String agreementId) {
    DeltaTables.append(frame(spark, e, null, agreementId, null), runsTable);
  }

  /**
   * The entry as a one-row frame of {@link #SCHEMA}, for a link run's atomic publish.
   *
   * @param linkType dedupe, link or link_and_dedupe (null for runs that link nothing)
   * @param agreementId the data-use agreement the run ran under, or null
   * @param mode the link mode (CLEAR, KEYED_TOKENS, BLOOM_CLK), or null
   */
  public static Dataset<Row> frame(SparkSession spark, Entry e, String linkType, String agreementId, String mode) {
    Row row = RowFactory.create(e.runId(), e.stage(), e.outcome(), e.configHash(), linkType,
        CollectionConverters.asScala(e.inputVersions()), CollectionConverters.asScala(e.counts()),
        CollectionConverters.asScala(e.stageSeconds()),
        new Timestamp(e.startedMillis()), new Timestamp(e.finishedMillis()), truncate(e.error(), 4000), agreementId,
        mode);
    return spark.createDataFrame(List.of(row), SCHEMA);
  }

  static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
