package org.commonclient.blocking;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts, per blocking rule, the pairs it would generate and its largest blocks, from block sizes
 * only: no pair is built.
 *
 * <p>Every record's keys are hashed ({@link #hashed}: one long per key element) and expanded into
 * one row per (rule, key element), partitioned by (rule, key) and sorted ({@link
 * BlockPairs#sortedEntries}); one streaming pass then reads each block whole and counts its records
 * N and its records per source n_s: {@code linkAndDedupe = N(N-1)/2}, {@code dedupe = sum
 * n_s(n_s-1)/2}, {@code link = (N^2 - sum n_s^2)/2}. The totals, each rule's largest blocks and the
 * blocks over the salt/drop thresholds come back in one Spark action; the blocks it reports are
 * named by their key text, read for one record of each.
 *
 * <p>The counts are pre-exclusion (see {@link RuleStats}). Exact post-exclusion counts need the
 * pairs: {@link BlockingResult#countByRule()}.
 */
public final class BlockingAnalysis {
  private static final Logger LOG = LoggerFactory.getLogger(BlockingAnalysis.class);

  private BlockingAnalysis() {}

  /** Per-rule pair counts (all link types) and largest blocks, in rule order. */
  public static List<RuleStats> analyse(Dataset<Row> records, BlockingConfig cfg) {
    List<ResolvedRule> rules = ResolvedRule.resolveAll(records, cfg.rules());
    return plan(BlockPairs.sortedEntries(hashed(records, rules), rules), records, rules, cfg).stats();
  }

  /**
   * The hashed key table: {@code uid}, {@code source}, the residual columns and, per rule, one
   * long column per key element ({@link ResolvedRule#hashColumns()}): Spark's xxhash64 (seed 42)
   * of the element's parts with their own types (the rule's scalar keys and the array key's
   * element; no key text is built), null when the record has no such element. What the analysis
   * groups and the joins and exclusion tests compare: fixed-width longs instead of strings and
   * arrays of them (no array to allocate or search per pair).
   *
   * <p>Three projections: every part once (a rule's scalar keys are shared by its elements, and an
   * element is read by its presence test and its hash), the hashes, and the removal of repeated
   * elements. Hashing the key text instead (parts cast to strings and concatenated, each
   * composite built again by its presence test and its hash) cost 35 s of CPU at 1M records.
   */
  static Dataset<Row> hashed(Dataset<Row> records, List<ResolvedRule> rules) {
    List<Column> parts = new ArrayList<>(baseColumns(records, rules));
    List<Column> base = new ArrayList<>();
    for (String c : records.select(parts.toArray(new Column[0])).columns()) {
      base.add(col(c));
    }
    for (ResolvedRule r : rules) {
      for (int j = 0; j < r.scalarParts.size(); j++) {
        if (j != r.arrayPos) {
          parts.add(r.scalarParts.get(j).as(partName(r, j)));
        }
      }
      for (int i = 0; i < r.arrayElements.size(); i++) {
        parts.add(r.arrayElements.get(i).as(elementName(r, i)));
      }
    }
    List<Column> hashes = new ArrayList<>(base);
    List<Column> deduplicated = new ArrayList<>(base);
    for (ResolvedRule r : rules) {
      List<String> names = r.hashColumns();
      Column present = lit(true);
      for (int j = 0; j < r.scalarParts.size(); j++) {
        if (j != r.arrayPos) {
          Column p = col(partName(r, j));
          present = present.and(r.stringParts.get(j) ? ResolvedRule.nonBlank(p) : p.isNotNull());
        }
      }
      for (int i = 0; i < r.width; i++) {
        List<Column> inputs = new ArrayList<>();
        Column cond = present;
        for (int j = 0; j < r.scalarParts.size(); j++) {
          if (j == r.arrayPos) {
            Column e = col(elementName(r, i));
            inputs.add(e);
            cond = cond.and(ResolvedRule.nonBlank(e));
          } else {
            inputs.add(col(partName(r, j)));
          }
        }
        hashes.add(when(cond, org.apache.spark.sql.functions.xxhash64(inputs.toArray(new Column[0]))).as(names.get(i)));
        // an element equal to an earlier one of the same record is dropped: a record counts once
        // in a block, and a pair is found once per distinct shared element
        Column repeated = lit(false);
        for (int j = 0; j < i; j++) {
          repeated = repeated.or(coalesce(col(names.get(i)).equalTo(col(names.get(j))), lit(false)));
        }
        deduplicated.add(i == 0 ? col(names.get(i)) : when(not(repeated), col(names.get(i))).as(names.get(i)));
      }
    }
    return records.select(parts.toArray(new Column[0]))
        .select(hashes.toArray(new Column[0]))
        .select(deduplicated.toArray(new Column[0]));
  }

  private static String partName(ResolvedRule r, int j) {
    return "_kp" + r.index + "_" + j;
  }

  private static String elementName(ResolvedRule r, int i) {
    return "_ke" + r.index + "_" + i;
  }

  /**
   * Every rule's hashed key elements of a record as one array of structs ({@code ruleField}: the
   * rule index, {@code keyField}: the hash, null where the record has none), to explode in one
   * pass over the key table for all the rules.
   */
  static Column ruleKeys(List<ResolvedRule> rules, String ruleField, String keyField) {
    List<Column> elements = new ArrayList<>();
    for (ResolvedRule r : rules) {
      for (String c : r.hashColumns()) {
        elements.add(org.apache.spark.sql.functions.struct(lit(r.index).as(ruleField), col(c).as(keyField)));
      }
    }
    return org.apache.spark.sql.functions.array(elements.toArray(new Column[0]));
  }

  /** The rule's hashed key elements as one array column (null elements where there are none). */
  static Column hashArray(ResolvedRule r) {
    return org.apache.spark.sql.functions.array(r.hashColumns().stream().map(org.apache.spark.sql.functions::col)
        .toArray(Column[]::new));
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

  /** uid (long), source (string, null when the records have none) and the residual columns. */
  private static List<Column> baseColumns(Dataset<Row> records, List<ResolvedRule> rules) {
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
    return cols;
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

  /** What one partition of the analysis reports: per-rule totals, candidate largest and listed blocks. */
  static final StructType ANALYSIS =
      new StructType()
          .add("kind", DataTypes.StringType, false)
          .add("r", DataTypes.IntegerType, false)
          .add("k", DataTypes.LongType, false)
          .add("n", DataTypes.LongType, false)
          .add("u", DataTypes.LongType, false)
          .add("t", DataTypes.createArrayType(DataTypes.LongType, false), true);

  /** Indexes into a rule's totals. */
  private static final int RECORDS = 0, BLOCKS = 1, LARGEST = 2, P_DEDUPE = 3, P_LINK = 4, P_ALL = 5,
      D_BLOCKS = 6, D_RECORDS = 7, D_DEDUPE = 8, D_LINK = 9, D_ALL = 10, S_BLOCKS = 11, TOTALS = 12;

  /**
   * The analysis over the sorted entries ({@link BlockPairs#sortedEntries}: one row per rule, key
   * element and record, each block whole in one partition, its rows together): one streaming pass
   * counts each block's records and records per source; each partition returns its per-rule
   * totals, its largest blocks and the blocks over the salt or drop thresholds, and the driver
   * adds them up. No hash aggregation (at 1M records grouping 22M entries by key in a hash map
   * was most of the analysis) and the same sorted entries then feed the pair building.
   *
   * @param keyed the key table with the key text ({@link #keyed}); only the records that name a
   *     reported block are read from it
   */
  static Plan plan(Dataset<Row> sortedEntries, Dataset<Row> records, List<ResolvedRule> rules, BlockingConfig cfg) {
    long[] limits = new long[rules.size()];
    for (ResolvedRule r : rules) {
      limits[r.index] = r.rule.blockLimit(cfg.maxBlockSize());
    }
    long saltThreshold = cfg.saltThreshold();
    long threshold = saltThreshold > 0 ? saltThreshold : cfg.maxBlockSize();
    int top = cfg.topBlocks();
    int nRules = rules.size();
    records.sparkSession().sparkContext().setJobDescription("block: analyse " + rules.size() + " rules");
    List<Row> rows;
    try {
      rows = sortedEntries
          .select("b", "r", "k", "uid", "s")
          .mapPartitions(
              (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>) in ->
                  analysePartition(in, nRules, limits, saltThreshold, threshold, top),
              org.apache.spark.sql.Encoders.row(ANALYSIS))
          .collectAsList();
    } finally {
      records.sparkSession().sparkContext().setJobDescription(null);
    }

    long[][] totals = new long[nRules][TOTALS];
    boolean[] seen = new boolean[nRules];
    Map<Integer, List<Row>> largest = new HashMap<>();
    List<Map<Long, Integer>> saltBuckets = new ArrayList<>();
    List<List<Long>> droppedKeys = new ArrayList<>();
    List<List<Row>> droppedBlocks = new ArrayList<>();
    for (int i = 0; i < nRules; i++) {
      largest.put(i, new ArrayList<>());
      saltBuckets.add(new LinkedHashMap<>());
      droppedKeys.add(new ArrayList<>());
      droppedBlocks.add(new ArrayList<>());
    }
    for (Row row : rows) {
      int r = row.getInt(1);
      switch (row.getString(0)) {
        case "T" -> {
          List<Long> t = row.getList(5);
          seen[r] = true;
          for (int i = 0; i < TOTALS; i++) {
            totals[r][i] = i == LARGEST ? Math.max(totals[r][i], t.get(i)) : totals[r][i] + t.get(i);
          }
        }
        case "L" -> largest.get(r).add(row);
        case "B" -> {
          long k = row.getLong(2);
          long size = row.getLong(3);
          if (limits[r] > 0 && size > limits[r]) {
            droppedKeys.get(r).add(k);
            droppedBlocks.get(r).add(row);
          } else if (saltThreshold > 0) {
            saltBuckets.get(r).put(k, saltBuckets(size, cfg));
          }
        }
        default -> throw new IllegalStateException("Unexpected analysis row " + row);
      }
    }
    // only the reported blocks are named: the largest, and the largest of the dropped ones
    java.util.Comparator<Row> bySize = (a, b) -> {
      int c = Long.compare(b.getLong(3), a.getLong(3));
      return c != 0 ? c : Long.compare(a.getLong(2), b.getLong(2));
    };
    int reported = Math.max(top, 1);
    List<Row> named = new ArrayList<>();
    for (int i = 0; i < nRules; i++) {
      largest.get(i).sort(bySize);
      if (largest.get(i).size() > top) {
        largest.put(i, new ArrayList<>(largest.get(i).subList(0, top)));
      }
      droppedBlocks.get(i).sort(bySize);
      if (droppedBlocks.get(i).size() > reported) {
        droppedBlocks.set(i, new ArrayList<>(droppedBlocks.get(i).subList(0, reported)));
      }
      named.addAll(largest.get(i));
      named.addAll(droppedBlocks.get(i));
    }
    Map<String, String> text = keyText(records, rules, named);

    List<RuleStats> stats = new ArrayList<>();
    List<long[]> dropLists = new ArrayList<>();
    for (ResolvedRule r : rules) {
      // biggest first, equal sizes by their text
      java.util.Comparator<BlockSize> order = java.util.Comparator.comparingLong(BlockSize::records).reversed()
          .thenComparing(BlockSize::key);
      List<BlockSize> topBlocks = largest.get(r.index).stream().map(x -> blockSize(x, text)).sorted(order).toList();
      List<BlockSize> drops = droppedBlocks.get(r.index).stream().map(x -> blockSize(x, text)).sorted(order).toList();
      dropLists.add(droppedKeys.get(r.index).stream().mapToLong(Long::longValue).toArray());
      long[] t = totals[r.index];
      RuleStats s =
          !seen[r.index]
              ? new RuleStats(
                  r.index, r.rule.name(), 0, 0, 0, PairCounts.ZERO, 0, 0, PairCounts.ZERO, 0, topBlocks, drops)
              : new RuleStats(
                  r.index,
                  r.rule.name(),
                  t[RECORDS],
                  t[BLOCKS],
                  t[LARGEST],
                  new PairCounts(t[P_DEDUPE], t[P_LINK], t[P_ALL]),
                  t[D_BLOCKS],
                  t[D_RECORDS],
                  new PairCounts(t[D_DEDUPE], t[D_LINK], t[D_ALL]),
                  t[S_BLOCKS],
                  topBlocks,
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

  /** One partition of {@link #plan}: its blocks, read in order, reduced to a few rows. */
  static Iterator<Row> analysePartition(Iterator<Row> in, int nRules, long[] limits, long saltThreshold,
      long threshold, int top) {
    long[][] totals = new long[nRules][TOTALS];
    boolean[] seen = new boolean[nRules];
    List<java.util.PriorityQueue<long[]>> largest = new ArrayList<>();
    for (int i = 0; i < nRules; i++) {
      // smallest of the kept candidates first: (n, k, u), larger n wins, then smaller k
      largest.add(new java.util.PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1])));
    }
    List<Row> out = new ArrayList<>();
    long[] src = new long[64];
    Row ahead = in.hasNext() ? in.next() : null;
    while (ahead != null) {
      long blk = ahead.getLong(0);
      int r = ahead.getInt(1);
      long k = ahead.getLong(2);
      long u = Long.MAX_VALUE;
      int n = 0;
      while (ahead != null && ahead.getLong(0) == blk) {
        if (n == src.length) {
          src = java.util.Arrays.copyOf(src, n * 2);
        }
        u = Math.min(u, ahead.getLong(3));
        src[n++] = ahead.getLong(4);
        ahead = in.hasNext() ? in.next() : null;
      }
      // records per source: the sum of their squares
      java.util.Arrays.sort(src, 0, n);
      long n2 = 0;
      for (int i = 0; i < n; ) {
        int j = i;
        while (j < n && src[j] == src[i]) {
          j++;
        }
        n2 += (long) (j - i) * (j - i);
        i = j;
      }
      long nn = n;
      long pAll = nn * (nn - 1) / 2;
      long pDedupe = (n2 - nn) / 2;
      long pLink = (nn * nn - n2) / 2;
      boolean dropped = limits[r] > 0 && nn > limits[r];
      boolean salted = saltThreshold > 0 && nn > saltThreshold && !dropped;
      long[] t = totals[r];
      seen[r] = true;
      t[RECORDS] += nn;
      t[BLOCKS]++;
      t[LARGEST] = Math.max(t[LARGEST], nn);
      if (dropped) {
        t[D_BLOCKS]++;
        t[D_RECORDS] += nn;
        t[D_DEDUPE] += pDedupe;
        t[D_LINK] += pLink;
        t[D_ALL] += pAll;
      } else {
        t[P_DEDUPE] += pDedupe;
        t[P_LINK] += pLink;
        t[P_ALL] += pAll;
      }
      if (salted) {
        t[S_BLOCKS]++;
      }
      if ((threshold > 0 && nn > threshold) || dropped) {
        out.add(RowFactory.create("B", r, k, nn, u, null));
      }
      if (top > 0 && nn > 1) {
        java.util.PriorityQueue<long[]> q = largest.get(r);
        q.add(new long[] {nn, k, u});
        if (q.size() > top) {
          q.poll();
        }
      }
    }
    for (int r = 0; r < nRules; r++) {
      if (seen[r]) {
        List<Long> t = new ArrayList<>(TOTALS);
        for (long v : totals[r]) {
          t.add(v);
        }
        out.add(RowFactory.create("T", r, 0L, 0L, 0L, scala.jdk.javaapi.CollectionConverters.asScala(t).toSeq()));
      }
      for (long[] b : largest.get(r)) {
        out.add(RowFactory.create("L", r, b[1], b[0], b[2], null));
      }
    }
    return out.iterator();
  }

  /**
   * The text of the named blocks, keyed by {@code rule/hash}: each block's key as held by one of
   * its records (column {@code u} of the analysis rows), read from the key table for those records
   * only (a few hundred rows found by uid).
   */
  private static Map<String, String> keyText(Dataset<Row> records, List<ResolvedRule> rules, List<Row> named) {
    Map<String, String> out = new HashMap<>();
    if (named.isEmpty()) {
      return out;
    }
    Set<Long> uids = new java.util.TreeSet<>();
    for (Row b : named) {
      uids.add(b.getLong(4));
    }
    Dataset<Row> few = records.where(col("uid").cast("long").isin(uids.toArray()));
    // each element's text and its hash, side by side, for the few records
    List<Column> cols = new ArrayList<>(List.of(col("uid").cast("long").as("uid")));
    for (ResolvedRule r : rules) {
      for (int i = 0; i < r.width; i++) {
        cols.add(r.elements.get(i).as("_t" + r.index + "_" + i));
      }
    }
    Map<Long, Row> texts = new HashMap<>();
    for (Row row : few.select(cols.toArray(new Column[0])).collectAsList()) {
      texts.put(row.getLong(0), row);
    }
    Map<Long, Row> hashes = new HashMap<>();
    Dataset<Row> h = hashed(few, rules);
    for (Row row : h.collectAsList()) {
      hashes.put(row.getLong(row.fieldIndex("uid")), row);
    }
    for (Row b : named) {
      int r = b.getInt(1);
      long k = b.getLong(2);
      Row t = texts.get(b.getLong(4));
      Row hr = hashes.get(b.getLong(4));
      if (t == null || hr == null) {
        continue;
      }
      ResolvedRule rule = rules.get(r);
      for (int i = 0; i < rule.width; i++) {
        int at = hr.fieldIndex(rule.hashColumns().get(i));
        // a repeated element's hash is removed; its text is that of the first equal element
        if (!hr.isNullAt(at) && hr.getLong(at) == k) {
          out.put(r + "/" + k, t.getString(t.fieldIndex("_t" + r + "_" + i)));
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


  private static BlockSize blockSize(Row row, Map<String, String> text) {
    long k = row.getLong(2);
    String t = text.get(row.getInt(1) + "/" + k);
    return new BlockSize(t == null ? "#" + Long.toHexString(k) : ResolvedRule.display(t), row.getLong(3));
  }

}
