package org.commonclient.linkage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A simulated next month of {@code person_records}, for tests and the incremental benchmark:
 * deterministic shares (in basis points of 1/10,000, by a hash of source, record_id and the seed)
 * of records are withdrawn, changed (half move house, half get a first-name typo; new row_hash)
 * or added (half are new records of known people: a copy under a new record_id without phone;
 * half are new people: a copy with another first name and DOB, no SSN, another address).
 */
public final class MonthlyChanges {
  private MonthlyChanges() {}

  /**
   * @param records person_records rows (month 1)
   * @param newBp new records per 10,000 records
   * @param changedBp changed records per 10,000
   * @param withdrawnBp withdrawn records per 10,000
   * @param seed selects which records
   * @return the month-2 person_records rows (same schema)
   */
  public static Dataset<Row> apply(Dataset<Row> records, int newBp, int changedBp, int withdrawnBp, String seed) {
    if (newBp < 0 || changedBp < 0 || withdrawnBp < 0 || newBp + changedBp + withdrawnBp > 10_000) {
      throw new IllegalArgumentException("Cannot apply shares " + newBp + ", " + changedBp + ", " + withdrawnBp
          + " basis points: each must be >= 0 and together at most 10,000");
    }
    Column bucket = pmod(xxhash64(col("source"), col("record_id"), lit(seed)), lit(10_000));
    Column withdraw = bucket.lt(withdrawnBp);
    Column change = bucket.geq(withdrawnBp).and(bucket.lt(withdrawnBp + changedBp));
    Column add = bucket.geq(withdrawnBp + changedBp).and(bucket.lt(withdrawnBp + changedBp + newBp));
    Column half = pmod(bucket, lit(2)).equalTo(0);

    Dataset<Row> kept = records.where(withdraw.unary_$bang())
        .withColumn("address_line", when(change.and(half), lit("77 HARBOR VIEW RD APT 9")).otherwise(col("address_line")))
        .withColumn("first_name", when(change.and(half.unary_$bang()), concat(col("first_name"), lit("E")))
            .otherwise(col("first_name")))
        .withColumn("row_hash", when(change, sha2(concat(col("row_hash"), lit(seed)), 256)).otherwise(col("row_hash")));
    Dataset<Row> again = records.where(add.and(half))
        .withColumn("record_id", concat(col("record_id"), lit("-" + seed)))
        .withColumn("phone", lit(null).cast("string"));
    Dataset<Row> stranger = records.where(add.and(half.unary_$bang()))
        .withColumn("record_id", concat(col("record_id"), lit("-" + seed + "N")))
        .withColumn("first_name", lit("QUINTESSA"))
        .withColumn("ssn", lit(null).cast("string"))
        .withColumn("dob", date_add(col("dob"), 400))
        .withColumn("dob_raw", lit(null).cast("string"))
        .withColumn("address_line", concat(lit("1 NOWHERE LN APT "), col("record_id")))
        .withColumn("phone", lit(null).cast("string"));
    Dataset<Row> added = again.unionByName(stranger)
        .withColumn("row_hash", sha2(concat(col("row_hash"), col("record_id")), 256));
    return kept.unionByName(added);
  }
}
