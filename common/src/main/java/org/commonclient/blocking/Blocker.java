package org.commonclient.blocking;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.arrays_overlap;
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
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
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
 *   <li>{@link BlockingAnalysis} counts each rule's pairs from block sizes; if a rule exceeds
 *       {@code maxPairsPerRule}, or all rules together exceed {@code maxPairs}, blocking is refused.
 *   <li>Each rule's keys are folded into one key column on a narrow "keyed" projection of the
 *       records; keys of blocks over {@code maxBlockSize} are removed (set to null) so neither this
 *       rule nor the exclusion of later rules sees them.
 *   <li>The keys are replaced by their 64-bit hashes ({@link #hashedKeys}, cached when the pairs
 *       are first computed): the joins and exclusion tests below shuffle, hash and compare
 *       longs, not strings.
 *   <li>Rule i is an equi-join of the keyed table with itself on its key (array keys exploded),
 *       keeping {@code uid_l < uid_r}, the link-type condition, the residual, and excluding pairs
 *       every earlier rule e would generate: {@code NOT coalesce(key_e(l) = key_e(r) AND
 *       residual_e, false)}. Array-key rules deduplicate their pairs.
 *   <li>Skew: blocks over {@code saltThreshold} records are salted: left rows get one of S
 *       buckets by hash of uid, right rows are replicated into all S buckets, and the join also
 *       matches the bucket, so a block's pairs are built by S tasks instead of one. Every pair is
 *       still built exactly once (only the copy in the left row's bucket meets it).
 *   <li>The rules' pairs are unioned. Nothing runs until the caller uses {@code pairs}.
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
    List<String> columns = Arrays.asList(records.columns());
    if (!columns.contains("uid")) {
      throw new IllegalArgumentException("Cannot block records without a uid column: " + columns);
    }
    if (linkType == LinkType.LINK && !columns.contains("source")) {
      throw new IllegalArgumentException(
          "Cannot block with link type link: the records have no source column");
    }
    List<ResolvedRule> rules = ResolvedRule.resolveAll(records, cfg.rules());
    // deliberate stage boundary: every key is computed once here, then read by the analysis and
    // by every rule's join (and by the exclusion conditions of later rules)
    Dataset<Row> keyed =
        BlockingAnalysis.keyed(records, rules).persist(StorageLevel.MEMORY_AND_DISK());
    BlockingAnalysis.Plan plan;
    try {
      plan = BlockingAnalysis.plan(keyed, rules, cfg);
      checkBudget(plan.stats(), cfg, linkType);
    } catch (RuntimeException e) {
      keyed.unpersist();
      throw e;
    }
    for (RuleStats s : plan.stats()) {
      LOG.info("block: {}", s.describe(linkType));
    }
    // the joins work on 64-bit hashes of the keys (cached when the pairs are first computed, then
    // read by every rule's join and exclusion test): longs instead of strings to shuffle, hash and
    // compare. The string keys are for the analysis (its messages show them).
    Dataset<Row> hashed = hashedKeys(keyed, plan).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> pairs = pairs(hashed, plan, linkType);
    return new BlockingResult(pairs, plan.stats(), cfg.rules(), linkType, List.of(hashed, keyed));
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
   * The keyed table with each rule's key replaced by its 64-bit hash ({@link
   * BlockingAnalysis#hashedKey}; an array key element by element), without the keys of the rule's
   * dropped blocks. The analysis before works on the key text (its messages show the keys):
   * grouping the hashes instead and looking up the text of the named blocks cost as much as it
   * saved (1M records, session 7).
   */
  static Dataset<Row> hashedKeys(Dataset<Row> keyed, BlockingAnalysis.Plan plan) {
    return BlockingAnalysis.withKeys(keyed, plan.rules(), r ->
        BlockingAnalysis.hashedKey(withoutDropped(r, plan.droppedKeys().get(r.index)), r.isArray));
  }

  /** What {@link BlockingAnalysis#hashedKey} gives for one key value (Spark's xxhash64 of a string, seed 42). */
  static long hashOf(String key) {
    return org.apache.spark.sql.catalyst.expressions.XXH64.hashUTF8String(
        org.apache.spark.unsafe.types.UTF8String.fromString(key), HASH_SEED);
  }

  /** The seed of Spark's xxhash64 function. */
  static final long HASH_SEED = 42L;

  /** The union of every rule's pairs (lazy), from the hashed key table ({@link #hashedKeys}). */
  static Dataset<Row> pairs(Dataset<Row> hashed, BlockingAnalysis.Plan plan, LinkType linkType) {
    List<ResolvedRule> rules = plan.rules();
    Dataset<Row> union = null;
    for (ResolvedRule r : rules) {
      Dataset<Row> rulePairs =
          rulePairs(hashed, r, rules.subList(0, r.index), plan.saltBuckets().get(r.index), linkType);
      union = union == null ? rulePairs : union.union(rulePairs);
    }
    return union;
  }

  /** The rule's key column without the keys of its dropped (oversized) blocks. */
  static Column withoutDropped(ResolvedRule r, List<?> dropped) {
    Column key = col(r.keyColumn());
    if (dropped.isEmpty()) {
      return key;
    }
    if (r.isArray) {
      // one hash-set lookup per element: array_except would build a set of every dropped key for
      // every row (35,637 dropped blocks of one rule at 1M records: hours instead of seconds)
      Object[] keys = dropped.toArray();
      return filter(key, x -> not(x.isin(keys)));
    }
    return when(not(key.isin(dropped.toArray())), key);
  }

  private static Dataset<Row> rulePairs(
      Dataset<Row> keyed,
      ResolvedRule rule,
      List<ResolvedRule> earlier,
      Map<String, Integer> saltBuckets,
      LinkType linkType) {
    String k = rule.keyColumn();
    // only this rule's key and the earlier rules' keys: the optimiser prunes the other key
    // expressions, so later rules' keys are not computed for this join
    List<Column> needed = new ArrayList<>();
    for (String c : keyed.columns()) {
      if (!c.startsWith("_bk") || Integer.parseInt(c.substring(3)) <= rule.index) {
        needed.add(col(c));
      }
    }
    Dataset<Row> side = keyed.select(needed.toArray(new Column[0])).where(col(k).isNotNull());
    String joinKey = k;
    if (rule.isArray) {
      joinKey = "_bkx";
      side = side.withColumn(joinKey, explode(col(k)));
    }
    Dataset<Row> left = side;
    Dataset<Row> right = side;
    boolean salted = !saltBuckets.isEmpty();
    if (salted) {
      SparkSession spark = keyed.sparkSession();
      List<Row> rows = new ArrayList<>();
      saltBuckets.forEach((key, b) -> rows.add(RowFactory.create(hashOf(key), b)));
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
    if (linkType == LinkType.DEDUPE) {
      cond = cond.and(col("l.source").eqNullSafe(col("r.source")));
    }
    cond = cond.and(col("l.uid").lt(col("r.uid")));
    if (linkType == LinkType.LINK) {
      cond = cond.and(not(col("l.source").eqNullSafe(col("r.source"))));
    }
    if (rule.rule.hasResidual()) {
      cond = cond.and(expr(rule.rule.residual()));
    }
    for (ResolvedRule e : earlier) {
      cond = cond.and(not(coalesce(generatedBy(e), lit(false))));
    }
    // a shuffled hash join: the blocks are hashed on one side and probed with the other, instead
    // of sorting both sides of every rule's join on the string key (the sorts were about a third
    // of the pair-building CPU). The left side is built: with salting, the right is the replicated
    // (bigger) one.
    Dataset<Row> out =
        l.hint("shuffle_hash").join(r, cond, "inner")
            .select(
                col("l.uid").as("uid_l"), col("r.uid").as("uid_r"), lit(rule.index).as("match_key"));
    return rule.isArray ? out.distinct() : out;
  }

  /** True when rule e generates the pair (l, r), null or false otherwise. */
  private static Column generatedBy(ResolvedRule e) {
    String k = e.keyColumn();
    Column agree =
        e.isArray
            ? arrays_overlap(col("l." + k), col("r." + k))
            : col("l." + k).equalTo(col("r." + k));
    return e.rule.hasResidual() ? agree.and(expr(e.rule.residual())) : agree;
  }
}
