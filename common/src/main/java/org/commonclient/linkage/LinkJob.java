package org.commonclient.linkage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.blocking.Blocker;
import org.commonclient.blocking.BlockingAnalysis;
import org.commonclient.blocking.BlockingConfig;
import org.commonclient.blocking.BlockingResult;
import org.commonclient.blocking.BlockingRule;
import org.commonclient.blocking.LinkType;
import org.commonclient.blocking.RuleStats;
import org.commonclient.clustering.Clustering;
import org.commonclient.clustering.ConnectedComponents;
import org.commonclient.clustering.StableIds;
import org.commonclient.comparison.ComparisonConfig;
import org.commonclient.comparison.ComparisonVectors;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.AtomicPublisher;
import org.commonclient.io.DeltaTables;
import org.commonclient.report.LinkReport;
import org.commonclient.review.ClericalScoring;
import org.commonclient.report.LinkReportCollector;
import org.commonclient.scoring.Em;
import org.commonclient.scoring.FellegiSunterModel;
import org.commonclient.scoring.ModelTraining;
import org.commonclient.scoring.PatternCount;
import org.commonclient.scoring.RandomPairs;
import org.commonclient.scoring.TermFrequencies;
import org.commonclient.scoring.TermFrequencySettings;
import org.commonclient.standardise.Standardiser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link stage.
 *
 * <p>Input: {@code identified/person_records}. Outputs (linked zone, published together or not at
 * all): {@code crosswalk}, {@code person}, {@code match_pairs}, {@code model},
 * {@code person_id_history}, {@code runs}.
 *
 * <p>Algorithm: standardise every record; block with the ordered rules (refusing a rule over its
 * pair budget); build comparison vectors; estimate u from random pairs and m by EM on
 * per-rule training sessions (or load a fixed model); score with term-frequency adjusted
 * Fellegi-Sunter weights; cluster pairs above the threshold (never twin-guarded pairs) with
 * distributed connected components; give clusters stable person ids against the previous
 * crosswalk; publish atomically.
 */
public final class LinkJob {
  private static final Logger LOG = LoggerFactory.getLogger(LinkJob.class);

  /** What a link run did. */
  public record LinkResult(
      String runId,
      long records,
      long candidatePairs,
      Map<String, Long> pairsByRule,
      long matchedPairs,
      long persons,
      int ccIterations,
      Map<String, Double> stageSeconds,
      Map<String, Long> tableVersions,
      FellegiSunterModel model,
      String reportPath) {
    public double totalSeconds() {
      return stageSeconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  private LinkJob() {}

  /** Blocking analysis only: counts per rule and the largest blocks, before any pair is built. */
  public static List<RuleStats> analyse(SparkSession spark, StorageConfig storage, LinkConfig cfg) {
    Dataset<Row> std = Standardiser.standardise(records(spark, storage, cfg), cfg.standardise());
    return BlockingAnalysis.analyse(std, cfg.blocking());
  }

  static Dataset<Row> records(SparkSession spark, StorageConfig storage, LinkConfig cfg) {
    String path = storage.identified("person_records");
    if (!DeltaTables.exists(spark, path)) {
      throw new IllegalStateException("No person_records table at " + path + ": run ingest first");
    }
    Dataset<Row> r = DeltaTables.read(spark, path);
    if (!cfg.sources().isEmpty()) {
      r = r.filter(col("source").isin(cfg.sources().toArray()));
    }
    return r;
  }

  public static LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash) {
    return run(spark, storage, cfg, runId, configHash, java.util.Optional.empty(), null);
  }

  /** As {@link #run(SparkSession, StorageConfig, LinkConfig, String, String, java.util.Optional, String)}, no agreement. */
  public static LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash,
      java.util.Optional<Dataset<Row>> truth) {
    return run(spark, storage, cfg, runId, configHash, truth, null);
  }

