package org.commonclient.comparison;

import java.util.ArrayList;
import java.util.List;
import org.commonclient.comparison.ComparisonConfig.ComparisonSpec;
import org.commonclient.comparison.ComparisonConfig.LevelSpec;

/** Static factories of comparisons, and the configured default set for person records. */
public final class Comparisons {
  private Comparisons() {}

  /** null / exact / else. */
  public static Comparison exactMatch(String column) {
    return new Comparison(column, Levels.anyNull(List.of(column)), List.of(Levels.exact(column)));
  }

  /** null / exact / JW ≥ t1 / JW ≥ t2 ... / else (thresholds in decreasing order). */
  public static Comparison jaroWinklerAtThresholds(String column, double... thresholds) {
    List<ComparisonLevel> levels = new ArrayList<>();
    levels.add(Levels.exact(column));
    double prev = Double.MAX_VALUE;
    for (double t : thresholds) {
      if (t >= prev) {
        throw new IllegalArgumentException(
            "Cannot use thresholds " + java.util.Arrays.toString(thresholds) + ": must decrease");
      }
      prev = t;
      levels.add(Levels.jaroWinkler(column, t));
    }
    return new Comparison(column, Levels.anyNull(List.of(column)), levels);
  }

  /** null / exact / Levenshtein ≤ d1 / ≤ d2 ... / else (distances increasing). */
  public static Comparison levenshteinAtThresholds(String column, int... distances) {
    List<ComparisonLevel> levels = new ArrayList<>();
    levels.add(Levels.exact(column));
    for (int d : distances) {
      levels.add(Levels.levenshteinAtMost(column, d));
    }
    return new Comparison(column, Levels.anyNull(List.of(column)), levels);
  }

  /** The configured comparisons (defaults/comparison.conf): the one default set for persons. */
  public static List<Comparison> defaultPersonComparisons(ComparisonConfig cfg) {
    List<Comparison> out = new ArrayList<>();
    for (ComparisonSpec s : cfg.comparisons()) {
      out.add(fromSpec(s));
    }
    return out;
  }

  public static Comparison fromSpec(ComparisonSpec s) {
    List<ComparisonLevel> levels = new ArrayList<>();
    for (LevelSpec l : s.levels()) {
      levels.add(level(l, s.column(), s.name()));
    }
    return new Comparison(s.name(), Levels.anyNull(s.nullColumns()), levels);
  }

  /** Builds one level from its spec; {@code column} is the comparison's default column. */
  public static ComparisonLevel level(LevelSpec l, String column, String comparison) {
    String c = l.column() != null ? l.column() : column;
    String where = "comparison " + comparison + ", level " + l.kind();
    switch (l.kind()) {
      case "exact":
        return Levels.exact(c);
      case "exactUnflagged":
        return Levels.exactUnflagged(c, require(l.other(), "other", where));
      case "nickname":
        return Levels.nickname(c, require(l.other(), "other", where));
      case "phonetic":
        return Levels.phonetic(c);
      case "jaroWinkler":
        if (Double.isNaN(l.threshold()) || l.threshold() <= 0 || l.threshold() > 1) {
          throw new IllegalArgumentException(
              "Cannot use threshold " + l.threshold() + " in " + where + ": must be in (0, 1]");
        }
        return Levels.jaroWinkler(c, l.threshold());
      case "levenshtein":
        if (l.distance() < 1) {
          throw new IllegalArgumentException(
              "Cannot use distance " + l.distance() + " in " + where + ": must be >= 1");
        }
        return Levels.levenshteinAtMost(c, l.distance());
      case "tokenOverlap":
        return Levels.tokenOverlap(c, Math.max(1, l.minLength()));
      case "swap":
        return Levels.swap(c, require(l.other(), "other", where));
      case "initial":
        return Levels.initial(c);
      case "allEqual":
        return Levels.allEqual(require(l.columns(), "columns", where));
      case "dobTransposed":
        {
          List<String> ymd = ymd(l, where);
          return Levels.dobTransposed(ymd.get(0), ymd.get(1), ymd.get(2));
        }
      case "dobOneDigitOrYear":
        {
          List<String> ymd = ymd(l, where);
          return Levels.dobOneDigitOrYear(ymd.get(0), ymd.get(1), ymd.get(2));
        }
      case "oneSubstitution":
        return Levels.oneSubstitution(c);
      case "adjacentTransposition":
        return Levels.adjacentTransposition(c);
      case "any":
        {
          List<ComparisonLevel> alts = new ArrayList<>();
          List<String> labels = new ArrayList<>();
          for (LevelSpec a : require(l.anyOf(), "anyOf", where)) {
            ComparisonLevel lv = level(a, c, comparison);
            alts.add(lv);
            labels.add(lv.label());
          }
          return Levels.any(String.join("|", labels), alts);
        }
      default:
        throw new IllegalArgumentException(
            "Unknown level kind '" + l.kind() + "' in comparison " + comparison);
    }
  }

  private static List<String> ymd(LevelSpec l, String where) {
    List<String> cols = require(l.columns(), "columns", where);
    if (cols.size() != 3) {
      throw new IllegalArgumentException(
          "Cannot use columns " + cols + " in " + where + ": need [year, month, day]");
    }
    return cols;
  }

  private static <T> T require(T v, String key, String where) {
    if (v == null) {
      throw new IllegalArgumentException("Missing key '" + key + "' in " + where);
    }
    return v;
  }
}
