package org.commonclient.metrics;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.commonclient.io.Schemas;

/**
 * A synthetic, already linked data set in the table layout of docs/DESIGN.md, generated entirely
 * in Spark ({@code spark.range} plus hashing, nothing built on the driver), for benchmarks of the
 * metrics stage.
 *
 * <p>Shapes: persons live in households of three slots (a quarter of them split into one-person
 * households); household-level programs (SNAP, TANF, MEDICAID, HOUSING) give every member a record
 * with the household's case id, so cross-program families are households, joined into chains by
 * a few Medicaid cases shared with the next household; SSI is person level; WIC and HEAD_START
 * for young children; SCHOOL for children of school age at some point in school years
 * 2021-2024, with enrollment, attendance, assessment and cohort facts in 300 schools of 20
 * districts; HOUSING residents split into public housing (60 developments) and vouchers; about
 * 15% of SNAP persons have a second spell (churn). Records carry spans between 2020-07-01 and
 * 2025-06-30. About one record per program per person, about 2 records per linked person overall.
 *
 * <p>Tables: {@code <root>/identified/person_records}, {@code <root>/identified/edu_enrollment},
 * {@code edu_attendance}, {@code edu_assessment}, {@code edu_cohort}, {@code housing_residence},
 * {@code headstart_service} and {@code <root>/linked/crosswalk} (source, record_id, person_id,
 * run_id). The same {@code (records, seed)} always gives the same data.
 */
public final class SyntheticLinkedData {
  /** School years covered (fall years). */
  public static final int FIRST_YEAR = 2021;

  public static final int LAST_YEAR = 2024;
  public static final int SCHOOLS = 300;
  public static final int DISTRICTS = 20;
  public static final int DEVELOPMENTS = 60;

  /**
   * Measured person_records rows per drawn person id of this generator (948,930 records from
   * 526,316 ids; ids with no program record appear in no table).
   */
  static final double RECORDS_PER_PERSON = 1.80;

  private SyntheticLinkedData() {}

  /** Table paths under {@code root}. */
  public static String identified(String root, String table) {
    return root + "/identified/" + table;
  }

  public static String crosswalkPath(String root) {
    return root + "/linked/crosswalk";
  }

  /**
   * Writes about {@code records} person records (within a few percent; and their facts and
   * crosswalk) as Delta tables under {@code rootPath}, overwriting what is there. Returns the
   * number of person ids drawn; about 11% of them hold no program record and appear nowhere, so
   * count {@code person_id} in the crosswalk for the persons in the data.
   */
  public static long write(SparkSession spark, String rootPath, long records, long seed) {
    if (records < 1) {
      throw new IllegalArgumentException("Cannot generate " + records + " records: must be positive");
    }
    long persons = Math.max(1, Math.round(records / RECORDS_PER_PERSON));
    int parts = Math.max(1, (int) Math.min(64, persons / 100_000 + 1)) * 2;
    Dataset<Row> p = persons(spark, persons, seed, parts);
    Dataset<Row> recs = records(p, seed);
    save(personRecords(recs), identified(rootPath, "person_records"));
    save(recs.select(col("source"), col("record_id"),
        concat(lit("P"), col("id").cast("string")).as("person_id"), lit("synthetic").as("run_id")),
        crosswalkPath(rootPath));
    Dataset<Row> enr = enrollment(p, seed);
    save(conformFacts(enr, "edu_enrollment"), identified(rootPath, "edu_enrollment"));
    save(conformFacts(attendance(enr, seed), "edu_attendance"), identified(rootPath, "edu_attendance"));
    save(conformFacts(assessment(enr, seed), "edu_assessment"), identified(rootPath, "edu_assessment"));
    save(conformFacts(cohort(p, seed), "edu_cohort"), identified(rootPath, "edu_cohort"));
    save(conformFacts(housing(recs, seed), "housing_residence"), identified(rootPath, "housing_residence"));
    save(conformFacts(headStart(recs, seed), "headstart_service"), identified(rootPath, "headstart_service"));
    return persons;
  }

  private static void save(Dataset<Row> df, String path) {
    df.write().format("delta").mode(SaveMode.Overwrite).option("overwriteSchema", "true").save(path);
  }

