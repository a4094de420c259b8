package org.commonclient.blocking;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The blocking entries of a hashed key table ({@link BlockingAnalysis#hashed}): one row {@code
 * (uid, _fr, _fk, _b)} per rule {@code _fr} and non-null key element {@code _fk} of a record,
 * {@code _b = xxhash64(_fr, _fk)} (Spark's function, so the values equal a SQL {@code
 * xxhash64(_fr, _fk)}), optionally only those of a given set of blocks.
 *
 * <p>Written as a loop over each record's key columns rather than a SQL explode: at 1M records a
 * pass makes ~25M entries, and the explode built an array of structs per record and a row per
 * entry before the filter threw most of them away; here an entry becomes a row only when its
 * block is wanted (a probe of a primitive hash set of block ids).
 */
final class BlockEntries {
  static final StructType SCHEMA = new StructType()
      .add("uid", DataTypes.LongType, false)
      .add("_fr", DataTypes.IntegerType, false)
      .add("_fk", DataTypes.LongType, false)
      .add("_b", DataTypes.LongType, false);

  /** Spark's seed of xxhash64. */
  private static final long SEED = 42L;

  private BlockEntries() {}

  /** Block id of rule {@code rule}'s key {@code key}: SQL {@code xxhash64(rule, key)} for an int and a long. */
  static long block(int rule, long key) {
    return XXH64.hashLong(key, XXH64.hashInt(rule, SEED));
  }

  /** Every entry of the key table. */
  static Dataset<Row> all(Dataset<Row> keyed, List<ResolvedRule> rules) {
    return of(keyed, rules, null);
  }

  /** The entries of the blocks {@code _b} of {@code blocks} (collected to the driver and broadcast: a few hundred thousand ids). */
  static Dataset<Row> inBlocks(Dataset<Row> keyed, List<ResolvedRule> rules, Dataset<Row> blocks) {
    List<Row> ids = blocks.select("_b").distinct().collectAsList();
    LongHashSet set = new LongHashSet(ids.size());
    for (Row r : ids) {
      set.add(r.getLong(0));
    }
    Broadcast<LongHashSet> b = JavaSparkContext.fromSparkContext(keyed.sparkSession().sparkContext()).broadcast(set);
    return of(keyed, rules, b);
  }

  private static Dataset<Row> of(Dataset<Row> keyed, List<ResolvedRule> rules, Broadcast<LongHashSet> wanted) {
    List<String> cols = new ArrayList<>();
    cols.add("uid");
    List<Integer> ruleOf = new ArrayList<>();
    for (ResolvedRule r : rules) {
      for (String c : r.hashColumns()) {
        cols.add(c);
        ruleOf.add(r.index);
      }
    }
    int[] rule = ruleOf.stream().mapToInt(Integer::intValue).toArray();
    Dataset<Row> in = keyed.select(cols.get(0), cols.subList(1, cols.size()).toArray(new String[0]));
    return in.mapPartitions(new Explode(rule, wanted), Encoders.row(SCHEMA));
  }

  /** Per partition: each record's non-null key columns, kept when their block is wanted. */
  private static final class Explode implements MapPartitionsFunction<Row, Row> {
    private final int[] rule;
    private final Broadcast<LongHashSet> wanted;

    Explode(int[] rule, Broadcast<LongHashSet> wanted) {
      this.rule = rule;
      this.wanted = wanted;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
      LongHashSet set = wanted == null ? null : wanted.value();
      int width = rule.length;
      return new Iterator<>() {
        private Row record;
        private int next = width; // key column of record to look at next (width: take a new record)
        private Row pending;

        @Override
        public boolean hasNext() {
          while (pending == null) {
            if (next >= width) {
              if (!records.hasNext()) {
                return false;
              }
              record = records.next();
              next = 0;
            }
            int i = next++;
            if (record.isNullAt(i + 1)) {
              continue;
            }
            long key = record.getLong(i + 1);
            long b = block(rule[i], key);
            if (set == null || set.contains(b)) {
              pending = RowFactory.create(record.getLong(0), rule[i], key, b);
            }
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row r = pending;
          pending = null;
          return r;
        }
      };
    }
  }

  /** A set of longs by open addressing (linear probing) in one primitive array. */
  static final class LongHashSet implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[] slots;
    private final int mask;
    private boolean hasZero; // 0 marks an empty slot
    private int size;

    LongHashSet(int expected) {
      int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
      slots = new long[cap];
      mask = cap - 1;
    }

    private static int spread(long v) {
      long h = v * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }

    void add(long v) {
      if (v == 0) {
        if (!hasZero) {
          hasZero = true;
          size++;
        }
        return;
      }
      int i = spread(v) & mask;
      while (slots[i] != 0) {
        if (slots[i] == v) {
          return;
        }
        i = (i + 1) & mask;
      }
      if (size + 1 > slots.length / 2) {
        throw new IllegalStateException("LongHashSet over its capacity of " + slots.length / 2);
      }
      slots[i] = v;
      size++;
    }

    boolean contains(long v) {
      if (v == 0) {
        return hasZero;
      }
      int i = spread(v) & mask;
      while (slots[i] != 0) {
        if (slots[i] == v) {
          return true;
        }
        i = (i + 1) & mask;
      }
      return false;
    }

    int size() {
      return size;
    }

    @Override
    public String toString() {
      return "LongHashSet(" + size + " of " + slots.length + " slots)";
    }
  }
}
