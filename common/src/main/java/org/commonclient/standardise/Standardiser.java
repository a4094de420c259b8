package org.commonclient.standardise;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_date;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Turns {@code person_records} rows into the standardised identifiers the linkage engine compares
 * (DOMAIN.md section 1). One output row per input row, columns {@link #COLUMNS}.
 *
 * <p>The record-local rules (names, SSN structure, sex, address, ZIP, city, phone, Double
 * Metaphone) run as one static Java function per record ({@link RecordRules}, a struct UDF: their
 * Column forms nested into generated code over 64 KB and ran interpreted); DOB parsing and flags
 * are Column expressions; the nickname lookup is a broadcast join with the small canonical-name
 * table. Two aggregates need
 * the whole dataset: the DOB heaping test per source (a tiny per-source table, broadcast back) and
 * SSN_SHARED (per SSN, the number of distinct persons estimated as the smaller of the number of
 * distinct DOBs and of distinct first-name Double Metaphone codes, so one person's typos do not
 * make their SSN "shared"; the few shared SSNs are broadcast back).
 *
 * <p>Flagged values are null in their column, with the flag in {@code dob_flag}, {@code ssn_flag}
 * and in {@code flags}. Two exceptions keep evidence: DOB_PARTIAL_SUSPECT keeps {@code dob_year}
 * (compare year only), and SSN_SHARED keeps {@code ssn} so comparisons can give an exact match on
 * it a weaker level than on an unshared SSN and the twins rule can ignore it.
 */
public final class Standardiser {
  private Standardiser() {}

  /** The output columns, in order. */
  public static final List<String> COLUMNS =
      List.of(
          "uid", "source", "record_id", "household_id",
          "first_name", "middle_name", "last_name", "name_suffix",
          "first_nick", "first_nicks", "first_dm", "last_dm", "last_tokens",
          "dob", "dob_year", "dob_month", "dob_day", "dob_flag",
          "ssn", "ssn_flag", "itin",
          "sex", "address", "addr_number", "street", "zip5", "city", "phone",
          "flags");

  public static final String NAME_PLACEHOLDER = "NAME_PLACEHOLDER";

  /** Standardises with the bundled or configured nickname table. */
  public static Dataset<Row> standardise(Dataset<Row> personRecords, StandardiseConfig cfg) {
    return standardise(personRecords, cfg, Nicknames.load(cfg.nicknameTable()));
  }

  public static Dataset<Row> standardise(
      Dataset<Row> in, StandardiseConfig cfg, Nicknames nicknames) {
    return standardise(in, cfg, nicknames, java.util.function.UnaryOperator.identity());
  }

  /**
   * As {@link #standardise(Dataset, StandardiseConfig)}, handing the record-local result (every
   * rule that needs only the record itself) to {@code materialise} before the two dataset-wide
   * aggregates read it. Without a materialised copy the record rules run once for the output and
   * once more for each aggregate (three times in all): callers that write the output anyway pass
   * a function that writes and re-reads this intermediate result (or persists it).
   */
  public static Dataset<Row> standardise(
      Dataset<Row> in, StandardiseConfig cfg, java.util.function.UnaryOperator<Dataset<Row>> materialise) {
    return standardise(in, cfg, Nicknames.load(cfg.nicknameTable()), materialise);
  }

  public static Dataset<Row> standardise(
      Dataset<Row> in, StandardiseConfig cfg, Nicknames nicknames,
      java.util.function.UnaryOperator<Dataset<Row>> materialise) {
    return standardise(in, cfg, nicknames, materialise, List.of());
  }

  /**
   * As {@link #standardise(Dataset, StandardiseConfig, java.util.function.UnaryOperator)}, with
   * {@code carried} input columns passed through unchanged after {@link #COLUMNS} (what later
   * steps need from the input record, e.g. its row hash and program, without joining the input
   * again on source and record id).
   */
  public static Dataset<Row> standardise(
      Dataset<Row> in, StandardiseConfig cfg, java.util.function.UnaryOperator<Dataset<Row>> materialise,
      List<String> carried) {
    return standardise(in, cfg, Nicknames.load(cfg.nicknameTable()), materialise, carried);
  }

  private static Dataset<Row> standardise(
      Dataset<Row> in, StandardiseConfig cfg, Nicknames nicknames,
      java.util.function.UnaryOperator<Dataset<Row>> materialise, List<String> carried) {
    SparkSession spark = in.sparkSession();
    RecordRules rules = new RecordRules(cfg);

    // 1. the record-local rules (names, SSN structure, sex, address, ZIP, city, phone) in one
    // static Java function per record: see RecordRules for why not Column expressions here
    Dataset<Row> df =
        in.select(
            xxhash64(col("source"), col("record_id")).as("uid"),
            col("source"),
            col("record_id"),
            col("household_id"),
            rules
                .column(
                    col("first_name"), col("middle_name"), col("last_name"), col("name_suffix"),
                    col("ssn"), col("sex"), col("address_line"), col("city"), col("zip"), col("phone"))
                .as("_rec"),
            col("dob").as("_dob_in"),
            col("dob_raw").as("_dob_raw"),
            col("enroll_start").as("_first_service"),
            carried.isEmpty() ? lit(null).as("_carried")
                : struct(carried.stream().map(c -> col(c)).toArray(Column[]::new)).as("_carried"));
    List<Column> unpacked = new ArrayList<>();
    for (String c : List.of("uid", "source", "record_id", "household_id", "_dob_in", "_dob_raw", "_first_service", "_carried")) {
      unpacked.add(col(c));
    }
    for (String f : RecordRules.FIELDS) {
      String name =
          switch (f) {
            case "name_flag" -> "_name_flag";
            case "ssn_flag" -> "_ssn_flag0";
            case "ssn" -> "ssn";
            default -> f;
          };
      unpacked.add(col("_rec").getField(f).as(name));
    }
    df = df.select(unpacked.toArray(new Column[0]));

    // 2. nickname canonical form (broadcast join with the small table) and phonetic codes
    Dataset<Row> nick = broadcast(nicknameTable(spark, nicknames));
    df =
        df.join(nick, df.col("first_name").equalTo(nick.col("_nick_name")), "left")
            .withColumn("first_nick", coalesce(col("_nick_canonical"), col("first_name")))
            .withColumn(
                "first_nicks",
                when(col("first_name").isNotNull(), coalesce(col("_nick_related"), array(col("first_name")))))
            .drop("_nick_name", "_nick_canonical", "_nick_related")
            .withColumn("last_tokens", Names.tokens(col("last_name")));

    // 3. date of birth: parse, flag defaults / impossible / unparseable, then heaping per source
    df =
        df.withColumn(
                "_dob_parsed", coalesce(col("_dob_in"), Dobs.parse(col("_dob_raw"), cfg.dobFormats())))
            .withColumn(
                "_dob_flag0",
                Dobs.flag(
                    col("_dob_parsed"),
                    col("_dob_raw"),
                    col("_first_service"),
                    current_date(),
                    cfg.dobMin(),
                    cfg.dobPlaceholders()));
    // everything above reads only the record itself (and two small broadcast tables)
    df = materialise.apply(df);
    Column clean = col("_dob_flag0").isNull().and(col("_dob_parsed").isNotNull());
    Column isJan1 = month(col("_dob_parsed")).equalTo(1).and(dayofmonth(col("_dob_parsed")).equalTo(1));
    Column isFirst = dayofmonth(col("_dob_parsed")).equalTo(1);
    Dataset<Row> heaping =
        df.where(clean)
            .groupBy(col("source").as("_h_source"))
            .agg(
                count(lit(1)).as("_h_n"),
                sum(when(isJan1, 1).otherwise(0)).as("_h_jan1"),
                sum(when(isFirst, 1).otherwise(0)).as("_h_first"));
    double r = cfg.dobHeapingRatio();
    heaping =
        heaping.select(
            col("_h_source"),
            col("_h_n").geq(cfg.dobHeapingMinRecords())
                .and(col("_h_jan1").gt(col("_h_n").multiply(r * Dobs.JAN1_EXPECTED)))
                .as("_h_jan1_heaped"),
            col("_h_n").geq(cfg.dobHeapingMinRecords())
                .and(col("_h_first").gt(col("_h_n").multiply(r * Dobs.FIRST_OF_MONTH_EXPECTED)))
                .as("_h_first_heaped"));
    df = df.join(broadcast(heaping), df.col("source").equalTo(heaping.col("_h_source")), "left");
    Column partial =
        clean.and(
            isJan1.and(coalesce(col("_h_jan1_heaped"), lit(false)))
                .or(isFirst.and(coalesce(col("_h_first_heaped"), lit(false)))));
    df =
        df.withColumn(
                "dob_flag",
                coalesce(col("_dob_flag0"), when(partial, lit(Dobs.PARTIAL_SUSPECT))))
            .withColumn("dob", when(col("dob_flag").isNull(), col("_dob_parsed")))
            .withColumn(
                "dob_year",
                when(
                    col("dob_flag").isNull().or(col("dob_flag").equalTo(Dobs.PARTIAL_SUSPECT)),
                    year(col("_dob_parsed"))))
            .withColumn("dob_month", month(col("dob")))
            .withColumn("dob_day", dayofmonth(col("dob")));

    // 4. SSN_SHARED over the dataset (the structural SSN rules ran per record). No filter before
    // the aggregation: a filter would be pushed below the projections and evaluate the record
    // rules a second time; the null-SSN group never joins back (null keys do not match).
    Dataset<Row> shared =
        df.groupBy(col("ssn").as("_s_ssn"))
            .agg(
                size(collect_set(col("dob"))).as("_s_dobs"),
                size(collect_set(col("first_dm"))).as("_s_names"))
            .where(least(col("_s_dobs"), col("_s_names")).gt(cfg.ssnMaxDistinctPersons()))
            .select(col("_s_ssn"), lit(true).as("_s_shared"));
    df = df.join(broadcast(shared), df.col("ssn").equalTo(shared.col("_s_ssn")), "left");
    df =
        df.withColumn(
            "ssn_flag", coalesce(col("_ssn_flag0"), when(col("_s_shared"), lit(Ssn.SHARED))));

    // array_compact (drop nulls) is code-generated, unlike filter with a lambda
    Column allFlags = array_compact(array(col("dob_flag"), col("ssn_flag"), col("_name_flag")));
    df = df.withColumn("flags", allFlags);
    List<Column> out = new ArrayList<>();
    COLUMNS.forEach(c -> out.add(col(c)));
    carried.forEach(c -> out.add(col("_carried").getField(c).as(c)));
    return df.select(out.toArray(new Column[0]));
  }

  /** Every name of the nickname table with its canonical form and its related names. */
  static Dataset<Row> nicknameTable(SparkSession spark, Nicknames nicknames) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, String> e : nicknames.asMap().entrySet()) {
      rows.add(
          RowFactory.create(
              e.getKey(),
              e.getValue(),
              scala.jdk.javaapi.CollectionConverters.asScala(nicknames.related(e.getKey())).toSeq()));
    }
    StructType schema =
        new StructType()
            .add("_nick_name", DataTypes.StringType, false)
            .add("_nick_canonical", DataTypes.StringType, false)
            .add("_nick_related", DataTypes.createArrayType(DataTypes.StringType, false), false);
    return spark.createDataFrame(rows, schema);
  }
}
