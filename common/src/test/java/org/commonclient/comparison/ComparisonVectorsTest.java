package org.commonclient.comparison;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.commonclient.io.Schemas;
import org.commonclient.standardise.StandardiseConfig;
import org.commonclient.standardise.Standardiser;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SparkExtension.class)
class ComparisonVectorsTest {

  @Test
  void defaultsParseIntoSevenComparisons() {
    ComparisonConfig cfg = ComparisonConfig.defaults();
    List<Comparison> cs = Comparisons.defaultPersonComparisons(cfg);
    assertEquals(
        List.of("first_name", "last_name", "middle_name", "dob", "ssn", "sex", "address"),
        cs.stream().map(Comparison::name).toList());
    assertEquals(
        List.of("else", "swap_last_name", "jw>=0.88|phonetic", "jw>=0.92", "nickname", "exact"),
        cs.get(0).labelsByGamma());
    assertEquals(0.92, cfg.twinGuard().jwThreshold());
  }

  @Test
  void unknownLevelKeyFailsNamingIt() {
    String conf =
        "commonclient.linkage.comparison { comparisons = [ { name = x, column = x, levels = ["
            + " { kind = jaroWinkler, treshold = 0.9 } ] } ], twinGuard { jwThreshold = 0.9, surnameTokenMinLength = 3 } }";
    ConfigException e =
        assertThrows(ConfigException.class, () -> ComparisonConfig.from(ConfigFactory.parseString(conf)));
    assertTrue(e.getMessage().contains("levels[0].treshold"), e.getMessage());
    String missing = "commonclient.linkage.comparison { comparisons = [] }";
    assertThrows(ConfigException.Missing.class, () -> ComparisonConfig.from(ConfigFactory.parseString(missing)));
  }

  @Test
  void factoriesBuildGraded(SparkSession spark) {
    StructType schema = new StructType().add("s_l", "string").add("s_r", "string");
    Dataset<Row> df =
        spark.createDataFrame(
            List.of(
                RowFactory.create("MARTHA", "MARTHA"),
                RowFactory.create("MARTHA", "MARHTA"),
                RowFactory.create("DWAYNE", "DUANE"),
                RowFactory.create("ABC", "XYZ"),
                RowFactory.create(null, "XYZ")),
            schema);
    // JW(MARTHA, MARHTA) = 0.961, JW(DWAYNE, DUANE) = 0.84; Levenshtein 2 and 2
    Dataset<Row> jw =
        ComparisonVectors.compute(df, List.of(Comparisons.jaroWinklerAtThresholds("s", 0.95, 0.8)));
    assertEquals(List.of(3, 2, 1, 0, -1), jw.collectAsList().stream().map(r -> r.<Integer>getAs("gamma_s")).toList());
    assertEquals(3, jw.columns().length, "helper columns are dropped: " + Arrays.toString(jw.columns()));
    Dataset<Row> lev =
        ComparisonVectors.compute(df, List.of(Comparisons.levenshteinAtThresholds("s", 1, 2)));
    assertEquals(List.of(3, 1, 1, 0, -1), lev.collectAsList().stream().map(r -> r.<Integer>getAs("gamma_s")).toList());
    Dataset<Row> ex = ComparisonVectors.compute(df, List.of(Comparisons.exactMatch("s")));
    assertEquals(List.of(1, 0, 0, 0, -1), ex.collectAsList().stream().map(r -> r.<Integer>getAs("gamma_s")).toList());
  }

  @Test
  void skippedComparisonsAreNullOnlyWhereTheirConditionHolds(SparkSession spark) {
    // one pass over pairs of two sets: set 1 skips the Jaro-Winkler comparison (and its helper),
    // set 0 computes everything; the exact comparison is computed for both
    StructType schema = new StructType().add("_set", "int").add("s_l", "string").add("s_r", "string")
        .add("t_l", "string").add("t_r", "string");
    Dataset<Row> df =
        spark.createDataFrame(
            List.of(
                RowFactory.create(0, "MARTHA", "MARHTA", "A", "A"),
                RowFactory.create(1, "MARTHA", "MARHTA", "A", "A"),
                RowFactory.create(1, "ABC", "XYZ", "A", "B"),
                RowFactory.create(0, "ABC", "XYZ", null, "B")),
            schema);
    List<Comparison> cs = List.of(Comparisons.jaroWinklerAtThresholds("s", 0.95, 0.8), Comparisons.exactMatch("t"));
    List<Row> out = ComparisonVectors.compute(df, cs, null, java.util.Map.of("s", col("_set").equalTo(1)))
        .select("gamma_s", "gamma_t").collectAsList();
    assertEquals(List.of(Arrays.asList(2, 1), Arrays.asList(null, 1), Arrays.asList(null, 0), Arrays.asList(0, -1)),
        out.stream().map(r -> Arrays.asList((Integer) r.get(0), (Integer) r.get(1))).toList());
    // no condition: the same as the plain computation
    assertEquals(ComparisonVectors.compute(df, cs).select("gamma_s", "gamma_t").collectAsList(),
        ComparisonVectors.compute(df, cs, null, java.util.Map.of()).select("gamma_s", "gamma_t").collectAsList());
  }

