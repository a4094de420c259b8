package org.commonclient.report;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.blocking.RuleStats;
import org.commonclient.comparison.ComparisonConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.linkage.Evaluation;
import org.commonclient.linkage.LinkConfig;
import org.commonclient.scoring.EmResult;
import org.commonclient.scoring.FellegiSunterModel;
import org.commonclient.scoring.ModelTraining;
import org.commonclient.scoring.Scoring;

/**
 * Fills {@link LinkReportData} from a link run's outputs with a few small aggregations: one
 * group-by over the scored pairs (weight histogram), one over the crosswalk (cluster sizes), two
 * top-k scans for the sample pairs near the threshold, and one pass over match_pairs per label
 * source for precision and recall. Everything else (rules, model, EM history) is already on the
 * driver.
 */
public final class LinkReportCollector {
  /** Histogram bins: one bit wide, weights clamped to [-HIST_RANGE, HIST_RANGE). */
  static final int HIST_RANGE = 40;

  /** Sample pairs shown on each side of the threshold. */
  static final int SAMPLES_PER_SIDE = 3;

  private LinkReportCollector() {}

  /** What the link run knows at the end, passed in one value to keep the call site short. */
  public record RunFacts(
      String runId,
      long records,
      long candidatePairs,
      long matchedPairs,
      long persons,
      Map<String, Double> stageSeconds,
      Map<String, Long> pairsByRule,
      List<RuleStats> ruleStats,
      ModelTraining.Result trained) {}

  /**
   * @param scored every scored candidate pair (uid_l, uid_r, gamma_*, bf_*, match_weight, ...)
   * @param crosswalk (source, record_id, person_id)
   * @param truth optional ground truth (source, record_id, entity_id)
   */
  public static LinkReportData collect(
      SparkSession spark, StorageConfig storage, LinkConfig cfg, RunFacts run, Dataset<Row> scored,
      Dataset<Row> crosswalk, Optional<Dataset<Row>> truth) {
    FellegiSunterModel model = run.trained().model();
    double threshold = cfg.clustering().threshold();
    double tw = FellegiSunterModel.weightFromProbability(threshold);
    List<String> notes = new ArrayList<>();
    run.trained().loadedFrom().ifPresent(p -> notes.add("Model loaded from " + p + " (not trained in this run)."));
    String scope = model.metadata().get("lambda.scope");
    if (scope != null) {
      notes.add("Prior lambda = " + model.lambda() + " over " + scope.replace('_', ' ') + ".");
    }
    if (cfg.scoring().supervised().useClericalLabels()) {
      notes.add("Match probabilities (and weights = their log2 odds) come from the supervised scorer ("
          + cfg.scoring().supervised().algorithm() + ") trained on clerical_labels; the m/u tables and the waterfall"
          + " terms describe the Fellegi-Sunter model, so the terms need not add up to the weight.");
    }
    run.trained().em().ifPresent(e -> e.warnings().forEach(w -> notes.add("EM: " + w)));

    Dataset<Row> matchPairs = DeltaTables.read(spark, storage.linked("match_pairs"))
        .filter(col("run_id").equalTo(run.runId()));
    List<LinkReportData.AccuracyCurve> accuracy = new ArrayList<>();
    double[] grid = thresholdGrid();
    truth.ifPresent(t -> accuracy.add(truthCurve(matchPairs, t, grid)));
    String labelsPath = storage.linked("clerical_labels");
    if (DeltaTables.exists(spark, labelsPath)) {
      accuracy.add(labelCurve(matchPairs, DeltaTables.read(spark, labelsPath), grid));
    }
    return new LinkReportData(
        run.runId(),
        java.time.Instant.now().toString(),
        cfg.linkType().configName(),
        run.records(),
        run.candidatePairs(),
        run.matchedPairs(),
        run.persons(),
        threshold,
        tw,
        model.lambda(),
        model.priorWeight(),
        run.stageSeconds(),
        rules(run, cfg.linkType()),
        comparisons(model, cfg.comparison()),
        emSessions(run.trained()),
        histogram(scored),
        clusterSizes(crosswalk),
        explanations(scored, crosswalk, model, cfg.comparison(), tw),
        accuracy,
        notes);
  }

