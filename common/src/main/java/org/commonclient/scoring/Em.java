package org.commonclient.scoring;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expectation-maximisation for the Fellegi-Sunter model, run on aggregated pattern counts.
 *
 * <p>The blocked pairs are reduced in Spark to the distinct comparison vectors and their counts
 * ({@link #patternCounts}); the table is small (at most the product of the level counts), so the
 * iterations run in plain Java on the driver. Under the usual conditional-independence assumption
 * P(gamma | match) is the product of the m of each comparison's level (the null level -1 is left
 * out, i.e. contributes factor 1), likewise for u.
 *
 * <ul>
 *   <li>E-step: for each pattern the posterior match probability p = lambda P(gamma|M) /
 *       (lambda P(gamma|M) + (1 - lambda) P(gamma|U)), computed in log space.
 *   <li>M-step: lambda = sum(n p) / sum(n); m of level g of comparison c = share of sum(n p) over
 *       the patterns with gamma_c = g among those with gamma_c not null; u likewise with n (1 - p).
 *       Fixed parameters keep their value; free ones share the remaining probability mass.
 * </ul>
 */
public final class Em {
  private static final Logger LOG = LoggerFactory.getLogger(Em.class);

  private Em() {}

  /**
   * Aggregates comparison vectors to pattern counts: {@code groupBy(gamma_* ...).count()} collected
   * to the driver. A null gamma counts as the null level -1.
   */
  public static List<PatternCount> patternCounts(Dataset<Row> vectors, List<String> comparisons) {
    List<Column> gammas = new ArrayList<>();
    for (String c : comparisons) {
      gammas.add(coalesce(col("gamma_" + c).cast("int"), lit(-1)).as("g_" + c));
    }
    List<Row> rows =
        vectors.select(gammas.toArray(Column[]::new)).groupBy(
            comparisons.stream().map(c -> col("g_" + c)).toArray(Column[]::new))
            .count()
            .collectAsList();
    List<PatternCount> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      int[] g = new int[comparisons.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = r.getInt(i);
      }
      out.add(new PatternCount(g, r.getLong(comparisons.size())));
    }
    return out;
  }

  /** Aggregates the vectors and trains: {@code train(patternCounts(vectors), initial, settings)}. */
  public static EmResult train(Dataset<Row> vectors, FellegiSunterModel initial, EmSettings settings) {
    return train(patternCounts(vectors, initial.comparisonNames()), initial, settings);
  }

  /** Runs EM from {@code initial} until converged or {@code settings.maxIterations()}. */
  public static EmResult train(
      List<PatternCount> patterns, FellegiSunterModel initial, EmSettings settings) {
    FellegiSunterModel start = settings.fixU() ? initial.withAllUFixed(true) : initial;
    int nc = start.comparisons().size();
    int[] nl = new int[nc];
    double[][] m = new double[nc][];
    double[][] u = new double[nc][];
    boolean[][] fixedM = new boolean[nc][];
    boolean[][] fixedU = new boolean[nc][];
    for (int c = 0; c < nc; c++) {
      FellegiSunterModel.Comparison comp = start.comparisons().get(c);
      nl[c] = comp.numLevels();
      m[c] = comp.m();
      u[c] = comp.u();
      fixedM[c] = new boolean[nl[c]];
      fixedU[c] = new boolean[nl[c]];
      for (int g = 0; g < nl[c]; g++) {
        fixedM[c][g] = comp.levels().get(g).fixedM();
        fixedU[c][g] = comp.levels().get(g).fixedU();
      }
    }
    boolean[] excluded = new boolean[nc];
    for (String x : settings.excludedComparisons()) {
      if (!start.comparisonNames().contains(x)) {
        throw new IllegalArgumentException("Cannot exclude unknown comparison " + x);
      }
      excluded[start.comparisonNames().indexOf(x)] = true;
    }
    long total = 0;
    long[][] observed = new long[nc][];
    for (int c = 0; c < nc; c++) {
      observed[c] = new long[nl[c]];
    }
    for (PatternCount p : patterns) {
      if (p.gammas().length != nc) {
        throw new IllegalArgumentException(
            "Pattern " + p + " has " + p.gammas().length + " gammas, model has " + nc + " comparisons");
      }
      for (int c = 0; c < nc; c++) {
        int g = p.gamma(c);
        if (g < -1 || g >= nl[c]) {
          throw new IllegalArgumentException(
              "Comparison " + start.comparisons().get(c).name() + " has levels -1.." + (nl[c] - 1)
                  + " but the data has gamma " + g);
        }
        if (g >= 0 && !excluded[c]) {
          observed[c][g] += p.count();
        }
      }
      total += p.count();
    }
    if (total == 0) {
      throw new IllegalArgumentException("Cannot train EM on zero pairs");
    }
    List<String> warnings = new ArrayList<>();
    for (int c = 0; c < nc; c++) {
      for (int g = 0; g < nl[c] && !excluded[c]; g++) {
        if (observed[c][g] == 0) {
          String w = String.format(Locale.ROOT,
              "Level %d of comparison %s is never observed in the %d training pairs: its m is"
                  + " floored at %g and carries no information",
              g, start.comparisons().get(c).name(), total, settings.probabilityFloor());
          warnings.add(w);
          LOG.warn(w);
        }
      }
    }

    double lambda = start.lambda();
    List<EmResult.Iteration> history = new ArrayList<>();
    boolean converged = false;
    double floor = settings.probabilityFloor();
    for (int it = 1; it <= settings.maxIterations(); it++) {
      double sumP = 0;
      double ll = 0;
      double[][] wm = new double[nc][];
      double[][] wu = new double[nc][];
      for (int c = 0; c < nc; c++) {
        wm[c] = new double[nl[c]];
        wu[c] = new double[nl[c]];
      }
      double logLambda = Math.log(lambda);
      double log1mLambda = Math.log1p(-lambda);
      for (PatternCount p : patterns) {
        double lm = logLambda;
        double lu = log1mLambda;
        for (int c = 0; c < nc; c++) {
          int g = p.gamma(c);
          if (g >= 0 && !excluded[c]) {
            lm += Math.log(m[c][g]);
            lu += Math.log(u[c][g]);
          }
        }
        double hi = Math.max(lm, lu);
        double logSum = hi + Math.log(Math.exp(lm - hi) + Math.exp(lu - hi));
        double post = Math.exp(lm - logSum);
        double n = p.count();
        ll += n * logSum;
        sumP += n * post;
        for (int c = 0; c < nc; c++) {
          int g = p.gamma(c);
          if (g >= 0 && !excluded[c]) {
            wm[c][g] += n * post;
            wu[c][g] += n * (1 - post);
          }
        }
      }
      double maxChange = 0;
      if (!start.lambdaFixed()) {
        double newLambda = clamp(sumP / total, 1e-12, 1 - 1e-12);
        maxChange = Math.abs(newLambda - lambda);
        lambda = newLambda;
      }
      for (int c = 0; c < nc; c++) {
        maxChange = Math.max(maxChange, mStep(m[c], wm[c], fixedM[c], floor));
        maxChange = Math.max(maxChange, mStep(u[c], wu[c], fixedU[c], floor));
      }
      history.add(new EmResult.Iteration(it, lambda, copy(start, m), copy(start, u), ll, maxChange));
      LOG.debug("EM iteration {}: lambda={} logLik={} maxChange={}", it, lambda, ll, maxChange);
      if (maxChange < settings.convergenceThreshold()) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      String w = "EM did not converge in " + settings.maxIterations() + " iterations";
      warnings.add(w);
      LOG.warn(w);
    }

    FellegiSunterModel out = start.withLambda(lambda, start.lambdaFixed());
    for (int c = 0; c < nc; c++) {
      FellegiSunterModel.Comparison comp = start.comparisons().get(c);
      List<FellegiSunterModel.Level> levels = new ArrayList<>();
      for (FellegiSunterModel.Level l : comp.levels()) {
        int g = l.gamma();
        levels.add(new FellegiSunterModel.Level(g, l.label(), m[c][g], u[c][g], l.fixedM(), l.fixedU()));
      }
      out = out.withComparison(new FellegiSunterModel.Comparison(comp.name(), levels));
    }
    out =
        out.withMetadata("em.iterations", Integer.toString(history.size()))
            .withMetadata("em.converged", Boolean.toString(converged))
            .withMetadata("em.trainingPairs", Long.toString(total));
    EmResult result = new EmResult(out, history, converged, total, warnings, settings.totalPairCount());
    if (result.impliedOverallPrior().isPresent()) {
      out = out.withMetadata("em.impliedOverallPrior", Double.toString(result.impliedOverallPrior().getAsDouble()));
      result = new EmResult(out, history, converged, total, warnings, settings.totalPairCount());
    }
    LOG.info(
        "EM finished after {} iterations (converged={}): lambda={} on {} pairs",
        history.size(), converged, lambda, total);
    return result;
  }

  /**
   * One EM training session: the comparison vectors of pairs found by one training blocking rule,
   * and the comparisons that rule blocks on (excluded from this session).
   */
  public record Session(String name, List<PatternCount> patterns, java.util.Set<String> excluded) {
    public Session {
      patterns = List.copyOf(patterns);
      excluded = java.util.Set.copyOf(excluded);
    }

    public static Session of(
        String name, Dataset<Row> vectors, List<String> comparisons, java.util.Set<String> excluded) {
      return new Session(name, patternCounts(vectors, comparisons), excluded);
    }
  }

  /**
   * The outcome of {@link #trainSessions}: m of each comparison averaged over the sessions that
   * estimated it, u and lambda as described there.
   */
  public record SessionsResult(
      FellegiSunterModel model, Map<String, EmResult> sessions, List<String> warnings) {
    public SessionsResult {
      sessions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sessions));
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Trains m in several sessions, each blocked on different comparisons, as no single set of
   * blocked pairs shows every comparison undistorted. Every session starts from {@code initial};
   * the combined m of a comparison is the mean over the sessions that did not exclude it (a
   * comparison no session estimated keeps its initial m, with a warning). u comes from {@code
   * initial} (fixed when {@code settings.fixU()}), free u are averaged like m. The combined lambda
   * is the first session's; use {@link #estimateLambda} for the prior of the pairs to be scored.
   */
  public static SessionsResult trainSessions(
      List<Session> sessions, FellegiSunterModel initial, EmSettings settings) {
    if (sessions.isEmpty()) {
      throw new IllegalArgumentException("Cannot train EM without sessions");
    }
    Map<String, EmResult> results = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (Session s : sessions) {
      EmResult r = train(s.patterns(), initial, settings.withExcludedComparisons(s.excluded()));
      results.put(s.name(), r);
      r.warnings().forEach(w -> warnings.add(s.name() + ": " + w));
    }
    FellegiSunterModel out =
        settings.fixU() ? initial.withAllUFixed(true) : initial;
    out = out.withLambda(results.values().iterator().next().model().lambda(), initial.lambdaFixed());
    for (FellegiSunterModel.Comparison c : initial.comparisons()) {
      double[] m = new double[c.numLevels()];
      double[] u = new double[c.numLevels()];
      int n = 0;
      for (Session s : sessions) {
        if (s.excluded().contains(c.name())) {
          continue;
        }
        FellegiSunterModel.Comparison t = results.get(s.name()).model().comparison(c.name());
        for (int g = 0; g < m.length; g++) {
          m[g] += t.m()[g];
          u[g] += t.u()[g];
        }
        n++;
      }
      if (n == 0) {
        String w = "No session estimated m of comparison " + c.name() + "; it keeps its initial m";
        warnings.add(w);
        LOG.warn(w);
        continue;
      }
      List<FellegiSunterModel.Level> levels = new ArrayList<>();
      for (FellegiSunterModel.Level l : out.comparison(c.name()).levels()) {
        int g = l.gamma();
        levels.add(
            new FellegiSunterModel.Level(
                g, l.label(), l.fixedM() ? l.m() : m[g] / n, l.fixedU() ? l.u() : u[g] / n,
                l.fixedM(), l.fixedU()));
      }
      out = out.withComparison(new FellegiSunterModel.Comparison(c.name(), levels));
    }
    out = out.withMetadata("em.sessions", String.join(",", results.keySet()));
    return new SessionsResult(out, results, warnings);
  }

  /**
   * Pattern counts per {@code match_key}, in one aggregation: {@code groupBy(match_key, gammas)}.
   */
  public static Map<Integer, List<PatternCount>> patternCountsByMatchKey(
      Dataset<Row> vectors, List<String> comparisons) {
    List<Column> keys = new ArrayList<>();
    List<Column> names = new ArrayList<>();
    keys.add(col("match_key").cast("int").as("mk"));
    names.add(col("mk"));
    for (String c : comparisons) {
      keys.add(coalesce(col("gamma_" + c).cast("int"), lit(-1)).as("g_" + c));
      names.add(col("g_" + c));
    }
    List<Row> rows =
        vectors.select(keys.toArray(Column[]::new))
            .groupBy(names.toArray(Column[]::new))
            .count()
            .collectAsList();
    Map<Integer, List<PatternCount>> out = new java.util.TreeMap<>();
    for (Row r : rows) {
      int[] g = new int[comparisons.size()];
      for (int i = 0; i < g.length; i++) {
        g[i] = r.getInt(i + 1);
      }
      out.computeIfAbsent(r.getInt(0), k -> new ArrayList<>())
          .add(new PatternCount(g, r.getLong(comparisons.size() + 1)));
    }
    return out;
  }

  /** lambda per blocking rule and the combined priors; see {@link #estimateLambda}. */
  public record LambdaEstimate(
      Map<Integer, Double> lambdaByMatchKey,
      Map<Integer, Long> pairsByMatchKey,
      double blockedLambda,
      double expectedMatches,
      java.util.OptionalDouble overallPrior) {}

  /**
   * Estimates lambda on the blocked pairs to be scored, with m and u fixed: per blocking rule
   * ({@code match_key}), EM on lambda alone, ignoring the comparisons that rule and the earlier
   * rules block on (given as {@code excludedByMatchKey}; pairs of rule k are distorted on all of
   * them). The expected number of matches is sum(lambda_k n_k); {@code blockedLambda} = that over
   * all blocked pairs and {@code overallPrior} = that over {@code totalPairCount} (when &gt; 0).
   */
  public static LambdaEstimate estimateLambda(
      Dataset<Row> blockedVectors,
      FellegiSunterModel model,
      Map<Integer, java.util.Set<String>> excludedByMatchKey,
      EmSettings settings,
      long totalPairCount) {
    Map<Integer, List<PatternCount>> byKey = patternCountsByMatchKey(blockedVectors, model.comparisonNames());
    FellegiSunterModel fixed = model.withAllUFixed(true);
    for (FellegiSunterModel.Comparison c : model.comparisons()) {
      for (int g = 0; g < c.numLevels(); g++) {
        fixed = fixed.withM(c.name(), g, c.m()[g], true);
      }
    }
    fixed = fixed.withLambda(model.lambda(), false);
    Map<Integer, Double> lambdas = new java.util.TreeMap<>();
    Map<Integer, Long> pairs = new java.util.TreeMap<>();
    double expected = 0;
    long n = 0;
    for (Map.Entry<Integer, List<PatternCount>> e : byKey.entrySet()) {
      java.util.Set<String> ex = excludedByMatchKey.getOrDefault(e.getKey(), java.util.Set.of());
      EmResult r = train(e.getValue(), fixed, settings.withExcludedComparisons(ex).withMaxIterations(
          Math.max(settings.maxIterations(), 200)));
      long nk = e.getValue().stream().mapToLong(PatternCount::count).sum();
      lambdas.put(e.getKey(), r.model().lambda());
      pairs.put(e.getKey(), nk);
      expected += r.model().lambda() * nk;
      n += nk;
    }
    double blocked = n == 0 ? Double.NaN : expected / n;
    java.util.OptionalDouble overall =
        totalPairCount > 0 ? java.util.OptionalDouble.of(expected / totalPairCount) : java.util.OptionalDouble.empty();
    LOG.info("lambda by blocking rule {}: expected matches {} among {} blocked pairs", lambdas, expected, n);
    return new LambdaEstimate(lambdas, pairs, blocked, expected, overall);
  }

  /**
   * Updates one probability vector in place from expected counts; returns the largest change.
   * Fixed entries keep their value; free entries share 1 - sum(fixed) in proportion to their
   * expected counts, each at least {@code floor}. When no free entry has any weight the vector is
   * left unchanged.
   */
  static double mStep(double[] p, double[] weights, boolean[] fixed, double floor) {
    double fixedMass = 0;
    double freeWeight = 0;
    int free = 0;
    for (int g = 0; g < p.length; g++) {
      if (fixed[g]) {
        fixedMass += p[g];
      } else {
        freeWeight += weights[g];
        free++;
      }
    }
    if (free == 0 || freeWeight <= 0) {
      return 0;
    }
    double remaining = Math.max(0, 1 - fixedMass);
    double[] np = new double[p.length];
    double s = 0;
    for (int g = 0; g < p.length; g++) {
      if (!fixed[g]) {
        np[g] = Math.max(weights[g] / freeWeight, floor);
        s += np[g];
      }
    }
    double change = 0;
    for (int g = 0; g < p.length; g++) {
      if (!fixed[g]) {
        double v = np[g] / s * remaining;
        change = Math.max(change, Math.abs(v - p[g]));
        p[g] = v;
      }
    }
    return change;
  }

  private static Map<String, double[]> copy(FellegiSunterModel model, double[][] values) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int c = 0; c < values.length; c++) {
      out.put(model.comparisons().get(c).name(), values[c].clone());
    }
    return out;
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
