package org.commonclient.review;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.scoring.Scoring;
import org.commonclient.scoring.SupervisedScorer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link stage's optional supervised scoring: when {@code scoring.supervised.useClericalLabels}
 * is set, a {@link SupervisedScorer} is trained on the clerically labelled pairs among this run's
 * candidate pairs and its probability replaces the Fellegi-Sunter one ({@code match_weight} becomes
 * its log2 odds, so clustering, match_pairs and the report stay consistent).
 */
public final class ClericalScoring {
  private static final Logger LOG = LoggerFactory.getLogger(ClericalScoring.class);

  private ClericalScoring() {}

  /**
   * Returns {@code scored} unchanged when the setting is off; otherwise re-scored by the trained
   * classifier.
   *
   * @param scored FS-scored comparison vectors (uid_l, uid_r, gamma_*, match_weight, match_probability)
   */
  public static Dataset<Row> apply(SparkSession spark, StorageConfig storage, SupervisedScorer.Settings settings,
      List<String> comparisons, Dataset<Row> scored) {
    if (!settings.useClericalLabels()) {
      return scored;
    }
    String table = storage.linked("clerical_labels");
    if (!DeltaTables.exists(spark, table)) {
      throw new IllegalStateException("scoring.supervised.useClericalLabels is set but there is no clerical_labels table"
          + " at " + table + ": run review export and review import first");
    }
    Dataset<Row> labels = ReviewLabels.labelsWithUids(spark, storage).select("uid_l", "uid_r", "is_match");
    Dataset<Row> labelled = SupervisedScorer.labelled(scored, labels).cache();
    Row counts = labelled.agg(sum(when(col("is_match"), 1L).otherwise(0L)), sum(when(col("is_match"), 0L).otherwise(1L)))
        .head();
    long matches = counts.isNullAt(0) ? 0 : counts.getLong(0);
    long nonMatches = counts.isNullAt(1) ? 0 : counts.getLong(1);
    if (matches + nonMatches < settings.minLabels() || matches == 0 || nonMatches == 0) {
      labelled.unpersist();
      throw new IllegalStateException("scoring.supervised.useClericalLabels: only " + matches + " matches and "
          + nonMatches + " non-matches of clerical_labels are among this run's candidate pairs; need both classes and"
          + " at least scoring.supervised.minLabels = " + settings.minLabels());
    }
    SupervisedScorer scorer = SupervisedScorer.train(labelled, comparisons, settings);
    labelled.unpersist();
    LOG.info("supervised scoring ({}) trained on {} labelled pairs ({} matches)", settings.algorithm(),
        matches + nonMatches, matches);
    Column p = greatest(least(col(Scoring.MATCH_PROBABILITY), lit(1 - 1e-12)), lit(1e-12));
    return scorer.score(scored).withColumn(Scoring.MATCH_WEIGHT, log(2.0, p.divide(lit(1.0).minus(p))));
  }
}
