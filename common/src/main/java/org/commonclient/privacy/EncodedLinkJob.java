package org.commonclient.privacy;

import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.blocking.Blocker;
import org.commonclient.blocking.BlockingConfig;
import org.commonclient.blocking.BlockingResult;
import org.commonclient.blocking.BlockingRule;
import org.commonclient.blocking.LinkType;
import org.commonclient.clustering.Clustering;
import org.commonclient.clustering.ConnectedComponents;
import org.commonclient.clustering.StableIds;
import org.commonclient.comparison.Comparison;
import org.commonclient.comparison.ComparisonLevel;
import org.commonclient.comparison.ComparisonVectors;
import org.commonclient.comparison.Levels;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.AtomicPublisher;
import org.commonclient.io.DeltaTables;
import org.commonclient.linkage.LinkConfig;
import org.commonclient.linkage.LinkJob;
import org.commonclient.scoring.FellegiSunterModel;
import org.commonclient.scoring.ModelTraining;
import org.commonclient.scoring.RandomPairs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link stage on encodings (modes KEYED_TOKENS and BLOOM_CLK). The linkage unit runs it
 * without the project secret: it only compares tokens for equality and filters by Dice.
 *
 * <p>Input: the data owners' tokenized files ({@code commonclient.privacy.tokenInputs}), loaded
 * into {@code identified/person_tokens} (replacing their sources' rows), or that table as it is.
 * Outputs: the same linked tables as the clear link stage, published together or not at all:
 * {@code crosswalk}, {@code person} (no birth date, sex or race: the encodings carry none),
 * {@code match_pairs} (with {@code mode}), {@code model} (BLOOM_CLK), {@code person_id_history},
 * {@code runs} (with {@code mode}).
 *
 * <p>KEYED_TOKENS: the keyed passes are blocking rules on the token columns, in order; every
 * pair a pass generates is a match, attributed to the first pass that generates it (match_rule).
 * BLOOM_CLK: block on the keyed blocking tokens ({@code blk_*}, in configuration order); compare
 * each CLK by Dice coefficient graded into levels and each configured token by exact agreement;
 * estimate u from random pairs and m by EM in training sessions, score by Fellegi-Sunter
 * (the scoring package, as in clear mode); cluster pairs over the clustering threshold that agree
 * on one of the identity-evidence comparisons. Both modes then run connected components and the
 * stable person ids of the clear stage.
 */
public final class EncodedLinkJob {
  private static final Logger LOG = LoggerFactory.getLogger(EncodedLinkJob.class);

  public static final String TABLE = "person_tokens";

  private EncodedLinkJob() {}

  /**
   * Loads the token inputs into {@code identified/person_tokens}, replacing the rows of their
   * sources. Refuses inputs encoded with different secrets or settings (different keyed
   * encoding ids), or lacking the columns the mode needs.
   *
   * @return the sources loaded
   */
  public static Set<String> loadInputs(SparkSession spark, StorageConfig storage, PrivacyConfig cfg) {
    Dataset<Row> in = spark.read().format(cfg.tokenizeFormat()).load(expand(spark, cfg.tokenInputs()).toArray(new String[0]));
    checkColumns(in, cfg);
    List<Row> ids = in.select("encoding_id").distinct().limit(3).collectAsList();
    if (ids.size() > 1) {
      throw new IllegalStateException("The token inputs " + cfg.tokenInputs() + " were encoded with different secrets or"
          + " encoding settings (" + ids.size() + "+ distinct encoding_id values): re-tokenize them with the same project"
          + " secret and configuration");
    }
    Set<String> sources = new TreeSet<>();
    for (Row r : in.select("source").distinct().collectAsList()) {
      sources.add(r.getString(0));
    }
    DeltaTables.replacePartitions(in, storage.identified(TABLE), "source", sources);
    LOG.info("link: loaded token inputs of sources {} into {}", sources, storage.identified(TABLE));
    return sources;
  }

  /** The paths of the inputs with globs expanded (Spark warns with a stack trace on globs). */
  static List<String> expand(SparkSession spark, List<String> inputs) {
    List<String> out = new ArrayList<>();
    try {
      for (String in : inputs) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(in);
        org.apache.hadoop.fs.FileStatus[] st = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).globStatus(p);
        if (st == null || st.length == 0) {
          throw new IllegalStateException("Token input " + in + " (commonclient.privacy.tokenInputs) does not exist");
        }
        for (org.apache.hadoop.fs.FileStatus f : st) {
          if (!f.getPath().getName().startsWith("_") && !f.getPath().getName().startsWith(".")) {
            out.add(f.getPath().toString());
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("Cannot list the token inputs " + inputs + ": " + e.getMessage(), e);
    }
    return out;
  }

  static void checkColumns(Dataset<Row> in, PrivacyConfig cfg) {
    List<String> have = Arrays.asList(in.columns());
    List<String> need = new ArrayList<>(Encodings.BASE_COLUMNS);
    if (cfg.mode() == LinkMode.KEYED_TOKENS) {
      cfg.keyedPasses().forEach(p -> need.add(Encodings.TOKEN_PREFIX + p));
    } else {
      cfg.blockingKeys().forEach(b -> need.add(Encodings.BLOCKING_PREFIX + b.name()));
      for (PrivacyConfig.BloomComparison c : cfg.bloomComparisons()) {
        need.add((c.kind().equals("dice") ? Encodings.CLK_PREFIX : Encodings.TOKEN_PREFIX) + c.input());
        if (!c.near().isEmpty()) {
          need.add(Encodings.BLOCKING_PREFIX + c.near());
        }
      }
      cfg.bloomTraining().forEach(t -> need.add(t.input()));
    }
    List<String> missing = need.stream().filter(c -> !have.contains(c)).distinct().toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException("The token inputs lack the columns " + missing + " that linkage mode " + cfg.mode()
          + " needs: tokenize them with the same commonclient.privacy settings");
    }
  }

  /** Runs the encoded link stage; see the class comment. */
  public static LinkJob.LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig link, PrivacyConfig cfg,
      String runId, String configHash) {
    return run(spark, storage, link, cfg, runId, configHash, null);
  }

  /** As {@link #run(SparkSession, StorageConfig, LinkConfig, PrivacyConfig, String, String)}, recording the agreement. */
  public static LinkJob.LinkResult run(SparkSession spark, StorageConfig storage, LinkConfig link, PrivacyConfig cfg,
      String runId, String configHash, String agreementId) {
    if (cfg.mode() == LinkMode.CLEAR) {
      throw new IllegalArgumentException("EncodedLinkJob links encodings; mode CLEAR is LinkJob's");
    }
    Map<String, Double> secs = new LinkedHashMap<>();
    long started = System.currentTimeMillis();
    Stage stage = new Stage(spark, secs);
    if (!cfg.tokenInputs().isEmpty()) {
      stage.run("load", () -> loadInputs(spark, storage, cfg));
    }
    String table = storage.identified(TABLE);
    if (!DeltaTables.exists(spark, table)) {
      throw new IllegalStateException("No " + TABLE + " table at " + table
          + ": set commonclient.privacy.tokenInputs to the tokenized files");
    }
    long inputVersion = DeltaTables.version(spark, table);
    String work = storage.linked("_work/" + runId);
    Dataset<Row> tokens = DeltaTables.read(spark, table);
    if (!link.sources().isEmpty()) {
      tokens = tokens.filter(col("source").isin(link.sources().toArray()));
    }
    checkColumns(tokens, cfg);
    if (tokens.select("encoding_id").distinct().limit(2).count() > 1) {
      throw new IllegalStateException("The " + TABLE + " rows to link were encoded with different secrets or settings");
    }
    Dataset<Row> prepared = prepare(tokens, cfg);
    Dataset<Row> recs = stage.run("prepare", () -> boundary(spark, prepared, work + "/records").persist(StorageLevel.MEMORY_AND_DISK()));
    long n = recs.count();
    LOG.info("link ({}): {} encoded records", cfg.mode(), n);

    List<BlockingRule> rules = new ArrayList<>();
    Map<Integer, String> ruleNames = new LinkedHashMap<>();
    if (cfg.mode() == LinkMode.KEYED_TOKENS) {
      for (String p : cfg.keyedPasses()) {
        rules.add(BlockingRule.of(p, Encodings.TOKEN_PREFIX + p));
      }
    } else {
      for (PrivacyConfig.Recipe b : cfg.blockingKeys()) {
        rules.add(new BlockingRule(b.name(), List.of(Encodings.BLOCKING_PREFIX + b.name()), "", b.maxBlockSize()));
      }
    }
    for (int i = 0; i < rules.size(); i++) {
      ruleNames.put(i, rules.get(i).name());
    }
    BlockingConfig blocking = link.blocking().withRules(rules);
    BlockingResult blocked = stage.run("block", () -> Blocker.block(recs, blocking, link.linkType()));
    Dataset<Row> pairs = blocked.pairs().persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Long> byRule = stage.run("block", () -> blocked.countByRule(pairs));
    long candidatePairs = byRule.values().stream().mapToLong(Long::longValue).sum();
    LOG.info("block: {} candidate pairs {}", candidatePairs, byRule);

    Dataset<Row> scored;
    Dataset<Row> edges;
    ModelTraining.Result trained = null;
    if (cfg.mode() == LinkMode.KEYED_TOKENS) {
      // deterministic: exact agreement on a pass's token is a match
      scored = stage.run("score", () -> boundary(spark,
          pairs.withColumn("match_weight", lit(null).cast("double")).withColumn("match_probability", lit(1.0)),
          work + "/scored"));
      edges = scored.select("uid_l", "uid_r");
    } else {
      List<Comparison> comparisons = comparisons(cfg);
      boolean bc = n <= link.compareBroadcastMaxRecords();
      Dataset<Row> narrow = recs.select(comparisonColumns(cfg).stream().map(c -> col(c)).toArray(Column[]::new));
      Dataset<Row> vectors = stage.run("compare", () -> boundary(spark, compare(pairs, narrow, comparisons, bc), work + "/vectors"));
      ModelTraining.Result t = stage.run("train", () -> train(spark, recs, narrow, vectors, comparisons, link, cfg, blocking, n, bc));
      trained = t;
      FellegiSunterModel model = t.model();
      scored = stage.run("score", () -> boundary(spark, model.score(vectors), work + "/scored"));
      edges = Clustering.selectEdges(scored.filter(identityEvidence(cfg.bloomIdentityEvidence())), link.clustering().threshold());
    }
    pairs.unpersist();

    long[] matched = new long[1];
    ConnectedComponents.Result cc = stage.run("cluster", () -> {
      Dataset<Row> e = edges.persist(StorageLevel.MEMORY_AND_DISK());
      matched[0] = e.count();
      return ConnectedComponents.runWithStats(e, recs.select("uid"), link.clustering().cc());
    });
    Dataset<Row> previous = DeltaTables.exists(spark, storage.linked("crosswalk"))
        ? DeltaTables.read(spark, storage.linked("crosswalk")).select("source", "record_id", "person_id") : null;
    StableIds.StableIdResult ids = stage.run("cluster", () -> {
      Dataset<Row> clusters = boundary(spark, cc.components().join(recs.select("uid", "source", "record_id"), "uid"), work + "/clusters");
      StableIds.StableIdResult r = StableIds.assign(clusters, previous, runId, link.clustering().personIdPrefix());
      Dataset<Row> cw = r.crosswalk().persist(StorageLevel.MEMORY_AND_DISK());
      cw.count();
      return new StableIds.StableIdResult(cw, r.history().persist(StorageLevel.MEMORY_AND_DISK()));
    });
    long persons = ids.crosswalk().select("person_id").distinct().count();

    ModelTraining.Result trainedFinal = trained;
    Map<String, Long> versions = stage.run("publish", () -> {
      Map<String, AtomicPublisher.Table> t = new LinkedHashMap<>();
      t.put("crosswalk", new AtomicPublisher.Table(storage.linked("crosswalk"), ids.crosswalk(), AtomicPublisher.Mode.OVERWRITE));
      t.put("person", new AtomicPublisher.Table(storage.linked("person"), personTable(ids.crosswalk(), recs, runId), AtomicPublisher.Mode.OVERWRITE));
      t.put("match_pairs", new AtomicPublisher.Table(storage.linked("match_pairs"),
          matchPairs(scored, recs, link.matchPairsMinProbability(), ruleNames, runId, cfg.mode()), AtomicPublisher.Mode.OVERWRITE));
      if (trainedFinal != null) {
        t.put("model", new AtomicPublisher.Table(storage.linked("model"), modelRow(spark, trainedFinal, runId), AtomicPublisher.Mode.APPEND));
      }
      t.put("person_id_history", new AtomicPublisher.Table(storage.linked("person_id_history"), ids.history(), AtomicPublisher.Mode.APPEND));
      t.put("runs", new AtomicPublisher.Table(storage.linked("runs"),
          LinkJob.succeededRunRow(spark, runId, "link", configHash, TABLE, inputVersion,
              LinkJob.runCounts(n, candidatePairs, matched[0], persons), new LinkedHashMap<>(secs), started, link.linkType(),
              agreementId, cfg.mode().name()),
          AtomicPublisher.Mode.APPEND));
      return AtomicPublisher.publish(spark, storage.linked(), t);
    });
    recs.unpersist();
    ids.crosswalk().unpersist();
    ids.history().unpersist();
    deleteQuietly(spark, work);
    spark.catalog().clearCache();
    return new LinkJob.LinkResult(runId, n, candidatePairs, byRule, matched[0], persons, cc.iterations(), secs, versions,
        trained == null ? null : trained.model(), null);
  }

  /** The records to link: uid, ids, program columns, the encodings, and each filter's popcount. */
  static Dataset<Row> prepare(Dataset<Row> tokens, PrivacyConfig cfg) {
    List<Column> cols = new ArrayList<>();
    cols.add(xxhash64(col("source"), col("record_id")).as("uid"));
    for (String c : tokens.columns()) {
      cols.add(col(c));
    }
    if (cfg.mode() == LinkMode.BLOOM_CLK) {
      int words = cfg.clk().words();
      for (PrivacyConfig.BloomComparison c : cfg.bloomComparisons()) {
        if (c.kind().equals("dice")) {
          cols.add(Encodings.popcount(col(Encodings.CLK_PREFIX + c.input()), words).as(popColumn(c.input())));
        }
      }
    }
    return tokens.select(cols.toArray(new Column[0]));
  }

  static String popColumn(String filter) {
    return "clkpop_" + filter;
  }

  /** The BLOOM_CLK comparisons: Dice levels of a filter, or exact agreement on a token. */
  public static List<Comparison> comparisons(PrivacyConfig cfg) {
    int words = cfg.clk().words();
    List<Comparison> out = new ArrayList<>();
    for (PrivacyConfig.BloomComparison c : cfg.bloomComparisons()) {
      if (c.kind().equals("token")) {
        String t = Encodings.TOKEN_PREFIX + c.input();
        List<ComparisonLevel> levels = new ArrayList<>(List.of(Levels.exact(t)));
        if (!c.near().isEmpty()) {
          String near = Encodings.BLOCKING_PREFIX + c.near();
          levels.add(new ComparisonLevel("near", arrays_overlap(Levels.l(near), Levels.r(near))));
        }
        out.add(new Comparison(c.name(), Levels.anyNull(List.of(t)), levels));
        continue;
      }
      String clk = Encodings.CLK_PREFIX + c.input();
      String pop = popColumn(c.input());
      String helper = "_dice_" + c.name();
      Column dice = Encodings.dice(Levels.l(clk), Levels.r(clk), Levels.l(pop), Levels.r(pop), words);
      List<ComparisonLevel> levels = new ArrayList<>();
      for (double th : c.thresholds()) {
        levels.add(new ComparisonLevel("dice>=" + th, col(helper).geq(th), Map.of(helper, dice)));
      }
      out.add(new Comparison(c.name(), col(helper).isNull(), levels));
    }
    return out;
  }

  /** The record columns the BLOOM_CLK comparisons read, with uid. */
  static List<String> comparisonColumns(PrivacyConfig cfg) {
    List<String> out = new ArrayList<>(List.of("uid"));
    for (PrivacyConfig.BloomComparison c : cfg.bloomComparisons()) {
      if (c.kind().equals("dice")) {
        out.add(Encodings.CLK_PREFIX + c.input());
        out.add(popColumn(c.input()));
      } else {
        out.add(Encodings.TOKEN_PREFIX + c.input());
        if (!c.near().isEmpty()) {
          out.add(Encodings.BLOCKING_PREFIX + c.near());
        }
      }
    }
    return out.stream().distinct().toList();
  }

  /**
   * Comparison vectors of pairs: uid_l, uid_r, match_key (if present), gamma_*.
   *
   * @param narrow the records with only {@link #comparisonColumns}
   */
  static Dataset<Row> compare(Dataset<Row> pairs, Dataset<Row> narrow, List<Comparison> comparisons, boolean broadcastRecords) {
    Dataset<Row> left = suffixed(narrow, "_l");
    Dataset<Row> right = suffixed(narrow, "_r");
    if (broadcastRecords) {
      left = broadcast(left);
      right = broadcast(right);
    }
    Dataset<Row> joined = pairs.join(left, "uid_l").join(right, "uid_r");
    Dataset<Row> v = ComparisonVectors.compute(joined, comparisons, null);
    List<Column> keep = new ArrayList<>();
    for (String c : v.columns()) {
      if (c.equals("uid_l") || c.equals("uid_r") || c.equals("match_key") || c.startsWith("gamma_")) {
        keep.add(col(c));
      }
    }
    return v.select(keep.toArray(new Column[0]));
  }

  private static Dataset<Row> suffixed(Dataset<Row> df, String suffix) {
    return df.select(Arrays.stream(df.columns()).map(c -> col(c).as(c + suffix)).toArray(Column[]::new));
  }

  private static ModelTraining.Result train(SparkSession spark, Dataset<Row> recs, Dataset<Row> narrow, Dataset<Row> vectors,
      List<Comparison> comparisons,
      LinkConfig link, PrivacyConfig cfg, BlockingConfig blocking, long n, boolean bc) {
    List<ModelTraining.TrainingSession> sessions = new ArrayList<>();
    if (link.scoring().fixedModel().isEmpty()) {
      for (PrivacyConfig.TrainingSession ts : cfg.bloomTraining()) {
        BlockingConfig one = blocking.withRules(List.of(BlockingRule.of(ts.name(), ts.input())))
            .withSkew(link.trainingMaxBlockSize(), blocking.saltThreshold(), blocking.maxSaltBuckets());
        BlockingResult br = Blocker.block(recs, one, link.linkType());
        long expected = br.stats().get(0).pairs(link.linkType());
        Dataset<Row> p = br.pairs();
        if (expected > link.trainingMaxPairs()) {
          p = p.sample(false, (double) link.trainingMaxPairs() / expected, 42L);
        }
        sessions.add(new ModelTraining.TrainingSession(ts.name(), compare(p, narrow, comparisons, bc), Set.copyOf(ts.blockedOn())));
      }
    }
    Map<String, Integer> levels = new LinkedHashMap<>();
    comparisons.forEach(c -> levels.put(c.name(), c.levels().size() + 1));
    Map<Integer, Set<String>> byRule = new LinkedHashMap<>();
    if (cfg.mode() == LinkMode.BLOOM_CLK) {
      for (int i = 0; i < cfg.blockingKeys().size(); i++) {
        byRule.put(i, Set.copyOf(cfg.blockingKeys().get(i).blockedOn()));
      }
    }
    Supplier<Dataset<Row>> random = () -> compare(
        RandomPairs.sample(recs.select("uid"), link.scoring().uMaxPairs(), link.scoring().uSeed()), narrow, comparisons, bc);
    return ModelTraining.trainOrLoad(spark, link.scoring(), levels, random, sessions, vectors, byRule, totalPairs(recs, link.linkType(), n));
  }

  static long totalPairs(Dataset<Row> recs, LinkType type, long n) {
    if (type == LinkType.LINK) {
      long sq = 0;
      for (Row r : recs.groupBy("source").count().collectAsList()) {
        sq += r.getLong(1) * r.getLong(1);
      }
      return (n * n - sq) / 2;
    }
    return n * (n - 1) / 2;
  }

  static Column identityEvidence(List<String> comparisons) {
    if (comparisons.isEmpty()) {
      return lit(true);
    }
    Column any = lit(false);
    for (String c : comparisons) {
      any = any.or(coalesce(col("gamma_" + c).gt(0), lit(false)));
    }
    return any;
  }

  /**
   * One row per person, the columns of the clear stage's person table. The encodings carry no
   * birth date, sex or race, so those are null; programs, sources and enrollment come from the
   * tokenized files.
   */
  static Dataset<Row> personTable(Dataset<Row> crosswalk, Dataset<Row> recs, String runId) {
    return crosswalk.select("source", "record_id", "person_id")
        .join(recs.select("source", "record_id", "program", "enroll_start", "enroll_end"), new String[] {"source", "record_id"})
        .groupBy("person_id")
        .agg(lit(null).cast("date").as("dob"),
            lit(null).cast("string").as("sex"),
            lit(null).cast("string").as("race_ethnicity"),
            count(lit(1)).as("record_count"),
            sort_array(collect_set("source")).as("sources"),
            sort_array(collect_set("program")).as("programs"),
            min("enroll_start").as("first_enrolled"),
            max("enroll_end").as("last_enrolled"))
        .withColumn("birth_year", lit(null).cast("int"))
        .withColumn("run_id", lit(runId));
  }

  static Dataset<Row> matchPairs(Dataset<Row> scored, Dataset<Row> recs, double minProbability, Map<Integer, String> ruleNames,
      String runId, LinkMode mode) {
    Dataset<Row> ids = broadcast(recs.select("uid", "source", "record_id"));
    List<Column> sel = new ArrayList<>(List.of(
        col("l.source").as("source_l"), col("l.record_id").as("record_id_l"),
        col("r.source").as("source_r"), col("r.record_id").as("record_id_r")));
    for (String c : scored.columns()) {
      if (c.startsWith("gamma_") || c.startsWith("bf_") || c.equals("match_weight") || c.equals("match_probability")
          || c.equals("match_key")) {
        sel.add(col("s." + c));
      }
    }
    StringBuilder caseExpr = new StringBuilder("CASE s.match_key");
    ruleNames.forEach((k, v) -> caseExpr.append(" WHEN ").append(k).append(" THEN '").append(v.replace("'", "''")).append("'"));
    caseExpr.append(" END");
    sel.add(expr(caseExpr.toString()).as("match_rule"));
    sel.add(lit(mode.name()).as("mode"));
    sel.add(lit(runId).as("run_id"));
    return scored.filter(col("match_probability").geq(minProbability)).as("s")
        .join(ids.as("l"), col("s.uid_l").equalTo(col("l.uid")))
        .join(ids.as("r"), col("s.uid_r").equalTo(col("r.uid")))
        .select(sel.toArray(new Column[0]));
  }

  private static Dataset<Row> modelRow(SparkSession spark, ModelTraining.Result trained, String runId) {
    StructType s = new StructType()
        .add("run_id", DataTypes.StringType).add("lambda", DataTypes.DoubleType)
        .add("loaded_from", DataTypes.StringType).add("em_sessions", DataTypes.StringType)
        .add("model_json", DataTypes.StringType).add("created_at", DataTypes.TimestampType);
    String sessions = trained.em().map(e -> e.sessions().entrySet().stream()
        .map(x -> x.getKey() + ": " + x.getValue().iterations() + " iterations, converged " + x.getValue().converged())
        .reduce((a, b) -> a + "; " + b).orElse("")).orElse("");
    Row row = RowFactory.create(runId, trained.model().lambda(), trained.loadedFrom().orElse(null), sessions,
        trained.model().toJson(), new java.sql.Timestamp(System.currentTimeMillis()));
    return spark.createDataFrame(List.of(row), s);
  }

  /** A deliberate stage boundary: Parquet written under the run's work folder and read back. */
  static Dataset<Row> boundary(SparkSession spark, Dataset<Row> data, String path) {
    data.write().mode(SaveMode.Overwrite).parquet(path);
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

  /** Runs a stage under a named Spark job group, adding its seconds to the timing map. */
  private record Stage(SparkSession spark, Map<String, Double> secs) {
    <T> T run(String name, Supplier<T> body) {
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      spark.sparkContext().setJobGroup("link: " + name, "link: " + name, false);
      try {
        return body.get();
      } finally {
        spark.sparkContext().clearJobGroup();
        double s = (System.nanoTime() - t0) / 1e9;
        secs.merge(name, s, Double::sum);
        long c1 = cpuNanos();
        // JVM CPU seconds: on a shared machine the wall time depends on the other load
        LOG.info("link: {} done in {} s (JVM CPU {} s)", name, String.format("%.1f", s),
            c0 < 0 || c1 < 0 ? "?" : String.format("%.1f", (c1 - c0) / 1e9));
      }
    }

    private static long cpuNanos() {
      java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : -1;
    }
  }
}
