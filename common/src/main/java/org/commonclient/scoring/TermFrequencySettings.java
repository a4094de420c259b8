package org.commonclient.scoring;

import java.util.List;

/**
 * Which columns get a term-frequency adjustment and how strongly.
 *
 * @param adjustments one per name column
 * @param minAdjustment smallest factor (common names lose at most a factor 1/min)
 * @param maxAdjustment largest factor (rare names gain at most this factor)
 * @param broadcastMaxRows frequency tables with at most this many values are broadcast
 */
public record TermFrequencySettings(
    List<Adjustment> adjustments, double minAdjustment, double maxAdjustment, long broadcastMaxRows) {

  /**
   * @param column record column ({@code <column>_l/_r} on the pairs)
   * @param comparison comparison whose exact level is adjusted
   * @param exactLevel gamma of the exact-match level; -1 = the comparison's highest level
   */
  public record Adjustment(String column, String comparison, int exactLevel) {
    public Adjustment {
      if (column == null || column.isBlank()) {
        throw new IllegalArgumentException("Cannot adjust a blank column");
      }
      comparison = comparison == null || comparison.isBlank() ? column : comparison;
    }
  }

  public TermFrequencySettings {
    adjustments = List.copyOf(adjustments);
    if (!(minAdjustment > 0 && minAdjustment <= 1)) {
      throw new IllegalArgumentException(
          "Cannot set minAdjustment to " + minAdjustment + ": must be in (0, 1]");
    }
    if (!(maxAdjustment >= 1)) {
      throw new IllegalArgumentException(
          "Cannot set maxAdjustment to " + maxAdjustment + ": must be >= 1");
    }
  }

  public static TermFrequencySettings defaults() {
    return new TermFrequencySettings(
        List.of(new Adjustment("first_name", "first_name", -1), new Adjustment("last_name", "last_name", -1)),
        0.05,
        20.0,
        2_000_000L);
  }
}
