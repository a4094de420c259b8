package org.commonclient.blocking;

import java.util.List;

/**
 * What one blocking rule would do, from {@link BlockingAnalysis#analyse}.
 *
 * <p>Counts are <b>pre-exclusion</b>: the pairs this rule would generate on its own, before
 * removing pairs an earlier rule already generated, and before the residual condition. They are
 * therefore an upper bound of the rule's share in the final pairs ({@link
 * BlockingResult#countByRule()} gives the exact post-exclusion counts, which needs the pairs). For
 * a rule with an array key, a pair sharing k elements is counted k times here (it is generated once).
 * Blocks larger than {@code maxBlockSize} are dropped and counted only in the {@code dropped*}
 * fields.
 *
 * @param index the rule's position (the {@code match_key} of its pairs)
 * @param name the rule's name
 * @param records records with a non-null key (for array keys: record-element rows)
 * @param blocks distinct key values
 * @param largestBlock records in the largest block (dropped or not)
 * @param pairs pairs the rule would generate, per link type, after dropping oversized blocks
 * @param droppedBlocks blocks over maxBlockSize
 * @param droppedRecords records in the dropped blocks
 * @param droppedPairs pairs the dropped blocks would have generated, per link type
 * @param saltedBlocks blocks whose join is split into salt buckets
 * @param largestBlocks the largest blocks, biggest first (at most {@code topBlocks})
 * @param dropped the largest dropped blocks, biggest first (at most {@code topBlocks}, at least one
 *     when any is dropped)
 */
public record RuleStats(
    int index,
    String name,
    long records,
    long blocks,
    long largestBlock,
    PairCounts pairs,
    long droppedBlocks,
    long droppedRecords,
    PairCounts droppedPairs,
    long saltedBlocks,
    List<BlockSize> largestBlocks,
    List<BlockSize> dropped) {

  public RuleStats {
    largestBlocks = List.copyOf(largestBlocks);
    dropped = List.copyOf(dropped);
  }

  /** Pre-exclusion pairs for this link type. */
  public long pairs(LinkType type) {
    return pairs.get(type);
  }

  /** One line for logs. */
  public String describe(LinkType type) {
    String top = largestBlocks.isEmpty() ? "-" : largestBlocks.get(0).key();
    return String.format(
        "rule %d '%s': %,d pairs (pre-exclusion, %s), %,d records in %,d blocks, largest block"
            + " %,d ('%s'), %,d dropped blocks (%,d records, %,d pairs), %,d salted blocks",
        index,
        name,
        pairs(type),
        type.configName(),
        records,
        blocks,
        largestBlock,
        top,
        droppedBlocks,
        droppedRecords,
        droppedPairs.get(type),
        saltedBlocks);
  }
}
