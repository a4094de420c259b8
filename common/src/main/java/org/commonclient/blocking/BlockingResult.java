package org.commonclient.blocking;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The output of {@link Blocker#block}: the candidate pairs (lazy: nothing has run yet) and the
 * analysis made before building them.
 *
 * <p>{@code pairs} has columns {@code uid_l} (long), {@code uid_r} (long), {@code match_key} (int,
 * the index of the rule that generated the pair); {@code uid_l < uid_r} and every pair appears
 * once. The pairs are computed from a key table cached by {@link Blocker#block}: {@link #close()}
 * releases it.
 */
public final class BlockingResult implements AutoCloseable {
  private final Dataset<Row> pairs;
  private final List<RuleStats> stats;
  private final List<BlockingRule> rules;
  private final LinkType linkType;
  private final List<Dataset<Row>> cached;

  BlockingResult(
      Dataset<Row> pairs,
      List<RuleStats> stats,
      List<BlockingRule> rules,
      LinkType linkType,
      List<Dataset<Row>> cached) {
    this.pairs = pairs;
    this.cached = List.copyOf(cached);
    this.stats = List.copyOf(stats);
    this.rules = List.copyOf(rules);
    this.linkType = linkType;
  }

  /** The candidate pairs, not yet computed: the caller decides whether to write or cache them. */
  public Dataset<Row> pairs() {
    return pairs;
  }

  /** The pre-exclusion analysis, one entry per rule in rule order. */
  public List<RuleStats> stats() {
    return stats;
  }

  public LinkType linkType() {
    return linkType;
  }

  /**
   * Exact (post-exclusion) pair counts per rule name, in rule order, computed with one Spark action
   * over {@link #pairs()}. Call it on pairs you have written or cached if you use them again.
   */
  public Map<String, Long> countByRule() {
    return countByRule(pairs);
  }

  /** The same count over another copy of the pairs (e.g. read back after writing them). */
  public Map<String, Long> countByRule(Dataset<Row> materialisedPairs) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (BlockingRule r : rules) {
      counts.put(r.name(), 0L);
    }
    for (Row row : materialisedPairs.groupBy("match_key").count().collectAsList()) {
      counts.put(rules.get(row.getInt(0)).name(), row.getLong(1));
    }
    return counts;
  }

  /**
   * Releases the cached key tables the pairs are computed from. Call it once the pairs have been
   * written (or cached); {@link #pairs()} still works afterwards but recomputes the keys.
   */
  @Override
  public void close() {
    cached.forEach(Dataset::unpersist);
  }
}
