package org.commonclient.linkage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Accuracy of a linkage against ground truth: pairwise precision, recall and F1 of the clusters,
 * B-cubed precision and recall, and pairwise precision/recall of the scored pairs at a range of
 * match-probability thresholds.
 *
 * <p>Pairwise counts come from group sizes, never from materialised pairs: predicted pairs =
 * Σ C(|cluster|, 2), true pairs = Σ C(|entity|, 2), true positives = Σ C(|cluster ∩ entity|, 2).
 */
public final class Evaluation {
  private Evaluation() {}

  /** Cluster-level scores. */
  public record Scores(
      long records,
      long predictedPairs,
      long truePairs,
      long truePositives,
      double precision,
      double recall,
      double f1,
      double bcubedPrecision,
      double bcubedRecall,
      double bcubedF1) {
    @Override
    public String toString() {
      return String.format(
          "records %d, predicted pairs %d, true pairs %d, true positives %d%n"
              + "pairwise precision %.4f, recall %.4f, F1 %.4f%n"
              + "B-cubed precision %.4f, recall %.4f, F1 %.4f",
          records, predictedPairs, truePairs, truePositives, precision, recall, f1,
          bcubedPrecision, bcubedRecall, bcubedF1);
    }
  }

  /** Precision and recall of the scored pairs at one threshold. */
  public record ThresholdPoint(double threshold, long predicted, long truePositives, double precision, double recall, double f1) {}

