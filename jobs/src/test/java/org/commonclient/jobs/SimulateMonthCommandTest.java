package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** simulate-month, run month after month on the same tables, never repeats a record id. */
@ExtendWith(SparkExtension.class)
class SimulateMonthCommandTest {
  @TempDir Path dir;

  @Test
  void consecutiveMonthsAddNewRecordsWithNewIds(SparkSession spark) {
    StructType schema = new StructType().add("source", DataTypes.StringType).add("record_id", DataTypes.StringType)
        .add("row_hash", DataTypes.StringType).add("first_name", DataTypes.StringType)
        .add("address_line", DataTypes.StringType).add("phone", DataTypes.StringType).add("ssn", DataTypes.StringType)
        .add("dob", DataTypes.DateType).add("dob_raw", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      rows.add(RowFactory.create(i % 2 == 0 ? "tanf" : "snap", "r" + i, "h" + i, "ANA", "1 MAIN ST", "5550100", null,
          java.sql.Date.valueOf("1990-01-01"), "1990-01-01"));
    }
    String root = dir.resolve("tables").toString();
    String pr = root + "/identified/person_records";
    spark.createDataFrame(rows, schema).write().format("delta").partitionBy("source").save(pr);
    String[] args = {"simulate-month", "--config", SparkExtension.repoRoot().resolve("conf/local.conf").toString(),
        "-D", "commonclient.storage.root=" + root, "--new-bp", "500", "--changed-bp", "100"};
    long before = 3000;
    for (int month = 2; month <= 3; month++) {
      assertEquals(0, FebrlAccuracyTest.run(args), "simulate-month exit code, month " + month);
      Dataset<Row> now = DeltaTables.read(spark, pr);
      long n = now.count();
      assertTrue(n > before + 100, "month " + month + " adds about 5% new records: " + before + " -> " + n);
      assertEquals(n, now.select("source", "record_id").distinct().count(), "record ids unique after month " + month);
      before = n;
    }
  }
}
