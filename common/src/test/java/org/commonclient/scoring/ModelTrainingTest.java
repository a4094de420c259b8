package org.commonclient.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.clustering.Clustering;
import org.commonclient.clustering.ClusteringConfig;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pieces composed on a small synthetic population: u, EM, score, cluster; fixed-model reuse. */
@ExtendWith(SparkExtension.class)
class ModelTrainingTest {
  static final StructType RECORDS =
      new StructType()
          .add("uid", DataTypes.LongType)
          .add("person", DataTypes.IntegerType)
          .add("first_name", DataTypes.StringType)
          .add("last_name", DataTypes.StringType)
          .add("dob", DataTypes.DateType);

  static Dataset<Row> population(SparkSession spark) {
    Random rnd = new Random(17);
    String[] last = new String[30];
    for (int i = 0; i < last.length; i++) {
      last[i] = "L" + (char) ('A' + i % 26) + i;
    }
    List<Row> rows = new ArrayList<>();
    long uid = 1;
    for (int p = 0; p < 300; p++) {
      String fn = "F" + (char) ('A' + rnd.nextInt(26)) + rnd.nextInt(40);
      String ln = last[rnd.nextInt(last.length)];
      LocalDate dob = LocalDate.of(1950, 1, 1).plusDays(rnd.nextInt(365 * 60));
      int copies = 1 + rnd.nextInt(2);
      for (int k = 0; k < copies; k++) {
        String f = k > 0 && rnd.nextDouble() < 0.15 ? fn.substring(0, 2) + "X" : fn;
        LocalDate d = k > 0 && rnd.nextDouble() < 0.1 ? dob.plusDays(31) : dob;
        String fnv = rnd.nextDouble() < 0.03 ? null : f;
        rows.add(RowFactory.create(uid++, p, fnv, ln, java.sql.Date.valueOf(d)));
      }
    }
    return spark.createDataFrame(rows, RECORDS);
  }

  static Dataset<Row> vectors(Dataset<Row> pairs) {
    Column fnNull = col("first_name_l").isNull().or(col("first_name_r").isNull());
    return pairs.select(
        col("uid_l"),
        col("uid_r"),
        (java.util.Arrays.asList(pairs.columns()).contains("match_key") ? col("match_key") : lit(-1)).as("match_key"),
        col("person_l"),
        col("person_r"),
        col("first_name_l"),
        col("first_name_r"),
        when(fnNull, lit(-1))
            .when(col("first_name_l").equalTo(col("first_name_r")), lit(2))
            .when(substring(col("first_name_l"), 1, 2).equalTo(substring(col("first_name_r"), 1, 2)), lit(1))
            .otherwise(lit(0))
            .as("gamma_first_name"),
        when(col("last_name_l").equalTo(col("last_name_r")), lit(1)).otherwise(lit(0)).as("gamma_last_name"),
        when(col("dob_l").equalTo(col("dob_r")), lit(2))
            .when(year(col("dob_l")).equalTo(year(col("dob_r"))), lit(1))
            .otherwise(lit(0))
            .as("gamma_dob"),
        lit(false).as("twin_guard"));
  }

  static Dataset<Row> sides(Dataset<Row> records, String side) {
    return records.select(
        col("uid").as("uid_" + side), col("person").as("person_" + side),
        col("first_name").as("first_name_" + side), col("last_name").as("last_name_" + side),
        col("dob").as("dob_" + side));
  }

  static final Column SAME_YEAR = year(col("dob_l")).equalTo(year(col("dob_r")));
  static final Column SAME_LAST = col("last_name_l").equalTo(col("last_name_r"));

  /** Pairs of one rule on its own (for training sessions). */
  static Dataset<Row> blockedOn(Dataset<Row> records, Column rule) {
    return sides(records, "l").join(sides(records, "r"), rule.and(col("uid_l").lt(col("uid_r"))))
        .withColumn("match_key", lit(0));
  }

  /** Prediction blocking: rule 0 same birth year; rule 1 same surname and not rule 0. */
  static Dataset<Row> blocked(Dataset<Row> records) {
    return sides(records, "l")
        .join(sides(records, "r"), SAME_YEAR.or(SAME_LAST).and(col("uid_l").lt(col("uid_r"))))
        .withColumn("match_key", when(SAME_YEAR, lit(0)).otherwise(lit(1)));
  }

