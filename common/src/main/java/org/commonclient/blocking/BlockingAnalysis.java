package org.commonclient.blocking;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
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
    Dataset<Row> keyed = keyed(records, rules);
    return plan(hashed(keyed, rules), keyed, rules, cfg).stats();
  }

  /**
   * The hashed key table: {@code uid}, {@code source}, the residual columns and, per rule, one
   * long column per key element ({@link ResolvedRule#hashColumns()}): the xxhash64 (seed 42) of
   * the element's text, null when the record has no such element. What the analysis groups and
   * the joins and exclusion tests compare: fixed-width longs instead of strings and arrays of
   * them (no array to allocate or search per pair).
   */
  static Dataset<Row> hashed(Dataset<Row> keyed, List<ResolvedRule> rules) {
    List<Column> cols = new ArrayList<>();
    List<Column> deduplicated = new ArrayList<>();
    Set<String> keyColumns = new java.util.HashSet<>();
    for (ResolvedRule r : rules) {
      keyColumns.add(r.keyColumn());
    }
    for (String c : keyed.columns()) {
      if (!keyColumns.contains(c)) {
        cols.add(col(c));
        deduplicated.add(col(c));
      }
    }
    for (ResolvedRule r : rules) {
      List<String> names = r.hashColumns();
      for (int i = 0; i < r.width; i++) {
        Column element = r.isArray ? org.apache.spark.sql.functions.get(col(r.keyColumn()), lit(i)) : col(r.keyColumn());
        cols.add(hashedKey(element).as(names.get(i)));
        // an element equal to an earlier one of the same record is dropped: a record counts once
        // in a block, and a pair is found once per distinct shared element
        Column repeated = lit(false);
        for (int j = 0; j < i; j++) {
          repeated = repeated.or(coalesce(col(names.get(i)).equalTo(col(names.get(j))), lit(false)));
        }
        deduplicated.add(i == 0 ? col(names.get(i)) : when(not(repeated), col(names.get(i))).as(names.get(i)));
      }
    }
    // two projections: the hashes are computed once, then compared (the optimiser does not merge
    // a projection whose non-trivial results are read more than once)
    return keyed.select(cols.toArray(new Column[0])).select(deduplicated.toArray(new Column[0]));
  }

  /**
   * A string key as its xxhash64, seed 42; null stays null. Two records share a hashed key when
   * they share the key; two different keys share a hash with probability 2^-64 per pair of keys
   * (at 20 million keys about once in 100,000 runs), and its only effect is one more candidate
   * pair or one pair attributed to an earlier rule.
   */
  static Column hashedKey(Column key) {
    return when(key.isNotNull(), org.apache.spark.sql.functions.xxhash64(key));
  }

  /** The rule's hashed key elements as one array column (null elements where there are none). */
  static Column hashArray(ResolvedRule r) {
    return org.apache.spark.sql.functions.array(r.hashColumns().stream().map(org.apache.spark.sql.functions::col)
        .toArray(Column[]::new));
  }

  /** The rule's non-null hashed keys of each record as rows (column {@code k}). */
  static Column explodedKey(ResolvedRule r) {
    return r.width == 1 ? col(r.hashColumns().get(0)) : explode(hashArray(r));
  }

  /**
   * The hashed key table without the keys of oversized blocks: each listed hash becomes null (a
   * sorted-array lookup per element), so neither the rule's join nor the exclusion test of a later
   * rule sees them.
   */
  static Dataset<Row> withoutDropped(Dataset<Row> hashed, List<ResolvedRule> rules, List<long[]> dropped) {
    List<Column> cols = new ArrayList<>();
    Map<String, Column> replaced = new HashMap<>();
    for (ResolvedRule r : rules) {
      long[] keys = dropped.get(r.index);
      if (keys.length == 0) {
        continue;
      }
      org.apache.spark.sql.expressions.UserDefinedFunction f = dropUdf(keys);
      for (String c : r.hashColumns()) {
        replaced.put(c, f.apply(col(c)).as(c));
      }
    }
    if (replaced.isEmpty()) {
      return hashed;
    }
    for (String c : hashed.columns()) {
      cols.add(replaced.getOrDefault(c, col(c)));
    }
    return hashed.select(cols.toArray(new Column[0]));
  }

  private static org.apache.spark.sql.expressions.UserDefinedFunction dropUdf(long[] keys) {
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    return org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<Long, Long>) h -> h == null || Arrays.binarySearch(sorted, h) >= 0 ? null : h,
        org.apache.spark.sql.types.DataTypes.LongType).withName("without_dropped_block");
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

  /**
   * The analysis plus what the blocker needs: per rule, salt buckets by key hash and the hashes of
   * the dropped (oversized) blocks.
   */
  record Plan(
      List<ResolvedRule> rules,
      List<RuleStats> stats,
      List<Map<Long, Integer>> saltBuckets,
      List<long[]> droppedKeys) {}

  /**
   * @param hashed the hashed key table ({@link #hashed}), every key present
   * @param keyed the key table with the key text ({@link #keyed}); only the records that name a
   *     reported block are read from it
   */
  static Plan plan(Dataset<Row> hashed, Dataset<Row> keyed, List<ResolvedRule> rules, BlockingConfig cfg) {

    // one narrow scan of the (cached) hashed table per rule: no lambdas, no row-wide explode.
    // Grouping fixed-width longs instead of the key text: at 1M records a fifth of the analysis
    // was comparing key strings in the aggregation's hash map.
    Dataset<Row> entries = null;
    for (ResolvedRule r : rules) {
      Dataset<Row> e = hashed.select(lit(r.index).as("r"), explodedKey(r).as("k"), col("source"), col("uid"))
          .where(col("k").isNotNull());
      entries = entries == null ? e : entries.union(e);
    }
    // n2 (sum of the squared per-source counts) needs each block's count per source. With few
    // sources (the usual case: one per agency) they are counted in the same aggregation as n, one
    // conditional count per source: one shuffle and one hash aggregation of the entries instead of
    // two (by (rule, key, source), then by (rule, key)); the result is the same. u: one record of
    // the block, through which a reported block is named by its text.
    List<Row> distinctSources =
        hashed.select("source").distinct().limit(MAX_SOURCE_COLUMNS + 1).collectAsList();
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
      aggs.add(org.apache.spark.sql.functions.min("uid").as("u"));
      grouped =
          entries
              .groupBy("r", "k")
              .agg(count(lit(1)).as("n"), aggs.toArray(new Column[0]))
              .select(col("r"), col("k"), col("n"), n2.as("n2"), col("u"));
    } else {
      grouped =
          entries
              .groupBy("r", "k", "source")
              .agg(count(lit(1)).as("ns"), org.apache.spark.sql.functions.min("uid").as("us"))
              .groupBy("r", "k")
              .agg(sum("ns").as("n"), sum(col("ns").multiply(col("ns"))).as("n2"),
                  org.apache.spark.sql.functions.min("us").as("u"));
    }
    // deliberate: the totals, the largest blocks and the salt/drop lists all read it
    Dataset<Row> byKey = grouped.persist(StorageLevel.MEMORY_AND_DISK());

    Column n = col("n");
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
                lit(null).cast("long").as("k"),
                lit(null).cast("long").as("n"),
                lit(null).cast("long").as("u"),
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
                  .select(lit("L").as("kind"), col("r"), col("k"), n, col("u"), noTotals));
    }
    long threshold = cfg.saltThreshold() > 0 ? cfg.saltThreshold() : cfg.maxBlockSize();
    Column listed = threshold > 0 ? n.gt(threshold).or(dropped) : dropped;
    result =
        result.unionByName(
            byKey.where(listed).select(lit("B").as("kind"), col("r"), col("k"), n, col("u"), noTotals));

    hashed.sparkSession().sparkContext().setJobDescription("block: analyse " + rules.size() + " rules");
    List<Row> rows;
    try {
      rows = result.collectAsList();
    } finally {
      byKey.unpersist();
    }
    hashed.sparkSession().sparkContext().setJobDescription(null);

    Map<Integer, Row> totalsByRule = new HashMap<>();
    Map<Integer, List<Row>> largest = new HashMap<>();
    List<Map<Long, Integer>> saltBuckets = new ArrayList<>();
    List<List<Long>> droppedKeys = new ArrayList<>();
    List<List<Row>> droppedBlocks = new ArrayList<>();
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
        case "L" -> largest.get(r).add(row);
        case "B" -> {
          long k = row.getLong(row.fieldIndex("k"));
          long size = row.getLong(row.fieldIndex("n"));
          long ruleLimit = rules.get(r).rule.blockLimit(cfg.maxBlockSize());
          if (ruleLimit > 0 && size > ruleLimit) {
            droppedKeys.get(r).add(k);
            droppedBlocks.get(r).add(row);
          } else if (cfg.saltThreshold() > 0) {
            saltBuckets.get(r).put(k, saltBuckets(size, cfg));
          }
        }
        default -> throw new IllegalStateException("Unexpected analysis row " + row);
      }
    }
    // only the reported blocks are named: the largest, and the largest of the dropped ones
    java.util.Comparator<Row> bySize = (a, b) -> Long.compare(b.getLong(b.fieldIndex("n")), a.getLong(a.fieldIndex("n")));
    int reported = Math.max(cfg.topBlocks(), 1);
    List<Row> named = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      largest.get(i).sort(bySize);
      droppedBlocks.get(i).sort(bySize);
      if (droppedBlocks.get(i).size() > reported) {
        droppedBlocks.set(i, new ArrayList<>(droppedBlocks.get(i).subList(0, reported)));
      }
      named.addAll(largest.get(i));
      named.addAll(droppedBlocks.get(i));
    }
    Map<String, String> text = keyText(keyed, rules, named);

    List<RuleStats> stats = new ArrayList<>();
    List<long[]> dropLists = new ArrayList<>();
    for (ResolvedRule r : rules) {
      // biggest first, equal sizes by their text
      java.util.Comparator<BlockSize> order = java.util.Comparator.comparingLong(BlockSize::records).reversed()
          .thenComparing(BlockSize::key);
      List<BlockSize> top = largest.get(r.index).stream().map(x -> blockSize(x, text)).sorted(order).toList();
      List<BlockSize> drops = droppedBlocks.get(r.index).stream().map(x -> blockSize(x, text)).sorted(order).toList();
      dropLists.add(droppedKeys.get(r.index).stream().mapToLong(Long::longValue).toArray());
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
    return new Plan(rules, List.copyOf(stats), saltBuckets, dropLists);
  }

  /**
   * The text of the named blocks, keyed by {@code rule/hash}: each block's key as held by one of
   * its records (column {@code u} of the analysis rows), read from the key table for those records
   * only (a few hundred rows found by uid).
   */
  private static Map<String, String> keyText(Dataset<Row> keyed, List<ResolvedRule> rules, List<Row> named) {
    Map<String, String> out = new HashMap<>();
    if (named.isEmpty()) {
      return out;
    }
    Set<Long> uids = new java.util.TreeSet<>();
    for (Row b : named) {
      uids.add(b.getLong(b.fieldIndex("u")));
    }
    List<Column> cols = new ArrayList<>(List.of(col("uid")));
    for (ResolvedRule r : rules) {
      cols.add(col(r.keyColumn()));
    }
    Map<Long, Row> byUid = new HashMap<>();
    for (Row row : keyed.where(col("uid").isin(uids.toArray())).select(cols.toArray(new Column[0])).collectAsList()) {
      byUid.put(row.getLong(0), row);
    }
    for (Row b : named) {
      int r = b.getInt(b.fieldIndex("r"));
      long k = b.getLong(b.fieldIndex("k"));
      Row rec = byUid.get(b.getLong(b.fieldIndex("u")));
      if (rec == null || rec.isNullAt(r + 1)) {
        continue;
      }
      List<String> candidates = rules.get(r).isArray ? rec.getList(r + 1) : List.of(rec.getString(r + 1));
      for (String c : candidates) {
        if (c != null && Blocker.hashOf(c) == k) {
          out.put(r + "/" + k, c);
        }
      }
    }
    return out;
  }

  /** Buckets for a block of {@code size} records: one per saltThreshold records, capped. */
  static int saltBuckets(long size, BlockingConfig cfg) {
    long b = (size + cfg.saltThreshold() - 1) / cfg.saltThreshold();
    return (int) Math.max(1, Math.min(cfg.maxSaltBuckets(), b));
  }

  private static Column keptSum(Column dropped, Column pairs, String alias) {
    return sum(when(dropped, 0).otherwise(pairs)).as(alias);
  }

  private static BlockSize blockSize(Row row, Map<String, String> text) {
    long k = row.getLong(row.fieldIndex("k"));
    String t = text.get(row.getInt(row.fieldIndex("r")) + "/" + k);
    return new BlockSize(t == null ? "#" + Long.toHexString(k) : ResolvedRule.display(t), row.getLong(row.fieldIndex("n")));
  }

}
