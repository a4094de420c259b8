package org.commonclient.blocking;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Candidate pairs of the rules without a residual condition, built block by block instead of by
 * a hash join per rule.
 *
 * <p>Every record's hashed key elements of every rule become one row (rule, key, uid, source
 * hash); the rows are partitioned and sorted by block ({@link #sortedEntries}, cached: the
 * analysis reads them first), so each block arrives whole, and a plain loop emits its pairs
 * (smaller uid first) that the link type allows. Blocks over the
 * rule's size limit are skipped as they arrive (the analysis found the same ones). A block's work is one comparison of two longs per pair, where the hash join of a
 * rule touched every ordered pair of a block's rows, the record with itself, and a wide row of all
 * earlier rules' keys for the exclusion test.
 *
 * <p>Skew: a block the analysis marked as salted (over {@code saltThreshold} records) is split
 * into S sub-blocks: every record is copied into each of them, but is the left side of its pairs
 * only in the one its uid hashes to; so S tasks share the block's pairs and each pair is built
 * once.
 *
 * <p>A pair can come from several rules (and, with an array key, from several shared elements of
 * one rule): {@link Blocker} keeps it once, with the first rule that generates it.
 */
final class BlockPairs {
  static final StructType PAIRS =
      new StructType()
          .add("uid_l", DataTypes.LongType, false)
          .add("uid_r", DataTypes.LongType, false)
          .add("match_key", DataTypes.IntegerType, false);

  private BlockPairs() {}

  /**
   * One row per rule, key element and record, {@code (b, r, k, uid, s)} with b the block (a hash
   * of rule and key) and s the hash of the record's source, partitioned and sorted by b: every
   * block whole in one partition, its rows together. What the analysis counts and the pairs are
   * built from.
   */
  static Dataset<Row> sortedEntries(Dataset<Row> hashed, List<ResolvedRule> rules) {
    // one explode over every rule's key columns: each record read once (a union of one select
    // per rule read the key table once per rule, in ten times as many tasks)
    Dataset<Row> entries =
        hashed
            .select(
                explode(BlockingAnalysis.ruleKeys(rules, "r", "k")).as("_e"),
                col("uid"),
                // null sources hash alike (the seed): null = null, as in eqNullSafe
                xxhash64(col("source")).as("s"))
            .select(col("_e.r").as("r"), col("_e.k").as("k"), col("uid"), col("s"))
            .where(col("k").isNotNull());
    // b: one long naming the block (rule and key), the single primitive key each partition is
    // grouped on (sorting on (rule, key, uid) compared whole rows and was half of the analysis at
    // 1M records); grouped in primitive arrays (LongKeyGrouping), not by Spark's sort, which read
    // the rows back in key order, one random memory access each
    return org.commonclient.spark.LongKeyGrouping.groupWithinPartitions(entries
        .select(xxhash64(col("r"), col("k")).as("b"), col("r"), col("k"), col("uid"), col("s"))
        .repartition(col("b")));
  }

  /**
   * @param sorted the sorted entries ({@link #sortedEntries}) of every rule
   * @param build which rules to build, by rule index (the others' entries are skipped)
   * @param limits each rule's block size limit, by rule index (0 = none)
   * @param saltThreshold blocks over this size are salted (0 = none): left out of the pass over
   *     the sorted entries and built from their own, salted copy
   * @param saltBuckets salt buckets per rule index by key hash (from the analysis)
   */
  static Dataset<Row> pairs(
      Dataset<Row> sorted,
      boolean[] build,
      long[] limits,
      long saltThreshold,
      List<Map<Long, Integer>> saltBuckets,
      LinkType linkType) {
    long[] lim = limits.clone();
    boolean[] b = build.clone();
    long unsalted = saltThreshold > 0 ? saltThreshold : Long.MAX_VALUE;
    Dataset<Row> out =
        sorted
            .select(col("b"), col("r"), col("uid"), col("s"), lit(true).as("left"))
            .mapPartitions(
                (MapPartitionsFunction<Row, Row>) in -> PairSet.reduce(new PairIterator(in, b, lim, unsalted, linkType),
                    Blocker.PARTIAL_PAIRS),
                Encoders.row(PAIRS));
    List<Row> salted = new ArrayList<>();
    for (int r = 0; r < build.length; r++) {
      if (build[r]) {
        int rule = r;
        saltBuckets.get(r).forEach((k, n) -> salted.add(RowFactory.create(rule, k, n)));
      }
    }
    if (salted.isEmpty()) {
      return out;
    }
    // each salted block split into S sub-blocks: every record copied into each, the left side of
    // its pairs only in the one its uid hashes to
    StructType schema =
        new StructType()
            .add("r", DataTypes.IntegerType, false)
            .add("k", DataTypes.LongType, false)
            .add("_nsalt", DataTypes.IntegerType, false);
    Dataset<Row> buckets = sorted.sparkSession().createDataFrame(salted, schema);
    Dataset<Row> hot =
        sorted
            .join(broadcast(buckets), new String[] {"r", "k"})
            .withColumn("_ls", pmod(xxhash64(col("uid")), col("_nsalt")).cast("int"))
            .withColumn("salt", explode(sequence(lit(0), col("_nsalt").minus(1))))
            .withColumn("left", col("salt").equalTo(col("_ls")))
            .select(xxhash64(col("b"), col("salt")).as("b"), col("r"), col("uid"), col("s"), col("left"))
            .repartition(col("b"))
            .sortWithinPartitions("b");
    return out.union(hot.mapPartitions(
        (MapPartitionsFunction<Row, Row>) in -> PairSet.reduce(new PairIterator(in, b, lim, Long.MAX_VALUE, linkType),
            Blocker.PARTIAL_PAIRS),
        Encoders.row(PAIRS)));
  }

  /**
   * Walks the sorted rows block by block, emitting each block's pairs lazily: as rows, or as
   * primitives ({@link #advance()}, then {@link #pairLeft()}, {@link #pairRight()}, {@link
   * #pairRule()}) where no row is needed per pair.
   */
  static final class PairIterator implements Iterator<Row> {
    private final Iterator<Row> in;
    private final boolean[] build;
    private final long[] limits;
    private final long maxBlock;
    private final LinkType linkType;
    private Row ahead;
    private long[] uid = new long[64];
    private long[] src = new long[64];
    private boolean[] left = new boolean[64];
    private int n;
    private boolean allLeft;
    private int rule;
    private int i;
    private int j;
    private Row next;
    private long pairLeft;
    private long pairRight;

    /**
     * @param build rules to build, by index
     * @param limits block size limit per rule (0 = none): bigger blocks are dropped
     * @param maxBlock bigger blocks are left to another pass (salted)
     */
    PairIterator(Iterator<Row> in, boolean[] build, long[] limits, long maxBlock, LinkType linkType) {
      this.in = in;
      this.build = build;
      this.limits = limits;
      this.maxBlock = maxBlock;
      this.linkType = linkType;
      this.ahead = in.hasNext() ? in.next() : null;
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        if (!advance()) {
          return false;
        }
        next = RowFactory.create(pairLeft, pairRight, rule);
      }
      return true;
    }

    long pairLeft() {
      return pairLeft;
    }

    long pairRight() {
      return pairRight;
    }

    int pairRule() {
      return rule;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    /** Moves to the next pair, loading blocks as needed; false at the end. */
    boolean advance() {
      while (true) {
        while (i < n) {
          if (!left[i] || j >= n) {
            i++;
            // a block without salt: every record is on the left, each pair met once from (i, j > i);
            // a salted sub-block: the left records meet every other record with a greater uid
            j = allLeft ? i + 1 : 0;
            continue;
          }
          int o = j++;
          if (o == i || (!allLeft && uid[o] < uid[i])) {
            continue;
          }
          if (allowed(src[i], src[o])) {
            long a = uid[i];
            long c = uid[o];
            pairLeft = Math.min(a, c);
            pairRight = Math.max(a, c);
            return true;
          }
        }
        if (!loadBlock()) {
          return false;
        }
      }
    }

    private boolean allowed(long a, long b) {
      return switch (linkType) {
        case DEDUPE -> a == b;
        case LINK -> a != b;
        default -> true;
      };
    }

    /** Reads the next block (rows of one block id b) of a built rule within its size limits. */
    private boolean loadBlock() {
      while (ahead != null) {
        long blk = ahead.getLong(0);
        int r = ahead.getInt(1);
        n = 0;
        allLeft = true;
        while (ahead != null && ahead.getLong(0) == blk) {
          if (n == uid.length) {
            uid = java.util.Arrays.copyOf(uid, n * 2);
            src = java.util.Arrays.copyOf(src, n * 2);
            left = java.util.Arrays.copyOf(left, n * 2);
          }
          uid[n] = ahead.getLong(2);
          src[n] = ahead.getLong(3);
          left[n] = ahead.getBoolean(4);
          allLeft &= left[n];
          n++;
          ahead = in.hasNext() ? in.next() : null;
        }
        rule = r;
        i = 0;
        j = allLeft ? 1 : 0;
        if (n > 1 && build[r] && (limits[r] <= 0 || n <= limits[r]) && n <= maxBlock) {
          return true;
        }
        n = 0;
      }
      n = 0;
      return false;
    }
  }
}
