package org.commonclient.clustering;

import com.typesafe.config.Config;
import org.commonclient.scoring.FellegiSunterModel;

/**
 * Settings of the clustering stage, read from {@code commonclient.linkage.clustering}.
 *
 * @param threshold minimum {@code match_probability} of an edge. The default 0.99 is a match weight
 *     of log2(0.99 / 0.01) = 6.63: the evidence must make a match about 100 times likelier than not.
 * @param cc connected-components settings
 * @param personIdPrefix prefix of new person ids
 */
public record ClusteringConfig(double threshold, ConnectedComponents.Settings cc, String personIdPrefix) {
  public static final String PATH = "commonclient.linkage.clustering";

  public ClusteringConfig {
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException("Cannot set threshold to " + threshold + ": must be in (0, 1)");
    }
    if (personIdPrefix == null || personIdPrefix.isBlank()) {
      throw new IllegalArgumentException("Cannot use a blank personIdPrefix");
    }
  }

  public static ClusteringConfig defaults() {
    return new ClusteringConfig(0.99, new ConnectedComponents.Settings(100, 4, false, 5_000_000L), "P");
  }

  /** The threshold on the match-weight scale. */
  public double thresholdMatchWeight() {
    return FellegiSunterModel.weightFromProbability(threshold);
  }

  /** Reads every key eagerly from the full configuration (the subtree at {@link #PATH}). */
  public static ClusteringConfig from(Config root) {
    Config c = root.getConfig(PATH);
    return new ClusteringConfig(
        c.getDouble("threshold"),
        new ConnectedComponents.Settings(
            c.getInt("maxIterations"), c.getInt("checkpointInterval"), c.getBoolean("reliableCheckpoint"),
            c.getLong("localMaxEdges")),
        c.getString("personIdPrefix"));
  }
}
