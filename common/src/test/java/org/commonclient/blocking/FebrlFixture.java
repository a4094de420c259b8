package org.commonclient.blocking;

import static org.apache.spark.sql.functions.callUDF;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.codec.language.DoubleMetaphone;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.commonclient.testing.SparkExtension;

/**
 * Reads FEBRL files and applies a deliberately simple standardisation (uppercase, Double
 * Metaphone, date parsing) producing the standardiser's column names. Test-only: the real
 * standardiser lives in org.commonclient.standardise.
 */
final class FebrlFixture {
  private static final DoubleMetaphone DM = new DoubleMetaphone();

  private FebrlFixture() {}

  /** ../shared/data/febrl beside the repository (where CI and every clone keep it). */
  static Path dir() {
    Path p = SparkExtension.sharedData().resolve("febrl");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("FEBRL data not found at " + p + " (../shared/data/febrl beside the repository)");
    }
    return p;
  }

  /** FEBRL file as standardised records; uid = entity number * 100 + duplicate slot + offset. */
  static Dataset<Row> read(SparkSession spark, String file, String source, long uidOffset) {
    spark.udf().register("test_dm", (UDF1<String, String>) FebrlFixture::dm, DataTypes.StringType);
    Dataset<Row> raw =
        spark
            .read()
            .option("header", "true")
            .option("ignoreLeadingWhiteSpace", "true")
            .option("ignoreTrailingWhiteSpace", "true")
            .csv(dir().resolve(file).toString());
    Column num = regexp_extract(col("rec_id"), "rec-(\\d+)-", 1).cast("long");
    Column dupSlot =
        when(col("rec_id").endsWith("-org"), lit(0L))
            .otherwise(regexp_extract(col("rec_id"), "-dup-(\\d+)$", 1).cast("long").plus(1));
    Column first = upper(col("given_name"));
    Column last = upper(col("surname"));
    Column dobRaw = col("date_of_birth");
    return raw.select(
        num.multiply(100).plus(dupSlot).plus(uidOffset).as("uid"),
        lit(source).as("source"),
        col("rec_id").as("record_id"),
        num.as("entity"),
        first.as("first_name"),
        last.as("last_name"),
        first.as("first_nick"),
        callUDF("test_dm", first).as("first_dm"),
        callUDF("test_dm", last).as("last_dm"),
        when(last.isNotNull(), split(last, "[ -]+")).as("last_tokens"),
        expr("try_to_date(date_of_birth, 'yyyyMMdd')").as("dob"),
        dobRaw.substr(1, 4).try_cast("int").as("dob_year"),
        dobRaw.substr(5, 2).try_cast("int").as("dob_month"),
        dobRaw.substr(7, 2).try_cast("int").as("dob_day"),
        col("soc_sec_id").as("ssn"),
        col("street_number").as("addr_number"),
        upper(col("address_1")).as("street"),
        // the whole address line, as the standardiser builds it (number, street, unit part)
        org.apache.spark.sql.functions.concat_ws(" ", col("street_number"), upper(col("address_1")), upper(col("address_2"))).as("address"),
        col("postcode").as("zip5"),
        upper(col("suburb")).as("city"));
  }

  static String dm(String s) {
    return s == null || s.isBlank() ? null : DM.doubleMetaphone(s);
  }
}
