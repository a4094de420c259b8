package org.commonclient.io;

import io.delta.tables.DeltaTable;
import java.util.Collection;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Small helpers around Delta tables addressed by path. */
public final class DeltaTables {
  private DeltaTables() {}

  public static boolean exists(SparkSession spark, String path) {
    return DeltaTable.isDeltaTable(spark, path);
  }

  public static Dataset<Row> read(SparkSession spark, String path) {
    return spark.read().format("delta").load(path);
  }

  /** Current version of the table, -1 if it does not exist. */
  public static long version(SparkSession spark, String path) {
    if (!exists(spark, path)) {
      return -1;
    }
    return DeltaTable.forPath(spark, path).history(1).select("version").head().getLong(0);
  }

  /**
   * Atomically replaces the rows whose {@code column} is one of {@code values} (one Delta commit),
   * creating the table, partitioned by that column, if it does not exist.
   */
  public static void replacePartitions(
      Dataset<Row> data, String path, String column, Collection<String> values) {
    SparkSession spark = data.sparkSession();
    if (!exists(spark, path)) {
      data.write().format("delta").mode(SaveMode.Overwrite).partitionBy(column).save(path);
      return;
    }
    String in =
        values.stream()
            .map(v -> "'" + v.replace("'", "''") + "'")
            .collect(Collectors.joining(", "));
    data.write()
        .format("delta")
        .mode(SaveMode.Overwrite)
        .option("replaceWhere", "`" + column + "` IN (" + in + ")")
        .save(path);
  }

  /** Replaces the whole table content in one commit (creating it if needed). */
  public static void overwrite(Dataset<Row> data, String path) {
    data.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true").save(path);
  }

  public static void append(Dataset<Row> data, String path) {
    data.write().format("delta").mode(SaveMode.Append).option("mergeSchema", "true").save(path);
  }

  /** True when the table's {@code delta.enableDeletionVectors} property is on. */
  public static boolean deletionVectorsEnabled(SparkSession spark, String path) {
    Row detail = DeltaTable.forPath(spark, path).detail().select("properties").head();
    java.util.Map<String, String> props = detail.isNullAt(0) ? java.util.Map.of() : detail.getJavaMap(0);
    return "true".equalsIgnoreCase(props.get("delta.enableDeletionVectors"));
  }
}
