package org.commonclient.governance;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.io.DeltaTables;

/**
 * Appends a row for a stage other than link (metrics, research-extract) to the linked {@code
 * runs} table, in the link job's schema, with the data-use agreement it ran under.
 */
public final class RunLog {
  /** The runs schema (the link job writes the same columns). */
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType).add("stage", DataTypes.StringType)
      .add("outcome", DataTypes.StringType).add("config_hash", DataTypes.StringType)
      .add("link_type", DataTypes.StringType)
      .add("input_versions", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
      .add("counts", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
      .add("stage_seconds", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
      .add("started_at", DataTypes.TimestampType).add("finished_at", DataTypes.TimestampType)
      .add("agreement_id", DataTypes.StringType);

  private RunLog() {}

  public static void append(SparkSession spark, String runsPath, String runId, String stage, String configHash,
      String agreementId, Map<String, Long> inputVersions, Map<String, Long> counts, Map<String, Double> seconds,
      long startedMillis) {
    Row row = RowFactory.create(runId, stage, "SUCCEEDED", configHash, null,
        scala.jdk.javaapi.CollectionConverters.asScala(inputVersions),
        scala.jdk.javaapi.CollectionConverters.asScala(counts),
        scala.jdk.javaapi.CollectionConverters.asScala(seconds),
        new Timestamp(startedMillis), new Timestamp(System.currentTimeMillis()), agreementId);
    DeltaTables.append(spark.createDataFrame(List.of(row), SCHEMA), runsPath);
  }
}
