package org.commonclient.scoring;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A supervised alternative to Fellegi-Sunter: a Spark MLlib classifier (logistic regression or
 * gradient-boosted trees) trained on clerically labelled pairs, with each comparison's gamma
 * one-hot encoded (the null level is a category of its own). It writes {@code match_probability}
 * so its output can be evaluated exactly like the FS score ({@link #evaluate}, {@link #compare}).
 */
public final class SupervisedScorer {
  public enum Algorithm {
    LOGISTIC,
    GBT
  }

  /**
   * @param maxIter iterations (LR) or trees (GBT)
   * @param regParam L2 regularisation of LR
   * @param maxDepth tree depth of GBT
   * @param useClericalLabels the link stage trains this scorer on {@code linked/clerical_labels}
   *     and scores with it instead of the Fellegi-Sunter probability
   * @param minLabels fewest labelled candidate pairs (of each class at least one) to train on
   */
  public record Settings(Algorithm algorithm, int maxIter, double regParam, int maxDepth, long seed,
      boolean useClericalLabels, int minLabels) {
    public Settings(Algorithm algorithm, int maxIter, double regParam, int maxDepth, long seed) {
      this(algorithm, maxIter, regParam, maxDepth, seed, false, 20);
    }

    public static Settings defaults() {
      return new Settings(Algorithm.LOGISTIC, 100, 0.01, 4, 42L);
    }
  }

  /** Precision and recall of a scorer at a threshold against clerical labels. */
  public record PrecisionRecall(
      double threshold, long truePositives, long falsePositives, long falseNegatives, long trueNegatives) {
    public double precision() {
      long d = truePositives + falsePositives;
      return d == 0 ? Double.NaN : (double) truePositives / d;
    }

    public double recall() {
      long d = truePositives + falseNegatives;
      return d == 0 ? Double.NaN : (double) truePositives / d;
    }

    public double f1() {
      double p = precision();
      double r = recall();
      return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }
  }

  private final PipelineModel pipeline;
  private final List<String> comparisons;

  private SupervisedScorer(PipelineModel pipeline, List<String> comparisons) {
    this.pipeline = pipeline;
    this.comparisons = List.copyOf(comparisons);
  }

  public List<String> comparisons() {
    return comparisons;
  }

  public PipelineModel pipeline() {
    return pipeline;
  }

  /**
   * Joins comparison vectors with clerical labels ({@code uid_l, uid_r, is_match}); labels may
   * name the two records in either order. Only labelled pairs are kept.
   */
  public static Dataset<Row> labelled(Dataset<Row> vectors, Dataset<Row> labels) {
    Dataset<Row> norm =
        labels.select(
            least(col("uid_l"), col("uid_r")).as("__lab_l"),
            greatest(col("uid_l"), col("uid_r")).as("__lab_r"),
            col("is_match").cast("boolean").as("is_match"));
    Dataset<Row> v = vectors.drop("is_match");
    return v.join(
            norm,
            v.col("uid_l").equalTo(norm.col("__lab_l")).and(v.col("uid_r").equalTo(norm.col("__lab_r"))))
        .drop("__lab_l", "__lab_r");
  }

  /** Trains on labelled vectors (gamma columns + boolean {@code is_match}). */
  public static SupervisedScorer train(
      Dataset<Row> labelledVectors, List<String> comparisons, Settings settings) {
    Dataset<Row> data = features(labelledVectors, comparisons)
        .withColumn("__label", col("is_match").cast("double"));
    List<PipelineStage> stages = new ArrayList<>();
    String[] in = comparisons.stream().map(c -> "__cat_" + c).toArray(String[]::new);
    String[] oh = comparisons.stream().map(c -> "__oh_" + c).toArray(String[]::new);
    stages.add(
        new OneHotEncoder()
            .setInputCols(in)
            .setOutputCols(oh)
            .setDropLast(false)
            .setHandleInvalid("keep"));
    stages.add(new VectorAssembler().setInputCols(oh).setOutputCol("__features"));
    switch (settings.algorithm()) {
      case LOGISTIC ->
          stages.add(
              new LogisticRegression()
                  .setFeaturesCol("__features")
                  .setLabelCol("__label")
                  .setProbabilityCol("__probability")
                  .setRawPredictionCol("__raw")
                  .setPredictionCol("__prediction")
                  .setMaxIter(settings.maxIter())
                  .setRegParam(settings.regParam()));
      case GBT ->
          stages.add(
              new GBTClassifier()
                  .setFeaturesCol("__features")
                  .setLabelCol("__label")
                  .setProbabilityCol("__probability")
                  .setRawPredictionCol("__raw")
                  .setPredictionCol("__prediction")
                  .setMaxIter(settings.maxIter())
                  .setMaxDepth(settings.maxDepth())
                  .setSeed(settings.seed()));
    }
    PipelineModel model = new Pipeline().setStages(stages.toArray(PipelineStage[]::new)).fit(data);
    return new SupervisedScorer(model, comparisons);
  }

  /** Adds (replaces) {@code match_probability} = the classifier's probability of a match. */
  public Dataset<Row> score(Dataset<Row> vectors) {
    Dataset<Row> in = features(vectors.drop(Scoring.MATCH_PROBABILITY), comparisons);
    Dataset<Row> out = pipeline.transform(in);
    out =
        out.withColumn(
            Scoring.MATCH_PROBABILITY,
            org.apache.spark.ml.functions.vector_to_array(col("__probability"), "float64")
                .getItem(1));
    List<String> drop = new ArrayList<>(List.of("__features", "__probability", "__raw", "__prediction"));
    for (String c : comparisons) {
      drop.add("__cat_" + c);
      drop.add("__oh_" + c);
    }
    return out.drop(drop.toArray(String[]::new));
  }

  /** gamma + 1 as a double category (null and -1 become category 0). */
  private static Dataset<Row> features(Dataset<Row> vectors, List<String> comparisons) {
    Map<String, Column> cats = new LinkedHashMap<>();
    for (String c : comparisons) {
      cats.put(
          "__cat_" + c,
          coalesce(col("gamma_" + c).cast("int"), lit(-1)).plus(1).cast("double"));
    }
    return vectors.withColumns(cats);
  }

  /**
   * Precision/recall of {@code match_probability >= threshold} on the labelled pairs of
   * {@code scored} (pairs without a label are ignored; labelled pairs missing from {@code scored}
   * count as predicted non-matches, as the blocking missed them).
   */
  public static PrecisionRecall evaluate(Dataset<Row> scored, Dataset<Row> labels, double threshold) {
    Dataset<Row> norm =
        labels.select(
            least(col("uid_l"), col("uid_r")).as("__lab_l"),
            greatest(col("uid_l"), col("uid_r")).as("__lab_r"),
            col("is_match").cast("boolean").as("__truth"));
    Dataset<Row> s = scored.select(col("uid_l"), col("uid_r"), col(Scoring.MATCH_PROBABILITY));
    Dataset<Row> j =
        norm.join(
            s,
            norm.col("__lab_l").equalTo(s.col("uid_l")).and(norm.col("__lab_r").equalTo(s.col("uid_r"))),
            "left");
    Column predicted = coalesce(col(Scoring.MATCH_PROBABILITY).geq(threshold), lit(false));
    Column truth = col("__truth");
    Row r =
        j.agg(
                functions.sum(functions.when(predicted.and(truth), 1L).otherwise(0L)),
                functions.sum(functions.when(predicted.and(functions.not(truth)), 1L).otherwise(0L)),
                functions.sum(functions.when(functions.not(predicted).and(truth), 1L).otherwise(0L)),
                functions.sum(
                    functions.when(functions.not(predicted).and(functions.not(truth)), 1L).otherwise(0L)))
            .first();
    return new PrecisionRecall(
        threshold,
        r.isNullAt(0) ? 0 : r.getLong(0),
        r.isNullAt(1) ? 0 : r.getLong(1),
        r.isNullAt(2) ? 0 : r.getLong(2),
        r.isNullAt(3) ? 0 : r.getLong(3));
  }

  /**
   * Evaluates a Fellegi-Sunter model and this classifier on the same labelled pairs at the same
   * threshold: keys "fellegi_sunter" and "supervised".
   */
  public Map<String, PrecisionRecall> compare(
      FellegiSunterModel fs, Dataset<Row> vectors, Dataset<Row> labels, double threshold) {
    Map<String, PrecisionRecall> out = new LinkedHashMap<>();
    out.put("fellegi_sunter", evaluate(fs.score(vectors), labels, threshold));
    out.put("supervised", evaluate(score(vectors), labels, threshold));
    return out;
  }
}
