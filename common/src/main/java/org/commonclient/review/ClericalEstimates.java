package org.commonclient.review;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Precision and recall of a threshold estimated from clerically reviewed pairs.
 *
 * <p>Design: the population is the scored pairs of one link run's {@code match_pairs}, divided
 * into match-weight strata ({@link ReviewSampler}); stratum h holds N_h pairs, n_h of them were
 * labelled, m_h of those as matches. Assumptions: labels are correct; within a stratum the
 * labelled pairs are a simple random sample of the stratum (the audit sample is post-stratified
 * into the strata its pairs fall in; rows left unlabelled are missing at random); the threshold is
 * a stratum edge, so every stratum lies wholly on one side of it. Pairs never scored or below
 * match_pairs' probability floor are outside the population, so recall is relative to the matches
 * among the scored pairs (an upper bound of recall over all true pairs). Pair level, not cluster
 * level: transitive links made by clustering are not counted.
 *
 * <ul>
 *   <li>In-sample precision = matches / labelled pairs at or above the threshold, with a Wilson
 *       score interval (no weighting).
 *   <li>Population: estimated matches above the threshold A = Σ_{h above} N_h m_h/n_h, below B
 *       likewise; precision = A / Σ_{h above} N_h, recall = A / (A + B). Stratum variances
 *       N_h² (1 - n_h/N_h) p_h(1 - p_h)/(n_h - 1); recall's variance by the delta method. The
 *       interval is a Wilson interval at the effective sample size p(1 - p)/variance (Kish), which
 *       stays inside [0, 1] and does not collapse when every label in a stratum agrees. Strata
 *       without labels are left out of the estimate and listed ({@link Estimate#unlabelledPairs()}).
 * </ul>
 */
public final class ClericalEstimates {
  /** 97.5% standard normal quantile: 95% two-sided intervals. */
  public static final double Z95 = 1.959963984540054;

  private ClericalEstimates() {}

  /** One labelled pair: its stratum (with the stratum's population and bounds) and its label. */
  public record Label(int stratum, double stratumLow, double stratumHigh, long stratumPairs, boolean match) {}

  /** A stratum's figures. */
  public record Stratum(int id, double low, double high, long pairs, long labelled, long matches) {
    public double matchRate() {
      return labelled == 0 ? Double.NaN : (double) matches / labelled;
    }
  }

  /** A proportion with its interval. */
  public record Interval(double value, double low, double high) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", value, low, high);
    }
  }

  /**
   * Estimates at one threshold (on the match-weight scale).
   *
   * @param labelledAbove labelled pairs at or above the threshold (in-sample)
   * @param inSamplePrecision matches / labelled pairs above, Wilson 95%
   * @param precision population estimate, stratified
   * @param recall population estimate, stratified, relative to matches among the scored pairs
   * @param estimatedMatches estimated matches among all pairs of the labelled strata
   * @param unlabelledPairs pairs in strata without any label (not covered by the estimate)
   */
  public record Estimate(
      double thresholdWeight,
      long labelledAbove,
      long matchesAbove,
      Interval inSamplePrecision,
      Interval precision,
      Interval recall,
      double estimatedMatches,
      long unlabelledPairs) {}

  /** Groups labels into strata (population and bounds from the labels' own stratum fields). */
  public static List<Stratum> strata(Collection<Label> labels) {
    Map<Integer, long[]> counts = new TreeMap<>();
    Map<Integer, Label> first = new TreeMap<>();
    for (Label l : labels) {
      long[] c = counts.computeIfAbsent(l.stratum(), k -> new long[2]);
      c[0]++;
      c[1] += l.match() ? 1 : 0;
      Label f = first.putIfAbsent(l.stratum(), l);
      if (f != null && f.stratumPairs() != l.stratumPairs()) {
        throw new IllegalArgumentException("Stratum " + l.stratum() + " has two population sizes: "
            + f.stratumPairs() + " and " + l.stratumPairs() + " (labels from different exports?)");
      }
    }
    List<Stratum> out = new ArrayList<>();
    counts.forEach((id, c) -> {
      Label f = first.get(id);
      out.add(new Stratum(id, f.stratumLow(), f.stratumHigh(), f.stratumPairs(), c[0], c[1]));
    });
    return out;
  }

  /**
   * @param strata the labelled strata; {@code allStrata} adds strata with no label (population only)
   */
  public static Estimate estimate(List<Stratum> strata, List<Stratum> allStrata, double thresholdWeight) {
    double a = 0;
    double b = 0;
    double va = 0;
    double vb = 0;
    long nAbove = 0;
    long mAbove = 0;
    long popAbove = 0;
    long labelledAbove = 0;
    for (Stratum s : strata) {
      if (s.labelled() == 0) {
        continue;
      }
      boolean above = s.low() >= thresholdWeight;
      if (!above && s.high() > thresholdWeight) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "Threshold %.3f falls inside stratum %d [%.3f, %.3f): estimates need a stratum edge", thresholdWeight,
            s.id(), s.low(), s.high()));
      }
      double p = s.matchRate();
      double total = s.pairs() * p;
      double var = s.labelled() > 1
          ? (double) s.pairs() * s.pairs() * Math.max(0, 1 - (double) s.labelled() / s.pairs()) * p * (1 - p) / (s.labelled() - 1)
          : 0;
      if (above) {
        a += total;
        va += var;
        popAbove += s.pairs();
        nAbove += s.labelled();
        mAbove += s.matches();
        labelledAbove += s.labelled();
      } else {
        b += total;
        vb += var;
      }
    }
    long unlabelled = 0;
    for (Stratum s : allStrata) {
      boolean labelled = strata.stream().anyMatch(x -> x.id() == s.id() && x.labelled() > 0);
      if (!labelled) {
        unlabelled += s.pairs();
      }
    }
    Interval inSample = wilson(mAbove, nAbove);
    Interval precision;
    if (popAbove == 0) {
      precision = new Interval(Double.NaN, Double.NaN, Double.NaN);
    } else {
      double p = a / popAbove;
      double v = va / ((double) popAbove * popAbove);
      precision = wilsonEffective(p, v, nAbove);
    }
    Interval recall;
    if (a + b == 0) {
      recall = new Interval(Double.NaN, Double.NaN, Double.NaN);
    } else {
      double r = a / (a + b);
      double d4 = Math.pow(a + b, 4);
      double v = (b * b * va + a * a * vb) / d4;
      long n = strata.stream().mapToLong(Stratum::labelled).sum();
      recall = wilsonEffective(r, v, n);
    }
    return new Estimate(thresholdWeight, labelledAbove, mAbove, inSample, precision, recall, a + b, unlabelled);
  }

  /** Wilson score interval (95%) of k successes in n trials. */
  public static Interval wilson(long k, long n) {
    if (n == 0) {
      return new Interval(Double.NaN, Double.NaN, Double.NaN);
    }
    double p = (double) k / n;
    return wilson(p, n);
  }

  private static Interval wilson(double p, double n) {
    double z2 = Z95 * Z95;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2 * n)) / denom;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
    return new Interval(p, Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * Wilson interval at the effective sample size p(1 - p)/variance; when the variance is 0 (every
   * label in the strata agrees) the labelled count {@code fallbackN} is used.
   */
  static Interval wilsonEffective(double p, double variance, long fallbackN) {
    double n = variance > 0 && p > 0 && p < 1 ? p * (1 - p) / variance : fallbackN;
    if (!(n > 0)) {
      return new Interval(p, Double.NaN, Double.NaN);
    }
    return wilson(p, n);
  }
}
