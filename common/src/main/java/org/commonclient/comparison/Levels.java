package org.commonclient.comparison;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.levenshtein;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.size;
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

  /** Token arrays up to this size are compared token by token ({@link #sharedTokenOfLength}). */
  static final int UNROLLED_TOKENS = 3;

  /**
   * True when the token arrays share a token of at least minLength characters (null when either
   * array is null). Written without a lambda so it is code-generated. Arrays of up to {@link
   * #UNROLLED_TOKENS} tokens (nearly every name) test each of a's tokens with {@code
   * array_contains} on b: a loop over b in the generated code, where intersecting the arrays
   * allocated a hash set per pair (a tenth of the compare stage at 1M records). Longer arrays: the
   * shared tokens joined with spaces (tokens hold none) and searched for minLength non-space
   * characters in a row.
   */
  public static Column sharedTokenOfLength(Column a, Column b, int minLength) {
    Column anyShared = lit(false);
    for (int i = 1; i <= UNROLLED_TOKENS; i++) {
      Column t = org.apache.spark.sql.functions.try_element_at(a, lit(i)); // null past the end
      anyShared = anyShared.or(coalesce(length(t).geq(minLength).and(array_contains(b, t)), lit(false)));
    }
    Column general = org.apache.spark.sql.functions
        .array_join(org.apache.spark.sql.functions.array_intersect(a, b), " ")
        .rlike("[^ ]{" + minLength + "}");
    return org.apache.spark.sql.functions
        .when(a.isNull().or(b.isNull()), lit(null).cast("boolean"))
        .when(size(a).leq(UNROLLED_TOKENS), anyShared)
        .otherwise(general);
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

  /**
   * One digit wrong in yyyymmdd (years of four digits), or the year off by one with the same month
   * and day. Written as digit equalities on the year, month and day (integer division and
   * remainder): no sums, which under ANSI arithmetic box every intermediate value (the earlier
   * count of differing digits over yyyymmdd cost 5% of the compare stage).
   */
  public static ComparisonLevel dobOneDigitOrYear(String year, String month, String day) {
    Column yl = l(year);
    Column yr = r(year);
    Column sameYear = yl.equalTo(yr);
    Column sameMonth = l(month).equalTo(r(month));
    Column sameDay = l(day).equalTo(r(day));
    Column oneDigit = sameYear.and(sameMonth).and(atMostOneDigitDiffers(l(day), r(day), 2))
        .or(sameYear.and(sameDay).and(atMostOneDigitDiffers(l(month), r(month), 2)))
        .or(sameMonth.and(sameDay).and(atMostOneDigitDiffers(yl, yr, 4)));
    // in doubles: no overflow check, so nothing boxed
    Column yearOff = sameMonth.and(sameDay).and(abs(yl.cast("double").minus(yr.cast("double"))).equalTo(1.0));
    Column complete = yl.isNotNull().and(yr.isNotNull()).and(l(month).isNotNull()).and(r(month).isNotNull())
        .and(l(day).isNotNull()).and(r(day).isNotNull());
    return new ComparisonLevel("one_digit_or_year", complete.and(oneDigit.or(yearOff)));
  }

  /**
   * The last {@code digits} decimal digits of a and b (non-negative) differ in at most one place:
   * for some place, the digits above it and the digits below it agree.
   */
  static Column atMostOneDigitDiffers(Column a, Column b, int digits) {
    Column any = lit(false);
    for (int i = 0; i < digits; i++) {
      // the digits above place i (within the last `digits`) and those below it
      long window = pow10(digits - i - 1);
      Column upper = window == 1 ? lit(true)
          : pmod(div(a, pow10(i + 1)), lit(window)).equalTo(pmod(div(b, pow10(i + 1)), lit(window)));
      Column lower = i == 0 ? lit(true) : pmod(a, lit(pow10(i))).equalTo(pmod(b, lit(pow10(i))));
      any = any.or(upper.and(lower));
    }
    return any;
  }

  private static long pow10(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  /** Integer division (SQL {@code div}): no double, no boxing. */
  private static Column div(Column a, long by) {
    return org.apache.spark.sql.functions.call_function("div", a, lit(by));
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
