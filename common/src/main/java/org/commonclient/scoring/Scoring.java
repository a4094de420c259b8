package org.commonclient.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Scores comparison vectors with a Fellegi-Sunter model using Catalyst expressions only: one
 * {@code CASE WHEN gamma = g THEN constant} chain per comparison, the constants computed in Java.
 */
public final class Scoring {
  /** Prefix of term-frequency adjustment columns that {@link #score} folds into the weight. */
  public static final String TF_ADJ_PREFIX = "bf_tf_adj_";

  public static final String MATCH_WEIGHT = "match_weight";
  public static final String MATCH_PROBABILITY = "match_probability";

  private Scoring() {}

  /** {@code bf_<comparison>}: m/u of the pair's level, 1.0 for the null level or a null gamma. */
  public static Column bayesFactor(FellegiSunterModel.Comparison c) {
    Column g = col(c.gammaColumn());
    Column expr = null;
    for (FellegiSunterModel.Level l : c.levels()) {
      Column cond = g.equalTo(l.gamma());
      expr = expr == null ? when(cond, lit(l.bayesFactor())) : expr.when(cond, lit(l.bayesFactor()));
    }
    return expr.otherwise(lit(1.0));
  }

  /** log2 of the Bayes factor of a comparison: the partial match weight. */
  public static Column partialWeight(FellegiSunterModel.Comparison c) {
    Column g = col(c.gammaColumn());
    Column expr = null;
    for (FellegiSunterModel.Level l : c.levels()) {
      Column cond = g.equalTo(l.gamma());
      Column w = lit(FellegiSunterModel.log2(l.bayesFactor()));
      expr = expr == null ? when(cond, w) : expr.when(cond, w);
    }
    return expr.otherwise(lit(0.0));
  }

  /**
   * Adds {@code bf_<comparison>} for every comparison, {@code match_weight} (log2 of prior odds
   * times all Bayes factors, including every {@code bf_tf_adj_*} column already present) and
   * {@code match_probability}. Existing columns of these names are replaced.
   */
  public static Dataset<Row> score(FellegiSunterModel model, Dataset<Row> vectors) {
    List<String> cols = Arrays.asList(vectors.columns());
    for (FellegiSunterModel.Comparison c : model.comparisons()) {
      if (!cols.contains(c.gammaColumn())) {
        throw new IllegalArgumentException(
            "Cannot score: column " + c.gammaColumn() + " missing from " + cols);
      }
    }
    Map<String, Column> bfs = new LinkedHashMap<>();
    Column weight = lit(model.priorWeight());
    for (FellegiSunterModel.Comparison c : model.comparisons()) {
      bfs.put(c.bfColumn(), bayesFactor(c));
      weight = weight.plus(partialWeight(c));
    }
    for (String c : cols) {
      if (c.startsWith(TF_ADJ_PREFIX)) {
        weight = weight.plus(functions.coalesce(functions.log(2.0, col(c)), lit(0.0)));
      }
    }
    Dataset<Row> out = vectors.withColumns(bfs);
    out = out.withColumn(MATCH_WEIGHT, weight);
    return out.withColumn(
        MATCH_PROBABILITY,
        lit(1.0).divide(lit(1.0).plus(functions.pow(lit(2.0), col(MATCH_WEIGHT).multiply(-1.0)))));
  }
}