  @Test
  void joinSidesBuildsSuffixedColumns(SparkSession spark) {
    Dataset<Row> recs =
        spark.createDataFrame(
            List.of(
                RowFactory.create("s", "1", "TANF", "Robert", null, "Smith", null, null, "19800517",
                    "M", "123-45-6788", "1 Main St", "X", "IL", "62704", null, "h", null, null, null, null, null, null, null),
                RowFactory.create("s", "2", "SNAP", "Bob", null, "Smith", null, null, "05/17/1980",
                    "male", "123456788", "1 Main Street", "X", "IL", "62704", null, "h", null, null, null, null, null, null, null)),
            Schemas.PERSON_RECORD);
    Dataset<Row> std = Standardiser.standardise(recs, StandardiseConfig.defaults());
    Dataset<Row> pairs =
        std.as("a").join(std.as("b"), col("a.uid").lt(col("b.uid")))
            .select(col("a.uid").as("uid_l"), col("b.uid").as("uid_r"));
    Dataset<Row> both = ComparisonVectors.joinSides(pairs, std);
    assertTrue(Arrays.asList(both.columns()).containsAll(List.of("first_name_l", "first_name_r", "dob_l", "uid_l")));
    Row r = ComparisonVectors.compute(both, ComparisonConfig.defaults()).first();
    assertEquals(4, (int) r.getAs("gamma_first_name"), "ROBERT vs BOB is the nickname level");
    assertEquals(5, (int) r.getAs("gamma_last_name"));
    assertEquals(5, (int) r.getAs("gamma_dob"));
    assertEquals(4, (int) r.getAs("gamma_ssn"));
    assertEquals(6, (int) r.getAs("gamma_address"), "STREET and ST normalise alike");
    assertEquals(false, r.getAs("twin_guard"));
  }

  /** Cost of the Jaro-Winkler UDF on 1M pairs: run with -Dbench=true. */
  @Test
  @EnabledIfSystemProperty(named = "bench", matches = "true")
  void jaroWinklerCostOnOneMillionPairs(SparkSession spark) {
    Dataset<Row> pairs =
        spark.range(1_000_000).select(
            org.apache.spark.sql.functions.concat(org.apache.spark.sql.functions.lit("JONATHAN"), col("id").mod(97).cast("string")).as("s_l"),
            org.apache.spark.sql.functions.concat(org.apache.spark.sql.functions.lit("JONATHEN"), col("id").mod(89).cast("string")).as("s_r"));
    for (int run = 0; run < 2; run++) {
      long t0 = System.nanoTime();
      long n = ComparisonVectors.compute(pairs, List.of(Comparisons.jaroWinklerAtThresholds("s", 0.92, 0.88)))
          .where(col("gamma_s").geq(1)).count();
      long t1 = System.nanoTime();
      long m = pairs.where(org.apache.spark.sql.functions.levenshtein(col("s_l"), col("s_r"), 2).geq(0)).count();
      long t2 = System.nanoTime();
      long k = pairs.where(col("s_l").equalTo(col("s_r"))).count();
      long t3 = System.nanoTime();
      System.out.printf("run %d: JW gamma 1M pairs %d ms (%d), levenshtein %d ms (%d), equality %d ms (%d)%n",
          run, (t1 - t0) / 1_000_000, n, (t2 - t1) / 1_000_000, m, (t3 - t2) / 1_000_000, k);
    }
    assertTrue(new JaroWinklerSimilarity().apply("A", "A") == 1.0);
  }
}
