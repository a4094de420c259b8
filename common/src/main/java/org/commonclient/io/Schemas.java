package org.commonclient.io;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The schemas of the tables the suite writes. Every column carries a {@code comment} so the data
 * dictionary can be generated from the code.
 */
public final class Schemas {
  private Schemas() {}

  public static final org.apache.spark.sql.types.DataType INT = IntegerType;
  public static final org.apache.spark.sql.types.DataType STRING_ARRAY =
      DataTypes.createArrayType(StringType);

  static StructField field(String name, org.apache.spark.sql.types.DataType type, String comment) {
    Metadata md = new MetadataBuilder().putString("comment", comment).build();
    return new StructField(name, type, true, md);
  }

  /**
   * The canonical person record: one row per (source, record_id) of an agency extract, written by
   * ingest to the identified zone table {@code person_records}. Names, SSN, address are as the
   * agency sent them (trimmed); standardisation happens in the linkage engine.
   */
  public static final StructType PERSON_RECORD =
      new StructType(
          new StructField[] {
            field("source", StringType, "source name as configured under commonclient.sources"),
            field("record_id", StringType, "the agency's key of this record, unique within source"),
            field("program", StringType, "program code (TANF, SNAP, WIC, MEDICAID, HOUSING, ...)"),
            field("first_name", StringType, "given name as sent"),
            field("middle_name", StringType, "middle name or initial as sent"),
            field("last_name", StringType, "surname as sent"),
            field("name_suffix", StringType, "generational suffix as sent (JR, SR, III)"),
            field("dob", DateType, "date of birth parsed with the source's declared format"),
            field("dob_raw", StringType, "date of birth exactly as sent"),
            field("sex", StringType, "sex code as sent"),
            field("ssn", StringType, "social security number as sent"),
            field("address_line", StringType, "street address as sent (number, street, unit)"),
            field("city", StringType, "city or locality"),
            field("state", StringType, "state or territory"),
            field("zip", StringType, "postal code as sent"),
            field("phone", StringType, "phone number as sent"),
            field("household_id", StringType, "the program's own case or household id"),
            field("race_ethnicity", StringType, "race/ethnicity code as sent"),
            field("enroll_start", DateType, "start of the enrolment or benefit span"),
            field("enroll_end", DateType, "end of the span; null = open"),
            field("source_file", StringType, "file (or JDBC table) the row came from"),
            field("source_line", LongType, "1-based line (CSV) or row number of the row"),
            field("row_hash", StringType, "SHA-256 of the mapped values, for idempotent re-ingest"),
            field("ingest_run_id", StringType, "run id of the ingest that wrote the row"),
          });

  /** Rows ingest could not read or map. */
  public static final StructType REJECT =
      new StructType(
          new StructField[] {
            field("source", StringType, "source name"),
            field("file", StringType, "file (or JDBC table) of the row"),
            field("line", LongType, "1-based physical line of the row, null when unknown"),
            field("field", StringType, "column that failed, null when the whole row failed"),
            field("raw_value", StringType, "the offending value or raw line"),
            field("reason", StringType, "why the row was rejected"),
            field("ingest_run_id", StringType, "run id of the ingest"),
            field("rejected_at", TimestampType, "when"),
          });

  /** The crosswalk from source records to person ids. */
  public static final StructType CROSSWALK =
      new StructType(
          new StructField[] {
            field("source", StringType, "source name"),
            field("record_id", StringType, "record key within the source"),
            field("person_id", StringType, "stable person id (link_id)"),
            field("run_id", StringType, "link run that assigned it"),
          });

