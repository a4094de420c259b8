package org.commonclient.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowWriter;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Groups the rows of each partition by their first column, a 64-bit hash: rows with equal keys
 * come together, what Spark's {@code sortWithinPartitions(key)} gave (the order of the groups is
 * by bucket of the key's high bits, then by key; rows within a group in no particular order), for
 * rows of a few non-null long and int columns (block entries, pairs of record uids).
 *
 * <p>Why not Spark's sort: it radix-sorts (key prefix, record pointer) pairs, then reads the rows
 * back through the sorted pointers, one random memory access per row over a partition's hundreds
 * of MB (at 1M records the block stage's 25M key entries: reading them back was a fifth of its
 * CPU samples, more than all the sorting). Here the columns are copied into primitive arrays as
 * the rows arrive, scattered once into buckets of the key's high bits (the keys are hashes: the
 * buckets are even, a few hundred rows each), and each bucket, small enough for the processor's
 * cache, is sorted in place: sequential passes instead of a random one.
 *
 * <p>Memory: 8 bytes per column and row, twice over while the rows are scattered (the chunks they
 * arrived in are released as they are scattered): about what the sort's rows and pointer array
 * took. Not spilled: partitions must fit in the executor's memory, as the key tables' partitions
 * do (millions of rows).
 */
public final class LongKeyGrouping {
  private static final int CHUNK_BITS = 16;
  private static final int CHUNK = 1 << CHUNK_BITS;
  /** Rows per bucket aimed at: a bucket's columns stay in the processor's L1/L2 cache. */
  private static final int BUCKET_TARGET = 256;
  private static final int INSERTION = 16;

  private final boolean[] isInt;
  private long[][] cols;

  private LongKeyGrouping(boolean[] isInt) {
    this.isInt = isInt;
  }

