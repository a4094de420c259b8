package org.commonclient.scoring;

/**
 * Settings of one EM training run.
 *
 * @param maxIterations stop after this many iterations even if not converged
 * @param convergenceThreshold converged when no parameter (lambda, m, u) moves by more than this
 *     in one iteration
 * @param fixU keep every u as given (e.g. estimated from random pairs); otherwise u is fixed only
 *     where the model says so
 * @param probabilityFloor smallest m or u EM may produce; keeps log weights finite when a level is
 *     never observed
 * @param totalPairCount number of all possible record pairs (n(n-1)/2), or 0 when unknown: used to
 *     report the implied prior over all pairs
 * @param excludedComparisons comparisons EM ignores (treated as the null level, parameters left
 *     alone): those the training pairs were blocked on, whose levels are not distributed as m and
 *     u among blocked pairs
 */
public record EmSettings(
    int maxIterations,
    double convergenceThreshold,
    boolean fixU,
    double probabilityFloor,
    long totalPairCount,
    java.util.Set<String> excludedComparisons) {
  public EmSettings(
      int maxIterations, double convergenceThreshold, boolean fixU, double probabilityFloor, long totalPairCount) {
    this(maxIterations, convergenceThreshold, fixU, probabilityFloor, totalPairCount, java.util.Set.of());
  }

  public EmSettings {
    excludedComparisons = java.util.Set.copyOf(excludedComparisons);
    if (maxIterations < 1) {
      throw new IllegalArgumentException("Cannot set maxIterations to " + maxIterations + ": must be positive");
    }
    if (!(convergenceThreshold > 0)) {
      throw new IllegalArgumentException(
          "Cannot set convergenceThreshold to " + convergenceThreshold + ": must be positive");
    }
    if (!(probabilityFloor >= 0 && probabilityFloor < 0.01)) {
      throw new IllegalArgumentException(
          "Cannot set probabilityFloor to " + probabilityFloor + ": must be in [0, 0.01)");
    }
    if (totalPairCount < 0) {
      throw new IllegalArgumentException("Cannot set totalPairCount to " + totalPairCount);
    }
  }

  public static EmSettings defaults() {
    return new EmSettings(100, 1e-4, true, 1e-6, 0);
  }

  public EmSettings withFixU(boolean fix) {
    return new EmSettings(maxIterations, convergenceThreshold, fix, probabilityFloor, totalPairCount, excludedComparisons);
  }

  public EmSettings withMaxIterations(int n) {
    return new EmSettings(n, convergenceThreshold, fixU, probabilityFloor, totalPairCount, excludedComparisons);
  }

  public EmSettings withTotalPairCount(long n) {
    return new EmSettings(maxIterations, convergenceThreshold, fixU, probabilityFloor, n, excludedComparisons);
  }

  public EmSettings withExcludedComparisons(java.util.Set<String> excluded) {
    return new EmSettings(maxIterations, convergenceThreshold, fixU, probabilityFloor, totalPairCount, excluded);
  }
}
