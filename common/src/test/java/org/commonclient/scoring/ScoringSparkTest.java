package org.commonclient.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.config.ConfigLoader;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SparkExtension.class)
class ScoringSparkTest {
  private static final StructType VECTORS =
      new StructType()
          .add("uid_l", DataTypes.LongType)
          .add("uid_r", DataTypes.LongType)
          .add("match_key", DataTypes.IntegerType)
          .add("gamma_last_name", DataTypes.IntegerType)
          .add("gamma_dob", DataTypes.IntegerType)
          .add("twin_guard", DataTypes.BooleanType);

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void scoringExpressionsGiveHandComputedWeights(SparkSession spark) {
    FellegiSunterModel model = FellegiSunterModelTest.handModel();
    Dataset<Row> v =
        spark.createDataFrame(
            List.of(
                RowFactory.create(1L, 2L, 0, 2, 1, false),
                RowFactory.create(1L, 3L, 0, -1, 0, false),
                RowFactory.create(2L, 3L, 1, null, 1, false),
                RowFactory.create(3L, 4L, 1, 1, -1, true)),
            VECTORS);
    Map<Long, Row> byR = new HashMap<>();
    Map<Long, Row> rows = new HashMap<>();
    for (Row r : model.score(v).collectAsList()) {
      rows.put(r.getLong(0) * 100 + r.getLong(1), r);
    }
    double prior = log2(0.01 / 0.99);
    double[][] expected = {
      {102, prior + log2(0.7 / 0.05) + log2(0.8 / 0.1), 0.7 / 0.05, 8.0},
      {103, prior + log2(0.2 / 0.9), 1.0, 0.2 / 0.9},
      {203, prior + log2(8.0), 1.0, 8.0},
      {304, prior + log2(0.2 / 0.15), 0.2 / 0.15, 1.0},
    };
    for (double[] e : expected) {
      Row r = rows.get((long) e[0]);
      double w = r.getDouble(r.fieldIndex("match_weight"));
      assertEquals(e[1], w, 1e-9, "match_weight of pair " + (long) e[0]);
      assertEquals(model.matchWeight(gammaOr(r, "gamma_last_name"), gammaOr(r, "gamma_dob")), w, 1e-9, "java == spark");
      assertEquals(e[2], r.getDouble(r.fieldIndex("bf_last_name")), 1e-9, "bf_last_name of " + (long) e[0]);
      assertEquals(e[3], r.getDouble(r.fieldIndex("bf_dob")), 1e-9, "bf_dob of " + (long) e[0]);
      assertEquals(
          1 / (1 + Math.pow(2, -e[1])), r.getDouble(r.fieldIndex("match_probability")), 1e-12, "probability");
    }
    assertTrue(byR.isEmpty());
  }

  private static int gammaOr(Row r, String c) {
    return r.isNullAt(r.fieldIndex(c)) ? -1 : r.getInt(r.fieldIndex(c));
  }

  @Test
  void patternCountsFromADatasetTrainEm(SparkSession spark) {
    List<int[]> pairs = Simulation.pairs(3000, 0.2, 21);
    List<String> names = new ArrayList<>(Simulation.M.keySet());
    StructType schema = new StructType().add("uid_l", DataTypes.LongType).add("uid_r", DataTypes.LongType);
    for (String n : names) {
      schema = schema.add("gamma_" + n, DataTypes.IntegerType);
    }
    List<Row> rows = new ArrayList<>();
    long i = 0;
    for (int[] p : pairs) {
      Object[] vals = new Object[names.size() + 2];
      vals[0] = i;
      vals[1] = i + 1_000_000;
      for (int c = 0; c < names.size(); c++) {
        vals[c + 2] = p[c] == -1 && c == 0 ? null : p[c]; // a SQL null is the null level too
      }
      rows.add(RowFactory.create(vals));
      i++;
    }
    Dataset<Row> v = spark.createDataFrame(rows, schema);
    List<PatternCount> fromSpark = Em.patternCounts(v, names);
    Set<PatternCount> expected = new HashSet<>(Simulation.patterns(pairs));
    assertEquals(expected, new HashSet<>(fromSpark), "Spark pattern counts equal Java counts");
    FellegiSunterModel start = FellegiSunterModel.initial(Simulation.levels(), 0.5);
    for (String c : names) {
      start = start.withU(c, Simulation.U.get(c), true);
    }
    EmResult r = Em.train(v, start, EmSettings.defaults().withMaxIterations(100));
    assertEquals(0.2, r.model().lambda(), 0.03, "lambda from 3000 pairs");
  }