  /** Clerical labels of reviewed pairs ({@code review import}), linked zone table {@code clerical_labels}. */
  public static final StructType CLERICAL_LABEL =
      new StructType(
          new StructField[] {
            field("source_l", StringType, "source of the pair's left record"),
            field("record_id_l", StringType, "record key of the left record"),
            field("source_r", StringType, "source of the pair's right record"),
            field("record_id_r", StringType, "record key of the right record"),
            field("is_match", DataTypes.BooleanType, "the reviewer's decision: true = same person"),
            field("sample", StringType, "band, audit or band+audit: which review sample drew the pair"),
            field("stratum", IntegerType, "match-weight stratum of the pair in the review sample (0 = below the band)"),
            field("stratum_low", DataTypes.DoubleType, "lower match-weight bound of the stratum (inclusive)"),
            field("stratum_high", DataTypes.DoubleType, "upper match-weight bound of the stratum (exclusive)"),
            field("stratum_pairs", LongType, "scored pairs of the stratum in the reviewed run (its population)"),
            field("match_weight", DataTypes.DoubleType, "match weight of the pair in the reviewed run"),
            field("match_probability", DataTypes.DoubleType, "match probability of the pair in the reviewed run"),
            field("review_run_id", StringType, "link run whose pairs were sampled (review export)"),
            field("review_file", StringType, "the imported file"),
            field("review_line", IntegerType, "line of the pair in the imported file"),
            field("import_id", StringType, "id of the import that wrote the label"),
            field("imported_at", TimestampType, "when the label was imported"),
          });

  /** One row per source per ingest run: identified zone table {@code ingest_runs}. */
  public static final StructType INGEST_RUN =
      new StructType(
          new StructField[] {
            field("run_id", StringType, "ingest run id"),
            field("source", StringType, "source name"),
            field("read", LongType, "rows read from the extract"),
            field("accepted", LongType, "rows written to person_records or the fact table"),
            field("rejected", LongType, "rows written to rejects"),
            field("seconds", DataTypes.DoubleType, "wall seconds spent on the source"),
            field("finished_at", TimestampType, "when the source was done"),
          });

  /**
   * The standardised identifiers of every linked record, kept for the next incremental link run:
   * identified zone table {@code record_keys} (clear identifiers, so never in the linked zone).
   */
  public static final StructType RECORD_KEYS =
      new StructType(
          new StructField[] {
            field("uid", LongType, "record key: xxhash64(source, record_id)"),
            field("source", StringType, "source name"),
            field("record_id", StringType, "record id in the source"),
            field("household_id", StringType, "household or case id in the source"),
            field("first_name", StringType, "standardised first name (upper case, no accents or punctuation)"),
            field("middle_name", StringType, "standardised middle name"),
            field("last_name", StringType, "standardised last name"),
            field("name_suffix", StringType, "JR, SR, II, ... taken off the name"),
            field("first_nick", StringType, "canonical nickname form of the first name"),
            field("first_nicks", STRING_ARRAY, "every canonical form of the first name"),
            field("first_dm", StringType, "Double Metaphone of the first name"),
            field("last_dm", StringType, "Double Metaphone of the last name"),
            field("last_tokens", STRING_ARRAY, "surname tokens (hyphenated and double surnames)"),
            field("dob", DateType, "standardised date of birth (null when flagged)"),
            field("dob_year", IntegerType, "year of dob"),
            field("dob_month", IntegerType, "month of dob"),
            field("dob_day", IntegerType, "day of dob"),
            field("dob_flag", StringType, "why the raw date of birth was set aside (null when valid)"),
            field("ssn", StringType, "valid SSN, 9 digits (null when flagged)"),
            field("ssn_flag", StringType, "why the raw SSN was set aside (null when valid)"),
            field("itin", StringType, "the number when it is an ITIN (9xx), kept apart from ssn"),
            field("sex", StringType, "standardised sex code"),
            field("address", StringType, "standardised address line"),
            field("addr_number", StringType, "house number"),
            field("street", StringType, "street name with standard suffix"),
            field("zip5", StringType, "5-digit ZIP"),
            field("city", StringType, "standardised city"),
            field("phone", StringType, "10-digit phone"),
            field("flags", STRING_ARRAY, "every standardisation flag of the record"),
            field("row_hash", StringType, "row_hash of the person record the keys were computed from"),
            field("race_ethnicity", StringType, "race/ethnicity code of the person record (for the person table)"),
            field("program", StringType, "program code of the person record (for the person table)"),
            field("enroll_start", DateType, "enroll_start of the person record (for the person table)"),
            field("enroll_end", DateType, "enroll_end of the person record (for the person table)"),
          });


