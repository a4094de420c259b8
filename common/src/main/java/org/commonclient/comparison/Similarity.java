package org.commonclient.comparison;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Jaro-Winkler similarity. Spark has no built-in; this is a static UDF over an allocation-light
 * implementation that gives the same values as commons-text's (tested). Comparisons compute it
 * once per pair and column as a helper column, however many thresholds use it.
 */
public final class Similarity {
  private Similarity() {}

  /** Jaro-Winkler similarity in [0, 1]; null when either side is null. */
  public static Double jaroWinkler(String a, String b) {
    if (a == null || b == null) {
      return null;
    }
    return jw(a, b);
  }

  /**
   * Jaro-Winkler with the conventions of commons-text's {@code JaroWinklerSimilarity} (match window
   * max(len)/2 - 1, prefix up to 4, scaling 0.1, no boost below Jaro 0.7), without
   * its per-call allocations of strings and index arrays.
   */
  public static double jw(String s1, String s2) {
    if (s1.equals(s2)) {
      return 1.0;
    }
    String max = s1.length() > s2.length() ? s1 : s2;
    String min = s1.length() > s2.length() ? s2 : s1;
    int lmin = min.length();
    int lmax = max.length();
    if (lmin == 0) {
      return 0.0;
    }
    int range = Math.max(lmax / 2 - 1, 0);
    if (lmax <= 64) {
      return jwShort(s1, s2, min, max, lmin, lmax, range);
    }
    boolean[] minFlags = new boolean[lmin];
    boolean[] maxFlags = new boolean[lmax];
    int matches = 0;
    for (int i = 0; i < lmin; i++) {
      char c = min.charAt(i);
      int hi = Math.min(i + range + 1, lmax);
      for (int j = Math.max(i - range, 0); j < hi; j++) {
        if (!maxFlags[j] && c == max.charAt(j)) {
          minFlags[i] = true;
          maxFlags[j] = true;
          matches++;
          break;
        }
      }
    }
    if (matches == 0) {
      return 0.0;
    }
    int transpositions = 0;
    int k = 0;
    for (int i = 0; i < lmin; i++) {
      if (minFlags[i]) {
        while (!maxFlags[k]) {
          k++;
        }
        if (min.charAt(i) != max.charAt(k)) {
          transpositions++;
        }
        k++;
      }
    }
    return winkler(s1, s2, lmin, matches, transpositions);
  }

  /**
   * {@link #jw} for strings of at most 64 characters (every name and nearly every address): the
   * matched positions as bits of two longs instead of two arrays allocated per call.
   */
  private static double jwShort(String s1, String s2, String min, String max, int lmin, int lmax, int range) {
    long minFlags = 0L;
    long maxFlags = 0L;
    int matches = 0;
    for (int i = 0; i < lmin; i++) {
      char c = min.charAt(i);
      int hi = Math.min(i + range + 1, lmax);
      for (int j = Math.max(i - range, 0); j < hi; j++) {
        if ((maxFlags & (1L << j)) == 0 && c == max.charAt(j)) {
          minFlags |= 1L << i;
          maxFlags |= 1L << j;
          matches++;
          break;
        }
      }
    }
    if (matches == 0) {
      return 0.0;
    }
    // the matched characters of each string in order, pairwise: a transposition where they differ
    int transpositions = 0;
    long a = minFlags;
    long b = maxFlags;
    while (a != 0) {
      if (min.charAt(Long.numberOfTrailingZeros(a)) != max.charAt(Long.numberOfTrailingZeros(b))) {
        transpositions++;
      }
      a &= a - 1;
      b &= b - 1;
    }
    return winkler(s1, s2, lmin, matches, transpositions);
  }

  /** Jaro from the matches and transpositions, with Winkler's boost for a common prefix of up to 4. */
  private static double winkler(String s1, String s2, int lmin, int matches, int transpositions) {
    int prefix = 0;
    while (prefix < 4 && prefix < lmin && s1.charAt(prefix) == s2.charAt(prefix)) {
      prefix++;
    }
    double m = matches;
    double j = (m / s1.length() + m / s2.length() + (m - transpositions / 2.0) / m) / 3.0;
    return j < 0.7 ? j : j + 0.1 * prefix * (1.0 - j);
  }

  /**
   * True when b is a with exactly one pair of adjacent, different characters swapped; null when
   * either is null.
   */
  public static Boolean isAdjacentTransposition(String a, String b) {
    if (a == null || b == null) {
      return null;
    }
    int n = a.length();
    if (n != b.length() || n < 2) {
      return false;
    }
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    if (i >= n - 1) {
      return false;
    }
    if (a.charAt(i) == a.charAt(i + 1) || a.charAt(i) != b.charAt(i + 1) || a.charAt(i + 1) != b.charAt(i)) {
      return false;
    }
    return a.regionMatches(i + 2, b, i + 2, n - i - 2);
  }

  private static final UserDefinedFunction TRANSPOSITION_UDF =
      functions
          .udf((UDF2<String, String, Boolean>) Similarity::isAdjacentTransposition, DataTypes.BooleanType)
          .withName("adjacent_transposition");

  public static Column adjacentTransposition(Column a, Column b) {
    return TRANSPOSITION_UDF.apply(a, b);
  }

  private static final UserDefinedFunction JW_UDF =
      functions
          .udf((UDF2<String, String, Double>) Similarity::jaroWinkler, DataTypes.DoubleType)
          .withName("jaro_winkler");

  public static Column jaroWinkler(Column a, Column b) {
    return JW_UDF.apply(a, b);
  }
}
