package org.commonclient.metrics;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.to_date;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Fact tables joined to person ids, and per-period flags derived from them. */
final class Facts {
  static final StructType FLAG = new StructType().add("period_id", "int").add("person_id", "string");

  private Facts() {}

  /** Adds {@code person_id} to a fact table (record_source, record_id) via the crosswalk. */
  static Dataset<Row> withPerson(Dataset<Row> facts, Dataset<Row> crosswalk) {
    Dataset<Row> cw =
        crosswalk.select(col("source").as("record_source"), col("record_id"), col("person_id"));
    // the fact rows are the hashed side (far fewer than crosswalk rows): no sort of the crosswalk
    return facts.hint("shuffle_hash").join(cw, new String[] {"record_source", "record_id"}, "inner");
  }

  /** Start of school year {@code y} (a column) as a date. */
  static Column schoolYearStart(Column fallYear, MetricsConfig cfg) {
    return make_date(fallYear, lit(cfg.schoolYearStart().getMonthValue()),
        lit(cfg.schoolYearStart().getDayOfMonth()));
  }

  /** Month-day {@code md} in calendar year {@code year}. */
  static Column monthDay(Column year, java.time.MonthDay md) {
    return make_date(year, lit(md.getMonthValue()), lit(md.getDayOfMonth()));
  }

  /**
   * Head Start "enrolled" (45 CFR 1305.2: accepted and attended at least once): a service row
   * with a first service date on or before the period end, in a program year overlapping the
   * period. Output: period_id, person_id, hs = true.
   */
  static Dataset<Row> headStartAttended(
      Dataset<Row> hs, Dataset<Row> crosswalk, Dataset<Row> periods, MetricsConfig cfg) {
    Column pyStart = schoolYearStart(col("program_year"), cfg);
    Column pyEnd = org.apache.spark.sql.functions.date_sub(
        schoolYearStart(col("program_year").plus(1), cfg), 1);
    return withPerson(hs, crosswalk)
        .where(col("first_service_date").isNotNull())
        .crossJoin(broadcast(periods))
        .where(col("first_service_date").leq(col("p_end"))
            .and(pyStart.leq(col("p_end")))
            .and(pyEnd.geq(col("p_start"))))
        .select(col("period_id"), col("person_id"), lit(true).as("hs"))
        .distinct();
  }

  /** School enrollment overlapping the period: period_id, person_id, enr = true. */
  static Dataset<Row> schoolEnrolled(
      Dataset<Row> enr, Dataset<Row> crosswalk, Dataset<Row> periods, MetricsConfig cfg) {
    Column start = coalesce(col("entry_date"), schoolYearStart(col("school_year"), cfg));
    Column end = coalesce(col("exit_date"),
        org.apache.spark.sql.functions.date_sub(schoolYearStart(col("school_year").plus(1), cfg), 1),
        to_date(lit(Spans.OPEN_END)));
    return withPerson(enr, crosswalk)
        .crossJoin(broadcast(periods))
        .where(start.leq(col("p_end")).and(end.geq(col("p_start"))))
        .select(col("period_id"), col("person_id"), lit(true).as("enr"))
        .distinct();
  }
}
