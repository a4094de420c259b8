package org.commonclient.review;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Settings of the clerical review, read from {@code commonclient.linkage.review}.
 *
 * @param band half-width (match-weight bits) of the band around the threshold that is sampled
 * @param strata equal-width strata across the band; even, so the threshold is a stratum edge
 * @param perStratum pairs sampled per band stratum
 * @param audit pairs of the simple random audit sample over all scored pairs
 * @param seed seed of both samples
 */
public record ReviewConfig(double band, int strata, int perStratum, int audit, long seed) {
  public static final String PATH = "commonclient.linkage.review";

  public ReviewConfig {
    if (!(band > 0)) {
      throw new IllegalArgumentException("Cannot set review.band to " + band + ": must be positive");
    }
    if (strata < 2 || strata % 2 != 0) {
      throw new IllegalArgumentException("Cannot set review.strata to " + strata + ": must be even and >= 2");
    }
    if (perStratum < 1 || audit < 0) {
      throw new IllegalArgumentException("Cannot set review.perStratum to " + perStratum + " and review.audit to "
          + audit + ": need perStratum >= 1, audit >= 0");
    }
  }

  public static ReviewConfig defaults() {
    return new ReviewConfig(6.0, 6, 20, 40, 42L);
  }

  public static ReviewConfig from(Config root) {
    Config c = root.getConfig(PATH);
    try {
      return new ReviewConfig(c.getDouble("band"), c.getInt("strata"), c.getInt("perStratum"), c.getInt("audit"),
          c.getLong("seed"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), PATH, e.getMessage());
    }
  }

  /** Stratum edges: threshold - band .. threshold + band in {@code strata} equal steps. */
  public double[] edges(double thresholdWeight) {
    double[] e = new double[strata + 1];
    for (int i = 0; i <= strata; i++) {
      e[i] = thresholdWeight - band + 2 * band * i / strata;
    }
    return e;
  }
}
