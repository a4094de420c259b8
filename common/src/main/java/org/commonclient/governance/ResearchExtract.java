package org.commonclient.governance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.year;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.linkage.LinkJob;

/**
 * A de-identified person-level extract for one party of a data-use agreement.
 *
 * <p>Inputs: {@code identified/person_records} and {@code linked/crosswalk}, restricted to the
 * sources the agreement covers. Output: one row per linked person with a {@code study_id} and
 * only the fields the agreement lists for the party ({@link #FIELDS}); written as Parquet or CSV
 * to {@code <path>/<agreement>/<party>/<extract id>}.
 *
 * <p>De-identification: the person id is replaced by HMAC-SHA256 under a key derived from the
 * secret and the extract id ({@link KeyedHash#forExtract}), so ids differ between extracts and
 * cannot be reversed or joined without the secret. Date of birth leaves only as year or age.
 * Names, SSN, full dates of birth, addresses, phone numbers, case and record ids and the linked
 * person ids ({@link #FORBIDDEN}) are never selectable. Rows are ordered by study id, so their
 * order says nothing about the source data.
 */
public final class ResearchExtract {
  /** Fields a party may receive. */
  public static final Set<String> FIELDS =
      Set.of("birth_year", "age", "sex", "race_ethnicity", "programs", "sources", "record_count",
          "first_enrolled", "last_enrolled");

  /** Identified-zone columns no agreement can release. */
  public static final Set<String> FORBIDDEN =
      Set.of("first_name", "middle_name", "last_name", "name_suffix", "full_name", "ssn", "dob", "dob_raw",
          "address_line", "full_address", "city", "zip", "phone", "household_id", "record_id", "person_id",
          "source_file", "source_line", "row_hash", "uid");

  /** What an extract produced. */
  public record Result(String agreementId, String party, String extractId, String path, long rows, List<String> columns) {}

  private ResearchExtract() {}

  /**
   * The extract rows ({@code study_id} then the party's fields in the agreement's order).
   *
   * @param asOf reference day of {@code age} (whole years)
   */
  public static Dataset<Row> build(Dataset<Row> personRecords, Dataset<Row> crosswalk, Agreement agreement,
      String party, KeyedHash studyIds, LocalDate asOf) {
    List<String> fields = agreement.party(party).receives();
    if (fields.isEmpty()) {
      throw new AgreementRefusedException("Data-use agreement '" + agreement.id() + "' lists no field party '" + party
          + "' may receive");
    }
    for (String f : fields) {
      if (!FIELDS.contains(f)) { // Agreements.from rejects these; records built in code are checked here
        throw new AgreementRefusedException("Data-use agreement '" + agreement.id() + "' lists field '" + f
            + "' for party '" + party + "', which is never released; releasable: " + new java.util.TreeSet<>(FIELDS));
      }
    }
    Dataset<Row> recs = personRecords
        .filter(col("source").isin(agreement.sources().toArray()))
        .select("source", "record_id", "dob", "sex", "race_ethnicity", "program", "enroll_start", "enroll_end");
    Dataset<Row> linked = crosswalk.select("source", "record_id", "person_id")
        .join(recs, new String[] {"source", "record_id"});
    // the person table's survivorship; its dob is never released (not in FIELDS), only what derives from it
    Column[] attributes = LinkJob.personAttributes();
    Dataset<Row> persons = linked.groupBy("person_id").agg(attributes[0], Arrays.copyOfRange(attributes, 1, attributes.length));
    Map<String, Column> derived = Map.of(
        "birth_year", year(col("dob")),
        "age", floor(months_between(lit(java.sql.Date.valueOf(asOf)), col("dob")).divide(12)).cast("int"));
    List<Column> sel = new ArrayList<>();
    sel.add(udf(studyIds, DataTypes.StringType).apply(col("person_id")).as("study_id"));
    for (String f : fields) {
      sel.add(derived.getOrDefault(f, col(f)).as(f));
    }
    return persons.select(sel.toArray(new Column[0])).orderBy("study_id");
  }

  /**
   * Builds and writes the extract, and appends a line to the extract log.
   *
   * @param format parquet or csv (arrays are written as "a;b" in CSV)
   */
  public static Result write(SparkSession spark, Dataset<Row> personRecords, Dataset<Row> crosswalk, Agreement agreement,
      String party, byte[] secret, String extractId, LocalDate asOf, String basePath, String format, String extractLog) {
    Dataset<Row> out = build(personRecords, crosswalk, agreement, party, KeyedHash.forExtract(secret, extractId), asOf);
    String path = basePath + "/" + agreement.id() + "/" + party + "/" + extractId;
    switch (format) {
      case "parquet" -> out.write().mode(SaveMode.ErrorIfExists).parquet(path);
      case "csv" -> {
        List<Column> flat = new ArrayList<>();
        for (var f : out.schema().fields()) {
          flat.add(f.dataType() instanceof org.apache.spark.sql.types.ArrayType
              ? org.apache.spark.sql.functions.array_join(col(f.name()), ";").as(f.name()) : col(f.name()));
        }
        out.select(flat.toArray(new Column[0])).coalesce(1).write().mode(SaveMode.ErrorIfExists)
            .option("header", "true").csv(path);
      }
      default -> throw new IllegalArgumentException("Cannot write an extract as " + format + ": parquet or csv");
    }
    long rows = spark.read().format(format).option("header", "true").load(path).count();
    List<String> columns = List.of(out.columns());
    StructType s = new StructType()
        .add("extract_id", DataTypes.StringType).add("agreement_id", DataTypes.StringType)
        .add("party", DataTypes.StringType).add("fields", DataTypes.createArrayType(DataTypes.StringType))
        .add("rows", DataTypes.LongType).add("path", DataTypes.StringType).add("format", DataTypes.StringType)
        .add("as_of", DataTypes.DateType).add("created_at", DataTypes.TimestampType);
    Row log = RowFactory.create(extractId, agreement.id(), party, columns, rows, path, format,
        java.sql.Date.valueOf(asOf), new java.sql.Timestamp(System.currentTimeMillis()));
    org.commonclient.io.DeltaTables.append(spark.createDataFrame(List.of(log), s), extractLog);
    return new Result(agreement.id(), party, extractId, path, rows, columns);
  }
}
