package org.commonclient.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Saves and loads {@link FellegiSunterModel}s. A location ending in {@code .json} is a single JSON
 * file (overwritten), read and written through Hadoop's FileSystem so any URI Hadoop reaches works;
 * any other location is a Delta table that keeps every saved model as one row
 * ({@code model_id, saved_at, model_json}), and {@link #load} returns the most recent.
 */
public final class ModelStore {
  public static final StructType TABLE_SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("model_id", DataTypes.StringType, false),
            DataTypes.createStructField("saved_at", DataTypes.TimestampType, false),
            DataTypes.createStructField("model_json", DataTypes.StringType, false),
          });

  private ModelStore() {}

  /** Saves the model; returns its id ({@code M} + 16 hex chars of the SHA-256 of its JSON). */
  public static String save(SparkSession spark, FellegiSunterModel model, String location) {
    String json = model.toJson();
    String id = modelId(json);
    if (isJson(location)) {
      Path p = new Path(location);
      try {
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try (OutputStream out = fs.create(p, true)) {
          out.write(json.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new IllegalStateException("Cannot write model file " + location + ": " + e.getMessage(), e);
      }
    } else {
      Dataset<Row> row =
          spark
              .createDataFrame(
                  List.of(RowFactory.create(id, new java.sql.Timestamp(System.currentTimeMillis()), json)),
                  TABLE_SCHEMA);
      row.write().format("delta").mode("append").save(location);
    }
    return id;
  }

  /** Loads the model at {@code location} (the latest row of a Delta table). */
  public static FellegiSunterModel load(SparkSession spark, String location) {
    if (isJson(location)) {
      Path p = new Path(location);
      try {
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try (InputStream in = fs.open(p)) {
          return FellegiSunterModel.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read model file " + location + ": " + e.getMessage(), e);
      }
    }
    List<Row> rows =
        spark
            .read()
            .format("delta")
            .load(location)
            .orderBy(functions.col("saved_at").desc(), functions.col("model_id"))
            .limit(1)
            .collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("Model table " + location + " holds no model");
    }
    return FellegiSunterModel.fromJson(rows.get(0).getString(2));
  }

  /** Writes the model as JSON to a local file, without Spark. */
  public static void saveJson(FellegiSunterModel model, java.nio.file.Path file) throws IOException {
    Files.writeString(file, model.toJson(), StandardCharsets.UTF_8);
  }

  /** Reads a model from a local JSON file, without Spark. */
  public static FellegiSunterModel loadJson(java.nio.file.Path file) throws IOException {
    return FellegiSunterModel.fromJson(Files.readString(file, StandardCharsets.UTF_8));
  }

  static String modelId(String json) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
      return "M" + HexFormat.of().formatHex(h, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static boolean isJson(String location) {
    return location.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
  }
}
