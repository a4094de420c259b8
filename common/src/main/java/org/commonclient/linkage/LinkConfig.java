package org.commonclient.linkage;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import org.commonclient.blocking.BlockingConfig;
import org.commonclient.blocking.LinkType;
import org.commonclient.clustering.ClusteringConfig;
import org.commonclient.comparison.ComparisonConfig;
import org.commonclient.scoring.ScoringConfig;
import org.commonclient.standardise.StandardiseConfig;

/**
 * Settings of the link stage, read once from {@code commonclient.linkage}.
 *
 * @param linkType dedupe, link or link_and_dedupe
 * @param sources person sources to link (empty = all)
 * @param matchPairsMinProbability scored pairs kept in match_pairs
 * @param identityEvidence comparisons of which at least one must agree (gamma > 0) for a pair to
 *     be clustered
 * @param trainingRules blocking rules whose pairs train m by EM, each with the comparisons it fixes
 * @param trainingMaxPairs pairs sampled per training session
 * @param trainingMaxBlockSize blocks larger than this are left out of training
 * @param compareBroadcastMaxRecords up to this many records, the comparison step looks both
 *     sides of every pair up in a broadcast copy of the standardised records instead of
 *     shuffling the pairs twice (sort-merge joins); 0 = never broadcast
 * @param incrementalMerge an incremental run updates the linked tables in place (a Delta
 *     delete with deletion vectors, then an append) instead of rewriting them
 * @param incrementalKeysInPlace an incremental run updates the identified key tables
 *     (record_keys, block_keys) in place instead of rewriting them
 */
public record LinkConfig(
    LinkType linkType,
    List<String> sources,
    double matchPairsMinProbability,
    List<String> identityEvidence,
    List<TrainingRule> trainingRules,
    long trainingMaxPairs,
    long trainingMaxBlockSize,
    long compareBroadcastMaxRecords,
    StandardiseConfig standardise,
    BlockingConfig blocking,
    ComparisonConfig comparison,
    ScoringConfig scoring,
    ClusteringConfig clustering,
    boolean incrementalMerge,
    boolean incrementalKeysInPlace) {

  /** A training blocking rule. */
  public record TrainingRule(String name, List<String> keys, List<String> blockedOn) {}

  public static LinkConfig from(Config root) {
    Config c = root.getConfig("commonclient.linkage");
    List<TrainingRule> rules = new ArrayList<>();
    for (Config r : c.getConfigList("training.rules")) {
      rules.add(new TrainingRule(r.getString("name"), r.getStringList("keys"), r.getStringList("blockedOn")));
    }
    return new LinkConfig(
        LinkType.parse(c.getString("linkType")),
        c.getStringList("sources"),
        c.getDouble("matchPairsMinProbability"),
        c.getStringList("identityEvidence"),
        rules,
        c.getLong("training.maxPairs"),
        c.getLong("training.maxBlockSize"),
        c.getLong("compare.broadcastMaxRecords"),
        StandardiseConfig.from(root),
        BlockingConfig.from(root.getConfig(BlockingConfig.PATH)),
        ComparisonConfig.from(root),
        ScoringConfig.from(root),
        ClusteringConfig.from(root),
        incrementalPublish("incremental.publish", c.getString("incremental.publish")),
        incrementalPublish("incremental.publishKeys", c.getString("incremental.publishKeys")));
  }

  public LinkConfig withLinkType(LinkType t) {
    return new LinkConfig(t, sources, matchPairsMinProbability, identityEvidence, trainingRules, trainingMaxPairs,
        trainingMaxBlockSize, compareBroadcastMaxRecords, standardise, blocking, comparison, scoring, clustering,
        incrementalMerge, incrementalKeysInPlace);
  }

  /** The same settings with the incremental publish mode of the linked tables given: in place (true) or rewritten. */
  public LinkConfig withIncrementalMerge(boolean merge) {
    return new LinkConfig(linkType, sources, matchPairsMinProbability, identityEvidence, trainingRules, trainingMaxPairs,
        trainingMaxBlockSize, compareBroadcastMaxRecords, standardise, blocking, comparison, scoring, clustering, merge,
        incrementalKeysInPlace);
  }

  /** The same settings with the incremental publish mode of the key tables given: in place (true) or rewritten. */
  public LinkConfig withIncrementalKeysInPlace(boolean inPlace) {
    return new LinkConfig(linkType, sources, matchPairsMinProbability, identityEvidence, trainingRules, trainingMaxPairs,
        trainingMaxBlockSize, compareBroadcastMaxRecords, standardise, blocking, comparison, scoring, clustering,
        incrementalMerge, inPlace);
  }

  private static boolean incrementalPublish(String key, String mode) {
    return switch (mode.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "merge" -> true;
      case "rewrite" -> false;
      default -> throw new IllegalArgumentException(
          "commonclient.linkage." + key + " must be rewrite or merge, not '" + mode + "'");
    };
  }
}
