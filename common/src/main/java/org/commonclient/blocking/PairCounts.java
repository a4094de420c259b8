package org.commonclient.blocking;

/**
 * Pair counts of one rule for each link type, computed from block sizes (no pairs are built).
 *
 * @param dedupe pairs within the same source: sum over blocks and sources of n(n-1)/2
 * @param link pairs across different sources: sum over blocks of (N^2 - sum of n_s^2)/2
 * @param linkAndDedupe all pairs: sum over blocks of N(N-1)/2
 */
public record PairCounts(long dedupe, long link, long linkAndDedupe) {
  public static final PairCounts ZERO = new PairCounts(0, 0, 0);

  public long get(LinkType type) {
    return switch (type) {
      case DEDUPE -> dedupe;
      case LINK -> link;
      case LINK_AND_DEDUPE -> linkAndDedupe;
    };
  }
}