  /** Uniform in [0, 1) from a keyed hash of the columns. */
  static Column u(long seed, String salt, Column... cols) {
    Column[] all = new Column[cols.length + 2];
    all[0] = lit(seed);
    all[1] = lit(salt);
    System.arraycopy(cols, 0, all, 2, cols.length);
    return pmod(xxhash64(all), lit(1_000_003L)).divide(1_000_003.0);
  }

  /** Integer in [0, n) from a keyed hash. */
  static Column k(long seed, String salt, long n, Column... cols) {
    Column[] all = new Column[cols.length + 2];
    all[0] = lit(seed);
    all[1] = lit(salt);
    System.arraycopy(cols, 0, all, 2, cols.length);
    return pmod(xxhash64(all), lit(n));
  }

  private static Column date(String iso) {
    return org.apache.spark.sql.functions.to_date(lit(iso));
  }

  /**
   * Persons: id, hh (household number), hh_key (household case key), role (ADULT, CHILD), dob,
   * sex, race.
   */
  static Dataset<Row> persons(SparkSession spark, long n, long seed, int parts) {
    Column id = col("id");
    Column group = floor(id.divide(3));
    Column slot = pmod(id, lit(3L));
    Column single = u(seed, "single", group).lt(0.25);
    Column child = single.unary_$bang().and(slot.geq(1)).and(u(seed, "child", id).lt(0.8));
    Column adultDob = date_add(date("1960-01-01"), k(seed, "adob", 14_600, id).cast("int"));
    Column childDob = date_add(date("2004-01-01"), k(seed, "cdob", 7_000, id).cast("int"));
    String[] races = {"W", "B", "H", "A", "I", "P", "M", "WHITE", "BLACK", "HISPANIC"};
    List<Column> raceLits = new ArrayList<>();
    for (String r : races) {
      raceLits.add(lit(r));
    }
    return spark.range(0, n, 1, parts)
        .select(id, group.as("grp"), single.as("single"), child.as("child"))
        .withColumn("hh_key", when(col("single"), concat(lit("A"), id.cast("string")))
            .otherwise(concat(lit("H"), col("grp").cast("string"))))
        .withColumn("next_hh_key", concat(lit("H"), col("grp").plus(1).cast("string")))
        .withColumn("dob", when(col("child"), childDob).otherwise(adultDob))
        .withColumn("sex", when(u(seed, "sex", id).lt(0.5), lit("F")).otherwise(lit("M")))
        .withColumn("race", element_at(array(raceLits.toArray(new Column[0])),
            k(seed, "race", races.length, id).cast("int").plus(1)));
  }

  /** One candidate record per program (and a second SNAP spell); kept when {@code inc}. */
  private static Column candidate(String program, int spell, Column inc, Column caseKey, Column start,
      Column end) {
    return struct(lit(program).as("program"), lit(spell).as("spell"), inc.as("inc"),
        caseKey.cast("string").as("case_key"), start.as("s"), end.as("e"));
  }