  /** As {@link #run(SparkSession, StorageConfig, LinkConfig, String, String, java.util.Optional, String)}, no truth. */
  public static LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash,
      String agreementId) {
    return run(spark, storage, cfg, runId, configHash, java.util.Optional.empty(), agreementId);
  }

  /**
   * Links and writes the quality report ({@link LinkReport}) to {@code <linked>/reports}.
   *
   * @param truth (source, record_id, entity_id), when given, adds precision/recall to the report
   * @param agreementId the data-use agreement the run operates under, recorded in {@code runs}
   *     (null when none was checked, e.g. library callers and tests)
   */
  public static LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash,
      java.util.Optional<Dataset<Row>> truth, String agreementId) {
    Map<String, Double> secs = new LinkedHashMap<>();
    long started = System.currentTimeMillis();
    Stage stage = new Stage(spark, secs);

    long inputVersion = DeltaTables.version(spark, storage.identified("person_records"));
    Dataset<Row> raw = records(spark, storage, cfg);
    String work = storage.linked("_work/" + runId);
    // read from its Parquet copy by each later step (columns pruned, no cache to build: at 1M
    // records filling a columnar cache of it cost 8 s, more than the reads it saved)
    Dataset<Row> std = stage.run("standardise", () ->
        boundary(spark, Standardiser.standardise(raw, cfg.standardise(), d -> boundary(spark, d, work + "/record_rules"),
            carried(raw)), work + "/standardised"));
    long n = std.count();
    LOG.info("standardise: {} records", n);

    // every record's hashed blocking keys, computed once: the blocking reads them and the run keeps
    // them (identified/block_keys) for the next incremental run
    Dataset<Row> blockKeys = stage.run("block", () ->
        boundary(spark, org.commonclient.blocking.IncrementalBlocker.keyTable(std, cfg.blocking()), work + "/block_keys"));
    BlockingResult blocked = stage.run("block", () -> Blocker.block(std, blockKeys, cfg.blocking(), cfg.linkType()));
    // the pairs are built inside the compare job, straight from the sorted key entries, and
    // counted from its output: not cached first (at 1M records filling a cache of the 6.1M pairs
    // and reading it back cost more than the pairs' one pass)
    Dataset<Row> vectors = stage.run("compare", () ->
        boundary(spark, compare(blocked.pairs(), std, cfg, broadcastStd(cfg, n)), work + "/vectors"));
    // the pairs are written now: the key table they were built from is not read again
    blocked.close();
    Map<String, Long> byRule = blocked.countByRule(vectors);
    long candidatePairs = byRule.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("block: {} candidate pairs {}", candidatePairs, byRule);

    ModelTraining.Result trained = stage.run("train", () -> train(spark, std, vectors, cfg, n));
    FellegiSunterModel model = trained.model();

    Dataset<Row> scored = stage.run("score", () -> {
      Dataset<Row> adj = TermFrequencies.adjustAll(vectors, std, model, cfg.scoring().termFrequency());
      Dataset<Row> fs = withoutCompared(model.score(adj));
      return boundary(spark, ClericalScoring.apply(spark, storage, cfg.scoring().supervised(), model.comparisonNames(), fs),
          work + "/scored");
    });

    Dataset<Row> edges = Clustering.selectEdges(scored.filter(identityEvidence(cfg.identityEvidence())),
        cfg.clustering().threshold()).select("uid_l", "uid_r");
    long[] matched = new long[1];
    ConnectedComponents.Result cc = stage.run("cluster", () -> {
      Dataset<Row> e = edges.persist(StorageLevel.MEMORY_AND_DISK());
      matched[0] = e.count();
      return ConnectedComponents.runWithStats(e, std.select("uid"), cfg.clustering().cc());
    });
    Dataset<Row> previous = previousCrosswalk(spark, storage);
    StableIds.StableIdResult ids = stage.run("cluster", () -> {
      // written once: the id assignment reads the clusters in several actions (collision check,
      // crosswalk, history), each of which would otherwise recompute the components and the join
      Dataset<Row> clusters = boundary(spark, cc.components().join(std.select("uid", "source", "record_id"), "uid"), work + "/clusters");
      StableIds.StableIdResult r = StableIds.assign(clusters, previous, runId, cfg.clustering().personIdPrefix());
      Dataset<Row> cw = r.crosswalk().persist(StorageLevel.MEMORY_AND_DISK());
      cw.count();
      return new StableIds.StableIdResult(cw, r.history().persist(StorageLevel.MEMORY_AND_DISK()));
    });
    long persons = ids.crosswalk().select("person_id").distinct().count();

    Map<String, Long> versions = stage.run("publish", () -> {
      Map<String, AtomicPublisher.Table> t = new LinkedHashMap<>();
      t.put("crosswalk", new AtomicPublisher.Table(storage.linked("crosswalk"), ids.crosswalk(), AtomicPublisher.Mode.OVERWRITE));
      // what the next incremental run links against (IncrementalLink)
      // (the standardised records' and the key table's work files, moved into the tables: their
      // rows are not written a second time)
      Dataset<Row> recordKeys = IncrementalLink.recordKeys(std, raw);
      t.put(IncrementalLink.RECORD_KEYS, Arrays.equals(recordKeys.columns(), std.columns())
          ? AtomicPublisher.Table.adopt(storage.identified(IncrementalLink.RECORD_KEYS), work + "/standardised")
          : new AtomicPublisher.Table(storage.identified(IncrementalLink.RECORD_KEYS), recordKeys, AtomicPublisher.Mode.OVERWRITE));
      t.put(IncrementalLink.BLOCK_KEYS, AtomicPublisher.Table.adopt(storage.identified(IncrementalLink.BLOCK_KEYS),
          work + "/block_keys"));
      t.put("person", new AtomicPublisher.Table(storage.linked("person"), personTable(ids.crosswalk(), std, raw, runId), AtomicPublisher.Mode.OVERWRITE));
      t.put("match_pairs", new AtomicPublisher.Table(storage.linked("match_pairs"), matchPairs(scored, std, cfg, runId, byRuleNames(cfg.blocking()), broadcastStd(cfg, n)), AtomicPublisher.Mode.OVERWRITE));
      t.put("model", new AtomicPublisher.Table(storage.linked("model"), modelRow(spark, model, trained, runId), AtomicPublisher.Mode.APPEND));
      t.put("person_id_history", new AtomicPublisher.Table(storage.linked("person_id_history"), ids.history(), AtomicPublisher.Mode.APPEND));
      Map<String, Double> timing = new LinkedHashMap<>(secs);
      t.put("runs", new AtomicPublisher.Table(storage.linked("runs"),
          succeededRunRow(spark, runId, "link", configHash, "person_records", inputVersion,
              runCounts(n, candidatePairs, matched[0], persons), timing, started, cfg.linkType(), agreementId, "CLEAR"),
          AtomicPublisher.Mode.APPEND));
      return AtomicPublisher.publish(spark, storage.linked(), t);
    });
    String report = stage.run("report", () -> LinkReport.writeQuietly(spark, storage, cfg, new LinkReportCollector.RunFacts(
        runId, n, candidatePairs, matched[0], persons, secs, byRule, blocked.stats(), trained), scored, ids.crosswalk(), truth));
    std.unpersist();
    deleteQuietly(spark, work);
    ids.crosswalk().unpersist();
    ids.history().unpersist();
    spark.catalog().clearCache();
    return new LinkResult(runId, n, candidatePairs, byRule, matched[0], persons, cc.iterations(), secs, versions, model, report);
  }

  /**
   * The scored pairs without the records' values the term-frequency adjustment read ({@code
   * <column>_l}, {@code <column>_r}; every side column but {@code uid_l, uid_r}): nothing after
   * scoring reads them, and the scored work files then hold no names (at 1M records four name
   * columns of 6.1M pairs were written for nothing).
   */
  static Dataset<Row> withoutCompared(Dataset<Row> scored) {
    List<String> drop = new ArrayList<>();
    for (String c : scored.columns()) {
      if ((c.endsWith("_l") || c.endsWith("_r")) && !c.equals("uid_l") && !c.equals("uid_r")) {
        drop.add(c);
      }
    }
    return scored.drop(drop.toArray(new String[0]));
  }

  /**
   * A deliberate stage boundary: writes the data as Parquet and reads it back, so later stages
   * start from files (recomputation after a lost executor is cheap, and query plans stay small).
   */
  static Dataset<Row> boundary(SparkSession spark, Dataset<Row> data, String path) {
    // no dictionary encoding: these files are read once or twice and deleted with the run, and
    // building the dictionaries of millions of scored pairs (doubles, strings) was a fifth of the
    // score stage at 1M records; no column statistics (min/max, null counts) nor size statistics
    // (level histograms) either: nothing skips row groups of these files
    data.write().mode(org.apache.spark.sql.SaveMode.Overwrite)
        .option("parquet.enable.dictionary", "false")
        .option("parquet.column.statistics.enabled", "false")
        .option("parquet.size.statistics.enabled", "false")
        .parquet(path);
    return spark.read().parquet(path);
  }

  static void deleteQuietly(SparkSession spark, String path) {
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(path);
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (java.io.IOException e) {
      LOG.warn("could not delete the work folder {}: {}", path, e.getMessage());
    }
  }

  /** True when at least one of the comparisons agrees at some level (gamma > 0). */
  static org.apache.spark.sql.Column identityEvidence(List<String> comparisons) {
    if (comparisons.isEmpty()) {
      return lit(true);
    }
    org.apache.spark.sql.Column any = lit(false);
    for (String c : comparisons) {
      any = any.or(org.apache.spark.sql.functions.coalesce(col("gamma_" + c).gt(0), lit(false)));
    }
    return any;
  }

  /** Pairs with both sides and their comparison vector (only what scoring needs). */
  static boolean broadcastStd(LinkConfig cfg, long records) {
    return records <= cfg.compareBroadcastMaxRecords();
  }

  /**
   * Pairs with both sides: sort-merge joins of the pairs with the records, or (broadcast) hash
   * lookups in a broadcast copy of the records (the optimiser prunes it to the columns the
   * comparisons read).
   */
  static Dataset<Row> joinSides(Dataset<Row> pairs, Dataset<Row> std, boolean broadcast) {
    if (!broadcast) {
      return ComparisonVectors.joinSides(pairs, std);
    }
    // one broadcast copy of the records serves both sides (the two lookups read the same
    // exchange; with a suffixed copy per side each compare built and shipped two hash tables of
    // every record)
    Dataset<Row> b = org.apache.spark.sql.functions.broadcast(std);
    Dataset<Row> joined = pairs.alias("p")
        .join(b.alias("bl"), col("p.uid_l").equalTo(col("bl.uid")))
        .join(b.alias("br"), col("p.uid_r").equalTo(col("br.uid")));
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    for (String c : pairs.columns()) {
      cols.add(col("p." + c));
    }
    for (String c : std.columns()) {
      if (!c.equals("uid")) {
        cols.add(col("bl." + c).as(c + "_l"));
        cols.add(col("br." + c).as(c + "_r"));
      }
    }
    return joined.select(cols.toArray(new org.apache.spark.sql.Column[0]));
  }

  private static Dataset<Row> suffixed(Dataset<Row> df, String suffix) {
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    for (String c : df.columns()) {
      cols.add(col(c).as(c + suffix));
    }
    return df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
  }

  static Dataset<Row> compare(Dataset<Row> pairs, Dataset<Row> std, LinkConfig cfg) {
    return compare(pairs, std, cfg, false);
  }

  /**
   * The comparison vectors of the pairs ({@code uid_l, uid_r, match_key}, the gamma columns, the
   * twins guard) and, for each term-frequency adjustment, its column's two values ({@code <col>_l},
   * {@code <col>_r}) on the pairs at the adjustment's exact level only: nothing reads them at other
   * levels (their factor is 1), and most pairs' names are then not written with the vectors.
   */
  static Dataset<Row> compare(Dataset<Row> pairs, Dataset<Row> std, LinkConfig cfg, boolean broadcast) {
    Dataset<Row> v = ComparisonVectors.compute(joinSides(pairs, std, broadcast), cfg.comparison());
    List<org.apache.spark.sql.Column> keep = new ArrayList<>();
    Set<String> columns = new HashSet<>(List.of(v.columns()));
    for (String c : v.columns()) {
      if (c.equals("uid_l") || c.equals("uid_r") || c.equals("match_key") || c.startsWith("gamma_")
          || c.equals(ComparisonVectors.TWIN_GUARD)) {
        keep.add(col(c));
      }
    }
    Map<String, Integer> levels = levelsPerComparison(cfg.comparison());
    Map<String, org.apache.spark.sql.Column> atExact = new LinkedHashMap<>();
    for (TermFrequencySettings.Adjustment a : cfg.scoring().termFrequency().adjustments()) {
      Integer n = levels.get(a.comparison());
      org.apache.spark.sql.Column exact = n == null ? lit(true)
          : col("gamma_" + a.comparison()).equalTo(a.exactLevel() < 0 ? n - 1 : a.exactLevel());
      atExact.merge(a.column(), exact, org.apache.spark.sql.Column::or);
    }
    atExact.forEach((c, exact) -> {
      for (String side : List.of(c + "_l", c + "_r")) {
        if (columns.contains(side)) {
          keep.add(when(exact, col(side)).as(side));
        }
      }
    });
    return v.select(keep.toArray(new org.apache.spark.sql.Column[0]));
  }

  static Map<String, Integer> levelsPerComparison(ComparisonConfig cfg) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (ComparisonConfig.ComparisonSpec s : cfg.comparisons()) {
      m.put(s.name(), s.levels().size() + 1);
    }
    return m;
  }

  /** Columns of the standardised record that feed each comparison (for "blocked on"). */
  static Map<String, Set<String>> comparisonInputs(ComparisonConfig cfg) {
    Map<String, Set<String>> m = new LinkedHashMap<>();
    for (ComparisonConfig.ComparisonSpec s : cfg.comparisons()) {
      Set<String> cols = new HashSet<>(s.nullColumns());
      cols.add(s.column());
      for (ComparisonConfig.LevelSpec l : s.levels()) {
        if (l.column() != null && !l.kind().equals("swap")) {
          cols.add(l.column());
        }
        if (l.columns() != null) {
          cols.addAll(l.columns());
        }
      }
      m.put(s.name(), cols);
    }
    return m;
  }

  /** For each blocking rule (match_key), the comparisons whose input columns its keys use. */
  static Map<Integer, Set<String>> comparisonsByRule(BlockingConfig blocking, ComparisonConfig cfg) {
    Map<String, Set<String>> inputs = comparisonInputs(cfg);
    Map<Integer, Set<String>> out = new LinkedHashMap<>();
    List<BlockingRule> rules = blocking.rules();
    for (int i = 0; i < rules.size(); i++) {
      String keys = String.join(" ", rules.get(i).keys());
      Set<String> blocked = new HashSet<>();
      for (var e : inputs.entrySet()) {
        for (String c : e.getValue()) {
          if (Pattern.compile("\\b" + Pattern.quote(c) + "\\b").matcher(keys).find()) {
            blocked.add(e.getKey());
          }
        }
      }
      out.put(i, blocked);
    }
    return out;
  }

  static ModelTraining.Result train(SparkSession spark, Dataset<Row> std, Dataset<Row> vectors, LinkConfig cfg, long n) {
    long total = totalPairs(std, cfg.linkType(), n);
    return ModelTraining.trainOrLoadCounted(
        spark,
        cfg.scoring(),
        levelsPerComparison(cfg.comparison()),
        () -> countTrainingPairs(std, cfg, n),
        vectors,
        comparisonsByRule(cfg.blocking(), cfg.comparison()),
        total);
  }

  /**
   * The training pairs, compared and counted by pattern in one job: the random pairs for u (only
   * their uids are sampled: sorting whole records for the random order is wasted work) and each
   * training session's pairs, each session leaving out the comparisons its rule blocks on (not
   * computed for its pairs: a session blocked on names skips the costliest, Jaro-Winkler and token
   * overlap). One job looks every pair's sides up in one broadcast copy of the records, where a
   * job per set built and shipped that copy once per set (several seconds each at 1M records).
   */
  static ModelTraining.Counted countTrainingPairs(Dataset<Row> std, LinkConfig cfg, long n) {
    List<String> names = List.copyOf(levelsPerComparison(cfg.comparison()).keySet());
    List<LinkConfig.TrainingRule> rules = cfg.trainingRules();
    // set 0: random pairs; set i + 1: training rule i. Sampled and blocked one after another:
    // run side by side on driver threads, train took 55.7 s instead of 40.4 s at 1M records
    Dataset<Row>[] sets = new Dataset[rules.size() + 1];
    BlockingResult[] blockings = new BlockingResult[rules.size()];
    sets[0] = RandomPairs.sample(std.select("uid"), cfg.scoring().uMaxPairs(), cfg.scoring().uSeed())
        .select(col("uid_l"), col("uid_r"));
    Map<String, List<Integer>> skippedIn = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      LinkConfig.TrainingRule tr = rules.get(i);
      long t0 = System.nanoTime();
      TrainingPairs p = trainingPairs(std, trainingBlocking(cfg, tr), tr, cfg);
      blockings[i] = p.blocking();
      sets[i + 1] = p.pairs().select(col("uid_l"), col("uid_r"));
      LOG.info("train: session {} blocked in {} s", tr.name(), String.format("%.1f", (System.nanoTime() - t0) / 1e9));
      for (String c : tr.blockedOn()) {
        skippedIn.computeIfAbsent(c, k -> new ArrayList<>()).add(i + 1);
      }
    }
    Dataset<Row> all = null;
    for (int i = 0; i < sets.length; i++) {
      Dataset<Row> tagged = sets[i].withColumn("_set", lit(i));
      all = all == null ? tagged : all.union(tagged);
    }
    // the pairs of every set are materialised first (three longs each), sorted by their left
    // uid, a hash: the sets come interleaved. The comparison and count job then reads one cached
    // table: one whole-stage method (not one per set of a union), compiled with every set's
    // branches in its profile. Run straight over the union, the fused code of each set ran
    // interpreted while it was compiled, and the fallback to per-expression code used instead
    // copied every joined row's strings (30% of the count's CPU samples at 1M records). At 1M
    // records, back to back: train 49.0 s (93.7 CPU-s) with the fallback, 38.6 s (73.7) now
    Dataset<Row> pairs = org.commonclient.blocking.Blocker.cacheUncompressed(
        org.commonclient.spark.LongKeyGrouping.groupWithinPartitions(all.repartition(col("uid_l"))));
    for (BlockingResult b : blockings) {
      if (b != null) {
        b.close();
      }
    }
    Map<String, org.apache.spark.sql.Column> skipWhen = new LinkedHashMap<>();
    skippedIn.forEach((c, in) -> skipWhen.put(c, col("_set").isin(in.toArray())));
    Dataset<Row> v = ComparisonVectors.compute(joinSides(pairs, std, broadcastStd(cfg, n)),
        org.commonclient.comparison.Comparisons.defaultPersonComparisons(cfg.comparison()), null, skipWhen);
    // counted by (set, pattern) as the blocked pairs are by (rule, pattern)
    Map<Integer, List<PatternCount>> bySet = Em.patternCountsByMatchKey(v.withColumnRenamed("_set", "match_key"), names);
    pairs.unpersist();
    List<Em.Session> sessions = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      sessions.add(new Em.Session(rules.get(i).name(), bySet.getOrDefault(i + 1, List.of()),
          Set.copyOf(rules.get(i).blockedOn())));
    }
    return new ModelTraining.Counted(bySet.getOrDefault(0, List.of()), sessions);
  }

  /**
   * The blocking of one training rule on its own: its block size limit, and no pair budget (its
   * pairs are sampled down to trainingMaxPairs before any is built; the budget meant for the
   * scored pairs refused train_dob at 5M records, 788M pairs).
   */
  static BlockingConfig trainingBlocking(LinkConfig cfg, LinkConfig.TrainingRule tr) {
    return cfg.blocking()
        .withRules(List.of(new BlockingRule(tr.name(), tr.keys(), null)))
        .withSkew(cfg.trainingMaxBlockSize(), cfg.blocking().saltThreshold(), cfg.blocking().maxSaltBuckets())
        .withBudget(Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /**
   * The pairs of one training rule, at most about {@code trainingMaxPairs} of them. When the rule
   * would make more, whole blocks are sampled before any pair is built: only records whose block
   * key hashes into one of k buckets take part (k = expected pairs / maxPairs, rounded up), so the
   * pairs inside each kept block are all there (the comparisons' agreement rates within blocks
   * are not distorted) and the join costs a k-th of the full one. Array keys cannot be hashed as
   * one block: their pairs are sampled after the join.
   */
  /** A training session's pairs, and the blocking they come from (its cache released by the caller). */
  record TrainingPairs(Dataset<Row> pairs, BlockingResult blocking) {}

  static TrainingPairs trainingPairs(Dataset<Row> std, BlockingConfig one, LinkConfig.TrainingRule tr, LinkConfig cfg) {
    BlockingResult br = Blocker.block(std, one, cfg.linkType());
    long expected = br.stats().get(0).pairs(cfg.linkType());
    if (expected <= cfg.trainingMaxPairs()) {
      return new TrainingPairs(br.pairs(), br);
    }
    boolean arrayKey = false;
    List<org.apache.spark.sql.Column> keys = new ArrayList<>();
    for (String k : tr.keys()) {
      org.apache.spark.sql.Column c = expr(k);
      arrayKey |= std.select(c).schema().fields()[0].dataType() instanceof org.apache.spark.sql.types.ArrayType;
      keys.add(c);
    }
    if (arrayKey) {
      return new TrainingPairs(br.pairs().sample(false, (double) cfg.trainingMaxPairs() / expected, 42L), br);
    }
    br.close();
    long k = (expected + cfg.trainingMaxPairs() - 1) / cfg.trainingMaxPairs();
    Dataset<Row> kept = std.where(org.apache.spark.sql.functions.pmod(
        org.apache.spark.sql.functions.xxhash64(keys.toArray(new org.apache.spark.sql.Column[0])), lit(k)).equalTo(0));
    LOG.info("train: session {} would make {} pairs: blocks sampled 1 in {}", tr.name(), expected, k);
    BlockingResult sampled = Blocker.block(kept, one, cfg.linkType());
    return new TrainingPairs(sampled.pairs(), sampled);
  }


  static long totalPairs(Dataset<Row> std, LinkType type, long n) {
    if (type == LinkType.LINK) {
      long sq = 0;
      for (Row r : std.groupBy("source").count().collectAsList()) {
        sq += r.getLong(1) * r.getLong(1);
      }
      return (n * n - sq) / 2;
    }
    return n * (n - 1) / 2;
  }

  static Dataset<Row> previousCrosswalk(SparkSession spark, StorageConfig storage) {
    String p = storage.linked("crosswalk");
    return DeltaTables.exists(spark, p) ? DeltaTables.read(spark, p).select("source", "record_id", "person_id") : null;
  }

  static Map<Integer, String> byRuleNames(BlockingConfig b) {
    Map<Integer, String> m = new LinkedHashMap<>();
    for (int i = 0; i < b.rules().size(); i++) {
      m.put(i, b.rules().get(i).name());
    }
    return m;
  }

  /**
   * One row per person. Survivorship: each attribute is the most frequent non-null value among
   * the person's records (ties: the smallest value), so one typo never outvotes two agreeing
   * records. No names, SSNs or addresses: the linked zone holds no clear identifiers.
   */
  /** Input columns the link carries through standardisation for the published tables ({@link #carried}). */
  static final List<String> CARRIED = List.of("row_hash", "race_ethnicity", "program", "enroll_start", "enroll_end");

  /** The {@link #CARRIED} columns the input has. */
  static List<String> carried(Dataset<Row> raw) {
    Set<String> have = Set.of(raw.columns());
    return CARRIED.stream().filter(have::contains).toList();
  }

  /**
   * The person table's aggregates over a person's records (columns {@code dob, sex, race_ethnicity,
   * program, source, enroll_start, enroll_end}), by the survivorship rule above: {@code dob},
   * {@code sex}, {@code race_ethnicity}, {@code record_count}, {@code sources}, {@code programs},
   * {@code first_enrolled}, {@code last_enrolled}. Research extracts aggregate with the same list.
   */
  public static Column[] personAttributes() {
    return new Column[] {
        expr("mode(dob, true)").as("dob"),
        expr("mode(sex, true)").as("sex"),
        expr("mode(race_ethnicity, true)").as("race_ethnicity"),
        count(lit(1)).as("record_count"),
        sort_array(collect_set("source")).as("sources"),
        sort_array(collect_set("program")).as("programs"),
        min("enroll_start").as("first_enrolled"),
        max("enroll_end").as("last_enrolled")};
  }

  public static Dataset<Row> personTable(Dataset<Row> crosswalk, Dataset<Row> std, Dataset<Row> raw, String runId) {
    Set<String> stdCols = Set.of(std.columns());
    boolean carriedHere = stdCols.containsAll(List.of("race_ethnicity", "program", "enroll_start", "enroll_end"));
    // one join when standardisation carried the input's columns, two otherwise
    Dataset<Row> r = carriedHere
        ? crosswalk.select("source", "record_id", "person_id")
            .join(std.select("source", "record_id", "dob", "sex", "race_ethnicity", "program", "enroll_start", "enroll_end"),
                new String[] {"source", "record_id"})
        : crosswalk.select("source", "record_id", "person_id")
            .join(std.select("source", "record_id", "dob", "sex"), new String[] {"source", "record_id"})
            .join(raw.select("source", "record_id", "race_ethnicity", "program", "enroll_start", "enroll_end"),
                new String[] {"source", "record_id"});
    Column[] attributes = personAttributes();
    return r.groupBy("person_id").agg(attributes[0], Arrays.copyOfRange(attributes, 1, attributes.length))
        .withColumn("birth_year", year(col("dob")))
        .withColumn("run_id", lit(runId));
  }

  static Dataset<Row> matchPairs(Dataset<Row> scored, Dataset<Row> std, LinkConfig cfg, String runId, Map<Integer, String> ruleNames,
      boolean broadcastIds) {
    Dataset<Row> ids = std.select("uid", "source", "record_id");
    List<org.apache.spark.sql.Column> sel = new ArrayList<>(List.of(
        col("l.source").as("source_l"), col("l.record_id").as("record_id_l"),
        col("r.source").as("source_r"), col("r.record_id").as("record_id_r")));
    for (String c : scored.columns()) {
      if (c.startsWith("gamma_") || c.startsWith("bf_") || c.equals("match_weight") || c.equals("match_probability")
          || c.equals("match_key") || c.equals(ComparisonVectors.TWIN_GUARD)) {
        sel.add(col("s." + c));
      }
    }
    StringBuilder caseExpr = new StringBuilder("CASE s.match_key");
    ruleNames.forEach((k, v) -> caseExpr.append(" WHEN ").append(k).append(" THEN '").append(v.replace("'", "''")).append("'"));
    caseExpr.append(" END");
    sel.add(expr(caseExpr.toString()).as("match_rule"));
    sel.add(lit(runId).as("run_id"));
    // the ids (uid, source, record_id) are narrow: broadcast them rather than shuffle the pairs
    Dataset<Row> l = broadcastIds ? org.apache.spark.sql.functions.broadcast(ids) : ids;
    Dataset<Row> r = broadcastIds ? org.apache.spark.sql.functions.broadcast(ids) : ids;
    return scored.filter(col("match_probability").geq(cfg.matchPairsMinProbability())).as("s")
        .join(l.as("l"), col("s.uid_l").equalTo(col("l.uid")))
        .join(r.as("r"), col("s.uid_r").equalTo(col("r.uid")))
        .select(sel.toArray(new org.apache.spark.sql.Column[0]));
  }

  static Dataset<Row> modelRow(SparkSession spark, FellegiSunterModel model, ModelTraining.Result trained, String runId) {
    StructType s = new StructType()
        .add("run_id", DataTypes.StringType).add("lambda", DataTypes.DoubleType)
        .add("loaded_from", DataTypes.StringType).add("em_sessions", DataTypes.StringType)
        .add("model_json", DataTypes.StringType).add("created_at", DataTypes.TimestampType);
    String sessions = trained.em().map(e -> e.sessions().entrySet().stream()
        .map(x -> x.getKey() + ": " + x.getValue().iterations() + " iterations, converged " + x.getValue().converged())
        .reduce((a, b) -> a + "; " + b).orElse("")).orElse("");
    Row row = RowFactory.create(runId, model.lambda(), trained.loadedFrom().orElse(null), sessions, model.toJson(),
        new java.sql.Timestamp(System.currentTimeMillis()));
    return spark.createDataFrame(List.of(row), s);
  }

  /** The counts every link run records: records, candidate pairs, matched pairs, persons (in that order). */
  public static Map<String, Long> runCounts(long records, long candidatePairs, long matched, long persons) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("records", records);
    counts.put("candidate_pairs", candidatePairs);
    counts.put("matched_pairs", matched);
    counts.put("persons", persons);
    return counts;
  }

  /**
   * The {@code runs} row of a link run that succeeded (full, incremental or on encodings), finished
   * now.
   *
   * @param stage {@code link} or {@code link_incremental}
   * @param inputTable the identified-zone table linked, read at {@code inputVersion}
   * @param mode {@code CLEAR} or the encoded mode's name
   */
  public static Dataset<Row> succeededRunRow(SparkSession spark, String runId, String stage, String configHash,
      String inputTable, long inputVersion, Map<String, Long> counts, Map<String, Double> secs, long started,
      LinkType linkType, String agreementId, String mode) {
    return org.commonclient.io.RunLog.frame(spark, new org.commonclient.io.RunLog.Entry(runId, stage,
            org.commonclient.io.RunLog.SUCCEEDED, configHash, Map.of(inputTable, inputVersion), counts, secs,
            started, System.currentTimeMillis(), null),
        linkType.configName(), agreementId, mode);
  }

  /** Runs a stage under a named Spark job group, adding its seconds to the timing map. */
  record Stage(SparkSession spark, Map<String, Double> secs) {
    <T> T run(String name, java.util.function.Supplier<T> body) {
      long t0 = System.nanoTime();
      long c0 = processCpuNanos();
      String outer = org.commonclient.spark.SparkSessions.currentJobGroup(spark);
      String outerDescription = spark.sparkContext().getLocalProperty("spark.job.description");
      spark.sparkContext().setJobGroup("link: " + name, "link: " + name, false);
      LOG.info("link: {} started", name);
      try {
        return body.get();
      } finally {
        org.commonclient.spark.SparkSessions.restoreJobGroup(spark, outer, outerDescription);
        double s = (System.nanoTime() - t0) / 1e9;
        secs.merge(name, s, Double::sum);
        long c1 = processCpuNanos();
        // CPU seconds of the whole JVM (all threads) during the stage: on a shared machine the
        // wall time depends on the other load, the CPU time much less
        LOG.info("link: {} done in {} s (JVM CPU {} s)", name, String.format("%.1f", s),
            c0 < 0 || c1 < 0 ? "?" : String.format("%.1f", (c1 - c0) / 1e9));
      }
    }

    private static long processCpuNanos() {
      java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
    }
  }
}
