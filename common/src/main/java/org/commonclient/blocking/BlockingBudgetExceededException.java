package org.commonclient.blocking;

import java.util.List;

/** Thrown by {@link Blocker#block} when the rules would generate more pairs than configured. */
public final class BlockingBudgetExceededException extends RuntimeException {
  private final transient List<RuleStats> stats;

  BlockingBudgetExceededException(String message, List<RuleStats> stats) {
    super(message);
    this.stats = List.copyOf(stats);
  }

  /** The analysis that led to the refusal. */
  public List<RuleStats> stats() {
    return stats;
  }
}
