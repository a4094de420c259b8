package org.commonclient.blocking;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The entries loop gives what a SQL explode of the key columns with {@code xxhash64(_fr, _fk)} gives. */
@ExtendWith(SparkExtension.class)
class BlockEntriesTest {
  @Test
  void entriesEqualTheSqlExplodeAllAndFiltered(SparkSession spark) {
    StructType schema = new StructType().add("uid", DataTypes.LongType).add("source", DataTypes.StringType)
        .add("last", DataTypes.StringType).add("first", DataTypes.StringType).add("zip", DataTypes.StringType);
    Dataset<Row> records = spark.createDataFrame(List.of(
        RowFactory.create(1L, "a", "SMITH", "ANN", "10001"), RowFactory.create(2L, "b", "SMITH", null, "10001"),
        RowFactory.create(3L, "a", null, "BOB", null), RowFactory.create(4L, "b", "JONES", "CARL", "10002"),
        RowFactory.create(5L, "c", null, null, null)), schema);
    List<BlockingRule> rules = List.of(BlockingRule.of("last_zip", "last", "zip"),
        new BlockingRule("names", List.of("array(substr(last, 1, 3), first)"), ""),
        BlockingRule.of("zip", "zip"));
    List<ResolvedRule> resolved = ResolvedRule.resolveAll(records, rules);
    Dataset<Row> keyed = BlockingAnalysis.hashed(records, resolved);
    Dataset<Row> sql = keyed.select(col("uid"), explode(BlockingAnalysis.ruleKeys(resolved, "_fr", "_fk")).as("_e"))
        .select(col("uid"), col("_e._fr").as("_fr"), col("_e._fk").as("_fk"))
        .where(col("_fk").isNotNull())
        .withColumn("_b", xxhash64(col("_fr"), col("_fk")));
    Set<List<Object>> expected = rows(sql);
    assertEquals(expected, rows(BlockEntries.all(keyed, resolved)));
    assertTrue(expected.size() > 8, "entries: " + expected);
    // the entries of the blocks of record 1 only: every record sharing one of its keys
    Dataset<Row> blocksOf1 = sql.where(col("uid").equalTo(1L)).select("_b");
    Set<List<Object>> ofBlocks = new HashSet<>();
    Set<Long> wanted = new HashSet<>();
    blocksOf1.collectAsList().forEach(r -> wanted.add(r.getLong(0)));
    for (List<Object> e : expected) {
      if (wanted.contains((Long) e.get(3))) {
        ofBlocks.add(e);
      }
    }
    assertEquals(ofBlocks, rows(BlockEntries.inBlocks(keyed, resolved, blocksOf1)));
    assertTrue(ofBlocks.stream().anyMatch(e -> (Long) e.get(0) == 2L), "record 2 shares SMITH/10001: " + ofBlocks);
  }

  @Test
  void longHashSetHoldsWhatWasAdded() {
    SplittableRandom rnd = new SplittableRandom(7);
    BlockEntries.LongHashSet set = new BlockEntries.LongHashSet(10_000);
    Set<Long> ref = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      long v = i % 1000 == 0 ? 0L : rnd.nextLong();
      set.add(v);
      ref.add(v);
    }
    assertEquals(ref.size(), set.size());
    for (long v : ref) {
      assertTrue(set.contains(v));
    }
    for (int i = 0; i < 10_000; i++) {
      long v = rnd.nextLong();
      assertEquals(ref.contains(v), set.contains(v));
    }
    assertFalse(new BlockEntries.LongHashSet(1).contains(0L));
  }

  private static Set<List<Object>> rows(Dataset<Row> d) {
    Set<List<Object>> out = new HashSet<>();
    for (Row r : d.select("uid", "_fr", "_fk", "_b").collectAsList()) {
      out.add(List.of(r.getLong(0), r.getInt(1), r.getLong(2), r.getLong(3)));
    }
    return out;
  }
}