  /**
   * The rows of each partition of {@code partitioned} grouped by its first column (lazy; the
   * partitioning, e.g. {@code repartition(col(key))}, is kept). Every column must be a long or
   * an int, never null; the first a long.
   */
  public static Dataset<Row> groupWithinPartitions(Dataset<Row> partitioned) {
    StructType in = partitioned.schema();
    boolean[] isInt = new boolean[in.size()];
    StructType out = new StructType();
    for (int c = 0; c < in.size(); c++) {
      StructField f = in.fields()[c];
      DataType t = f.dataType();
      if (!t.equals(DataTypes.LongType) && !(c > 0 && t.equals(DataTypes.IntegerType))) {
        throw new IllegalArgumentException("Cannot group rows by a long key with column " + f.name() + " of type "
            + t.simpleString() + ": the key (first column) must be a long, the others longs or ints");
      }
      isInt[c] = t.equals(DataTypes.IntegerType);
      out = out.add(f.name(), t, false);
    }
    RDD<InternalRow> grouped = partitioned.queryExecution().toRdd().toJavaRDD()
        .mapPartitions(rows -> group(rows, isInt)).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) partitioned.sparkSession())
        .internalCreateDataFrame(grouped, out, false);
  }

  /** One partition's rows grouped by their first column, as unsafe rows (one row object, reused). */
  static Iterator<InternalRow> group(Iterator<InternalRow> in, boolean[] isInt) {
    LongKeyGrouping g = new LongKeyGrouping(isInt);
    int n = g.load(in);
    return g.rows(n);
  }

  /** Reads the rows into chunks, then scatters them by bucket into one array per column; returns the count. */
  private int load(Iterator<InternalRow> in) {
    int width = isInt.length;
    List<long[][]> chunks = new ArrayList<>();
    long[][] chunk = null;
    int n = 0;
    while (in.hasNext()) {
      InternalRow row = in.next();
      int o = n & (CHUNK - 1);
      if (o == 0) {
        if (n > Integer.MAX_VALUE - CHUNK) {
          throw new IllegalStateException("Too many rows in one partition to group: " + n);
        }
        chunk = new long[width][CHUNK];
        chunks.add(chunk);
      }
      for (int c = 0; c < width; c++) {
        if (row.isNullAt(c)) {
          throw new IllegalArgumentException("Cannot group a row with a null in column " + c);
        }
        chunk[c][o] = isInt[c] ? row.getInt(c) : row.getLong(c);
      }
      n++;
    }
    cols = scatter(chunks, CHUNK, n, width);
    return n;
  }

  /**
   * The first {@code n} rows of the columns {@code cols} ({@code cols[c][i]}: column c of row i)
   * grouped by column 0, as new arrays of length n (the given ones are left as they were).
   */
  public static long[][] group(long[][] cols, int n) {
    List<long[][]> one = new ArrayList<>();
    one.add(cols);
    return scatter(one, Math.max(n, 1), n, cols.length);
  }

  /**
   * The n rows of {@code width} columns held in {@code chunks} (each {@code [column][row]},
   * {@code chunkRows} rows but the last) scattered by bucket into one new array per column, each
   * bucket then sorted; each chunk is released from the list once scattered.
   */
  private static long[][] scatter(List<long[][]> chunks, int chunkRows, int n, int width) {
    int bits = bucketBits(n);
    int[] start = new int[(1 << bits) + 1];
    for (int ch = 0; ch < chunks.size(); ch++) {
      long[] keys = chunks.get(ch)[0];
      int m = Math.min(chunkRows, n - ch * chunkRows);
      for (int i = 0; i < m; i++) {
        start[bucket(keys[i], bits) + 1]++;
      }
    }
    for (int i = 1; i < start.length; i++) {
      start[i] += start[i - 1];
    }
    int[] next = java.util.Arrays.copyOf(start, start.length - 1);
    long[][] out = new long[width][n];
    for (int ch = 0; ch < chunks.size(); ch++) {
      long[][] x = chunks.get(ch);
      long[] keys = x[0];
      int m = Math.min(chunkRows, n - ch * chunkRows);
      for (int i = 0; i < m; i++) {
        int p = next[bucket(keys[i], bits)]++;
        for (int c = 0; c < width; c++) {
          out[c][p] = x[c][i];
        }
      }
      chunks.set(ch, null);
    }
    sortBuckets(out, start);
    return out;
  }

  private static void sortBuckets(long[][] cols, int[] start) {
    for (int i = 0; i + 1 < start.length; i++) {
      sort(cols, start[i], start[i + 1] - 1);
    }
  }

  /** Bits of the key naming its bucket: about {@link #BUCKET_TARGET} rows a bucket, at most 2^20 buckets. */
  static int bucketBits(int n) {
    int bits = 0;
    while (bits < 20 && ((long) n >> bits) > BUCKET_TARGET) {
      bits++;
    }
    return bits;
  }

  private static int bucket(long key, int bits) {
    return bits == 0 ? 0 : (int) (key >>> (64 - bits));
  }

  /** Sorts rows lo..hi (inclusive) by column 0: quicksort, insertion sort on short runs. */
  private static void sort(long[][] cols, int lo, int hi) {
    long[] key = cols[0];
    while (hi - lo >= INSERTION) {
      int mid = (lo + hi) >>> 1;
      long x = key[lo];
      long y = key[mid];
      long z = key[hi];
      long pivot = x < y ? (y < z ? y : Math.max(x, z)) : (x < z ? x : Math.max(y, z));
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (key[i] < pivot) {
          i++;
        }
        while (key[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(cols, i++, j--);
        }
      }
      // the smaller side by recursion, the larger by the loop: the stack stays shallow
      if (j - lo < hi - i) {
        sort(cols, lo, j);
        lo = i;
      } else {
        sort(cols, i, hi);
        hi = j;
      }
    }
    for (int i = lo + 1; i <= hi; i++) {
      for (int j = i; j > lo && key[j - 1] > key[j]; j--) {
        swap(cols, j - 1, j);
      }
    }
  }

  private static void swap(long[][] cols, int i, int j) {
    for (long[] c : cols) {
      long t = c[i];
      c[i] = c[j];
      c[j] = t;
    }
  }

  private Iterator<InternalRow> rows(int n) {
    int width = isInt.length;
    UnsafeRowWriter w = new UnsafeRowWriter(width);
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        if (i < n) {
          return true;
        }
        cols = null;
        return false;
      }

      @Override
      public InternalRow next() {
        if (i >= n) {
          throw new NoSuchElementException();
        }
        w.reset();
        w.zeroOutNullBytes();
        for (int c = 0; c < width; c++) {
          if (isInt[c]) {
            w.write(c, (int) cols[c][i]);
          } else {
            w.write(c, cols[c][i]);
          }
        }
        i++;
        return w.getRow();
      }
    };
  }
}
