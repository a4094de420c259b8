package org.commonclient.comparison;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.levenshtein;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.substring;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * Factories of comparison levels. Each returns a predicate over {@code <col>_l} and
 * {@code <col>_r}; all are Catalyst expressions except Jaro-Winkler (a helper column computed by a
 * static UDF once per pair).
 */
public final class Levels {
  private Levels() {}

  public static Column l(String c) {
    return col(c + "_l");
  }

  public static Column r(String c) {
    return col(c + "_r");
  }

  /** True when any of the columns is null on either side. */
  public static Column anyNull(List<String> columns) {
    Column c = lit(false);
    for (String s : columns) {
      c = c.or(l(s).isNull()).or(r(s).isNull());
    }
    return c;
  }

  public static ComparisonLevel exact(String c) {
    return new ComparisonLevel("exact", l(c).equalTo(r(c)));
  }

  /** Exact, and neither side carries a flag (SSN agreement that is not SSN_SHARED). */
  public static ComparisonLevel exactUnflagged(String c, String flagColumn) {
    return new ComparisonLevel(
        "exact_unflagged",
        l(c).equalTo(r(c)).and(l(flagColumn).isNull()).and(r(flagColumn).isNull()));
  }

  /** All listed columns equal (e.g. house number and ZIP; DOB year and month). */
  public static ComparisonLevel allEqual(List<String> columns) {
    Column p = lit(true);
    for (String c : columns) {
      p = p.and(l(c).equalTo(r(c)));
    }
    return new ComparisonLevel("equal_" + String.join("_", columns), p);
  }

  /**
   * Nickname equivalence: same canonical form, or the related-name arrays intersect (ROBERT~BOB,
   * ELIZABETH~BETTY, KATE~KATHY).
   */
  public static ComparisonLevel nickname(String canonicalColumn, String relatedColumn) {
    return new ComparisonLevel(
        "nickname",
        l(canonicalColumn)
            .equalTo(r(canonicalColumn))
            .or(arrays_overlap(l(relatedColumn), r(relatedColumn))));
  }

  /** Equal phonetic codes (the column holds e.g. Double Metaphone codes). */
  public static ComparisonLevel phonetic(String codeColumn) {
    return new ComparisonLevel("phonetic", l(codeColumn).equalTo(r(codeColumn)));
  }

  public static String jwHelper(String c) {
    return "_jw_" + c;
  }

  /** Jaro-Winkler of the two sides; equal values skip the UDF call. */
  public static Column jwHelperExpr(String c) {
    return org.apache.spark.sql.functions
        .when(l(c).equalTo(r(c)), lit(1.0))
        .otherwise(Similarity.jaroWinkler(l(c), r(c)));
  }

  public static ComparisonLevel jaroWinkler(String c, double threshold) {
    return new ComparisonLevel(
        "jw>=" + threshold,
        col(jwHelper(c)).geq(threshold),
        Map.of(jwHelper(c), jwHelperExpr(c)));
  }

  /** Levenshtein distance at most maxDistance (Spark's built-in with early exit). */
  public static ComparisonLevel levenshteinAtMost(String c, int maxDistance) {
    Column d = levenshtein(l(c), r(c), maxDistance);
    return new ComparisonLevel("lev<=" + maxDistance, d.geq(0).and(d.leq(maxDistance)));
  }

  /** Any token of at least minLength characters in common (surname token sets). */
  public static ComparisonLevel tokenOverlap(String tokensColumn, int minLength) {
    return new ComparisonLevel("token_overlap", sharedTokenOfLength(l(tokensColumn), r(tokensColumn), minLength));
  }

  /**
   * True when the token arrays share a token of at least minLength characters (null when either
   * array is null). Written without a lambda so it is code-generated: the shared tokens are joined
   * with spaces (tokens hold none) and searched for minLength non-space characters in a row.
   */
  public static Column sharedTokenOfLength(Column a, Column b, int minLength) {
    return org.apache.spark.sql.functions
        .array_join(org.apache.spark.sql.functions.array_intersect(a, b), " ")
        .rlike("[^ ]{" + minLength + "}");
  }

