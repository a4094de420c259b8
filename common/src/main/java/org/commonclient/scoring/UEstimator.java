package org.commonclient.scoring;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Estimates u = P(level | non-match) from comparison vectors of random record pairs: almost all
 * random pairs are non-matches, so u of a level is the share of random pairs at that level among
 * those whose level is not null. Levels never seen get {@code floor} (with a warning) and the
 * vector is renormalised.
 */
public final class UEstimator {
  private static final Logger LOG = LoggerFactory.getLogger(UEstimator.class);

  /**
   * @param u comparison name -> u per level (index = gamma)
   * @param counts comparison name -> random pairs per level (index = gamma)
   * @param pairs number of random pairs used
   */
  public record Result(
      FellegiSunterModel model,
      Map<String, double[]> u,
      Map<String, long[]> counts,
      long pairs,
      List<String> warnings) {}

  private UEstimator() {}

  /**
   * Counts levels per comparison in one Spark aggregation ({@code sum(case when gamma = g ...)}
   * for every comparison and level) and derives u.
   *
   * @param randomPairVectors comparison vectors ({@code gamma_<comparison>}) of random pairs
   * @param levelsPerComparison comparison name -> number of non-null levels (k + 1)
   */
  public static Map<String, long[]> levelCounts(
      Dataset<Row> randomPairVectors, Map<String, Integer> levelsPerComparison) {
    return aggregate(randomPairVectors, levelsPerComparison).counts();
  }

  private record Counts(Map<String, long[]> counts, long pairs) {}

  private static Counts aggregate(
      Dataset<Row> randomPairVectors, Map<String, Integer> levelsPerComparison) {
    List<Column> aggs = new ArrayList<>();
    for (Map.Entry<String, Integer> e : levelsPerComparison.entrySet()) {
      Column g = coalesce(col("gamma_" + e.getKey()).cast("int"), lit(-1));
      for (int l = 0; l < e.getValue(); l++) {
        aggs.add(functions.sum(functions.when(g.equalTo(l), lit(1L)).otherwise(lit(0L))));
      }
    }
    aggs.add(functions.count(lit(1)));
    Row r =
        randomPairVectors
            .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
            .first();
    Map<String, long[]> out = new LinkedHashMap<>();
    int i = 0;
    for (Map.Entry<String, Integer> e : levelsPerComparison.entrySet()) {
      long[] c = new long[e.getValue()];
      for (int l = 0; l < c.length; l++, i++) {
        c[l] = r.isNullAt(i) ? 0 : r.getLong(i);
      }
      out.put(e.getKey(), c);
    }
    return new Counts(out, r.getLong(i));
  }

  /** u per level from level counts; unobserved levels get {@code floor}, then renormalised. */
  public static double[] uFromCounts(String comparison, long[] counts, double floor, List<String> warnings) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] u = new double[counts.length];
    if (total == 0) {
      String w = "Comparison " + comparison + ": no random pair has a non-null level; u set uniform";
      warnings.add(w);
      LOG.warn(w);
      java.util.Arrays.fill(u, 1.0 / counts.length);
      return u;
    }
    double s = 0;
    for (int g = 0; g < counts.length; g++) {
      u[g] = (double) counts[g] / total;
      if (counts[g] == 0) {
        String w = String.format(Locale.ROOT,
            "Comparison %s: level %d never seen in %d random pairs; u floored at %g",
            comparison, g, total, floor);
        warnings.add(w);
        LOG.warn(w);
        u[g] = floor;
      }
      s += u[g];
    }
    for (int g = 0; g < u.length; g++) {
      u[g] /= s;
    }
    return u;
  }

  /**
   * Estimates u for every comparison of {@code template} and returns the template with those u
   * values (fixed when {@code fixU}, so EM keeps them).
   */
  public static Result estimate(
      Dataset<Row> randomPairVectors, FellegiSunterModel template, double floor, boolean fixU) {
    Map<String, Integer> levels = new LinkedHashMap<>();
    for (FellegiSunterModel.Comparison c : template.comparisons()) {
      levels.put(c.name(), c.numLevels());
    }
    return fromCounts(aggregate(randomPairVectors, levels), template, floor, fixU);
  }

  /**
   * As {@link #estimate(Dataset, FellegiSunterModel, double, boolean)}, from the random pairs'
   * comparison vectors already counted by pattern (gammas in the template's comparison order, -1
   * for null).
   */
  public static Result estimate(
      List<PatternCount> randomPairPatterns, FellegiSunterModel template, double floor, boolean fixU) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    List<FellegiSunterModel.Comparison> comps = template.comparisons();
    for (FellegiSunterModel.Comparison c : comps) {
      counts.put(c.name(), new long[c.numLevels()]);
    }
    long pairs = 0;
    for (PatternCount p : randomPairPatterns) {
      pairs += p.count();
      for (int i = 0; i < comps.size(); i++) {
        int g = p.gamma(i);
        if (g >= 0) {
          counts.get(comps.get(i).name())[g] += p.count();
        }
      }
    }
    return fromCounts(new Counts(counts, pairs), template, floor, fixU);
  }

  private static Result fromCounts(Counts agg, FellegiSunterModel template, double floor, boolean fixU) {
    Map<String, long[]> counts = agg.counts();
    List<String> warnings = new ArrayList<>();
    Map<String, double[]> us = new LinkedHashMap<>();
    FellegiSunterModel model = template;
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      double[] u = uFromCounts(e.getKey(), e.getValue(), floor, warnings);
      us.put(e.getKey(), u);
      model = model.withU(e.getKey(), u, fixU);
    }
    long pairs = agg.pairs();
    model = model.withMetadata("u.randomPairs", Long.toString(pairs));
    return new Result(model, us, counts, pairs, warnings);
  }
}
