package org.commonclient.review;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.io.Schemas;
import org.commonclient.scoring.SupervisedScorer;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The link stage's supervised scoring on clerical labels, on 80 hand-built scored pairs. */
@ExtendWith(SparkExtension.class)
class ClericalScoringTest {
  @TempDir Path dir;

  static final SupervisedScorer.Settings ON =
      new SupervisedScorer.Settings(SupervisedScorer.Algorithm.LOGISTIC, 50, 0.01, 3, 7L, true, 20);

  /** Pair i: name agrees (2), partly (1) or not (0); dob agrees for even i. Matches: name 2 and dob 1. */
  static Dataset<Row> scored(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      rows.add(RowFactory.create("a", "l" + i, "b", "r" + i, i % 3, i % 2 == 0 ? 1 : 0, 0.0, 0.5));
    }
    StructType s = new StructType().add("source_l", "string").add("record_id_l", "string").add("source_r", "string")
        .add("record_id_r", "string").add("gamma_name", "int").add("gamma_dob", "int").add("match_weight", "double")
        .add("match_probability", "double");
    return spark.createDataFrame(rows, s)
        .withColumn("uid_l", xxhash64(col("source_l"), col("record_id_l")))
        .withColumn("uid_r", xxhash64(col("source_r"), col("record_id_r")))
        .drop("source_l", "record_id_l", "source_r", "record_id_r");
  }

  static void writeLabels(SparkSession spark, StorageConfig storage, int n) {
    List<Row> rows = new ArrayList<>();
    java.sql.Timestamp now = new java.sql.Timestamp(0);
    for (int i = 0; i < n; i++) {
      boolean match = i % 3 == 2 && i % 2 == 0;
      rows.add(RowFactory.create("a", "l" + i, "b", "r" + i, match, "band", 1, 0.0, 1.0, 80L, 0.0, 0.5, "run", "f.csv",
          i + 2, "imp", now));
    }
    DeltaTables.overwrite(spark.createDataFrame(rows, Schemas.CLERICAL_LABEL), storage.linked("clerical_labels"));
  }

  StorageConfig storage() {
    return new StorageConfig(dir + "/identified", dir + "/linked", dir + "/published");
  }

  @Test
  void offLeavesTheFellegiSunterScores(SparkSession spark) {
    Dataset<Row> s = scored(spark);
    assertSame(s, ClericalScoring.apply(spark, storage(), SupervisedScorer.Settings.defaults(), List.of("name", "dob"), s));
  }

  @Test
  void labelsTrainTheScorerThatReplacesProbabilityAndWeight(SparkSession spark) {
    writeLabels(spark, storage(), 60);
    List<Row> out = ClericalScoring.apply(spark, storage(), ON, List.of("name", "dob"), scored(spark))
        .select("gamma_name", "gamma_dob", "match_probability", "match_weight").collectAsList();
    assertEquals(80, out.size(), "every pair is scored, labelled or not");
    for (Row r : out) {
      boolean match = r.getInt(0) == 2 && r.getInt(1) == 1;
      double p = r.getDouble(2);
      assertTrue(match ? p > 0.5 : p < 0.5, "pattern " + r + " scored " + p);
      assertEquals(Math.log(p / (1 - p)) / Math.log(2), r.getDouble(3), 1e-6, "weight = log2 odds");
    }
  }

  @Test
  void missingOrTooFewLabelsFailWithAClearMessage(SparkSession spark) {
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> ClericalScoring.apply(spark, storage(), ON, List.of("name", "dob"), scored(spark)));
    assertTrue(none.getMessage().contains("run review export and review import first"), none.getMessage());
    writeLabels(spark, storage(), 10);
    IllegalStateException few = assertThrows(IllegalStateException.class,
        () -> ClericalScoring.apply(spark, storage(), ON, List.of("name", "dob"), scored(spark)));
    assertTrue(few.getMessage().contains("minLabels = 20"), few.getMessage());
  }
}
