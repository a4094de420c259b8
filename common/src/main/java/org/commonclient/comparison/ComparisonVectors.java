package org.commonclient.comparison;

import static org.apache.spark.sql.functions.arrays_overlap;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.commonclient.comparison.Levels.l;
import static org.commonclient.comparison.Levels.r;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Comparison vectors: the gamma columns of candidate pairs, and the twins guard. */
public final class ComparisonVectors {
  private ComparisonVectors() {}

  public static final String TWIN_GUARD = "twin_guard";

  /**
   * Builds the {@code <col>_l}/{@code <col>_r} columns of pairs: joins the standardised records
   * on {@code uid_l} and {@code uid_r}. Other columns of the pairs (match_key ...) are kept.
   */
  public static Dataset<Row> joinSides(Dataset<Row> pairs, Dataset<Row> standardised) {
    Dataset<Row> left = suffixed(standardised, "_l");
    Dataset<Row> right = suffixed(standardised, "_r");
    return pairs.join(left, "uid_l").join(right, "uid_r");
  }

  private static Dataset<Row> suffixed(Dataset<Row> df, String suffix) {
    List<Column> cols = new ArrayList<>();
    for (String c : df.columns()) {
      cols.add(col(c).as(c + suffix));
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /**
   * Adds {@code gamma_<name>} for each comparison and, when the pairs carry the columns it needs,
   * {@code twin_guard} (default settings). Helper similarity columns are computed once per pair
   * and dropped.
   */
  public static Dataset<Row> compute(Dataset<Row> pairs, List<Comparison> comparisons) {
    return compute(pairs, comparisons, null);
  }

  /** As {@link #compute(Dataset, List)}, with the twins guard from {@code twinGuard} (null: none). */
  public static Dataset<Row> compute(
      Dataset<Row> pairs, List<Comparison> comparisons, ComparisonConfig.TwinGuardSpec twinGuard) {
    return compute(pairs, comparisons, twinGuard, Map.of());
  }

  /**
   * As {@link #compute(Dataset, List, ComparisonConfig.TwinGuardSpec)}, where a comparison named in
   * {@code skipWhen} is null on the rows its condition holds for, and not computed there (nor a
   * helper column all of whose comparisons are skipped on the row): one pass can compare pairs
   * from several sets that each need a different subset of the comparisons.
   */
  public static Dataset<Row> compute(
      Dataset<Row> pairs, List<Comparison> comparisons, ComparisonConfig.TwinGuardSpec twinGuard,
      Map<String, Column> skipWhen) {
    Map<String, Column> helpers = new LinkedHashMap<>();
    Map<String, Column> helperSkip = new LinkedHashMap<>();
    Set<String> helperNeeded = new java.util.HashSet<>();
    for (Comparison c : comparisons) {
      helpers.putAll(c.helpers());
      Column skip = skipWhen.get(c.name());
      for (String h : c.helpers().keySet()) {
        if (skip == null) {
          helperNeeded.add(h);
        } else {
          helperSkip.merge(h, skip, Column::and);
        }
      }
    }
    if (twinGuard != null) {
      helperNeeded.add(Levels.jwHelper("first_name"));
    }
    for (Map.Entry<String, Column> e : helperSkip.entrySet()) {
      if (!helperNeeded.contains(e.getKey())) {
        helpers.put(e.getKey(), when(e.getValue(), lit(null)).otherwise(helpers.get(e.getKey())));
      }
    }
    if (twinGuard != null) {
      helpers.put(Levels.jwHelper("first_name"), Levels.jwHelperExpr("first_name"));
    }
    List<Column> withHelpers = new ArrayList<>();
    withHelpers.add(col("*"));
    helpers.forEach((n, e) -> withHelpers.add(e.as(n)));
    Dataset<Row> df = pairs.select(withHelpers.toArray(new Column[0]));

    List<Column> out = new ArrayList<>();
    for (String c : pairs.columns()) {
      out.add(col(c));
    }
    for (Comparison c : comparisons) {
      Column skip = skipWhen.get(c.name());
      out.add((skip == null ? c.gamma() : when(skip, lit(null)).otherwise(c.gamma())).as(c.gammaColumn()));
    }
    if (twinGuard != null) {
      out.add(twinGuard(twinGuard).as(TWIN_GUARD));
    }
    return df.select(out.toArray(new Column[0]));
  }

  /** Convenience: the configured comparisons and twins guard. */
  public static Dataset<Row> compute(Dataset<Row> pairs, ComparisonConfig cfg) {
    return compute(pairs, Comparisons.defaultPersonComparisons(cfg), cfg.twinGuard());
  }

  private static Column f(Column c) {
    return coalesce(c, lit(false));
  }

  /**
   * The twins rule (DOMAIN 1.3) as a column: DOB agrees exactly, surname agrees (exact or a shared
   * token), both given names are present and are not equivalent (not equal, not
   * nickname-equivalent, not a typo by Jaro-Winkler, not first↔middle crossed) — or are similar but
   * not equal with recorded sexes that differ (DANIEL/DANIELLE) — and no valid, unshared SSN
   * agrees. True means clustering must not auto-merge the pair. Needs the helper column of the
   * first-name Jaro-Winkler similarity ({@link Levels#jwHelper}).
   */
  public static Column twinGuard(ComparisonConfig.TwinGuardSpec spec) {
    int m = spec.surnameTokenMinLength();
    Column dobAgree = f(l("dob").equalTo(r("dob")));
    Column surnameAgree =
        f(l("last_name").equalTo(r("last_name")))
            .or(f(Levels.sharedTokenOfLength(l("last_tokens"), r("last_tokens"), m)));
    Column bothNames = l("first_name").isNotNull().and(r("first_name").isNotNull());
    Column exactOrNick =
        f(l("first_name").equalTo(r("first_name")))
            .or(f(l("first_nick").equalTo(r("first_nick"))))
            .or(f(arrays_overlap(l("first_nicks"), r("first_nicks"))));
    Column typo = f(col(Levels.jwHelper("first_name")).geq(spec.jwThreshold()));
    Column crossed =
        f(l("first_name").equalTo(r("middle_name"))).or(f(l("middle_name").equalTo(r("first_name"))));
    Column sexDiffers = f(l("sex").notEqual(r("sex")));
    Column namesDisagree =
        exactOrNick.or(typo).or(crossed).unary_$bang().or(typo.and(exactOrNick.unary_$bang()).and(sexDiffers));
    Column ssnAgrees =
        f(l("ssn").equalTo(r("ssn")).and(l("ssn_flag").isNull()).and(r("ssn_flag").isNull()));
    return dobAgree.and(surnameAgree).and(bothNames).and(namesDisagree).and(ssnAgrees.unary_$bang());
  }
}
