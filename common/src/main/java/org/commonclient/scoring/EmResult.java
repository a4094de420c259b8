package org.commonclient.scoring;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The outcome of {@link Em#train}: the trained model, one {@link Iteration} per EM iteration,
 * whether the run converged, and warnings (e.g. levels never observed).
 *
 * @param pairCount number of pairs (sum of pattern counts) EM was trained on
 */
public record EmResult(
    FellegiSunterModel model,
    List<Iteration> history,
    boolean converged,
    long pairCount,
    List<String> warnings,
    long totalPairCount) {

  /**
   * The parameters after one iteration.
   *
   * @param logLikelihood log-likelihood of the data under the parameters the iteration started from
   * @param maxChange largest absolute change of any free parameter in this iteration
   */
  public record Iteration(
      int iteration,
      double lambda,
      Map<String, double[]> m,
      Map<String, double[]> u,
      double logLikelihood,
      double maxChange) {
    public Iteration {
      m = Map.copyOf(m);
      u = Map.copyOf(u);
    }
  }

  public EmResult {
    history = List.copyOf(history);
    warnings = List.copyOf(warnings);
  }

  public int iterations() {
    return history.size();
  }

  /** Expected number of matches among the training pairs: lambda x pairs. */
  public double expectedMatches() {
    return model.lambda() * pairCount;
  }

  /**
   * The prior over all possible pairs implied by the blocked-pair lambda, assuming every match was
   * blocked: lambda x blocked pairs / all pairs. Empty when the total is unknown.
   */
  public OptionalDouble impliedOverallPrior() {
    return totalPairCount > 0
        ? OptionalDouble.of(expectedMatches() / totalPairCount)
        : OptionalDouble.empty();
  }
}