  private static double f1(double p, double r) {
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /**
   * Scores a clustering.
   *
   * @param predicted (source, record_id, person_id)
   * @param truth (source, record_id, entity_id); records missing from truth are ignored
   */
  public static Scores clusters(Dataset<Row> predicted, Dataset<Row> truth) {
    Dataset<Row> j = predicted.select("source", "record_id", "person_id")
        .join(truth.select("source", "record_id", "entity_id"), new String[] {"source", "record_id"})
        .cache();
    try {
      Dataset<Row> inter = j.groupBy("person_id", "entity_id").agg(count(lit(1)).as("n"));
      Dataset<Row> cl = j.groupBy("person_id").agg(count(lit(1)).as("c"));
      Dataset<Row> en = j.groupBy("entity_id").agg(count(lit(1)).as("e"));
      Row a = inter.join(cl, "person_id").join(en, "entity_id")
          .agg(
              sum(col("n").multiply(col("n").minus(1)).divide(2)).as("tp"),
              sum(col("n").multiply(col("n")).divide(col("c"))).as("bp"),
              sum(col("n").multiply(col("n")).divide(col("e"))).as("br"),
              sum(col("n")).as("records"))
          .head();
      long predPairs = pairs(cl, "c");
      long truePairs = pairs(en, "e");
      long tp = a.isNullAt(0) ? 0 : Math.round(((Number) a.get(0)).doubleValue());
      long records = a.isNullAt(3) ? 0 : ((Number) a.get(3)).longValue();
      double p = predPairs == 0 ? 1 : (double) tp / predPairs;
      double r = truePairs == 0 ? 1 : (double) tp / truePairs;
      double bp = records == 0 ? 0 : ((Number) a.get(1)).doubleValue() / records;
      double br = records == 0 ? 0 : ((Number) a.get(2)).doubleValue() / records;
      return new Scores(records, predPairs, truePairs, tp, p, r, f1(p, r), bp, br, f1(bp, br));
    } finally {
      j.unpersist();
    }
  }

  private static long pairs(Dataset<Row> sizes, String c) {
    Row r = sizes.agg(sum(col(c).multiply(col(c).minus(1)).divide(2))).head();
    return r.isNullAt(0) ? 0 : Math.round(((Number) r.get(0)).doubleValue());
  }

  /**
   * Pairwise precision and recall of scored pairs at each threshold: a pair is predicted a match
   * when its match_probability is at least the threshold. Recall's denominator is every true pair
   * (blocked or not), so blocking losses show.
   *
   * @param scored (source_l, record_id_l, source_r, record_id_r, match_probability)
   * @param truth (source, record_id, entity_id)
   */
  public static List<ThresholdPoint> thresholds(Dataset<Row> scored, Dataset<Row> truth, double[] thresholds) {
    Dataset<Row> t = truth.select("source", "record_id", "entity_id");
    long truePairs = truePairs(t);
    Dataset<Row> labelled = labelled(scored, t).select(col("match_probability"), col("is_match"));
    List<org.apache.spark.sql.Column> aggs = new ArrayList<>();
    for (int i = 0; i < thresholds.length; i++) {
      var hit = col("match_probability").geq(thresholds[i]);
      aggs.add(sum(when(hit, 1L).otherwise(0L)).as("p" + i));
      aggs.add(sum(when(hit.and(col("is_match")), 1L).otherwise(0L)).as("t" + i));
    }
    Row r = labelled.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new org.apache.spark.sql.Column[0])).head();
    List<ThresholdPoint> out = new ArrayList<>();
    for (int i = 0; i < thresholds.length; i++) {
      long p = r.isNullAt(2 * i) ? 0 : r.getLong(2 * i);
      long tp = r.isNullAt(2 * i + 1) ? 0 : r.getLong(2 * i + 1);
      double prec = p == 0 ? 1 : (double) tp / p;
      double rec = truePairs == 0 ? 1 : (double) tp / truePairs;
      out.add(new ThresholdPoint(thresholds[i], p, tp, prec, rec, f1(prec, rec)));
    }
    return out;
  }

  /** All true pairs of the truth (entity sizes, no pair built). */
  private static long truePairs(Dataset<Row> truth) {
    return pairs(truth.groupBy("entity_id").agg(count(lit(1)).as("e")), "e");
  }

  /** The scored pairs with {@code is_match}: both records in the truth and of the same entity. */
  private static Dataset<Row> labelled(Dataset<Row> scored, Dataset<Row> t) {
    return scored
        .join(t.withColumnRenamed("source", "source_l").withColumnRenamed("record_id", "record_id_l")
            .withColumnRenamed("entity_id", "entity_l"), new String[] {"source_l", "record_id_l"})
        .join(t.withColumnRenamed("source", "source_r").withColumnRenamed("record_id", "record_id_r")
            .withColumnRenamed("entity_id", "entity_r"), new String[] {"source_r", "record_id_r"})
        .withColumn("is_match", col("entity_l").equalTo(col("entity_r")));
  }

  /**
   * What one blocking rule brought: its scored pairs (as kept in match_pairs), how many of them
   * are true pairs, how many of those reach the threshold, and that as a share of all true pairs
   * (the recall the rule contributes; a pair belongs to the first rule that generates it).
   */
  public record RuleContribution(String rule, long pairs, long truePairs, long matchedTruePairs, double recallShare) {}

  /**
   * Recall contributed by each blocking rule, to see which rules earn their pairs.
   *
   * @param scored match_pairs rows (source_l, record_id_l, source_r, record_id_r, match_probability, match_rule)
   * @param truth (source, record_id, entity_id)
   * @param threshold the clustering threshold (a pair at or above it is matched)
   */
  public static List<RuleContribution> byRule(Dataset<Row> scored, Dataset<Row> truth, double threshold) {
    Dataset<Row> t = truth.select("source", "record_id", "entity_id");
    long truePairs = truePairs(t);
    List<RuleContribution> out = new ArrayList<>();
    for (Row r : labelled(scored, t).groupBy("match_rule").agg(
            count(lit(1)),
            sum(when(col("is_match"), 1L).otherwise(0L)),
            sum(when(col("is_match").and(col("match_probability").geq(threshold)), 1L).otherwise(0L)))
        .orderBy("match_rule").collectAsList()) {
      long matched = r.getLong(3);
      out.add(new RuleContribution(r.isNullAt(0) ? "?" : r.getString(0), r.getLong(1), r.getLong(2), matched,
          truePairs == 0 ? 0 : (double) matched / truePairs));
    }
    return out;
  }
}
