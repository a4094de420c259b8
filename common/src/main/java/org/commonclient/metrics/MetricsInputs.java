package org.commonclient.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Datasets the metrics read. {@code personRecords} and {@code crosswalk} are required; each
 * fact table may be null (absent), and the metrics that need it are skipped with a note. Tests
 * pass hand-built Datasets; the integrator passes Delta tables, or a truth crosswalk instead of
 * the linked one to measure the effect of linkage error on the metrics.
 *
 * @param personRecords {@code person_records} (columns of {@code Schemas.PERSON_RECORD}; only
 *     source, record_id, program, dob, sex, race_ethnicity, household_id, enroll_start, enroll_end
 *     are read)
 * @param crosswalk source, record_id, person_id
 */
public record MetricsInputs(
    Dataset<Row> personRecords,
    Dataset<Row> crosswalk,
    Dataset<Row> eduEnrollment,
    Dataset<Row> eduAttendance,
    Dataset<Row> eduAssessment,
    Dataset<Row> eduCohort,
    Dataset<Row> housingResidence,
    Dataset<Row> headstartService) {
  public MetricsInputs {
    Objects.requireNonNull(personRecords, "personRecords");
    Objects.requireNonNull(crosswalk, "crosswalk");
  }

  /** Only the person-level inputs; every fact table absent. */
  public static MetricsInputs of(Dataset<Row> personRecords, Dataset<Row> crosswalk) {
    return new MetricsInputs(personRecords, crosswalk, null, null, null, null, null, null);
  }

  /** The same inputs with another crosswalk (e.g. the truth crosswalk of a generated sample). */
  public MetricsInputs withCrosswalk(Dataset<Row> other) {
    return new MetricsInputs(personRecords, other, eduEnrollment, eduAttendance, eduAssessment,
        eduCohort, housingResidence, headstartService);
  }

  /** Names of the absent fact tables. */
  public List<String> absentFacts() {
    List<String> out = new ArrayList<>();
    if (eduEnrollment == null) out.add("edu_enrollment");
    if (eduAttendance == null) out.add("edu_attendance");
    if (eduAssessment == null) out.add("edu_assessment");
    if (eduCohort == null) out.add("edu_cohort");
    if (housingResidence == null) out.add("housing_residence");
    if (headstartService == null) out.add("headstart_service");
    return out;
  }
}
