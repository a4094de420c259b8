package org.commonclient.blocking;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, per blocking rule, the pairs it would generate and its largest blocks, from group-by
 * counts only: no pair is built.
 *
 * <p>One pass: every record is expanded into one row per (rule, key value), grouped by (rule, key)
 * with a count per source (or, with more than {@link #MAX_SOURCE_COLUMNS} sources, grouped by
 * (rule, key, source) and then (rule, key)). For a block with N records, n_s of them from source s: {@code
 * linkAndDedupe = N(N-1)/2}, {@code dedupe = sum n_s(n_s-1)/2}, {@code link = (N^2 - sum
 * n_s^2)/2}. The totals, each rule's largest blocks and the blocks over the salt/drop thresholds are
 * fetched in a single Spark action (the grouped table is computed once and its shuffle reused).
 *
 * <p>The counts are pre-exclusion (see {@link RuleStats}). Exact post-exclusion counts need the
 * pairs: {@link BlockingResult#countByRule()}.
 */
public final class BlockingAnalysis {
  private static final Logger LOG = LoggerFactory.getLogger(BlockingAnalysis.class);

  /** Up to this many distinct sources, a block's per-source counts are columns of one aggregation. */
  static final int MAX_SOURCE_COLUMNS = 32;

  private BlockingAnalysis() {}

  /** Per-rule pair counts (all link types) and largest blocks, in rule order. */
  public static List<RuleStats> analyse(Dataset<Row> records, BlockingConfig cfg) {
    List<ResolvedRule> rules = ResolvedRule.resolveAll(records, cfg.rules());
    return plan(keyed(records, rules), rules, cfg).stats();
  }

  /**
   * The keyed table with each rule's key replaced by its 64-bit hash ({@link #hashedKey}); what
   * incremental blocking groups and joins.
   */
  static Dataset<Row> hashed(Dataset<Row> keyed, List<ResolvedRule> rules) {
    return withKeys(keyed, rules, r -> hashedKey(col(r.keyColumn()), r.isArray));
  }

  /**
   * The keyed table with each rule's key column replaced by {@code key.apply(rule)} (same name,
   * same position: the key columns are the last ones, in rule order).
   */
  static Dataset<Row> withKeys(Dataset<Row> keyed, List<ResolvedRule> rules,
      java.util.function.Function<ResolvedRule, Column> key) {
    List<Column> cols = new ArrayList<>();
    for (String c : keyed.columns()) {
      cols.add(col(c));
    }
    for (ResolvedRule r : rules) {
      cols.set(cols.size() - rules.size() + r.index, key.apply(r).as(r.keyColumn()));
    }
    return keyed.select(cols.toArray(new Column[0]));
  }

  /**
   * A string key (or array of them) as its xxhash64, seed 42 (array of them; with a lambda, which
   * Spark interprets); null stays null. Two records share a hashed key when they share the key;
   * two different keys share a hash with probability 2^-64 per pair of keys (at 20 million keys
   * about once in 100,000 runs), and its only effect is one more candidate pair or one pair
   * attributed to an earlier rule.
   */
  static Column hashedKey(Column key, boolean isArray) {
    return isArray
        ? org.apache.spark.sql.functions.transform(key, x -> org.apache.spark.sql.functions.xxhash64(x))
        : when(key.isNotNull(), org.apache.spark.sql.functions.xxhash64(key));
  }

  /**
   * The narrow table blocking works on: {@code uid} (long), {@code source} (string, null when the
   * records have none), the columns residual conditions read, and one key column per rule ({@link
   * ResolvedRule#keyColumn()}). Keys are computed here once.
   */
  static Dataset<Row> keyed(Dataset<Row> records, List<ResolvedRule> rules) {
    boolean hasSource = Arrays.asList(records.columns()).contains("source");
    Set<String> residualCols = new LinkedHashSet<>();
    for (ResolvedRule r : rules) {
      residualCols.addAll(r.residualColumns);
    }
    residualCols.remove("uid");
    residualCols.remove("source");
    List<Column> cols = new ArrayList<>();
    cols.add(col("uid").cast("long").as("uid"));
    cols.add((hasSource ? col("source") : lit(null)).cast("string").as("source"));
    for (String c : residualCols) {
      cols.add(col(c));
    }
    for (ResolvedRule r : rules) {
      cols.add(r.key.as(r.keyColumn()));
    }
    return records.select(cols.toArray(new Column[0]));
  }

  /** The analysis plus what the blocker needs: salt buckets and dropped keys per rule. */
  record Plan(
      List<ResolvedRule> rules,
      List<RuleStats> stats,
      List<Map<String, Integer>> saltBuckets,
      List<List<String>> droppedKeys) {}

  static Plan plan(Dataset<Row> keyed, List<ResolvedRule> rules, BlockingConfig cfg) {

    // one narrow scan of the (cached) key table per rule: no lambdas, no row-wide explode
    Dataset<Row> entries = null;
    for (ResolvedRule r : rules) {
      Column k = r.isArray ? explode(col(r.keyColumn())) : col(r.keyColumn());
      Dataset<Row> e =
          keyed
              .where(col(r.keyColumn()).isNotNull())
              .select(lit(r.index).as("r"), k.as("k"), col("source"));
      entries = entries == null ? e : entries.union(e);
    }
    // n2 (sum of the squared per-source counts) needs each block's count per source. With few
    // sources (the usual case: one per agency) they are counted in the same aggregation as n, one
    // conditional count per source: one shuffle and one hash aggregation of the entries instead of
    // two (by (rule, key, source), then by (rule, key)); the result is the same.
    List<Row> distinctSources =
        keyed.select("source").distinct().limit(MAX_SOURCE_COLUMNS + 1).collectAsList();
    Dataset<Row> grouped;
    if (distinctSources.size() <= MAX_SOURCE_COLUMNS) {
      List<Column> aggs = new ArrayList<>();
      Column n2 = lit(0L);
      for (int i = 0; i < distinctSources.size(); i++) {
        String src = distinctSources.get(i).getString(0);
        Column isSrc = src == null ? col("source").isNull() : col("source").equalTo(lit(src));
        aggs.add(sum(when(isSrc, lit(1L)).otherwise(lit(0L))).as("_ns" + i));
        n2 = n2.plus(col("_ns" + i).multiply(col("_ns" + i)));
      }
      grouped =
          entries
              .groupBy("r", "k")
              .agg(count(lit(1)).as("n"), aggs.toArray(new Column[0]))
              .select(col("r"), col("k"), col("n"), n2.as("n2"));
    } else {
      grouped =
          entries
              .groupBy("r", "k", "source")
              .agg(count(lit(1)).as("ns"))
              .groupBy("r", "k")
              .agg(sum("ns").as("n"), sum(col("ns").multiply(col("ns"))).as("n2"));
    }
    // deliberate: the totals, the largest blocks and the salt/drop lists all read it
    Dataset<Row> byKey = grouped.persist(StorageLevel.MEMORY_AND_DISK());

    Column n = col("n");
    Column n2 = col("n2");
    Column pAll = expr("n * (n - 1) div 2");
    Column pDedupe = expr("(n2 - n) div 2");
    Column pLink = expr("(n * n - n2) div 2");
    // per rule: its own limit or the global one, whichever is smaller (0 = none)
    Column limit = null;
    for (ResolvedRule r : rules) {
      long l = r.rule.blockLimit(cfg.maxBlockSize());
      limit = limit == null ? when(col("r").equalTo(r.index), lit(l)) : limit.when(col("r").equalTo(r.index), lit(l));
    }
    limit = limit.otherwise(lit(0L));
    Column dropped = limit.gt(0).and(n.gt(limit));
    Column salted =
        cfg.saltThreshold() > 0 ? n.gt(cfg.saltThreshold()).and(dropped.unary_$bang()) : lit(false);

    Dataset<Row> totals =
        byKey
            .groupBy("r")
            .agg(
                sum(n).as("records"),
                count(lit(1)).as("blocks"),
                max(n).as("largest"),
                keptSum(dropped, pDedupe, "p_dedupe"),
                keptSum(dropped, pLink, "p_link"),
                keptSum(dropped, pAll, "p_all"),
                sum(when(dropped, 1).otherwise(0)).as("d_blocks"),
                sum(when(dropped, n).otherwise(0)).as("d_records"),
                sum(when(dropped, pDedupe).otherwise(0)).as("d_dedupe"),
                sum(when(dropped, pLink).otherwise(0)).as("d_link"),
                sum(when(dropped, pAll).otherwise(0)).as("d_all"),
                sum(when(salted, 1).otherwise(0)).as("s_blocks"))
            .select(
                lit("T").as("kind"),
                col("r"),
                lit(null).cast("string").as("k"),
                lit(null).cast("long").as("n"),
                struct(
                        col("records"),
                        col("blocks"),
                        col("largest"),
                        col("p_dedupe"),
                        col("p_link"),
                        col("p_all"),
                        col("d_blocks"),
                        col("d_records"),
                        col("d_dedupe"),
                        col("d_link"),
                        col("d_all"),
                        col("s_blocks"))
                    .as("t"));
    Column noTotals = lit(null).cast(totals.schema().apply("t").dataType()).as("t");

    Dataset<Row> result = totals;
    if (cfg.topBlocks() > 0) {
      // singleton blocks generate no pairs: leave them out of the per-rule sort
      Dataset<Row> ranked =
          byKey
              .where(n.gt(1))
              .withColumn(
                  "rank", row_number().over(Window.partitionBy("r").orderBy(n.desc(), col("k"))));
      result =
          result.unionByName(
              ranked
                  .where(col("rank").leq(cfg.topBlocks()))
                  .select(lit("L").as("kind"), col("r"), col("k"), n, noTotals));
    }
    long threshold = cfg.saltThreshold() > 0 ? cfg.saltThreshold() : cfg.maxBlockSize();
    Column listed = threshold > 0 ? n.gt(threshold).or(dropped) : dropped;
    result =
        result.unionByName(
            byKey.where(listed).select(lit("B").as("kind"), col("r"), col("k"), n, noTotals));

    keyed.sparkSession().sparkContext().setJobDescription("block: analyse " + rules.size() + " rules");
    List<Row> rows;
    try {
      rows = result.collectAsList();
    } finally {
      byKey.unpersist();
    }
    keyed.sparkSession().sparkContext().setJobDescription(null);

    Map<Integer, Row> totalsByRule = new HashMap<>();
    Map<Integer, List<BlockSize>> largest = new HashMap<>();
    List<Map<String, Integer>> saltBuckets = new ArrayList<>();
    List<List<String>> droppedKeys = new ArrayList<>();
    List<List<BlockSize>> droppedBlocks = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      largest.put(i, new ArrayList<>());
      saltBuckets.add(new LinkedHashMap<>());
      droppedKeys.add(new ArrayList<>());
      droppedBlocks.add(new ArrayList<>());
    }
    for (Row row : rows) {
      int r = row.getInt(row.fieldIndex("r"));
      switch (row.getString(row.fieldIndex("kind"))) {
        case "T" -> totalsByRule.put(r, row.getStruct(row.fieldIndex("t")));
        case "L" -> largest.get(r).add(blockSize(row));
        case "B" -> {
          String k = row.getString(row.fieldIndex("k"));
          long size = row.getLong(row.fieldIndex("n"));
          long ruleLimit = rules.get(r).rule.blockLimit(cfg.maxBlockSize());
          if (ruleLimit > 0 && size > ruleLimit) {
            droppedKeys.get(r).add(k);
            droppedBlocks.get(r).add(blockSize(row));
          } else if (cfg.saltThreshold() > 0) {
            saltBuckets.get(r).put(k, saltBuckets(size, cfg));
          }
        }
        default -> throw new IllegalStateException("Unexpected analysis row " + row);
      }
    }
    List<RuleStats> stats = new ArrayList<>();
    for (ResolvedRule r : rules) {
      List<BlockSize> top = largest.get(r.index);
      top.sort((a, b) -> Long.compare(b.records(), a.records()));
      List<BlockSize> drops = droppedBlocks.get(r.index);
      drops.sort((a, b) -> Long.compare(b.records(), a.records()));
      Row t = totalsByRule.get(r.index);
      RuleStats s =
          t == null
              ? new RuleStats(
                  r.index, r.rule.name(), 0, 0, 0, PairCounts.ZERO, 0, 0, PairCounts.ZERO, 0, top, drops)
              : new RuleStats(
                  r.index,
                  r.rule.name(),
                  t.getLong(0),
                  t.getLong(1),
                  t.getLong(2),
                  new PairCounts(t.getLong(3), t.getLong(4), t.getLong(5)),
                  t.getLong(6),
                  t.getLong(7),
                  new PairCounts(t.getLong(8), t.getLong(9), t.getLong(10)),
                  t.getLong(11),
                  top,
                  drops);
      if (s.droppedBlocks() > 0) {
        LOG.warn(
            "Blocking rule '{}': dropped {} blocks larger than maxBlockSize = {} ({} records), largest"
                + " '{}' with {} records",
            s.name(),
            s.droppedBlocks(),
            r.rule.blockLimit(cfg.maxBlockSize()),
            s.droppedRecords(),
            drops.get(0).key(),
            drops.get(0).records());
      }
      stats.add(s);
    }
    return new Plan(rules, List.copyOf(stats), saltBuckets, droppedKeys);
  }

  /** Buckets for a block of {@code size} records: one per saltThreshold records, capped. */
  static int saltBuckets(long size, BlockingConfig cfg) {
    long b = (size + cfg.saltThreshold() - 1) / cfg.saltThreshold();
    return (int) Math.max(1, Math.min(cfg.maxSaltBuckets(), b));
  }

  private static Column keptSum(Column dropped, Column pairs, String alias) {
    return sum(when(dropped, 0).otherwise(pairs)).as(alias);
  }

  private static BlockSize blockSize(Row row) {
    return new BlockSize(
        ResolvedRule.display(row.getString(row.fieldIndex("k"))), row.getLong(row.fieldIndex("n")));
  }

}