  static List<LinkReportData.RuleSummary> rules(RunFacts run, org.commonclient.blocking.LinkType type) {
    List<LinkReportData.RuleSummary> out = new ArrayList<>();
    for (RuleStats s : run.ruleStats()) {
      out.add(new LinkReportData.RuleSummary(s.name(), run.pairsByRule().getOrDefault(s.name(), 0L),
          s.pairs(type), s.blocks(), s.largestBlock(),
          s.largestBlocks()));
    }
    return out;
  }

  /** Level labels from the comparison config: gamma k is the first configured level, 0 is "else". */
  static Map<String, List<String>> levelLabels(ComparisonConfig cfg) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ComparisonConfig.ComparisonSpec s : cfg.comparisons()) {
      List<String> labels = new ArrayList<>();
      labels.add("else (disagree)");
      List<ComparisonConfig.LevelSpec> levels = s.levels();
      for (int g = 1; g <= levels.size(); g++) {
        labels.add(describe(levels.get(levels.size() - g)));
      }
      out.put(s.name(), labels);
    }
    return out;
  }

  private static String describe(ComparisonConfig.LevelSpec l) {
    StringBuilder b = new StringBuilder(l.kind());
    if (l.column() != null) {
      b.append(' ').append(l.column());
    }
    if (l.columns() != null && !l.columns().isEmpty()) {
      b.append(' ').append(String.join("+", l.columns()));
    }
    if (!Double.isNaN(l.threshold()) && l.threshold() > 0) {
      b.append(" >= ").append(l.threshold());
    }
    if (l.distance() > 0) {
      b.append(" <= ").append(l.distance());
    }
    if (l.anyOf() != null && !l.anyOf().isEmpty()) {
      b.append(" (").append(String.join(" | ", l.anyOf().stream().map(LinkReportCollector::describe).toList())).append(')');
    }
    return b.toString();
  }

  static List<LinkReportData.ComparisonSummary> comparisons(FellegiSunterModel model, ComparisonConfig cfg) {
    Map<String, List<String>> labels = levelLabels(cfg);
    List<LinkReportData.ComparisonSummary> out = new ArrayList<>();
    for (FellegiSunterModel.Comparison c : model.comparisons()) {
      List<String> names = labels.getOrDefault(c.name(), List.of());
      List<LinkReportData.LevelSummary> levels = new ArrayList<>();
      for (FellegiSunterModel.Level l : c.levels()) {
        String label = l.gamma() < names.size() ? names.get(l.gamma()) : l.label();
        levels.add(new LinkReportData.LevelSummary(l.gamma(), label, l.m(), l.u(),
            Math.log(l.bayesFactor()) / Math.log(2), l.fixedM(), l.fixedU()));
      }
      out.add(new LinkReportData.ComparisonSummary(c.name(), levels));
    }
    return out;
  }

  static List<LinkReportData.EmSession> emSessions(ModelTraining.Result trained) {
    List<LinkReportData.EmSession> out = new ArrayList<>();
    trained.em().ifPresent(em -> em.sessions().forEach((name, r) -> out.add(emSession(name, r))));
    return out;
  }

  static LinkReportData.EmSession emSession(String name, EmResult r) {
    List<LinkReportData.EmIteration> its = new ArrayList<>();
    for (EmResult.Iteration i : r.history()) {
      its.add(new LinkReportData.EmIteration(i.iteration(), i.lambda(), i.logLikelihood(), i.maxChange()));
    }
    return new LinkReportData.EmSession(name, r.pairCount(), r.converged(), its, r.warnings());
  }

  /** One-bit bins of match_weight over all scored pairs, one aggregation. */
  static LinkReportData.Histogram histogram(Dataset<Row> scored) {
    Column bin = floor(greatest(least(col(Scoring.MATCH_WEIGHT), lit(HIST_RANGE - 0.5)), lit(-HIST_RANGE))).cast("int");
    long[] counts = new long[2 * HIST_RANGE];
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (Row r : scored.filter(col(Scoring.MATCH_WEIGHT).isNotNull()).groupBy(bin.as("b")).count().collectAsList()) {
      int b = r.getInt(0);
      counts[b + HIST_RANGE] = r.getLong(1);
      lo = Math.min(lo, b);
      hi = Math.max(hi, b);
    }
    if (lo > hi) {
      return new LinkReportData.Histogram(0, 1, new long[0]);
    }
    return new LinkReportData.Histogram(lo, 1, Arrays.copyOfRange(counts, lo + HIST_RANGE, hi + HIST_RANGE + 1));
  }

  /** Cluster size -> number of persons with that many records. */
  static SortedMap<Long, Long> clusterSizes(Dataset<Row> crosswalk) {
    SortedMap<Long, Long> out = new TreeMap<>();
    for (Row r : crosswalk.groupBy("person_id").agg(count(lit(1)).as("size")).groupBy("size").count().collectAsList()) {
      out.put(r.getLong(0), r.getLong(1));
    }
    return out;
  }

  /** The pairs closest to the threshold on each side, with the terms of their weights. */
  static List<LinkReportData.PairExplanation> explanations(
      Dataset<Row> scored, Dataset<Row> crosswalk, FellegiSunterModel model, ComparisonConfig cfg, double tw) {
    Column w = col(Scoring.MATCH_WEIGHT);
    List<Row> rows = new ArrayList<>(scored.filter(w.geq(tw)).orderBy(w.asc()).limit(SAMPLES_PER_SIDE).collectAsList());
    rows.addAll(scored.filter(w.lt(tw)).orderBy(w.desc()).limit(SAMPLES_PER_SIDE).collectAsList());
    if (rows.isEmpty()) {
      return List.of();
    }
    List<String> cols = List.of(scored.columns());
    List<Long> uids = new ArrayList<>();
    for (Row r : rows) {
      uids.add(r.getLong(r.fieldIndex("uid_l")));
      uids.add(r.getLong(r.fieldIndex("uid_r")));
    }
    Map<Long, String> names = new LinkedHashMap<>();
    for (Row r : crosswalk.select(xxhash64(col("source"), col("record_id")).as("uid"), col("source"), col("record_id"))
        .filter(col("uid").isin(uids.toArray())).collectAsList()) {
      names.put(r.getLong(0), r.getString(1) + ":" + r.getString(2));
    }
    Map<String, List<String>> labels = levelLabels(cfg);
    List<LinkReportData.PairExplanation> out = new ArrayList<>();
    for (Row r : rows) {
      List<LinkReportData.Term> terms = new ArrayList<>();
      terms.add(new LinkReportData.Term("prior", "prior", "log2(lambda / (1 - lambda)), lambda = " + fmt(model.lambda()),
          model.priorWeight()));
      for (FellegiSunterModel.Comparison c : model.comparisons()) {
        Object g = r.get(r.fieldIndex(c.gammaColumn()));
        int gamma = g == null ? -1 : ((Number) g).intValue();
        List<String> ls = labels.getOrDefault(c.name(), List.of());
        String detail = gamma < 0 ? "null: no evidence"
            : "gamma " + gamma + ": " + (gamma < ls.size() ? ls.get(gamma) : c.levels().get(gamma).label());
        terms.add(new LinkReportData.Term("comparison", c.name(), detail, log2(c.bayesFactor(gamma))));
      }
      for (String col : cols) {
        if (col.startsWith(Scoring.TF_ADJ_PREFIX) && !r.isNullAt(r.fieldIndex(col))) {
          double bf = r.getDouble(r.fieldIndex(col));
          terms.add(new LinkReportData.Term("tf", col.substring(Scoring.TF_ADJ_PREFIX.length()),
              "term-frequency adjustment, factor " + fmt(bf), log2(bf)));
        }
      }
      long l = r.getLong(r.fieldIndex("uid_l"));
      long rr = r.getLong(r.fieldIndex("uid_r"));
      out.add(new LinkReportData.PairExplanation(
          names.getOrDefault(l, "uid " + l), names.getOrDefault(rr, "uid " + rr),
          name(r, cols, "_l"), name(r, cols, "_r"),
          r.getDouble(r.fieldIndex(Scoring.MATCH_WEIGHT)), r.getDouble(r.fieldIndex(Scoring.MATCH_PROBABILITY)), terms));
    }
    return out;
  }

  private static String name(Row r, List<String> cols, String side) {
    StringBuilder b = new StringBuilder();
    for (String c : List.of("first_name", "last_name")) {
      if (cols.contains(c + side) && !r.isNullAt(r.fieldIndex(c + side))) {
        b.append(b.length() == 0 ? "" : " ").append(r.get(r.fieldIndex(c + side)));
      }
    }
    return b.toString();
  }

  /** Thresholds from weight -6 to 24 bits in steps of 1, as probabilities. */
  static double[] thresholdGrid() {
    double[] t = new double[31];
    for (int i = 0; i < t.length; i++) {
      t[i] = FellegiSunterModel.probabilityFromWeight(i - 6);
    }
    return t;
  }

  static LinkReportData.AccuracyCurve truthCurve(Dataset<Row> matchPairs, Dataset<Row> truth, double[] grid) {
    List<LinkReportData.AccuracyPoint> pts = new ArrayList<>();
    for (Evaluation.ThresholdPoint p : Evaluation.thresholds(matchPairs, truth, grid)) {
      pts.add(new LinkReportData.AccuracyPoint(FellegiSunterModel.weightFromProbability(p.threshold()), p.threshold(),
          p.predicted(), p.precision(), p.recall()));
    }
    return new LinkReportData.AccuracyCurve("ground truth",
        "Pairwise, over the scored pairs kept in match_pairs; recall's denominator is every true pair, "
            + "blocked or not.", pts);
  }

  /**
   * In-sample precision and recall on the clerically labelled pairs scored by this run (labelled
   * pairs this run did not keep count as predicted non-matches). Unweighted: the strata of the
   * review sample were drawn on an earlier run's weights, so these are not population estimates
   * (the {@code review import} command reports those).
   */
  static LinkReportData.AccuracyCurve labelCurve(Dataset<Row> matchPairs, Dataset<Row> labels, double[] grid) {
    Column lu = xxhash64(col("source_l"), col("record_id_l"));
    Column ru = xxhash64(col("source_r"), col("record_id_r"));
    Dataset<Row> lab = labels.select(least(lu, ru).as("a"), greatest(lu, ru).as("b"), col("is_match"));
    Dataset<Row> mp = matchPairs.select(least(lu, ru).as("a"), greatest(lu, ru).as("b"), col(Scoring.MATCH_PROBABILITY));
    Dataset<Row> j = lab.join(mp, new String[] {"a", "b"}, "left");
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum(when(col("is_match"), 1L).otherwise(0L)).as("matches"));
    for (int i = 0; i < grid.length; i++) {
      Column hit = org.apache.spark.sql.functions.coalesce(col(Scoring.MATCH_PROBABILITY).geq(grid[i]), lit(false));
      aggs.add(sum(when(hit, 1L).otherwise(0L)));
      aggs.add(sum(when(hit.and(col("is_match")), 1L).otherwise(0L)));
    }
    Row r = j.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).head();
    long matches = r.isNullAt(0) ? 0 : r.getLong(0);
    List<LinkReportData.AccuracyPoint> pts = new ArrayList<>();
    for (int i = 0; i < grid.length; i++) {
      long p = r.isNullAt(1 + 2 * i) ? 0 : r.getLong(1 + 2 * i);
      long tp = r.isNullAt(2 + 2 * i) ? 0 : r.getLong(2 + 2 * i);
      pts.add(new LinkReportData.AccuracyPoint(FellegiSunterModel.weightFromProbability(grid[i]), grid[i], p,
          p == 0 ? Double.NaN : (double) tp / p, matches == 0 ? Double.NaN : (double) tp / matches));
    }
    return new LinkReportData.AccuracyCurve("clerical labels",
        "In-sample and unweighted over the labelled pairs (review import gives population estimates).", pts);
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  static String fmt(double v) {
    return String.format(java.util.Locale.ROOT, "%.4g", v);
  }
}
