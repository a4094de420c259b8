package org.commonclient.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class PairSetTest {
  /** Random pairs over few uids (many duplicates, extreme and zero uids), each with a random rule. */
  private static List<Row> randomPairs(long seed, int n) {
    Random rnd = new Random(seed);
    long[] uids = {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L, 42L};
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long a = rnd.nextInt(10) < 2 ? uids[rnd.nextInt(uids.length)] : rnd.nextInt(400) - 200L;
      long b = rnd.nextInt(10) < 2 ? uids[rnd.nextInt(uids.length)] : rnd.nextLong();
      if (rnd.nextInt(3) == 0) {
        b = rnd.nextInt(50);
      }
      out.add(RowFactory.create(Math.min(a, b), Math.max(a, b), rnd.nextInt(12)));
    }
    return out;
  }

  private static Map<List<Long>, Integer> reference(List<Row> rows) {
    Map<List<Long>, Integer> m = new HashMap<>();
    for (Row r : rows) {
      m.merge(List.of(r.getLong(0), r.getLong(1)), r.getInt(2), Math::min);
    }
    return m;
  }

  private static Map<List<Long>, Integer> collect(Iterator<Row> it) {
    Map<List<Long>, Integer> m = new HashMap<>();
    while (it.hasNext()) {
      Row r = it.next();
      Integer before = m.put(List.of(r.getLong(0), r.getLong(1)), r.getInt(2));
      assertEquals(null, before, "pair emitted twice: " + r);
    }
    return m;
  }

  @Test
  void exactReductionKeepsEachPairOnceWithItsSmallestRule() {
    for (long seed = 1; seed <= 5; seed++) {
      List<Row> rows = randomPairs(seed, 50_000);
      assertEquals(reference(rows), collect(PairSet.reduce(rows.iterator(), Integer.MAX_VALUE)));
    }
  }

  @Test
  void reductionByLeftUidKeepsEachPairOnceWithEachLeftUidsPairsTogether() {
    for (long seed = 1; seed <= 3; seed++) {
      List<Row> rows = randomPairs(seed, 50_000);
      List<Row> out = new ArrayList<>();
      PairSet.reduceByLeft(rows.iterator()).forEachRemaining(out::add);
      assertEquals(reference(rows), collect(out.iterator()));
      java.util.Set<Long> done = new java.util.HashSet<>();
      for (int i = 0; i < out.size(); i++) {
        long l = out.get(i).getLong(0);
        if (i == 0 || out.get(i - 1).getLong(0) != l) {
          assertEquals(true, done.add(l), "left uid " + l + " in two runs");
        }
      }
    }
    assertEquals(false, PairSet.reduceByLeft(java.util.Collections.emptyIterator()).hasNext());
  }

  @Test
  void boundedReductionFlushesAndAFinalPassIsExact() {
    List<Row> rows = randomPairs(7, 50_000);
    // the partial pass holds at most 1,000 pairs: it emits duplicates across flushes, never loses one
    List<Row> partial = new ArrayList<>();
    PairSet.reduce(rows.iterator(), 1_000).forEachRemaining(partial::add);
    assertEquals(reference(rows), reference(partial));
    assertEquals(reference(rows), collect(PairSet.reduce(partial.iterator(), Integer.MAX_VALUE)));
  }

  @Test
  void emptyInputGivesNothing() {
    assertEquals(Map.of(), collect(PairSet.reduce(java.util.Collections.emptyIterator(), 10)));
  }
}
