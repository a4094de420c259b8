package org.commonclient.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkExtension.class)
class AtomicPublisherTest {
  @TempDir Path dir;

  private Map<String, AtomicPublisher.Table> tables(SparkSession spark, int n, boolean failSecond) {
    Map<String, AtomicPublisher.Table> m = new LinkedHashMap<>();
    Dataset<Row> a = spark.range(n).toDF("id");
    Dataset<Row> b = spark.range(n).toDF("id");
    if (failSecond) {
      b = b.withColumn("id", when(col("id").equalTo(n - 1), raise_error(lit("boom"))).otherwise(col("id")));
    }
    m.put("a", new AtomicPublisher.Table(dir.resolve("zone/a").toString(), a, AtomicPublisher.Mode.OVERWRITE));
    m.put("b", new AtomicPublisher.Table(dir.resolve("zone/b").toString(), b, AtomicPublisher.Mode.OVERWRITE));
    m.put("c", new AtomicPublisher.Table(dir.resolve("zone/c").toString(), spark.range(1).toDF("id"), AtomicPublisher.Mode.APPEND));
    return m;
  }

  private long count(SparkSession spark, String t) {
    return DeltaTables.read(spark, dir.resolve("zone/" + t).toString()).count();
  }

  @Test
  void aFailedPublishLeavesEveryTableAtItsPreviousVersion(SparkSession spark) {
    String zone = dir.resolve("zone").toString();
    AtomicPublisher.publish(spark, zone, tables(spark, 3, false));
    assertEquals(3, count(spark, "a"));
    assertThrows(Exception.class, () -> AtomicPublisher.publish(spark, zone, tables(spark, 5, true)));
    assertEquals(3, count(spark, "a"), "a restored");
    assertEquals(3, count(spark, "b"), "b untouched");
    assertEquals(1, count(spark, "c"), "c untouched");
    assertFalse(Files.exists(dir.resolve("zone/_publish/journal")));
    AtomicPublisher.publish(spark, zone, tables(spark, 5, false));
    assertEquals(5, count(spark, "b"));
    assertEquals(2, count(spark, "c"));
  }

  @Test
  void aJournalLeftByAKilledRunIsRecovered(SparkSession spark) throws Exception {
    String zone = dir.resolve("zone").toString();
    AtomicPublisher.publish(spark, zone, tables(spark, 3, false));
    long va = DeltaTables.version(spark, dir.resolve("zone/a").toString());
    // what a run killed after its first table leaves behind: a journal and one advanced table
    Files.createDirectories(dir.resolve("zone/_publish"));
    Files.writeString(dir.resolve("zone/_publish/journal"), va + "\t" + dir.resolve("zone/a") + "\n-1\t" + dir.resolve("zone/new") + "\n");
    DeltaTables.overwrite(spark.range(7).toDF("id"), dir.resolve("zone/a").toString());
    DeltaTables.overwrite(spark.range(7).toDF("id"), dir.resolve("zone/new").toString());
    assertTrue(AtomicPublisher.recover(spark, zone));
    assertEquals(3, count(spark, "a"));
    assertFalse(Files.exists(dir.resolve("zone/new")), "a table the interrupted run created is removed");
    assertFalse(AtomicPublisher.recover(spark, zone), "recovery is idempotent");
  }
}
