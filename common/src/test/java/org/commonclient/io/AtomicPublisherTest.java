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

  @Test
  void adoptedFilesBecomeTheTableWithoutBeingRewritten(SparkSession spark) throws Exception {
    String zone = dir.resolve("zone").toString();
    String table = dir.resolve("zone/keys").toString();
    String work = dir.resolve("work/keys").toString();
    spark.range(10).toDF("id").withColumn("name", col("id").cast("string")).repartition(2).write().parquet(work);
    java.util.Set<String> written = parquetFiles(Path.of(work));
    Map<String, AtomicPublisher.Table> m = new LinkedHashMap<>();
    m.put("keys", AtomicPublisher.Table.adopt(table, work));
    m.put("a", new AtomicPublisher.Table(dir.resolve("zone/a").toString(), spark.range(3).toDF("id"), AtomicPublisher.Mode.OVERWRITE));
    AtomicPublisher.publish(spark, zone, m);
    assertEquals(45L, DeltaTables.read(spark, table).agg(org.apache.spark.sql.functions.sum("id")).head().getLong(0));
    assertEquals(written, java.util.Arrays.stream(DeltaTables.read(spark, table).inputFiles())
        .map(f -> f.substring(f.lastIndexOf('/') + 1)).collect(java.util.stream.Collectors.toSet()),
        "the table is the work files themselves, moved");
    assertTrue(parquetFiles(Path.of(work)).isEmpty());
    Row stats = spark.sql("DESCRIBE DETAIL delta.`" + table + "`").select("numFiles").head();
    assertEquals(2L, stats.getLong(0));

    // a later adoption replaces every row; deletion vectors work on adopted files (row counts known)
    spark.range(100, 104).toDF("id").withColumn("name", col("id").cast("string")).write().parquet(work + "2");
    m.put("keys", AtomicPublisher.Table.adopt(table, work + "2"));
    AtomicPublisher.publish(spark, zone, m);
    assertEquals(4, DeltaTables.read(spark, table).count());
    DeltaTables.deleteAndAppend(spark.range(200, 201).toDF("id").withColumn("name", lit("x")), table, col("id").equalTo(101));
    assertEquals(java.util.List.of(100L, 102L, 103L, 200L), DeltaTables.read(spark, table).orderBy("id")
        .select("id").as(org.apache.spark.sql.Encoders.LONG()).collectAsList());

    // other columns: the rows are written instead (the schema replaced)
    spark.range(5).toDF("other").write().parquet(work + "3");
    assertEquals(0, DeltaTables.adoptOverwrite(spark, work + "3", table));
    assertEquals(java.util.List.of("other"), java.util.List.of(DeltaTables.read(spark, table).columns()));
    assertEquals(5, DeltaTables.read(spark, table).count());
  }

  @Test
  void aFailedPublishRestoresAnAdoptedTable(SparkSession spark) {
    String zone = dir.resolve("zone").toString();
    String table = dir.resolve("zone/keys").toString();
    DeltaTables.overwrite(spark.range(3).toDF("id"), table);
    spark.range(10).toDF("id").write().parquet(dir.resolve("work/keys").toString());
    Map<String, AtomicPublisher.Table> m = new LinkedHashMap<>();
    m.put("keys", AtomicPublisher.Table.adopt(table, dir.resolve("work/keys").toString()));
    m.put("b", new AtomicPublisher.Table(dir.resolve("zone/b").toString(),
        spark.range(3).toDF("id").withColumn("id", when(col("id").equalTo(2), raise_error(lit("boom"))).otherwise(col("id"))),
        AtomicPublisher.Mode.APPEND));
    m.put("runs", new AtomicPublisher.Table(dir.resolve("zone/runs").toString(), spark.range(1).toDF("id"), AtomicPublisher.Mode.APPEND));
    assertThrows(Exception.class, () -> AtomicPublisher.publish(spark, zone, m));
    assertEquals(3, DeltaTables.read(spark, table).count(), "the adopted table is at its previous version");
  }

  private static java.util.Set<String> parquetFiles(Path d) throws java.io.IOException {
    try (var s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".parquet"))
          .collect(java.util.stream.Collectors.toSet());
    }
  }
}
