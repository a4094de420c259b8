package org.commonclient.blocking;

import java.util.Locale;

/**
 * Which record pairs a linkage run considers, decided by the {@code source} column.
 *
 * <ul>
 *   <li>{@link #DEDUPE}: pairs of records with the same source (null-safe: two null sources are
 *       the same source). On single-source input this is every pair.
 *   <li>{@link #LINK}: pairs of records from different sources only.
 *   <li>{@link #LINK_AND_DEDUPE}: every pair, i.e. both of the above.
 * </ul>
 */
public enum LinkType {
  DEDUPE("dedupe"),
  LINK("link"),
  LINK_AND_DEDUPE("link_and_dedupe");

  private final String configName;

  LinkType(String configName) {
    this.configName = configName;
  }

  /** The name used in configuration and on the command line. */
  public String configName() {
    return configName;
  }

  /** Parses {@code dedupe}, {@code link} or {@code link_and_dedupe} (case-insensitive). */
  public static LinkType parse(String s) {
    if (s != null) {
      String norm = s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      for (LinkType t : values()) {
        if (t.configName.equals(norm)) {
          return t;
        }
      }
    }
    throw new IllegalArgumentException(
        "Unknown link type '" + s + "': must be dedupe, link or link_and_dedupe");
  }
}