  /**
   * The hashed blocking keys of every linked record, kept for the next incremental link run:
   * identified zone table {@code block_keys} (derived from clear identifiers). The columns after
   * {@code source} depend on the configured blocking rules.
   */
  public static final StructType BLOCK_KEYS =
      new StructType(
          new StructField[] {
            field("uid", LongType, "record key: xxhash64(source, record_id)"),
            field("source", StringType, "source name"),
            field("<residual column>", StringType,
                "a record_keys column that a blocking rule's residual condition reads (with its record_keys type)"),
            field("_bk<rule>_<element>", LongType,
                "xxhash64 of the blocking key of rule <rule> (0 = first rule), one column per element of an array key;"
                    + " null where the record has no such key or element"),
          });
  /** One row per person (a cluster of linked records): linked zone table {@code person}. */
  public static final StructType PERSON =
      new StructType(
          new StructField[] {
            field("person_id", StringType, "stable person id"),
            field("dob", DateType, "most frequent standardised date of birth of the person's records"),
            field("sex", StringType, "most frequent standardised sex code"),
            field("race_ethnicity", StringType, "most frequent race/ethnicity code"),
            field("record_count", LongType, "records linked to the person"),
            field("sources", STRING_ARRAY, "sources the person's records come from, sorted"),
            field("programs", STRING_ARRAY, "programs of the person's records, sorted"),
            field("first_enrolled", DateType, "earliest enroll_start of the records"),
            field("last_enrolled", DateType, "latest enroll_end of the records (null when all are open or unknown)"),
            field("birth_year", IntegerType, "year of dob"),
            field("run_id", StringType, "link run that wrote the row"),
          });

  /**
   * Scored candidate pairs with match_probability at least {@code linkage.matchPairsMinProbability}:
   * linked zone table {@code match_pairs}. Names with {@code <...>} stand for one column per
   * configured comparison or term-frequency adjustment.
   */
  public static final StructType MATCH_PAIR =
      new StructType(
          new StructField[] {
            field("source_l", StringType, "source of the left record"),
            field("record_id_l", StringType, "record key of the left record"),
            field("source_r", StringType, "source of the right record"),
            field("record_id_r", StringType, "record key of the right record"),
            field("gamma_<comparison>", IntegerType, "agreement level of the comparison: -1 null, 0 disagree, k strongest"),
            field("bf_<comparison>", DataTypes.DoubleType, "Bayes factor m/u of the pair's level (1 for null)"),
            field("bf_tf_adj_<column>", DataTypes.DoubleType, "term-frequency adjustment factor of an exact match on the column"),
            field("match_weight", DataTypes.DoubleType, "log2 of the posterior match odds: prior + partial weights + TF adjustments"),
            field("match_probability", DataTypes.DoubleType, "2^w / (1 + 2^w): probability the two records are one person"),
            field("match_key", IntegerType, "index of the blocking rule that generated the pair"),
            field("twin_guard", DataTypes.BooleanType, "true when the twins rule forbids linking the pair"),
            field("match_rule", StringType, "name of the blocking rule that generated the pair"),
            field("run_id", StringType, "link run that scored the pair"),
          });

  /** The Fellegi-Sunter model of each link run: linked zone table {@code model}. */
  public static final StructType MODEL =
      new StructType(
          new StructField[] {
            field("run_id", StringType, "link run"),
            field("lambda", DataTypes.DoubleType, "prior probability that a pair is a match"),
            field("loaded_from", StringType, "path of the fixed model when it was loaded, null when trained"),
            field("em_sessions", StringType, "EM training sessions: iterations and convergence"),
            field("model_json", StringType, "the whole model (m, u per level, lambda, metadata) as JSON"),
            field("created_at", TimestampType, "when the model was written"),
          });

  /** One row per link run: linked zone table {@code runs}. */
  public static final StructType RUN =
      new StructType(
          new StructField[] {
            field("run_id", StringType, "run id (UTC start time and a random suffix)"),
            field("stage", StringType, "the command or stage: link, link_incremental, ingest, metrics, pipeline, research_extract, publish (a recovered half-done publish)"),
            field("outcome", StringType, "SUCCEEDED or FAILED (a failed run's row is written outside the rolled-back publish)"),
            field("config_hash", StringType, "SHA-256 of the resolved configuration"),
            field("link_type", StringType, "dedupe, link or link_and_dedupe"),
            field("input_versions", DataTypes.createMapType(StringType, LongType), "Delta version of each input table"),
            field("counts", DataTypes.createMapType(StringType, LongType), "records, candidate_pairs, matched_pairs, persons"),
            field("stage_seconds", DataTypes.createMapType(StringType, DataTypes.DoubleType), "wall seconds per stage"),
            field("started_at", TimestampType, "run start"),
            field("finished_at", TimestampType, "run end (before the tables were committed)"),
            field("error", StringType, "what failed (FAILED rows; null otherwise)"),
            field("agreement_id", StringType, "data-use agreement the run ran under (null when none was checked)"),
            field("mode", StringType, "link mode of a link run: CLEAR, KEYED_TOKENS or BLOOM_CLK (null for other runs)"),
          });