  @Test
  void trainScoreClusterAndReuseAFixedModel(SparkSession spark, @TempDir Path dir) {
    Dataset<Row> records = population(spark);
    long n = records.count();
    Map<String, Integer> levels = new LinkedHashMap<>();
    levels.put("first_name", 3);
    levels.put("last_name", 2);
    levels.put("dob", 3);
    Dataset<Row> blockedVectors = vectors(blocked(records)).cache();
    long total = n * (n - 1) / 2;
    ModelTraining.Result trained =
        ModelTraining.trainOrLoad(
            spark,
            ScoringConfig.defaults(),
            levels,
            () -> vectors(RandomPairs.sample(records, 20_000, 3)),
            List.of(
                new ModelTraining.TrainingSession("dob year", vectors(blockedOn(records, SAME_YEAR)), Set.of("dob")),
                new ModelTraining.TrainingSession("surname", vectors(blockedOn(records, SAME_LAST)), Set.of("last_name"))),
            blockedVectors,
            Map.of(0, Set.of("dob"), 1, Set.of("last_name")),
            total);
    Em.SessionsResult em = trained.em().orElseThrow();
    Em.LambdaEstimate lambda = trained.lambda().orElseThrow();
    for (Map.Entry<String, EmResult> e : em.sessions().entrySet()) {
      System.out.printf("EM session %s: %d iterations, converged=%s, lambda=%.4f on %d pairs%n",
          e.getKey(), e.getValue().iterations(), e.getValue().converged(), e.getValue().model().lambda(),
          e.getValue().pairCount());
      assertTrue(e.getValue().converged(), "session converged: " + e.getKey());
    }
    long trueBlocked = blockedVectors.filter(col("person_l").equalTo(col("person_r"))).count();
    System.out.printf(
        "lambda by rule %s; expected matches %.1f (true %d); overall prior %.3g (true %.3g); m(dob)=%s%n",
        lambda.lambdaByMatchKey(), lambda.expectedMatches(), trueBlocked,
        lambda.overallPrior().getAsDouble(), (double) trueBlocked / total,
        java.util.Arrays.toString(trained.model().comparison("dob").m()));
    assertEquals(trueBlocked, lambda.expectedMatches(), 0.15 * trueBlocked, "expected matches near the truth");
    assertEquals("all_pairs", trained.model().metadata().get("lambda.scope"));
    assertEquals(lambda.overallPrior().getAsDouble(), trained.model().lambda(), 0.0);

    Dataset<Row> scored = trained.model().score(blockedVectors);
    long tp = scored.filter("match_probability >= 0.99 and person_l = person_r").count();
    long fp = scored.filter("match_probability >= 0.99 and person_l != person_r").count();
    long fn = scored.filter("match_probability < 0.99 and person_l = person_r").count();
    double precision = (double) tp / (tp + fp);
    double recall = (double) tp / (tp + fn);
    System.out.printf("pairs at p>=0.99: precision %.3f recall %.3f%n", precision, recall);
    assertTrue(precision > 0.9 && recall > 0.8, "precision " + precision + " recall " + recall);

    Dataset<Row> clustered =
        Clustering.cluster(scored, records, ClusteringConfig.defaults()).components();
    long clusters = clustered.select("cluster_id").distinct().count();
    System.out.printf("%d records -> %d clusters (300 persons)%n", n, clusters);
    assertTrue(Math.abs(clusters - 300) <= 30, "about 300 clusters: " + clusters);

    String path = dir.resolve("model.json").toString();
    ModelStore.save(spark, trained.model(), path);
    ScoringConfig fixed =
        new ScoringConfig(
            Optional.of(path), 0.1, EmSettings.defaults(), 1000, 1, 1e-6,
            TermFrequencySettings.defaults(), SupervisedScorer.Settings.defaults());
    ModelTraining.Result loaded =
        ModelTraining.trainOrLoad(
            spark, fixed, levels,
            () -> {
              throw new AssertionError("random pairs must not be sampled when the model is fixed");
            },
            List.of(), blockedVectors, Map.of(), 0);
    assertEquals(trained.model(), loaded.model(), "the fixed model is used as saved");
    assertTrue(loaded.em().isEmpty() && loaded.loadedFrom().isPresent(), "training skipped");
  }
}
