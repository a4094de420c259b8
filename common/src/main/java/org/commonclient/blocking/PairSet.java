package org.commonclient.blocking;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Candidate pairs {@code (uid_l, uid_r)} with the smallest rule index seen for each: an
 * open-addressing hash table over three primitive arrays, for keeping each pair once with its
 * first rule.
 *
 * <p>Why not Spark's aggregation ({@code groupBy(uid_l, uid_r).min(match_key)}): at 1M records the
 * rules emit about 33M pairs for 6M distinct ones (a pair of records sharing an SSN shares all nine
 * of its one-deletion keys, and true matches share keys in most rules), and the aggregation's hash
 * map of two-long binary rows (hashing and comparing bytes, page lookups) was more than half of
 * building the pairs. Here a lookup is two long comparisons in flat arrays.
 */
final class PairSet {
  private static final long EMPTY = -1;
  /**
   * Slot i is {@code table[3i] = uid_l, table[3i + 1] = uid_r, table[3i + 2] = rule} (EMPTY when
   * free): one array, so a probe reads one cache line, not one in each of three arrays (a set of
   * {@link Blocker#PARTIAL_PAIRS} pairs is tens of MB, far over the caches: at 1M records the
   * probes' cache misses were most of the time spent here).
   */
  private long[] table;
  private int mask;
  private int size;

  PairSet(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
    allocate(cap);
  }

  private void allocate(int cap) {
    table = new long[3 * cap];
    for (int i = 2; i < table.length; i += 3) {
      table[i] = EMPTY;
    }
    mask = cap - 1;
    size = 0;
  }

  int size() {
    return size;
  }

  /** Adds the pair with the rule, or lowers its rule. Rules are non-negative. */
  void add(long l, long r, int k) {
    long[] t = table;
    int pos = slot(l, r);
    while (true) {
      int at = 3 * pos;
      long was = t[at + 2];
      if (was == EMPTY) {
        t[at] = l;
        t[at + 1] = r;
        t[at + 2] = k;
        if (++size * 2 > mask + 1) {
          grow();
        }
        return;
      }
      if (t[at] == l && t[at + 1] == r) {
        if (k < was) {
          t[at + 2] = k;
        }
        return;
      }
      pos = (pos + 1) & mask;
    }
  }

  private int slot(long l, long r) {
    long h = l * 0x9E3779B97F4A7C15L + r;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return (int) h & mask;
  }

  private void grow() {
    long[] old = table;
    allocate(2 * (mask + 1));
    for (int i = 0; i < old.length; i += 3) {
      if (old[i + 2] != EMPTY) {
        add(old[i], old[i + 1], (int) old[i + 2]);
      }
    }
  }

  /** The pairs as rows {@code (uid_l, uid_r, match_key)} ({@link BlockPairs#PAIRS}). */
  Iterator<Row> rows() {
    return new Iterator<>() {
      private int i = advance(0);

      private int advance(int from) {
        int p = from;
        while (p < table.length && table[p + 2] == EMPTY) {
          p += 3;
        }
        return p;
      }

      @Override
      public boolean hasNext() {
        return i < table.length;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row row = RowFactory.create(table[i], table[i + 1], (int) table[i + 2]);
        i = advance(i + 3);
        return row;
      }
    };
  }

  /**
   * The pairs as rows {@code (uid_l, uid_r, match_key)}, each left uid's pairs together: the
   * comparison that reads them looks each pair's left record up in a hash table of every record,
   * and a record's pairs in a row find it in the processor's cache after the first (in the
   * table's own order nearly every lookup was a cache miss).
   */
  Iterator<Row> rowsByLeft() {
    long[][] cols = new long[3][size];
    int n = 0;
    for (int i = 0; i < table.length; i += 3) {
      if (table[i + 2] != EMPTY) {
        cols[0][n] = table[i];
        cols[1][n] = table[i + 1];
        cols[2][n] = table[i + 2];
        n++;
      }
    }
    table = null;
    long[][] grouped = org.commonclient.spark.LongKeyGrouping.group(cols, n);
    int count = n;
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < count;
      }

      @Override
      public Row next() {
        if (i >= count) {
          throw new NoSuchElementException();
        }
        Row row = RowFactory.create(grouped[0][i], grouped[1][i], (int) grouped[2][i]);
        i++;
        return row;
      }
    };
  }

  /**
   * The distinct pairs of {@code in} (rows {@code (uid_l, uid_r, match_key)}) with their smallest
   * rule, exactly (every pair held at once), each left uid's pairs together ({@link #rowsByLeft}).
   */
  static Iterator<Row> reduceByLeft(Iterator<Row> in) {
    PairSet set = new PairSet(1 << 16);
    while (in.hasNext()) {
      Row r = in.next();
      set.add(r.getLong(0), r.getLong(1), r.getInt(2));
    }
    return set.rowsByLeft();
  }

  /**
   * The distinct pairs of {@code in} with their smallest rule, flushing (emitting and clearing)
   * whenever {@code maxSize} distinct pairs are held: exact when the input fits, a partial
   * reduction otherwise (for the map side of a shuffle, where memory must stay bounded).
   */
  static Iterator<Row> reduce(BlockPairs.PairIterator in, int maxSize) {
    return reduce(new Source() {
      @Override
      public boolean next(PairSet into) {
        if (!in.advance()) {
          return false;
        }
        into.add(in.pairLeft(), in.pairRight(), in.pairRule());
        return true;
      }
    }, maxSize);
  }

  /** As {@link #reduce(BlockPairs.PairIterator, int)}, over rows {@code (uid_l, uid_r, match_key)}. */
  static Iterator<Row> reduce(Iterator<Row> in, int maxSize) {
    return reduce(new Source() {
      @Override
      public boolean next(PairSet into) {
        if (!in.hasNext()) {
          return false;
        }
        Row r = in.next();
        into.add(r.getLong(0), r.getLong(1), r.getInt(2));
        return true;
      }
    }, maxSize);
  }

  /** Pairs fed one at a time into a set. */
  private interface Source {
    /** Adds the next pair to {@code into}; false when there is none. */
    boolean next(PairSet into);
  }

  private static Iterator<Row> reduce(Source in, int maxSize) {
    return new Iterator<>() {
      private PairSet set = new PairSet(Math.min(maxSize, 1 << 16));
      private Iterator<Row> out = java.util.Collections.emptyIterator();

      @Override
      public boolean hasNext() {
        while (!out.hasNext()) {
          if (set == null) {
            return false;
          }
          boolean more = true;
          while (set.size() < maxSize && (more = in.next(set))) {
            // fills the set
          }
          out = set.rows();
          set = more ? new PairSet(maxSize) : null;
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return out.next();
      }
    };
  }
}
