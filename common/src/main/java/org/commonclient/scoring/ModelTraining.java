package org.commonclient.scoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring stage's training step as the link stage calls it: load the configured fixed model,
 * or train one:
 *
 * <ol>
 *   <li>u from the comparison vectors of random pairs ({@link UEstimator});
 *   <li>m by EM in training sessions, each on pairs blocked by one training rule that ignores the
 *       comparisons it blocks on ({@link Em#trainSessions});
 *   <li>lambda by EM on the blocked pairs to be scored, per blocking rule, with m and u fixed
 *       ({@link Em#estimateLambda}).
 * </ol>
 *
 * <p>Which lambda the model scores with: u comes from random pairs, i.e. describes non-matches
 * among all pairs, and the comparison vector of a blocked pair still carries the evidence the
 * blocking used; so the consistent prior is the one over all pairs, {@code lambda_all =
 * sum(lambda_k n_k) / (n(n-1)/2)}. It is used when {@code totalPairCount > 0} (metadata {@code
 * lambda.scope = all_pairs}); otherwise the blocked-pair lambda is used ({@code blocked_pairs}) and
 * probabilities are those of a pair drawn from the blocked pairs. Both values are in the metadata.
 */
public final class ModelTraining {
  private static final Logger LOG = LoggerFactory.getLogger(ModelTraining.class);

  /**
   * Pairs found by one training blocking rule (applied on its own, not excluding other rules), and
   * the comparisons that rule blocks on.
   */
  public record TrainingSession(String name, Dataset<Row> vectors, Set<String> blockedOn) {}

  /**
   * @param model the model to score with
   * @param loadedFrom the fixed model's location when it was loaded instead of trained
   */
  public record Result(
      FellegiSunterModel model,
      Optional<String> loadedFrom,
      Optional<UEstimator.Result> u,
      Optional<Em.SessionsResult> em,
      Optional<Em.LambdaEstimate> lambda) {}

  private ModelTraining() {}

  /**
   * @param levelsPerComparison comparison name -> number of non-null levels (k + 1), in order
   * @param randomPairVectors comparison vectors of {@link RandomPairs#sample} pairs; only called
   *     when training
   * @param sessions training sessions for m; when empty, one session per blocking rule of the
   *     blocked pairs, excluding the comparisons of that rule and all earlier ones
   * @param blockedVectors comparison vectors of the pairs to be scored, with {@code match_key}
   * @param comparisonsByRule blocking rule index (match_key) -> comparisons the rule blocks on
   * @param totalPairCount all possible pairs n(n-1)/2 (0 = unknown)
   */
  public static Result trainOrLoad(
      SparkSession spark,
      ScoringConfig config,
      Map<String, Integer> levelsPerComparison,
      Supplier<Dataset<Row>> randomPairVectors,
      List<TrainingSession> sessions,
      Dataset<Row> blockedVectors,
      Map<Integer, Set<String>> comparisonsByRule,
      long totalPairCount) {
    if (config.fixedModel().isPresent()) {
      String where = config.fixedModel().get();
      FellegiSunterModel m = ModelStore.load(spark, where);
      if (!m.comparisonNames().equals(List.copyOf(levelsPerComparison.keySet()))) {
        throw new IllegalStateException(
            "Fixed model " + where + " has comparisons " + m.comparisonNames()
                + " but this run compares " + levelsPerComparison.keySet());
      }
      LOG.info("Using the fixed model at {}; skipping training", where);
      return new Result(m, Optional.of(where), Optional.empty(), Optional.empty(), Optional.empty());
    }
    List<String> names = List.copyOf(levelsPerComparison.keySet());
    FellegiSunterModel template = FellegiSunterModel.initial(levelsPerComparison, config.initialLambda());
    long t0 = System.nanoTime();
    UEstimator.Result u =
        UEstimator.estimate(randomPairVectors.get(), template, config.uFloor(), config.em().fixU());
    LOG.info("train: u from {} random pairs in {} s", u.pairs(), seconds(t0));
    List<Em.Session> emSessions = new ArrayList<>();
    for (TrainingSession s : sessions) {
      long t1 = System.nanoTime();
      emSessions.add(Em.Session.of(s.name(), s.vectors(), names, s.blockedOn()));
      LOG.info("train: session {} pairs compared and counted in {} s", s.name(), seconds(t1));
    }
    return train(config, names, u, emSessions, blockedVectors, comparisonsByRule, totalPairCount);
  }

  /**
   * What training reads, already counted by comparison pattern: the random pairs (for u) and the
   * training sessions (for m). Counting them all in one job lets the caller compare every training
   * pair in one pass over one copy of the records.
   */
  public record Counted(List<PatternCount> randomPairs, List<Em.Session> sessions) {}

  /**
   * As {@link #trainOrLoad(SparkSession, ScoringConfig, Map, Supplier, List, Dataset, Map, long)},
   * from the training pairs already counted ({@code counted} is only called when training; when
   * its sessions are empty, one session per blocking rule of the blocked pairs).
   */
  public static Result trainOrLoadCounted(
      SparkSession spark,
      ScoringConfig config,
      Map<String, Integer> levelsPerComparison,
      Supplier<Counted> counted,
      Dataset<Row> blockedVectors,
      Map<Integer, Set<String>> comparisonsByRule,
      long totalPairCount) {
    if (config.fixedModel().isPresent()) {
      return trainOrLoad(spark, config, levelsPerComparison, () -> null, List.of(), blockedVectors, comparisonsByRule,
          totalPairCount);
    }
    List<String> names = List.copyOf(levelsPerComparison.keySet());
    FellegiSunterModel template = FellegiSunterModel.initial(levelsPerComparison, config.initialLambda());
    long t0 = System.nanoTime();
    Counted c = counted.get();
    UEstimator.Result u = UEstimator.estimate(c.randomPairs(), template, config.uFloor(), config.em().fixU());
    LOG.info("train: {} random pairs and {} sessions' pairs compared and counted in {} s", u.pairs(),
        c.sessions().size(), seconds(t0));
    return train(config, names, u, c.sessions(), blockedVectors, comparisonsByRule, totalPairCount);
  }

  private static Result train(
      ScoringConfig config,
      List<String> names,
      UEstimator.Result u,
      List<Em.Session> sessions,
      Dataset<Row> blockedVectors,
      Map<Integer, Set<String>> comparisonsByRule,
      long totalPairCount) {
    Map<Integer, Set<String>> cumulative = cumulativeExclusions(comparisonsByRule);
    List<Em.Session> emSessions = new ArrayList<>(sessions);
    if (emSessions.isEmpty()) {
      for (Map.Entry<Integer, List<PatternCount>> e :
          Em.patternCountsByMatchKey(blockedVectors, names).entrySet()) {
        emSessions.add(
            new Em.Session(
                "rule " + e.getKey(), e.getValue(), cumulative.getOrDefault(e.getKey(), Set.of())));
      }
    }
    long t2 = System.nanoTime();
    Em.SessionsResult em = Em.trainSessions(emSessions, u.model(), config.em());
    Em.LambdaEstimate lambda =
        Em.estimateLambda(blockedVectors, em.model(), cumulative, config.em(), totalPairCount);
    LOG.info("train: EM and the prior of the blocked pairs in {} s", seconds(t2));
    FellegiSunterModel model =
        em.model()
            .withMetadata("lambda.blocked", Double.toString(lambda.blockedLambda()))
            .withMetadata("lambda.expectedMatches", Double.toString(lambda.expectedMatches()));
    if (lambda.overallPrior().isPresent()) {
      double all = lambda.overallPrior().getAsDouble();
      model = model.withLambda(all, false)
          .withMetadata("lambda.scope", "all_pairs")
          .withMetadata("lambda.all", Double.toString(all))
          .withMetadata("lambda.totalPairs", Long.toString(totalPairCount));
    } else {
      model = model.withLambda(lambda.blockedLambda(), false).withMetadata("lambda.scope", "blocked_pairs");
    }
    LOG.info("Trained model: lambda {} ({})", model.lambda(), model.metadata().get("lambda.scope"));
    return new Result(model, Optional.empty(), Optional.of(u), Optional.of(em), Optional.of(lambda));
  }

  private static String seconds(long since) {
    return String.format("%.1f", (System.nanoTime() - since) / 1e9);
  }

  /** Rule k excludes the comparisons of rules 0..k (its pairs fail every earlier rule). */
  static Map<Integer, Set<String>> cumulativeExclusions(Map<Integer, Set<String>> byRule) {
    Map<Integer, Set<String>> out = new TreeMap<>();
    Set<String> acc = new HashSet<>();
    for (Map.Entry<Integer, Set<String>> e : new TreeMap<>(byRule).entrySet()) {
      acc.addAll(e.getValue());
      out.put(e.getKey(), Set.copyOf(acc));
    }
    return out;
  }
}