  /** Fields swapped: this column on one side equals the other column on the other, both ways. */
  public static ComparisonLevel swap(String c, String other) {
    return new ComparisonLevel(
        "swap_" + other, l(c).equalTo(r(other)).and(l(other).equalTo(r(c))));
  }

  /** Same first letter (middle initial). */
  public static ComparisonLevel initial(String c) {
    return new ComparisonLevel(
        "initial", substring(l(c), 1, 1).equalTo(substring(r(c), 1, 1)));
  }

  /** Day and month swapped within the same year (US/European order mix-up). */
  public static ComparisonLevel dobTransposed(String year, String month, String day) {
    return new ComparisonLevel(
        "day_month_swapped",
        l(year)
            .equalTo(r(year))
            .and(l(month).equalTo(r(day)))
            .and(l(day).equalTo(r(month)))
            .and(l(month).notEqual(l(day))));
  }

  /** yyyymmdd as an int, for digit arithmetic. */
  static Column ymd(Column y, Column m, Column d) {
    return y.multiply(10000).plus(m.multiply(100)).plus(d);
  }

  /**
   * One digit wrong in yyyymmdd, or the year off by one with the same month and day. Digit
   * positions are compared arithmetically (no strings per pair).
   */
  public static ComparisonLevel dobOneDigitOrYear(String year, String month, String day) {
    Column a = ymd(l(year), l(month), l(day));
    Column b = ymd(r(year), r(month), r(day));
    Column differing = lit(0);
    long p = 1;
    for (int i = 0; i < 8; i++) {
      Column da = pmod(a.divide(lit(p)).cast("long"), lit(10));
      Column db = pmod(b.divide(lit(p)).cast("long"), lit(10));
      differing = differing.plus(org.apache.spark.sql.functions.when(da.notEqual(db), 1).otherwise(0));
      p *= 10;
    }
    Column yearOff =
        l(month).equalTo(r(month)).and(l(day).equalTo(r(day))).and(abs(l(year).minus(r(year))).equalTo(1));
    Column complete = a.isNotNull().and(b.isNotNull());
    return new ComparisonLevel("one_digit_or_year", complete.and(differing.leq(1).or(yearOff)));
  }

  /** Exactly one character different, same length (a one-digit SSN typo). */
  public static ComparisonLevel oneSubstitution(String c) {
    return new ComparisonLevel(
        "one_digit",
        length(l(c)).equalTo(length(r(c))).and(levenshtein(l(c), r(c), 1).equalTo(1)));
  }

  /**
   * Two adjacent characters swapped, everything else equal (123456789 vs 123456798). A static
   * Java function ({@link Similarity#adjacentTransposition}): the Column form needs a lambda over
   * every position, which Spark evaluates interpreted, row by row; the cheap length and
   * inequality tests run first so most pairs never call it.
   */
  public static ComparisonLevel adjacentTransposition(String c) {
    Column a = l(c);
    Column b = r(c);
    return new ComparisonLevel(
        "transposition",
        length(a).equalTo(length(b)).and(length(a).geq(2)).and(a.notEqual(b))
            .and(Similarity.adjacentTransposition(a, b)));
  }

  /** Any of the given levels (e.g. "JW >= 0.88 or phonetic"). */
  public static ComparisonLevel any(String label, List<ComparisonLevel> levels) {
    Column p = lit(false);
    Map<String, Column> helpers = new java.util.LinkedHashMap<>();
    for (ComparisonLevel lv : levels) {
      p = p.or(org.apache.spark.sql.functions.coalesce(lv.predicate(), lit(false)));
      helpers.putAll(lv.helpers());
    }
    return new ComparisonLevel(label, p, helpers);
  }
}
