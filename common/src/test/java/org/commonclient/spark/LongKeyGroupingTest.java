package org.commonclient.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Grouping a partition's rows by a long key (plain Java, and once through Spark). */
@ExtendWith(SparkExtension.class)
class LongKeyGroupingTest {
  /** Entries over few blocks (big ones, extreme and negative hashes) and many single ones. */
  private static List<long[]> entries(long seed, int n) {
    Random rnd = new Random(seed);
    long[] special = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L, Long.MIN_VALUE + 1};
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int pick = rnd.nextInt(10);
      long b = pick < 2 ? special[rnd.nextInt(special.length)] : pick < 5 ? rnd.nextInt(300) - 150L : rnd.nextLong();
      out.add(new long[] {b, rnd.nextInt(12), rnd.nextLong(), rnd.nextLong(), rnd.nextInt(3)});
    }
    return out;
  }

  private static Iterator<InternalRow> rows(List<long[]> entries) {
    return entries.stream().map(e -> (InternalRow) new GenericInternalRow(
        new Object[] {e[0], (int) e[1], e[2], e[3], e[4]})).iterator();
  }

  private static String key(long b, long r, long k, long uid, long s) {
    return b + "/" + r + "/" + k + "/" + uid + "/" + s;
  }

  @Test
  void everyEntryOnceWithEachBlocksEntriesTogether() {
    for (int n : new int[] {0, 1, 15, 300, 70_000, 200_000}) {
      List<long[]> in = entries(n, n);
      Map<String, Integer> expected = new HashMap<>();
      for (long[] e : in) {
        expected.merge(key(e[0], e[1], e[2], e[3], e[4]), 1, Integer::sum);
      }
      Map<String, Integer> seen = new HashMap<>();
      Set<Long> finished = new HashSet<>();
      Long current = null;
      Iterator<InternalRow> out = LongKeyGrouping.group(rows(in), new boolean[] {false, true, false, false, false});
      while (out.hasNext()) {
        InternalRow row = out.next();
        long b = row.getLong(0);
        if (current == null || current != b) {
          if (current != null) {
            finished.add(current);
          }
          assertFalse(finished.contains(b), "block " + b + " comes in two runs (n = " + n + ")");
          current = b;
        }
        seen.merge(key(b, row.getInt(1), row.getLong(2), row.getLong(3), row.getLong(4)), 1, Integer::sum);
      }
      assertEquals(expected, seen, "n = " + n);
    }
  }

  @Test
  void bucketsHoldAFewHundredEntries() {
    assertEquals(0, LongKeyGrouping.bucketBits(0));
    assertEquals(0, LongKeyGrouping.bucketBits(256));
    assertEquals(1, LongKeyGrouping.bucketBits(257));
    assertTrue(3_000_000 >> LongKeyGrouping.bucketBits(3_000_000) <= 256);
    assertEquals(20, LongKeyGrouping.bucketBits(Integer.MAX_VALUE));
  }

  /** Through Spark: each partition's rows grouped, none lost, the partitioning kept; bad columns refused. */
  @Test
  void groupsEachPartitionOfADataset(SparkSession spark) {
    Dataset<Row> in = spark.range(0, 20_000)
        .select(xxhash64(col("id").mod(97)).as("key"), col("id").as("v"),
            col("id").mod(5).cast("int").as("tag"));
    Dataset<Row> out = LongKeyGrouping.groupWithinPartitions(in.repartition(4, col("key")));
    assertEquals(4, out.rdd().getNumPartitions());
    assertEquals(in.orderBy("v").collectAsList(), out.orderBy("v").collectAsList());
    List<Integer> runs = out.javaRDD().mapPartitions(rows -> {
      Set<Long> keys = new HashSet<>();
      int changes = 0;
      Long last = null;
      while (rows.hasNext()) {
        long k = rows.next().getLong(0);
        if (last == null || last != k) {
          changes++;
          keys.add(k);
          last = k;
        }
      }
      return List.of(changes - keys.size()).iterator();
    }).collect();
    assertEquals(List.of(0, 0, 0, 0), runs, "a key in two runs of a partition");
    assertThrows(IllegalArgumentException.class,
        () -> LongKeyGrouping.groupWithinPartitions(in.select(col("key").cast("string"), col("v"))));
  }
}
