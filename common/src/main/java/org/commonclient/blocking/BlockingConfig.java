package org.commonclient.blocking;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Blocking settings, read from {@code commonclient.linkage.blocking}.
 *
 * @param rules the rules, in order: a pair is attributed to the first rule that generates it
 * @param maxPairsPerRule refuse to block when one rule would generate more pairs than this
 *     (pre-exclusion count, see {@link BlockingAnalysis})
 * @param maxPairs refuse to block when all rules together would generate more pairs than this (sum
 *     of the pre-exclusion counts, an upper bound of the real total)
 * @param maxBlockSize a block (all records sharing one key value of one rule) with more records
 *     than this is dropped from that rule and reported in the stats; 0 = never drop
 * @param saltThreshold blocks with more records than this are salted: their join is split into
 *     {@code ceil(size / saltThreshold)} buckets (capped by maxSaltBuckets); 0 = never salt
 * @param maxSaltBuckets the most buckets one block is split into
 * @param topBlocks how many of the largest blocks per rule the analysis reports
 */
public record BlockingConfig(
    List<BlockingRule> rules,
    long maxPairsPerRule,
    long maxPairs,
    long maxBlockSize,
    long saltThreshold,
    int maxSaltBuckets,
    int topBlocks) {

  /** The path of this subtree in the full configuration. */
  public static final String PATH = "commonclient.linkage.blocking";

  static final Set<String> KEYS =
      Set.of(
          "rules",
          "maxPairsPerRule",
          "maxPairs",
          "maxBlockSize",
          "saltThreshold",
          "maxSaltBuckets",
          "topBlocks");
  static final Set<String> RULE_KEYS = Set.of("name", "keys", "residual", "maxBlockSize");

  public BlockingConfig {
    if (rules == null || rules.isEmpty()) {
      throw new IllegalArgumentException("Cannot block without rules: rules is empty");
    }
    rules = List.copyOf(rules);
    Set<String> names = new HashSet<>();
    for (BlockingRule r : rules) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("Duplicate blocking rule name '" + r.name() + "'");
      }
    }
    positive("maxPairsPerRule", maxPairsPerRule);
    positive("maxPairs", maxPairs);
    notNegative("maxBlockSize", maxBlockSize);
    notNegative("saltThreshold", saltThreshold);
    positive("maxSaltBuckets", maxSaltBuckets);
    notNegative("topBlocks", topBlocks);
  }

  private static void positive(String key, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(
          String.format("Cannot set %s to %d: must be positive", key, v));
    }
  }

  private static void notNegative(String key, long v) {
    if (v < 0) {
      throw new IllegalArgumentException(
          String.format("Cannot set %s to %d: must not be negative", key, v));
    }
  }

  /**
   * Reads the {@code commonclient.linkage.blocking} subtree (pass {@code
   * root.getConfig(BlockingConfig.PATH)}). Every key is read eagerly; a missing, mistyped or
   * unknown key throws a {@link ConfigException} naming it.
   */
  public static BlockingConfig from(Config c) {
    for (String k : c.root().keySet()) {
      if (!KEYS.contains(k)) {
        throw new ConfigException.BadPath(
            c.origin(), PATH + "." + k, "unknown blocking key; known keys: " + KEYS);
      }
    }
    List<BlockingRule> rules = new ArrayList<>();
    List<? extends Config> ruleConfigs = c.getConfigList("rules");
    for (int i = 0; i < ruleConfigs.size(); i++) {
      Config r = ruleConfigs.get(i);
      for (String k : r.root().keySet()) {
        if (!RULE_KEYS.contains(k)) {
          throw new ConfigException.BadPath(
              r.origin(),
              PATH + ".rules[" + i + "]." + k,
              "unknown blocking rule key; known keys: " + RULE_KEYS);
        }
      }
      String residual = r.hasPath("residual") ? r.getString("residual") : "";
      try {
        long cap = r.hasPath("maxBlockSize") ? r.getLong("maxBlockSize") : 0;
        rules.add(new BlockingRule(r.getString("name"), r.getStringList("keys"), residual, cap));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(r.origin(), PATH + ".rules[" + i + "]", e.getMessage());
      }
    }
    try {
      return new BlockingConfig(
          rules,
          c.getLong("maxPairsPerRule"),
          c.getLong("maxPairs"),
          c.getLong("maxBlockSize"),
          c.getLong("saltThreshold"),
          c.getInt("maxSaltBuckets"),
          c.getInt("topBlocks"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), PATH, e.getMessage());
    }
  }

  /** The shipped defaults ({@code defaults/blocking.conf}). */
  public static BlockingConfig defaults() {
    return from(ConfigFactory.defaultReference().resolve().getConfig(PATH));
  }

  /** These settings with other rules. */
  public BlockingConfig withRules(List<BlockingRule> newRules) {
    return new BlockingConfig(
        newRules, maxPairsPerRule, maxPairs, maxBlockSize, saltThreshold, maxSaltBuckets, topBlocks);
  }

  /** These settings with other skew limits. */
  public BlockingConfig withSkew(long newMaxBlockSize, long newSaltThreshold, int newMaxBuckets) {
    return new BlockingConfig(
        rules, maxPairsPerRule, maxPairs, newMaxBlockSize, newSaltThreshold, newMaxBuckets, topBlocks);
  }

  /** These settings with other pair budgets. */
  public BlockingConfig withBudget(long newMaxPairsPerRule, long newMaxPairs) {
    return new BlockingConfig(
        rules, newMaxPairsPerRule, newMaxPairs, maxBlockSize, saltThreshold, maxSaltBuckets, topBlocks);
  }
}
