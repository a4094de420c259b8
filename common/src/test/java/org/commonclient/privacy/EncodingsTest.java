package org.commonclient.privacy;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Token, blocking-token and Bloom-filter columns on hand-built standardised rows. */
@ExtendWith(SparkExtension.class)
class EncodingsTest {
  static final Secret SECRET = Secret.of("encodings-test-secret-0123456789".getBytes(StandardCharsets.UTF_8), 16);

  private static Dataset<Row> rows(SparkSession spark) {
    StructType s = new StructType()
        .add("source", DataTypes.StringType).add("record_id", DataTypes.StringType)
        .add("first_name", DataTypes.StringType).add("last_name", DataTypes.StringType)
        .add("dob", DataTypes.DateType).add("ssn", DataTypes.StringType);
    return spark.createDataFrame(List.of(
        RowFactory.create("a", "1", "MICHAELA", "NEUMANN", java.sql.Date.valueOf("1915-11-11"), "530421899"),
        RowFactory.create("b", "2", "MICHAELA", "NEUMAN", java.sql.Date.valueOf("1915-11-11"), "530421899"),
        RowFactory.create("b", "3", "COURTNEY", "PAINTER", null, "")), s);
  }

  @Test
  void recipesGiveEqualTokensForEqualKeysAndNullForMissingOnes(SparkSession spark) {
    Dataset<Row> d = rows(spark);
    PrivacyConfig.Recipe ssn = new PrivacyConfig.Recipe("ssn", List.of("ssn"), List.of());
    PrivacyConfig.Recipe nameDob = new PrivacyConfig.Recipe("name_dob", List.of("first_name", "last_name", "dob"), List.of());
    PrivacyConfig.Recipe initials = new PrivacyConfig.Recipe("dob_initial",
        List.of("dob", "array(substr(first_name, 1, 1), substr(last_name, 1, 1), '')"), List.of());
    List<Row> r = d.orderBy("record_id").select(
        Encodings.recipe(d, ssn, SECRET.derive("token/ssn")).as("t_ssn"),
        Encodings.recipe(d, nameDob, SECRET.derive("token/name_dob")).as("t_name"),
        Encodings.recipe(d, initials, SECRET.derive("block/dob_initial")).as("b_init")).collectAsList();
    assertEquals(r.get(0).getString(0), r.get(1).getString(0), "same SSN, same token");
    assertEquals(Hmac.token(SECRET.derive("token/ssn"), "530421899"), r.get(0).getString(0));
    assertNull(r.get(2).get(0), "empty SSN: no token");
    assertNotEquals(r.get(0).getString(1), r.get(1).getString(1), "NEUMANN vs NEUMAN");
    assertNull(r.get(2).get(1), "missing DOB: no name+DOB token");
    assertEquals(Hmac.token(SECRET.derive("token/name_dob"), "MICHAELA|NEUMANN|1915-11-11"), r.get(0).getString(1));
    List<String> a = r.get(0).getList(2);
    assertEquals(2, a.size(), "distinct non-empty elements M and N: " + a);
    assertEquals(a, r.get(1).getList(2), "same DOB and initials");
    assertNull(r.get(2).get(2), "missing DOB: no blocking tokens");
  }

  @Test
  void clkColumnsAndDiceExpressionAgreeWithThePlainJavaEncoder(SparkSession spark) {
    Dataset<Row> d = rows(spark);
    PrivacyConfig.ClkFilter f = new PrivacyConfig.ClkFilter("person", List.of(
        new PrivacyConfig.ClkField("first_name", "first_name", 20),
        new PrivacyConfig.ClkField("last_name", "last_name", 20),
        new PrivacyConfig.ClkField("dob", "date_format(dob, 'yyyyMMdd')", 20)));
    PrivacyConfig d0 = PrivacyConfig.defaults();
    PrivacyConfig cfg = new PrivacyConfig(LinkMode.BLOOM_CLK, "", "CC_LINK_SECRET", 16, "out", "parquet", List.of(),
        List.of(new PrivacyConfig.Recipe("ssn", List.of("ssn"), List.of())), List.of(),
        new PrivacyConfig.ClkSettings(1024, 2, 3, "year(dob)", List.of(f)), List.of("ssn"),
        List.of(new PrivacyConfig.BloomComparison("person", "dice", "person", List.of(0.9, 0.7))), List.of(), List.of("person"));
    Dataset<Row> enc = Encodings.encode(d.withColumn("program", col("source")).withColumn("enroll_start", col("dob"))
        .withColumn("enroll_end", col("dob")).withColumn("household_id", col("record_id")), cfg, SECRET, "run-1")
        .orderBy("record_id");
    List<Row> r = enc.collectAsList();
    long[] a = words(r.get(0).getList(r.get(0).fieldIndex("clk_person")));
    long[] b = words(r.get(1).getList(r.get(1).fieldIndex("clk_person")));
    BloomEncoder e = BloomEncoder.of(SECRET, cfg.clk(), f);
    assertTrue(java.util.Arrays.equals(e.encode(List.of("MICHAELA", "NEUMANN", "19151111"), "1915"), a), "UDF = plain Java");
    Dataset<Row> pair = enc.filter("record_id = '1'").select(col("clk_person").as("l"))
        .crossJoin(enc.filter("record_id = '2'").select(col("clk_person").as("r")));
    double dice = pair.select(Encodings.dice(col("l"), col("r"), Encodings.popcount(col("l"), 16), Encodings.popcount(col("r"), 16), 16))
        .first().getDouble(0);
    assertEquals(BloomEncoder.dice(a, b), dice, 1e-12);
    assertTrue(dice > 0.9, "one letter dropped: " + dice);
    assertEquals(r.get(0).getString(r.get(0).fieldIndex("encoding_id")), r.get(2).getString(r.get(2).fieldIndex("encoding_id")));
    assertEquals(List.of("source", "record_id", "program", "enroll_start", "enroll_end", "household_token", "encoding_id",
        "tokenize_run_id", "tok_ssn", "clk_person"), List.of(enc.columns()));
  }

  private static long[] words(List<Long> l) {
    return l.stream().mapToLong(Long::longValue).toArray();
  }
}