  @Test
  void randomPairsAreDistinctDeterministicAndBounded(SparkSession spark) {
    StructType schema =
        new StructType().add("uid", DataTypes.LongType).add("last_name", DataTypes.StringType);
    List<Row> recs = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      recs.add(RowFactory.create(1000L + 7L * i, "N" + i));
    }
    Dataset<Row> records = spark.createDataFrame(recs, schema);
    List<Row> a = RandomPairs.sample(records, 500, 1).orderBy("uid_l", "uid_r").collectAsList();
    List<Row> b = RandomPairs.sample(records, 500, 1).orderBy("uid_l", "uid_r").collectAsList();
    List<Row> c = RandomPairs.sample(records, 500, 2).orderBy("uid_l", "uid_r").collectAsList();
    assertEquals(404, a.size(), "4 offsets x 101 records");
    assertEquals(a, b, "same seed, same pairs");
    assertNotEquals(a, c, "another seed, other pairs");
    Set<String> seen = new HashSet<>();
    for (Row r : a) {
      long l = r.getLong(r.fieldIndex("uid_l"));
      long rr = r.getLong(r.fieldIndex("uid_r"));
      assertTrue(l < rr, "uid_l < uid_r");
      assertTrue(seen.add(l + "-" + rr), "distinct pair " + l + "-" + rr);
      assertEquals("N" + (l - 1000) / 7, r.getString(r.fieldIndex("last_name_l")), "left columns follow uid_l");
      assertEquals("N" + (rr - 1000) / 7, r.getString(r.fieldIndex("last_name_r")), "right columns follow uid_r");
    }
    assertEquals(30, RandomPairs.sample(records, 30, 1).count(), "fewer pairs than records");
    assertEquals(101 * 50, RandomPairs.sample(records, 1_000_000, 1).distinct().count(), "at most all pairs");
  }

  @Test
  void uFromRandomPairsWithFloor(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    // last_name: 90 at level 0, 10 at level 1, none at level 2; dob: 5 nulls, 80 at 0, 15 at 1
    for (int i = 0; i < 100; i++) {
      Integer dob = i < 5 ? null : (i < 85 ? 0 : 1);
      rows.add(RowFactory.create((long) i, (long) i + 1000, 0, i < 90 ? 0 : 1, dob, false));
    }
    Dataset<Row> v = spark.createDataFrame(rows, VECTORS);
    UEstimator.Result r = UEstimator.estimate(v, FellegiSunterModelTest.handModel(), 1e-4, true);
    double[] u = r.u().get("last_name");
    double s = 0.9 + 0.1 + 1e-4;
    assertEquals(0.9 / s, u[0], 1e-12, "u level 0");
    assertEquals(0.1 / s, u[1], 1e-12, "u level 1");
    assertEquals(1e-4 / s, u[2], 1e-12, "floored unobserved level");
    assertEquals(80.0 / 95, r.u().get("dob")[0], 1e-12, "nulls excluded");
    assertEquals(100, r.pairs(), "pairs");
    assertTrue(r.model().comparison("dob").levels().get(0).fixedU(), "u fixed in the model");
    assertFalse(r.warnings().isEmpty(), "warning for unobserved level");
  }

  @Test
  void termFrequencyMakesCommonNamesWeighLessAndRareNamesMore(SparkSession spark) {
    StructType recSchema =
        new StructType().add("uid", DataTypes.LongType).add("last_name", DataTypes.StringType);
    List<Row> recs = new ArrayList<>();
    long uid = 1;
    for (int i = 0; i < 30; i++) {
      recs.add(RowFactory.create(uid++, "SMITH"));
    }
    for (int i = 0; i < 69; i++) {
      recs.add(RowFactory.create(uid++, "NAME" + (i % 23)));
    }
    recs.add(RowFactory.create(uid++, "ZYWICKI"));
    recs.add(RowFactory.create(uid++, null));
    Dataset<Row> records = spark.createDataFrame(recs, recSchema);
    Dataset<Row> tf = TermFrequencies.compute(records, "last_name");
    Map<String, Double> tfs = new HashMap<>();
    for (Row r : tf.collectAsList()) {
      tfs.put(r.getString(0), r.getDouble(1));
    }
    assertEquals(0.3, tfs.get("SMITH"), 1e-12, "tf SMITH");
    assertEquals(0.01, tfs.get("ZYWICKI"), 1e-12, "tf ZYWICKI");

    StructType pairSchema =
        VECTORS.add("last_name_l", DataTypes.StringType).add("last_name_r", DataTypes.StringType);
    Dataset<Row> pairs =
        spark.createDataFrame(
            List.of(
                RowFactory.create(1L, 2L, 0, 2, 1, false, "SMITH", "SMITH"),
                RowFactory.create(100L, 200L, 0, 2, 1, false, "ZYWICKI", "ZYWICKI"),
                RowFactory.create(5L, 6L, 0, 1, 1, false, "SMITH", "SMYTH"),
                RowFactory.create(7L, 8L, 0, 2, 1, false, "UNSEEN", "UNSEEN")),
            pairSchema);
    FellegiSunterModel model = FellegiSunterModelTest.handModel(); // u exact last_name = 0.05
    TermFrequencySettings settings =
        new TermFrequencySettings(
            List.of(new TermFrequencySettings.Adjustment("last_name", "last_name", -1)), 0.05, 20.0, 1000);
    Dataset<Row> adjusted = TermFrequencies.adjustAll(pairs, records, model, settings);
    Map<Long, Row> byL = new HashMap<>();
    for (Row r : model.score(adjusted).collectAsList()) {
      byL.put(r.getLong(r.fieldIndex("uid_l")), r);
    }
    double base = model.matchWeight(2, 1);
    double smith = byL.get(1L).getDouble(byL.get(1L).fieldIndex("match_weight"));
    double rare = byL.get(100L).getDouble(byL.get(100L).fieldIndex("match_weight"));
    assertTrue(smith < base, "common surname weighs less: " + smith + " < " + base);
    assertTrue(rare > base, "rare surname weighs more: " + rare + " > " + base);
    assertEquals(base + log2(0.05 / 0.3), smith, 1e-9, "SMITH: u/tf = 0.05/0.3");
    assertEquals(base + log2(0.05 / 0.01), rare, 1e-9, "ZYWICKI: u/tf = 0.05/0.01");
    Row fuzzy = byL.get(5L);
    assertEquals(1.0, fuzzy.getDouble(fuzzy.fieldIndex("bf_tf_adj_last_name")), 0.0, "non-exact level untouched");
    Row unseen = byL.get(7L);
    assertEquals(1.0, unseen.getDouble(unseen.fieldIndex("bf_tf_adj_last_name")), 0.0, "value without tf untouched");
    assertEquals(4, adjusted.count(), "the left joins keep every pair");
  }

  @Test
  void modelStoreRoundTripJsonAndDelta(SparkSession spark, @TempDir Path dir) {
    FellegiSunterModel model = FellegiSunterModelTest.handModel().withMetadata("run", "r1");
    String json = dir.resolve("m/model.json").toString();
    ModelStore.save(spark, model, json);
    assertEquals(model, ModelStore.load(spark, json), "JSON file round trip");
    String table = dir.resolve("model_table").toString();
    ModelStore.save(spark, model, table);
    FellegiSunterModel second = model.withLambda(0.02, false);
    ModelStore.save(spark, second, table);
    assertEquals(second, ModelStore.load(spark, table), "Delta table: the latest model");
    assertEquals(2, spark.read().format("delta").load(table).count(), "both versions kept");
  }

  @Test
  void configDefaultsRead() {
    ScoringConfig c = ScoringConfig.from(ConfigLoader.load(null));
    assertTrue(c.fixedModel().isEmpty(), "no fixed model by default");
    assertEquals(100, c.em().maxIterations());
    assertTrue(c.em().fixU());
    assertEquals(2, c.termFrequency().adjustments().size());
    assertEquals(SupervisedScorer.Algorithm.LOGISTIC, c.supervised().algorithm());
    assertEquals(ScoringConfig.defaults(), c, "defaults() matches scoring.conf");
  }

  @Test
  void supervisedScorerTrainsScoresAndComparesWithFs(SparkSession spark) {
    List<int[]> pairs = Simulation.pairs(600, 0.3, 99);
    List<String> names = new ArrayList<>(Simulation.M.keySet());
    StructType schema = new StructType().add("uid_l", DataTypes.LongType).add("uid_r", DataTypes.LongType);
    for (String n : names) {
      schema = schema.add("gamma_" + n, DataTypes.IntegerType);
    }
    StructType labelSchema =
        new StructType()
            .add("uid_l", DataTypes.LongType)
            .add("uid_r", DataTypes.LongType)
            .add("is_match", DataTypes.BooleanType);
    List<Row> rows = new ArrayList<>();
    List<Row> labels = new ArrayList<>();
    long i = 0;
    for (int[] p : pairs) {
      Object[] vals = new Object[names.size() + 2];
      vals[0] = i;
      vals[1] = i + 10_000;
      for (int c = 0; c < names.size(); c++) {
        vals[c + 2] = p[c];
      }
      rows.add(RowFactory.create(vals));
      // labels name the pair in either order
      labels.add(i % 2 == 0 ? RowFactory.create(i, i + 10_000, p[names.size()] == 1)
          : RowFactory.create(i + 10_000, i, p[names.size()] == 1));
      i++;
    }
    Dataset<Row> v = spark.createDataFrame(rows, schema);
    Dataset<Row> lab = spark.createDataFrame(labels, labelSchema);
    Dataset<Row> labelled = SupervisedScorer.labelled(v, lab);
    assertEquals(600, labelled.count(), "every pair labelled");
    for (SupervisedScorer.Algorithm alg : SupervisedScorer.Algorithm.values()) {
      SupervisedScorer s =
          SupervisedScorer.train(labelled, names, new SupervisedScorer.Settings(alg, 20, 0.01, 3, 7));
      Dataset<Row> scored = s.score(v);
      assertEquals(600, scored.count(), alg + ": every pair scored");
      assertTrue(scored.filter("match_probability < 0 or match_probability > 1").isEmpty(), "probabilities");
      FellegiSunterModel fs = FellegiSunterModel.of(0.3, Simulation.M, Simulation.U);
      Map<String, SupervisedScorer.PrecisionRecall> cmp = s.compare(fs, v, lab, 0.5);
      SupervisedScorer.PrecisionRecall sup = cmp.get("supervised");
      SupervisedScorer.PrecisionRecall fsr = cmp.get("fellegi_sunter");
      assertEquals(600, sup.truePositives() + sup.falsePositives() + sup.falseNegatives() + sup.trueNegatives());
      assertTrue(sup.precision() > 0.85 && sup.recall() > 0.85, alg + " supervised P/R " + sup);
      assertTrue(fsr.precision() > 0.85 && fsr.recall() > 0.85, "FS with true parameters P/R " + fsr);
      System.out.printf(
          "%s: supervised P=%.3f R=%.3f; FS P=%.3f R=%.3f%n",
          alg, sup.precision(), sup.recall(), fsr.precision(), fsr.recall());
    }
  }
}
