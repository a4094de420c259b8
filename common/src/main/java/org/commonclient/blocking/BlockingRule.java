package org.commonclient.blocking;

import java.util.List;
import java.util.Objects;

/**
 * One blocking rule: pairs are records whose key expressions are all equal and non-null.
 *
 * @param name a short name, used in stats, logs and error messages
 * @param keys Spark SQL expressions over the record's columns (e.g. {@code "last_dm"}, {@code
 *     "substr(last_name, 1, 3)"}); an expression of array type (e.g. {@code last_tokens}) is
 *     exploded, so two records agree when they share any element. At most one array key per rule.
 *     Null values and empty strings never match.
 * @param residual an optional extra condition over the pair, a Spark SQL expression using {@code
 *     l.<column>} and {@code r.<column>} (e.g. {@code "l.sex = r.sex"}); empty string for none
 * @param maxBlockSize blocks of this rule larger than this are dropped from it (like the global
 *     {@code maxBlockSize}, which also applies; the smaller one wins); 0 = only the global one. For
 *     keys that are specific in small places but not in big ones (a house number and ZIP is a
 *     household, or a whole apartment complex)
 */
public record BlockingRule(String name, List<String> keys, String residual, long maxBlockSize) {
  public BlockingRule(String name, List<String> keys, String residual) {
    this(name, keys, residual, 0);
  }

  public BlockingRule {
    if (maxBlockSize < 0) {
      throw new IllegalArgumentException(
          "Cannot create blocking rule '" + name + "': maxBlockSize " + maxBlockSize + " is negative");
    }
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("Cannot create a blocking rule with a blank name");
    }
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot create blocking rule '" + name + "': keys must not be empty");
    }
    for (String k : keys) {
      if (k == null || k.isBlank()) {
        throw new IllegalArgumentException(
            "Cannot create blocking rule '" + name + "': a key expression is blank");
      }
    }
    keys = List.copyOf(keys);
    residual = residual == null ? "" : residual.trim();
  }

  /** A rule without a residual condition. */
  public static BlockingRule of(String name, String... keys) {
    return new BlockingRule(name, List.of(keys), "");
  }

  /** This rule with a residual condition over {@code l.}/{@code r.} columns. */
  public BlockingRule withResidual(String condition) {
    return new BlockingRule(name, keys, condition, maxBlockSize);
  }

  /** The block size limit of this rule given the global one (0 = none). */
  public long blockLimit(long globalMaxBlockSize) {
    if (maxBlockSize == 0) {
      return globalMaxBlockSize;
    }
    return globalMaxBlockSize == 0 ? maxBlockSize : Math.min(maxBlockSize, globalMaxBlockSize);
  }

  public boolean hasResidual() {
    return !residual.isEmpty();
  }
}