  /** How person ids changed between link runs: linked zone table {@code person_id_history}. */
  public static final StructType PERSON_ID_HISTORY =
      new StructType(
          new StructField[] {
            field("person_id", StringType, "the person id the event is about"),
            field("event", StringType, "NEW, SPLIT, MERGED or RETIRED"),
            field("related_person_ids", STRING_ARRAY, "ids it was split from or merged into"),
            field("run_id", StringType, "link run of the event"),
          });

  public static StructType withField(StructType t, String name, org.apache.spark.sql.types.DataType dt) {
    return t.add(name, dt, true);
  }


  /** Canonical fact tables (docs/DESIGN.md): name -> schema (record_source, record_id first). */
  public static final java.util.Map<String, StructType> FACT_TABLES = factTables();

  private static java.util.Map<String, StructType> factTables() {
    java.util.Map<String, StructType> m = new java.util.LinkedHashMap<>();
    m.put("edu_enrollment", facts(
        "district_id:string:district code", "school_id:string:school code",
        "school_year:int:fall year of the school year (2024 = 2024-25)", "grade:string:grade (PK, K, 1..12)",
        "entry_date:date:enrolment entry date", "exit_date:date:enrolment exit date (null = still enrolled)",
        "exit_code:string:exit reason code"));
    m.put("edu_attendance", facts(
        "district_id:string:district code", "school_id:string:school code",
        "school_year:int:fall year of the school year", "days_enrolled:int:instructional days enrolled",
        "days_absent:double:days absent (any reason)", "oss_days:double:days of out-of-school suspension",
        "iss_days:double:days of in-school suspension removing the student from instruction",
        "oss_events:int:out-of-school suspension events", "iss_events:int:in-school suspension events",
        "expulsions:int:expulsions"));
    m.put("edu_assessment", facts(
        "school_id:string:school code", "school_year:int:fall year of the school year", "grade:string:grade tested",
        "subject:string:ELA or MATH", "performance_level:int:performance level 1-4",
        "proficient:boolean:at or above the proficient level", "alternate:boolean:alternate assessment"));
    m.put("edu_cohort", facts(
        "district_id:string:district code", "cohort_year:int:fall year of first 9th grade",
        "outcome:string:DIPLOMA, GED, CERTIFICATE, DROPOUT, TRANSFER_OUT_CONFIRMED, EMIGRATED, DECEASED, STILL_ENROLLED",
        "outcome_date:date:date of the outcome"));
    m.put("housing_residence", facts(
        "development_id:string:public housing development (null for vouchers)",
        "program_type:string:PH = public housing, HCV = housing choice voucher",
        "move_in:date:move-in date", "move_out:date:move-out date (null = still resident)"));
    m.put("headstart_service", facts(
        "center_id:string:Head Start center", "program_year:int:fall year of the program year",
        "accepted_date:date:date accepted", "first_service_date:date:first class, visit or service (null = never attended)"));
    return java.util.Collections.unmodifiableMap(m);
  }

  private static StructType facts(String... specs) {
    java.util.List<StructField> fs = new java.util.ArrayList<>();
    fs.add(field("record_source", StringType, "person source whose record this fact belongs to"));
    fs.add(field("record_id", StringType, "record key within record_source"));
    for (String spec : specs) {
      String[] p = spec.split(":", 3);
      org.apache.spark.sql.types.DataType t =
          switch (p[1]) {
            case "int" -> IntegerType;
            case "double" -> DataTypes.DoubleType;
            case "boolean" -> DataTypes.BooleanType;
            case "date" -> DateType;
            default -> StringType;
          };
      fs.add(field(p[0], t, p[2]));
    }
    fs.add(field("fact_source", StringType, "source (extract) the fact came from"));
    fs.add(field("source_line", LongType, "line of the extract"));
    fs.add(field("ingest_run_id", StringType, "ingest run that wrote the row"));
    return new StructType(fs.toArray(new StructField[0]));
  }
}
