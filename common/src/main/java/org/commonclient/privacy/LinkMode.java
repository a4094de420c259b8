package org.commonclient.privacy;

import java.util.Locale;

/** How the link stage sees identifiers ({@code commonclient.linkage.mode}, DOMAIN.md section 2). */
public enum LinkMode {
  /** Clear identifiers in a trusted linkage unit (DOMAIN's PLAINTEXT_HUB). */
  CLEAR,
  /** Exact agreement on keyed HMAC-SHA256 tokens computed by the data owners. */
  KEYED_TOKENS,
  /** Dice similarity of keyed Bloom-filter encodings (CLK), scored by Fellegi-Sunter. */
  BLOOM_CLK;

  public static LinkMode parse(String s) {
    String v = s.trim().toUpperCase(Locale.ROOT);
    if (v.equals("PLAINTEXT_HUB")) {
      return CLEAR;
    }
    try {
      return valueOf(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Cannot use linkage mode '" + s + "': must be CLEAR, KEYED_TOKENS or BLOOM_CLK");
    }
  }
}
