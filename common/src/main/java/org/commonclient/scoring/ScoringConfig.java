package org.commonclient.scoring;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Settings of the scoring stage, read from {@code commonclient.linkage.scoring}.
 *
 * @param fixedModel path of a saved model (JSON file or Delta table); when set the link stage
 *     loads it and skips training. Empty = train.
 * @param initialLambda starting prior for EM on the blocked pairs
 * @param em EM settings (totalPairCount 0: the stage fills it in)
 * @param uMaxPairs random pairs sampled to estimate u
 * @param uSeed seed of the random pairs
 * @param uFloor u of levels never seen among random pairs
 * @param termFrequency term-frequency adjustments
 * @param supervised settings of the optional supervised scorer
 */
public record ScoringConfig(
    Optional<String> fixedModel,
    double initialLambda,
    EmSettings em,
    long uMaxPairs,
    long uSeed,
    double uFloor,
    TermFrequencySettings termFrequency,
    SupervisedScorer.Settings supervised) {
  public static final String PATH = "commonclient.linkage.scoring";

  public ScoringConfig {
    if (!(initialLambda > 0 && initialLambda < 1)) {
      throw new IllegalArgumentException("Cannot set initialLambda to " + initialLambda + ": must be in (0, 1)");
    }
    if (uMaxPairs < 1) {
      throw new IllegalArgumentException("Cannot set u.maxPairs to " + uMaxPairs + ": must be positive");
    }
  }

  public static ScoringConfig defaults() {
    return new ScoringConfig(
        Optional.empty(), 0.1, EmSettings.defaults(), 1_000_000L, 42L, 1e-6,
        TermFrequencySettings.defaults(), SupervisedScorer.Settings.defaults());
  }

  /** Reads every key eagerly from the full configuration (the subtree at {@link #PATH}). */
  public static ScoringConfig from(Config root) {
    Config c = root.getConfig(PATH);
    String fixed = c.getString("fixedModel").trim();
    Config em = c.getConfig("em");
    EmSettings ems =
        new EmSettings(
            em.getInt("maxIterations"),
            em.getDouble("convergenceThreshold"),
            em.getBoolean("fixU"),
            em.getDouble("probabilityFloor"),
            0L);
    Config u = c.getConfig("u");
    Config tf = c.getConfig("termFrequency");
    List<TermFrequencySettings.Adjustment> adjs = new ArrayList<>();
    for (Config a : tf.getConfigList("adjustments")) {
      adjs.add(
          new TermFrequencySettings.Adjustment(
              a.getString("column"), a.getString("comparison"), a.getInt("exactLevel")));
    }
    TermFrequencySettings tfs =
        new TermFrequencySettings(
            adjs, tf.getDouble("minAdjustment"), tf.getDouble("maxAdjustment"), tf.getLong("broadcastMaxRows"));
    Config s = c.getConfig("supervised");
    String alg = s.getString("algorithm").trim().toUpperCase(Locale.ROOT);
    SupervisedScorer.Algorithm algorithm;
    try {
      algorithm = SupervisedScorer.Algorithm.valueOf(alg);
    } catch (IllegalArgumentException e) {
      throw new com.typesafe.config.ConfigException.BadValue(
          s.origin(), PATH + ".supervised.algorithm", "must be logistic or gbt, not " + alg);
    }
    SupervisedScorer.Settings sup =
        new SupervisedScorer.Settings(
            algorithm, s.getInt("maxIter"), s.getDouble("regParam"), s.getInt("maxDepth"), s.getLong("seed"),
            s.getBoolean("useClericalLabels"), s.getInt("minLabels"));
    return new ScoringConfig(
        fixed.isEmpty() ? Optional.empty() : Optional.of(fixed),
        em.getDouble("initialLambda"),
        ems,
        u.getLong("maxPairs"),
        u.getLong("seed"),
        u.getDouble("floor"),
        tfs,
        sup);
  }
}