  /**
   * Person records with the person's id: source, record_id, program, household_id, enroll_start,
   * enroll_end and the person columns.
   */
  static Dataset<Row> records(Dataset<Row> p, long seed) {
    Column id = col("id");
    Column hhKey = col("hh_key");
    Column hhSeed = col("hh_key");
    Column birthYear = year(col("dob"));
    // household-level programs: members share the case and (roughly) the dates
    Column snap = u(seed, "snap", hhSeed).lt(0.45);
    Column tanf = u(seed, "tanf", hhSeed).lt(0.12);
    Column mcd = u(seed, "mcd", hhSeed).lt(0.5);
    Column housing = u(seed, "house", hhSeed).lt(0.2);
    Column ssi = col("child").unary_$bang().and(u(seed, "ssi", id).lt(0.07));
    Column wic = birthYear.geq(2019).and(u(seed, "wic", hhSeed).lt(0.6));
    Column headStart = birthYear.between(2017, 2021).and(u(seed, "hs", id).lt(0.35));
    Column school = col("child").and(birthYear.between(2004, 2019));
    Column mcdCase = when(u(seed, "mcdlink", id).lt(0.03), col("next_hh_key")).otherwise(hhKey);
    List<Column> c = new ArrayList<>();
    c.add(candidate("SNAP", 0, snap, concat(lit("SN"), hhKey), start(seed, "snap", hhSeed, id),
        end(seed, "snap", hhSeed, 0.3)));
    c.add(candidate("SNAP", 1, snap.and(u(seed, "snap2", hhSeed).lt(0.15)), concat(lit("SN"), hhKey),
        date_add(end(seed, "snap", hhSeed, 0.0), k(seed, "gap", 200, hhSeed).cast("int").plus(5)),
        lit(null).cast("date")));
    c.add(candidate("TANF", 0, tanf, concat(lit("TA"), hhKey), start(seed, "tanf", hhSeed, id),
        end(seed, "tanf", hhSeed, 0.2)));
    c.add(candidate("MEDICAID", 0, mcd, concat(lit("MC"), mcdCase), start(seed, "mcd", hhSeed, id),
        end(seed, "mcd", hhSeed, 0.5)));
    c.add(candidate("HOUSING", 0, housing, concat(lit("PHA"), hhKey), start(seed, "house", hhSeed, id),
        end(seed, "house", hhSeed, 0.6)));
    c.add(candidate("SSI", 0, ssi, concat(lit("SSI"), id.cast("string")), start(seed, "ssi", id, id),
        end(seed, "ssi", id, 0.7)));
    c.add(candidate("WIC", 0, wic, concat(lit("WI"), hhKey), start(seed, "wic", hhSeed, id),
        end(seed, "wic", hhSeed, 0.3)));
    c.add(candidate("HEAD_START", 0, headStart, concat(lit("HS"), hhKey),
        make_date(birthYear.plus(3), lit(8), lit(15)), make_date(birthYear.plus(5), lit(6), lit(15))));
    c.add(candidate("SCHOOL", 0, school, lit(null),
        make_date(org.apache.spark.sql.functions.greatest(birthYear.plus(5), lit(FIRST_YEAR)), lit(8), lit(20)),
        lit(null).cast("date")));
    Dataset<Row> x = p.select(col("*"), explode(array(c.toArray(new Column[0]))).as("r"))
        .where(col("r.inc"));
    Column program = col("r.program");
    return x.select(
        org.apache.spark.sql.functions.lower(program).as("source"),
        concat(program, lit("-"), id.cast("string"), lit("-"), col("r.spell").cast("string")).as("record_id"),
        program.as("program"),
        id,
        col("dob"), col("sex"), col("race"),
        col("r.case_key").as("household_id"),
        col("r.s").as("enroll_start"),
        col("r.e").as("enroll_end"),
        col("hh_key"));
  }

  /** Start of a household program spell: 2020-07-01 plus up to four years, members within a week. */
  private static Column start(long seed, String salt, Column hh, Column id) {
    return date_add(date("2020-07-01"),
        k(seed, salt + "s", 1_460, hh).plus(k(seed, salt + "j", 7, id)).cast("int"));
  }

  /** End: start + 60..1000 days, null (open) with probability {@code open}. */
  private static Column end(long seed, String salt, Column hh, double open) {
    Column s = date_add(date("2020-07-01"), k(seed, salt + "s", 1_460, hh).cast("int"));
    Column e = date_add(s, k(seed, salt + "d", 940, hh).plus(60).cast("int"));
    return open <= 0 ? e : when(u(seed, salt + "o", hh).lt(open), lit(null).cast("date")).otherwise(e);
  }

