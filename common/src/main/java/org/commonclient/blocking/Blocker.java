package org.commonclient.blocking;

import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds candidate pairs from ordered blocking rules.
 *
 * <p>Input: standardised person records with a unique {@code uid} (long), an optional {@code
 * source} (needed for {@code link}) and the columns the rules read. Output: {@link BlockingResult}
 * with pairs {@code (uid_l, uid_r, match_key)}.
 *
 * <p>Algorithm:
 *
 * <ol>
 *   <li>Each element of a rule's key (the rule's scalar keys with one element of its array key,
 *       if any) is hashed to 64 bits from its typed parts ({@link BlockingAnalysis#hashed}; no
 *       key text is built); every (rule, element, record) becomes one entry, partitioned
 *       and sorted by block ({@link BlockPairs#sortedEntries}, cached): longs to shuffle and sort,
 *       not strings.
 *   <li>{@link BlockingAnalysis} reads each block whole from the sorted entries and counts each
 *       rule's pairs from block sizes; if a rule exceeds {@code maxPairsPerRule}, or all rules
 *       together exceed {@code maxPairs}, blocking is refused before any pair is built.
 *   <li>Rules without a residual condition: a loop over each block of the same sorted entries
 *       emits its pairs (smaller uid first, the link-type condition applied); blocks over the
 *       rule's {@code maxBlockSize} are skipped ({@link BlockPairs}). A rule with a residual: an
 *       equi-join of the hashed keys (the dropped blocks' keys removed) under its condition.
 *   <li>Skew: blocks over {@code saltThreshold} records are salted: split into S sub-blocks, every
 *       record copied into each but the left side of its pairs only in the one its uid hashes
 *       to, so a block's pairs are built by S tasks instead of one and each pair once.
 *   <li>A pair belongs to the first rule that generates it: a primitive hash set of pairs
 *       ({@link PairSet}) keeps each with its smallest rule index, within each task as the blocks
 *       emit them and exactly after a shuffle on the pair (a pair sharing several elements of an
 *       array key, or found by several rules, comes out once). Nothing runs until the caller uses
 *       {@code pairs}.
 * </ol>
 */
public final class Blocker {
  private static final Logger LOG = LoggerFactory.getLogger(Blocker.class);

  private Blocker() {}

  /**
   * Analyses, checks the pair budget and returns the (lazy) candidate pairs.
   *
   * @param linkType {@code dedupe}, {@code link} or {@code link_and_dedupe}
   * @throws BlockingBudgetExceededException when a rule or the total is over budget
   */
  public static BlockingResult block(Dataset<Row> records, BlockingConfig cfg, String linkType) {
    return block(records, cfg, LinkType.parse(linkType));
  }

  public static BlockingResult block(Dataset<Row> records, BlockingConfig cfg, LinkType linkType) {
    return block(records, null, cfg, linkType);
  }

  /**
   * As {@link #block(Dataset, BlockingConfig, LinkType)}, reading the records' hashed keys from
   * {@code keyTable} ({@link IncrementalBlocker#keyTable} of the same records under the same rules,
   * e.g. materialised once for the run to keep) instead of computing them.
   *
   * @param keyTable the hashed key table, or null to compute the keys from the records
   */
  public static BlockingResult block(Dataset<Row> records, Dataset<Row> keyTable, BlockingConfig cfg, LinkType linkType) {
    List<String> columns = Arrays.asList(records.columns());
    if (!columns.contains("uid")) {
      throw new IllegalArgumentException("Cannot block records without a uid column: " + columns);
    }
    if (linkType == LinkType.LINK && !columns.contains("source")) {
      throw new IllegalArgumentException(
          "Cannot block with link type link: the records have no source column");
    }
    List<ResolvedRule> rules = ResolvedRule.resolveAll(records, cfg.rules());
    // deliberate stage boundary: every key is computed and hashed once here, then read by the
    // analysis and by every rule's join (and by the exclusion conditions of later rules). The
    // key text is not kept: the analysis reads it again only for the few records that name a
    // reported block.
    BlockingAnalysis.Plan plan;
    SparkSession spark = records.sparkSession();
    // the cache of sorted entries without the columnar cache's compression, which tried a
    // dictionary (a hash map of boxed longs) on every column of random hashes (a tenth of the
    // analysis at 1M records) and gains nothing on them. The setting is read when the cache is declared (Spark
    // copies the session's settings then) or, without adaptive execution, when it is built by the
    // analysis' first action: it is off for both.
    String compressed = spark.conf().get(CACHE_COMPRESSED, "true");
    spark.conf().set(CACHE_COMPRESSED, "false");
    // the hashed keys are not cached: each rule's entries compute only that rule's keys
    Dataset<Row> hashed = keyTable != null ? keyTable : BlockingAnalysis.hashed(records, rules);
    Dataset<Row> sorted = BlockPairs.sortedEntries(hashed, rules).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      plan = BlockingAnalysis.plan(sorted, records, rules, cfg);
      checkBudget(plan.stats(), cfg, linkType);
    } catch (RuntimeException e) {
      sorted.unpersist();
      throw e;
    } finally {
      spark.conf().set(CACHE_COMPRESSED, compressed);
    }
    for (RuleStats s : plan.stats()) {
      LOG.info("block: {}", s.describe(linkType));
    }
    Dataset<Row> pairs = pairs(sorted, hashed, plan, cfg, linkType);
    return new BlockingResult(pairs, plan.stats(), cfg.rules(), linkType, List.of(sorted));
  }

  private static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";

  /**
   * Caches (memory and disk) and materialises a table without the columnar cache's compression:
   * its encoders try a dictionary and run lengths on every column, which for random hashes (the
   * key tables here) or a whole population of records cost more than they saved.
   */
  public static Dataset<Row> cacheUncompressed(Dataset<Row> data) {
    return org.commonclient.spark.SparkSessions.withSqlConf(data.sparkSession(), CACHE_COMPRESSED, "false", () -> {
      Dataset<Row> cached = data.persist(StorageLevel.MEMORY_AND_DISK());
      cached.count();
      return cached;
    });
  }

  static void checkBudget(List<RuleStats> stats, BlockingConfig cfg, LinkType linkType) {
    long total = 0;
    RuleStats biggest = null;
    for (RuleStats s : stats) {
      long p = s.pairs(linkType);
      if (p > cfg.maxPairsPerRule()) {
        throw new BlockingBudgetExceededException(
            String.format(
                "Blocking rule '%s' (rule %d) would generate %,d pairs (%s, before excluding earlier"
                    + " rules), over maxPairsPerRule = %,d; largest block: %s",
                s.name(),
                s.index(),
                p,
                linkType.configName(),
                cfg.maxPairsPerRule(),
                largest(s)),
            stats);
      }
      total += p;
      if (biggest == null || p > biggest.pairs(linkType)) {
        biggest = s;
      }
    }
    if (total > cfg.maxPairs()) {
      throw new BlockingBudgetExceededException(
          String.format(
              "Blocking rules would generate %,d pairs in total (%s, sum of per-rule counts before"
                  + " exclusion), over maxPairs = %,d; the largest rule is '%s' (rule %d) with %,d"
                  + " pairs, largest block: %s",
              total,
              linkType.configName(),
              cfg.maxPairs(),
              biggest.name(),
              biggest.index(),
              biggest.pairs(linkType),
              largest(biggest)),
          stats);
    }
  }

  private static String largest(RuleStats s) {
    if (s.largestBlocks().isEmpty()) {
      return "largest block has " + s.largestBlock() + " records";
    }
    BlockSize b = s.largestBlocks().get(0);
    return String.format("key '%s' with %,d records", b.key(), b.records());
  }

  /**
   * Every rule's pairs (lazy), each pair once with the first rule that generates it: the rules
   * without a residual condition block by block ({@link BlockPairs}), a rule with one by a join of
   * the hashed keys (dropped keys removed) under its condition; then one aggregation keeps each
   * pair with its smallest rule index (skipped for a single rule with one key element, whose
   * pairs are distinct already).
   */
  static Dataset<Row> pairs(Dataset<Row> sorted, Dataset<Row> hashed, BlockingAnalysis.Plan plan, BlockingConfig cfg,
      LinkType linkType) {
    List<ResolvedRule> rules = plan.rules();
    List<ResolvedRule> residual = new ArrayList<>();
    long[] limits = new long[rules.size()];
    boolean[] build = new boolean[rules.size()];
    for (ResolvedRule r : rules) {
      limits[r.index] = r.rule.blockLimit(cfg.maxBlockSize());
      build[r.index] = !r.rule.hasResidual();
      if (r.rule.hasResidual()) {
        residual.add(r);
      }
    }
    Dataset<Row> union = residual.size() == rules.size() ? null
        : BlockPairs.pairs(sorted, build, limits, cfg.saltThreshold(), plan.saltBuckets(), linkType);
    if (!residual.isEmpty()) {
      Dataset<Row> kept = BlockingAnalysis.withoutDropped(hashed, rules, plan.droppedKeys());
      for (ResolvedRule r : residual) {
        Dataset<Row> rulePairs = rulePairs(kept, r, rules, plan.saltBuckets().get(r.index), linkType);
        union = union == null ? rulePairs : union.union(rulePairs);
      }
    }
    if (rules.size() == 1 && rules.get(0).width == 1) {
      return union;
    }
    // each pair once with its smallest rule: reduced within each task as the blocks emit them
    // (bounded memory, BlockPairs), then exactly after a shuffle on the pair, in partitions of at
    // most ~4M raw pairs each
    long raw = 0;
    for (RuleStats s : plan.stats()) {
      raw += s.pairs(linkType);
    }
    int partitions = (int) Math.max(Integer.parseInt(hashed.sparkSession().conf().get("spark.sql.shuffle.partitions", "200")),
        Math.min(100_000, raw / FINAL_PAIRS_PER_PARTITION + 1));
    return union
        .repartition(partitions, col("uid_l"), col("uid_r"))
        .mapPartitions((MapPartitionsFunction<Row, Row>) PairSet::reduceByLeft,
            Encoders.row(BlockPairs.PAIRS));
  }

  /** Distinct pairs a task holds before it passes them on (about 40 MB of arrays). */
  static final int PARTIAL_PAIRS = 1 << 20;

  /** Raw (pre-deduplication) pairs per partition of the final deduplication. */
  static final long FINAL_PAIRS_PER_PARTITION = 4_000_000L;

  private static Dataset<Row> rulePairs(
      Dataset<Row> keyed,
      ResolvedRule rule,
      List<ResolvedRule> rules,
      Map<Long, Integer> saltBuckets,
      LinkType linkType) {
    // only this rule's keys (the pair goes to its first rule in the aggregation after, not by
    // excluding other rules here): the other key columns are not read
    List<Column> needed = new ArrayList<>();
    java.util.Set<String> others = new java.util.HashSet<>();
    for (ResolvedRule other : rules) {
      if (other.index != rule.index) {
        others.addAll(other.hashColumns());
      }
    }
    for (String c : keyed.columns()) {
      if (!others.contains(c)) {
        needed.add(col(c));
      }
    }
    String joinKey = "_bkx";
    Dataset<Row> side = keyed.select(needed.toArray(new Column[0]));
    if (rule.width == 1) {
      side = side.withColumn(joinKey, col(rule.hashColumns().get(0)));
    } else {
      // one row per element, with its position: the pair is kept only from the first element
      // the two records share (no aggregation to deduplicate the pairs of an array rule)
      side = side.select(col("*"), posexplode(BlockingAnalysis.hashArray(rule)).as(new String[] {"_bkpos", joinKey}));
    }
    side = side.where(col(joinKey).isNotNull());
    Dataset<Row> left = side;
    Dataset<Row> right = side;
    boolean salted = !saltBuckets.isEmpty();
    if (salted) {
      SparkSession spark = keyed.sparkSession();
      List<Row> rows = new ArrayList<>();
      saltBuckets.forEach((key, b) -> rows.add(RowFactory.create(key, b)));
      StructType schema =
          new StructType()
              .add("_salt_key", DataTypes.LongType, false)
              .add("_nsalt", DataTypes.IntegerType, false);
      Dataset<Row> buckets = spark.createDataFrame(rows, schema);
      Dataset<Row> withBuckets =
          side.join(broadcast(buckets), col(joinKey).equalTo(buckets.col("_salt_key")), "left")
              .drop("_salt_key")
              .withColumn("_nsalt", coalesce(col("_nsalt"), lit(1)));
      left = withBuckets.withColumn("_salt", pmod(xxhash64(col("uid")), col("_nsalt")).cast("int"));
      right = withBuckets.withColumn("_salt", explode(sequence(lit(0), col("_nsalt").minus(1))));
    }
    Dataset<Row> l = left.alias("l");
    Dataset<Row> r = right.alias("r");
    Column cond = col("l." + joinKey).equalTo(col("r." + joinKey));
    if (salted) {
      cond = cond.and(col("l._salt").equalTo(col("r._salt")));
    }
    cond = cond.and(allowedBy(linkType)).and(col("l.uid").lt(col("r.uid")));
    if (rule.width > 1) {
      cond = cond.and(firstSharedElement(rule));
    }
    if (rule.rule.hasResidual()) {
      cond = cond.and(expr(rule.rule.residual()));
    }
    // a shuffled hash join: the blocks are hashed on one side and probed with the other, instead
    // of sorting both sides of every rule's join on the key (the sorts were about a third of the
    // pair-building CPU). The left side is built: with salting, the right is the replicated
    // (bigger) one.
    return l.hint("shuffle_hash").join(r, cond, "inner")
        .select(col("l.uid").as("uid_l"), col("r.uid").as("uid_r"), lit(rule.index).as("match_key"));
  }

  /** The link type's condition on the sources of a pair {@code (l, r)}: same, different, or any. */
  static Column allowedBy(LinkType linkType) {
    return switch (linkType) {
      case DEDUPE -> col("l.source").eqNullSafe(col("r.source"));
      case LINK -> not(col("l.source").eqNullSafe(col("r.source")));
      default -> lit(true);
    };
  }

  /**
   * True when the joined element (at {@code l._bkpos}) is the first element of the left record's
   * key that the right record also holds: among the rows of one pair (one per shared element),
   * exactly one passes.
   */
  static Column firstSharedElement(ResolvedRule rule) {
    List<String> cols = rule.hashColumns();
    Column first = lit(true);
    for (int i = 0; i < cols.size() - 1; i++) {
      first = first.and(col("l._bkpos").leq(i).or(not(coalesce(inOther(col("l." + cols.get(i)), "r", cols), lit(false)))));
    }
    return first;
  }

  /** True when x equals one of the columns of the other side (null or false otherwise). */
  private static Column inOther(Column x, String side, List<String> cols) {
    Column any = null;
    for (String c : cols) {
      Column eq = x.equalTo(col(side + "." + c));
      any = any == null ? eq : any.or(eq);
    }
    return any;
  }

  /**
   * True when rule e generates the pair (l, r), null or false otherwise: the two records share an
   * element of its key (element against element: no set is built per pair), and its residual holds.
   */
  static Column generatedBy(ResolvedRule e) {
    List<String> cols = e.hashColumns();
    Column agree = null;
    for (String c : cols) {
      Column in = inOther(col("l." + c), "r", cols);
      agree = agree == null ? in : agree.or(in);
    }
    return e.rule.hasResidual() ? agree.and(expr(e.rule.residual())) : agree;
  }
}
