package org.commonclient.standardise;

import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

import java.util.Set;
import org.apache.spark.sql.Column;

/**
 * SSN rules of DOMAIN.md 1.1. After stripping non-digits: placeholders (111111111, 123456789 ...)
 * → SSN_PLACEHOLDER; the blacklist (078-05-1120 ...) → SSN_KNOWN_BAD; length ≠ 9, area 000, 666
 * or 9xx, group 00, serial 0000 → SSN_INVALID (9xx kept as an ITIN candidate). Values of
 * {@code zeroPadFrom}..8 digits are first left-padded with zeros, because SSNs stored as numbers
 * lose the leading zeros of areas 001–099. SSN_SHARED needs the whole dataset and is set by
 * {@link Standardiser}.
 */
public final class Ssn {
  private Ssn() {}

  public static final String INVALID = "SSN_INVALID";
  public static final String KNOWN_BAD = "SSN_KNOWN_BAD";
  public static final String PLACEHOLDER = "SSN_PLACEHOLDER";
  public static final String SHARED = "SSN_SHARED";

  /** Result of {@link #classify}: ssn is null whenever flag is set; itin holds a 9xx value. */
  public record Result(String ssn, String flag, String itin) {}

  /** Digits of the raw value, zero-padded to 9 when it has zeroPadFrom..8 digits. */
  public static String digits(String raw, int zeroPadFrom) {
    String d = Text.digits(raw);
    if (d != null && zeroPadFrom > 0 && d.length() >= zeroPadFrom && d.length() < 9) {
      d = "0".repeat(9 - d.length()) + d;
    }
    return d;
  }

  static Column digits(Column raw, int zeroPadFrom) {
    Column d = Text.digits(raw);
    if (zeroPadFrom <= 0) {
      return d;
    }
    return when(length(d).geq(zeroPadFrom).and(length(d).lt(9)), lpad(d, 9, "0")).otherwise(d);
  }

  public static Result classify(
      String raw, int zeroPadFrom, Set<String> placeholders, Set<String> blacklist) {
    String d = digits(raw, zeroPadFrom);
    if (d == null) {
      return new Result(null, null, null);
    }
    if (placeholders.contains(d)) {
      return new Result(null, PLACEHOLDER, null);
    }
    if (blacklist.contains(d)) {
      return new Result(null, KNOWN_BAD, null);
    }
    if (d.length() != 9) {
      return new Result(null, INVALID, null);
    }
    String area = d.substring(0, 3);
    if (area.charAt(0) == '9') {
      return new Result(null, INVALID, d);
    }
    if (area.equals("000")
        || area.equals("666")
        || d.substring(3, 5).equals("00")
        || d.substring(5).equals("0000")) {
      return new Result(null, INVALID, null);
    }
    return new Result(d, null, null);
  }

  /** Column form of the flag of {@link #classify} over the padded digits column. */
  static Column flag(Column d, Set<String> placeholders, Set<String> blacklist) {
    Column area = substring(d, 1, 3);
    Column invalid =
        length(d)
            .notEqual(9)
            .or(area.isin("000", "666"))
            .or(substring(d, 1, 1).equalTo("9"))
            .or(substring(d, 4, 2).equalTo("00"))
            .or(substring(d, 6, 4).equalTo("0000"));
    return when(d.isNull(), lit(null).cast("string"))
        .when(d.isin(placeholders.toArray()), lit(PLACEHOLDER))
        .when(d.isin(blacklist.toArray()), lit(KNOWN_BAD))
        .when(invalid, lit(INVALID));
  }

  /** Column form of the ITIN candidate of {@link #classify}. */
  static Column itin(Column d, Column flag) {
    return when(
        flag.equalTo(INVALID).and(length(d).equalTo(9)).and(substring(d, 1, 1).equalTo("9")), d);
  }
}
