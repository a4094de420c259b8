package org.commonclient.standardise;

import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;

/** Sex codes, phone numbers and ZIP codes. */
public final class Codes {
  private Codes() {}

  /** M, F or null from the configured codings (MALE, 1, H, MUJER ...). */
  public static String sex(String raw, Set<String> male, Set<String> female) {
    if (raw == null) {
      return null;
    }
    String u = raw.trim().toUpperCase(Locale.ROOT);
    return male.contains(u) ? "M" : female.contains(u) ? "F" : null;
  }

  static Column sex(Column raw, Set<String> male, Set<String> female) {
    Column u = upper(trim(raw));
    return when(u.isin(male.toArray()), lit("M")).when(u.isin(female.toArray()), lit("F"));
  }

  /**
   * Ten NANP digits or null: a leading country code 1 is dropped; area codes starting with 0 or 1,
   * other lengths and placeholders (0000000000 ...) are null.
   */
  public static String phone(String raw, Set<String> placeholders) {
    String d = Text.digits(raw);
    if (d == null) {
      return null;
    }
    if (d.length() == 11 && d.charAt(0) == '1') {
      d = d.substring(1);
    }
    if (d.length() != 10 || d.charAt(0) == '0' || d.charAt(0) == '1' || placeholders.contains(d)) {
      return null;
    }
    return d;
  }

  static Column phone(Column raw, Set<String> placeholders) {
    Column d0 = Text.digits(raw);
    Column d =
        when(length(d0).equalTo(11).and(substring(d0, 1, 1).equalTo("1")), substring(d0, 2, 10))
            .otherwise(d0);
    return when(
        length(d)
            .equalTo(10)
            .and(substring(d, 1, 1).isin("0", "1").unary_$bang())
            .and(d.isin(placeholders.toArray()).unary_$bang()),
        d);
  }

  /**
   * Five-digit ZIP or null: ZIP+4 is cut to 5; 3–4 digits are left-padded with zeros (ZIPs kept as
   * numbers lose leading zeros); placeholders are null.
   */
  public static String zip5(String raw, Set<String> placeholders) {
    String d = Text.digits(raw);
    if (d == null || d.length() < 3) {
      return null;
    }
    String z = d.length() >= 5 ? d.substring(0, 5) : "0".repeat(5 - d.length()) + d;
    return placeholders.contains(z) ? null : z;
  }

  static Column zip5(Column raw, Set<String> placeholders) {
    Column d = Text.digits(raw);
    Column z = when(length(d).geq(5), substring(d, 1, 5)).when(length(d).geq(3), lpad(d, 5, "0"));
    return when(z.isin(placeholders.toArray()).unary_$bang(), z);
  }
}