  /** The PERSON_RECORD columns (identifiers synthetic, strings as an agency would send them). */
  static Dataset<Row> personRecords(Dataset<Row> recs) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : Schemas.PERSON_RECORD.fields()) {
      Column v = switch (f.name()) {
        case "source", "record_id", "program", "dob", "sex", "household_id", "enroll_start", "enroll_end" ->
            col(f.name());
        case "race_ethnicity" -> col("race");
        case "first_name" -> concat(lit("FN"), pmod(col("id"), lit(997L)).cast("string"));
        case "last_name" -> concat(lit("LN"), pmod(xxhash64(col("hh_key")), lit(4001L)).cast("string"));
        case "dob_raw" -> org.apache.spark.sql.functions.date_format(col("dob"), "MM/dd/yyyy");
        case "source_file" -> lit("synthetic");
        case "ingest_run_id" -> lit("synthetic");
        default -> lit(null);
      };
      cols.add(v.cast(f.dataType()).as(f.name()));
    }
    return recs.select(cols.toArray(new Column[0]));
  }

  /** Selects and casts the DESIGN.md columns of a fact table, in order. */
  private static Dataset<Row> conformFacts(Dataset<Row> df, String table) {
    List<Column> cols = new ArrayList<>();
    List<String> have = List.of(df.columns());
    for (StructField f : Schemas.FACT_TABLES.get(table).fields()) {
      Column v = have.contains(f.name()) ? col(f.name())
          : f.name().equals("ingest_run_id") || f.name().equals("fact_source") ? lit("synthetic") : lit(null);
      cols.add(v.cast(f.dataType()).as(f.name()));
    }
    return df.select(cols.toArray(new Column[0]));
  }

  /**
   * School enrollment: one row per school child and school year in which the child is 5-17 on
   * September 1 (95% enrolled), in a school fixed per household (10% move each year), 4% with a
   * second school in the same year.
   */
  static Dataset<Row> enrollment(Dataset<Row> p, long seed) {
    Dataset<Row> kids = p.where(col("child").and(year(col("dob")).between(2004, 2019)));
    Column sy = col("school_year");
    Column age = sy.minus(year(col("dob")));
    Column schoolNo = when(u(seed, "move", col("id"), sy).lt(0.1), k(seed, "school2", SCHOOLS, col("id"), sy))
        .otherwise(k(seed, "school", SCHOOLS, col("hh_key")));
    Dataset<Row> y = kids.select(col("id"), col("dob"), col("hh_key"),
            explode(sequence(lit(FIRST_YEAR), lit(LAST_YEAR))).as("school_year"))
        .where(age.between(5, 17).and(u(seed, "enr", col("id"), sy).lt(0.95)))
        .withColumn("school_no", schoolNo)
        .withColumn("grade", when(age.equalTo(5), lit("K")).otherwise(age.minus(5).cast("string")))
        .withColumn("entry", date_add(make_date(sy, lit(8), lit(20)),
            when(u(seed, "late", col("id"), sy).lt(0.1), k(seed, "lated", 40, col("id"), sy))
                .otherwise(lit(0L)).cast("int")));
    Column second = u(seed, "second", col("id"), col("school_year")).lt(0.04);
    Dataset<Row> rows = y.select(col("*"), explode(when(second, array(lit(0), lit(1))).otherwise(array(lit(0))))
        .as("part"));
    Column mid = make_date(sy.plus(1), lit(1), lit(10));
    Column school = when(col("part").equalTo(1), pmod(col("school_no").plus(7), lit((long) SCHOOLS)))
        .otherwise(col("school_no"));
    return rows.select(
        lit("school").as("record_source"),
        concat(lit("SCHOOL-"), col("id").cast("string"), lit("-0")).as("record_id"),
        concat(lit("D"), pmod(school, lit((long) DISTRICTS)).cast("string")).as("district_id"),
        concat(lit("S"), school.cast("string")).as("school_id"),
        sy.as("school_year"),
        col("grade"),
        when(col("part").equalTo(1), mid).otherwise(col("entry")).as("entry_date"),
        when(second.and(col("part").equalTo(0)), org.apache.spark.sql.functions.date_sub(mid, 1))
            .otherwise(lit(null).cast("date")).as("exit_date"),
        when(second.and(col("part").equalTo(0)), lit("T")).otherwise(lit(null).cast("string")).as("exit_code"),
        col("id"));
  }

  /** Attendance per enrollment row: about 170 days (85 for part-year), skewed absences. */
  static Dataset<Row> attendance(Dataset<Row> enr, long seed) {
    Column key = concat(col("record_id"), col("school_id"), col("school_year").cast("string"));
    Column partYear = col("exit_date").isNotNull().or(col("entry_date").geq(make_date(col("school_year").plus(1),
        lit(1), lit(1))));
    Column days = when(partYear, lit(85)).otherwise(lit(170)).minus(k(seed, "dlost", 10, key));
    Column ua = u(seed, "abs", key);
    Column absent = ua.multiply(ua).multiply(ua).multiply(45.0);
    return enr.select(col("record_source"), col("record_id"), col("district_id"), col("school_id"),
        col("school_year"), days.cast("int").as("days_enrolled"),
        floor(absent.multiply(2)).divide(2.0).as("days_absent"),
        when(u(seed, "oss", key).lt(0.05), k(seed, "ossd", 5, key).plus(1)).otherwise(lit(0)).cast("double")
            .as("oss_days"),
        when(u(seed, "iss", key).lt(0.04), lit(1.0)).otherwise(lit(0.0)).as("iss_days"),
        when(u(seed, "oss", key).lt(0.05), lit(1)).otherwise(lit(0)).as("oss_events"),
        when(u(seed, "iss", key).lt(0.04), lit(1)).otherwise(lit(0)).as("iss_events"),
        when(u(seed, "exp", key).lt(0.002), lit(1)).otherwise(lit(0)).as("expulsions"));
  }

  /** ELA and MATH scores for grades 3-8 and 11 (first enrollment row of the year). */
  static Dataset<Row> assessment(Dataset<Row> enr, long seed) {
    Dataset<Row> tested = enr.where(col("grade").isin("3", "4", "5", "6", "7", "8", "11")
        .and(col("exit_date").isNull()));
    Dataset<Row> s = tested.select(col("*"), explode(array(lit("ELA"), lit("MATH"))).as("subject"));
    Column key = concat(col("record_id"), col("school_year").cast("string"), col("subject"));
    Column level = k(seed, "lvl", 4, key).plus(1);
    return s.select(col("record_source"), col("record_id"), col("school_id"), col("school_year"),
        col("grade"), col("subject"), level.cast("int").as("performance_level"),
        level.geq(3).as("proficient"), u(seed, "alt", key).lt(0.01).as("alternate"));
  }

  /** Graduation cohorts: children first in 9th grade in 2017-2021. */
  static Dataset<Row> cohort(Dataset<Row> p, long seed) {
    Column cy = year(col("dob")).plus(14);
    Dataset<Row> c = p.where(col("child").and(cy.between(2017, 2021)));
    Column uo = u(seed, "outcome", col("id"));
    Column outcome = when(uo.lt(0.78), lit("DIPLOMA")).when(uo.lt(0.84), lit("DROPOUT"))
        .when(uo.lt(0.88), lit("GED")).when(uo.lt(0.90), lit("CERTIFICATE"))
        .when(uo.lt(0.95), lit("TRANSFER_OUT_CONFIRMED")).when(uo.lt(0.96), lit("EMIGRATED"))
        .otherwise(lit("STILL_ENROLLED"));
    return c.select(lit("school").as("record_source"),
        concat(lit("SCHOOL-"), col("id").cast("string"), lit("-0")).as("record_id"),
        concat(lit("D"), k(seed, "school", SCHOOLS, col("hh_key")).mod(DISTRICTS).cast("string")).as("district_id"),
        cy.as("cohort_year"), outcome.as("outcome"),
        when(outcome.equalTo("STILL_ENROLLED"), lit(null).cast("date"))
            .otherwise(make_date(cy.plus(4), lit(6), lit(10))).as("outcome_date"));
  }

  /** One residence row per HOUSING record: PH (60%, in a development) or HCV. */
  static Dataset<Row> housing(Dataset<Row> recs, long seed) {
    Column ph = u(seed, "ph", col("hh_key")).lt(0.6);
    return recs.where(col("program").equalTo("HOUSING"))
        .select(col("source").as("record_source"), col("record_id"),
            when(ph, concat(lit("DEV"), k(seed, "dev", DEVELOPMENTS, col("hh_key")).cast("string")))
                .otherwise(lit(null).cast("string")).as("development_id"),
            when(ph, lit("PH")).otherwise(lit("HCV")).as("program_type"),
            col("enroll_start").as("move_in"), col("enroll_end").as("move_out"));
  }

  /** One service row per HEAD_START record; 15% never attended. */
  static Dataset<Row> headStart(Dataset<Row> recs, long seed) {
    Column attended = u(seed, "hsatt", col("id")).geq(0.15);
    return recs.where(col("program").equalTo("HEAD_START"))
        .select(col("source").as("record_source"), col("record_id"),
            concat(lit("C"), k(seed, "center", 40, col("hh_key")).cast("string")).as("center_id"),
            year(col("enroll_start")).as("program_year"),
            org.apache.spark.sql.functions.date_sub(col("enroll_start"), 20).as("accepted_date"),
            when(attended, date_add(col("enroll_start"), 3)).otherwise(lit(null).cast("date"))
                .as("first_service_date"));
  }
}
