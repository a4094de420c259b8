package org.commonclient.io;

import io.delta.tables.DeltaTable;
import java.util.Collection;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

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

  /**
   * Updates the table in place in one commit (a Delta MERGE): each row of {@code rows} replaces the
   * row with the same {@code keys} or is added; the rows whose keys are in {@code deletes} (and not
   * in {@code rows}) are removed; every other row stays as it is. Deletion vectors are turned on
   * for the table first (a property change of its own commit), so the MERGE marks the replaced and
   * removed rows in small side files and writes only the new rows, instead of rewriting every data
   * file that holds one of them (with changed records spread over the whole table: all of them).
   * The keys must be unique within {@code rows}; a table column that {@code rows} lacks is null
   * in the rows it adds or replaces.
   *
   * @param deletes the key columns of rows to remove (null: none)
   */
  public static void upsert(Dataset<Row> rows, String path, java.util.List<String> keys, Dataset<Row> deletes) {
    SparkSession spark = rows.sparkSession();
    if (!exists(spark, path)) {
      overwrite(rows, path);
      return;
    }
    if (!deletionVectorsEnabled(spark, path)) {
      spark.sql("ALTER TABLE delta.`" + path.replace("`", "``")
          + "` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
    }
    DeltaTable dt = DeltaTable.forPath(spark, path);
    java.util.List<String> target = java.util.List.of(dt.toDF().columns());
    java.util.List<String> given = java.util.List.of(rows.columns());
    java.util.List<String> unknown = given.stream().filter(c -> !target.contains(c)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("Cannot update " + path + " in place: it has no column " + unknown
          + " (its columns: " + target + ")");
    }
    String[] k = keys.toArray(new String[0]);
    Dataset<Row> src = rows.withColumn(OP, functions.lit(true));
    if (deletes != null) {
      Dataset<Row> gone = deletes.select(keys.stream().map(functions::col).toArray(Column[]::new))
          .join(rows.select(keys.stream().map(functions::col).toArray(Column[]::new)), k, "left_anti")
          .withColumn(OP, functions.lit(false));
      src = src.unionByName(gone, true);
    }
    Column on = null;
    for (String c : keys) {
      Column eq = functions.col("t.`" + c + "`").equalTo(functions.col("s.`" + c + "`"));
      on = on == null ? eq : on.and(eq);
    }
    java.util.Map<String, String> set = new java.util.LinkedHashMap<>();
    for (String c : target) {
      set.put("`" + c + "`", given.contains(c) ? "s.`" + c + "`" : "NULL");
    }
    dt.as("t").merge(src.as("s"), on)
        .whenMatched(functions.not(functions.col("s." + OP))).delete()
        .whenMatched().updateExpr(set)
        .whenNotMatched(functions.col("s." + OP)).insertExpr(set)
        .execute();
  }

  /** The MERGE source's column telling an added or replacing row (true) from a removal (false). */
  private static final String OP = "_cc_upsert";

  /** True when the table's {@code delta.enableDeletionVectors} property is on. */
  public static boolean deletionVectorsEnabled(SparkSession spark, String path) {
    Row detail = DeltaTable.forPath(spark, path).detail().select("properties").head();
    java.util.Map<String, String> props = detail.isNullAt(0) ? java.util.Map.of() : detail.getJavaMap(0);
    return "true".equalsIgnoreCase(props.get("delta.enableDeletionVectors"));
  }
}
