package org.commonclient.comparison;

import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * One graded level of a {@link Comparison}: a label and a boolean Column predicate over the
 * {@code <col>_l}/{@code <col>_r} columns of a pair. A null predicate value counts as false.
 *
 * @param label short name shown in model reports, e.g. "exact", "jw>=0.92"
 * @param predicate the test
 * @param helpers columns the predicate refers to that are computed once per pair before the gamma
 *     expressions (name → expression), e.g. a Jaro-Winkler similarity shared by two thresholds
 */
public record ComparisonLevel(String label, Column predicate, Map<String, Column> helpers) {
  public ComparisonLevel {
    helpers = Map.copyOf(helpers);
  }

  public ComparisonLevel(String label, Column predicate) {
    this(label, predicate, Map.of());
  }
}
