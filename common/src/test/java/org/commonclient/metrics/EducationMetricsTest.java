package org.commonclient.metrics;

import static org.commonclient.metrics.MetricsJobTest.d;
import static org.commonclient.metrics.MetricsJobTest.df;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.metrics.MetricsJobTest.Rec;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Education outcomes on hand-built data, school year 2024-25 (district X's first entry date is
 * 2024-08-20, so on time = entry by 08-25).
 *
 * <pre>
 * s1 PH  dev D1  school A 08-20..12-20 (80 days, 6 absent), school B 2025-01-05.. (90 days, 12 absent)
 *    person-year 18/170 = 0.106 -> chronic (ratio) and 18 >= 15 -> chronic (count); on time; MATH level 4
 *    per school: A 6/80 = 0.075 no, B 12/90 = 0.133 yes
 * s2 HCV dev D2  school A entry 09-10 (late), 10/170 no; one OSS event; ELA level 3 (proficient)
 * s3 peer        school A entry 08-20, 20/170 chronic both ways; ELA level 2
 * s4 peer        school A entry 08-22, 5 days enrolled (below the 10-day minimum)
 * g1 peer        cohort 2021 DIPLOMA 2025-06-10; enrolled 2023 (11) and 2024 (12); born 2006 (18: not school age)
 * g2 peer        cohort 2021 DROPOUT; enrolled 2023 (11) only -> 2023 dropout
 * g3 peer        cohort 2021 TRANSFER_OUT_CONFIRMED -> removed from the ACGR cohort
 * </pre>
 */
@ExtendWith(SparkExtension.class)
class EducationMetricsTest {

  @Test
  void educationOutcomesByHand(SparkSession spark) {
    List<Rec> recs = List.of(
        new Rec("pha", "s1", "s1", "HOUSING", "2014-01-01", "F", "W", "P1", "2020-01-01", null),
        new Rec("pha", "s2", "s2", "HOUSING", "2015-06-01", "M", "B", "P2", "2020-01-01", null),
        new Rec("school", "s1", "s1", "SCHOOL", "2014-01-01", "F", "W", null, "2024-08-20", null),
        new Rec("school", "s2", "s2", "SCHOOL", "2015-06-01", "M", "B", null, "2024-09-10", null),
        new Rec("school", "s3", "s3", "SCHOOL", "2015-02-02", "F", "H", null, "2024-08-20", null),
        new Rec("school", "s4", "s4", "SCHOOL", "2014-05-05", "M", "W", null, "2024-08-22", null),
        new Rec("school", "g1", "g1", "SCHOOL", "2006-08-01", "M", "W", null, "2023-08-20", null),
        new Rec("school", "g2", "g2", "SCHOOL", "2006-09-01", "F", "W", null, "2023-08-20", null),
        new Rec("school", "g3", "g3", "SCHOOL", "2006-10-01", "F", "W", null, "2023-08-20", null));
    MetricsInputs base = MetricsJobTest.inputs(spark, recs);
    String enrDdl = "record_source string, record_id string, district_id string, school_id string,"
        + " school_year int, grade string, entry_date date, exit_date date, exit_code string";
    Dataset<Row> enr = df(spark, enrDdl,
        new Object[] {"school", "s1", "X", "A", 2024, "5", d("2024-08-20"), d("2024-12-20"), "T"},
        new Object[] {"school", "s1", "X", "B", 2024, "5", d("2025-01-05"), null, null},
        new Object[] {"school", "s2", "X", "A", 2024, "3", d("2024-09-10"), null, null},
        new Object[] {"school", "s3", "X", "A", 2024, "3", d("2024-08-20"), null, null},
        new Object[] {"school", "s4", "X", "A", 2024, "4", d("2024-08-22"), d("2024-08-29"), "T"},
        new Object[] {"school", "g1", "X", "H", 2023, "11", d("2023-08-20"), d("2024-06-10"), null},
        new Object[] {"school", "g1", "X", "H", 2024, "12", d("2024-08-20"), null, null},
        new Object[] {"school", "g2", "X", "H", 2023, "11", d("2023-08-20"), d("2024-06-10"), null});
    String attDdl = "record_source string, record_id string, district_id string, school_id string,"
        + " school_year int, days_enrolled int, days_absent double, oss_days double, iss_days double,"
        + " oss_events int, iss_events int, expulsions int";
    Dataset<Row> att = df(spark, attDdl,
        new Object[] {"school", "s1", "X", "A", 2024, 80, 6.0, 0.0, 0.0, 0, 0, 0},
        new Object[] {"school", "s1", "X", "B", 2024, 90, 12.0, 0.0, 0.0, 0, 0, 0},
        new Object[] {"school", "s2", "X", "A", 2024, 170, 10.0, 2.0, 0.0, 1, 0, 0},
        new Object[] {"school", "s3", "X", "A", 2024, 170, 20.0, 0.0, 0.0, 0, 0, 0},
        new Object[] {"school", "s4", "X", "A", 2024, 5, 3.0, 0.0, 0.0, 0, 0, 0});
    Dataset<Row> asm = df(spark, "record_source string, record_id string, school_id string, school_year int,"
        + " grade string, subject string, performance_level int, proficient boolean, alternate boolean",
        new Object[] {"school", "s1", "B", 2024, "5", "MATH", 4, true, false},
        new Object[] {"school", "s2", "A", 2024, "3", "ELA", 3, true, false},
        new Object[] {"school", "s3", "A", 2024, "3", "ELA", 2, false, false});
    Dataset<Row> coh = df(spark, "record_source string, record_id string, district_id string,"
        + " cohort_year int, outcome string, outcome_date date",
        new Object[] {"school", "g1", "X", 2021, "DIPLOMA", d("2025-06-10")},
        new Object[] {"school", "g2", "X", 2021, "DROPOUT", d("2024-06-10")},
        new Object[] {"school", "g3", "X", 2021, "TRANSFER_OUT_CONFIRMED", d("2023-01-10")});
    Dataset<Row> housing = df(spark, "record_source string, record_id string, development_id string,"
        + " program_type string, move_in date, move_out date",
        new Object[] {"pha", "s1", "D1", "PH", d("2020-01-01"), null},
        new Object[] {"pha", "s2", "D2", "HCV", d("2020-01-01"), null});
    MetricsInputs in = new MetricsInputs(base.personRecords(), base.crosswalk(), enr, att, asm, coh, housing, null);
    MetricsConfig cfg = MetricsConfig.defaults()
        .withPeriods(List.of(Period.schoolYear(2023, MetricsJobTest.SY), Period.schoolYear(2024, MetricsJobTest.SY)))
        .withMinCell(1);
    MetricsResult r = MetricsJob.run(spark, cfg, in);
    assertTrue(r.notes().stream().noneMatch(n -> n.startsWith("FAILED")), "notes: " + r.notes());
    MetricTable t = r.raw("education_outcomes");

    check(t, 2024, "ALL", "ALL", "ALL", "ontime", 3, 4);          // s1, s3, s4 on time; s2 late
    check(t, 2024, "ALL", "ALL", "ALL", "chronic_ratio", 2, 3);   // s1 (across schools), s3; s4 excluded
    check(t, 2024, "ALL", "ALL", "ALL", "chronic_count", 2, 3);   // s1 18, s3 20
    check(t, 2024, "HOUSING", "ALL", "ALL", "chronic_ratio", 1, 2);
    check(t, 2024, "HOUSING_PH", "ALL", "ALL", "chronic_ratio", 1, 1);
    check(t, 2024, "HOUSING_HCV", "ALL", "ALL", "chronic_ratio", 0, 1);
    check(t, 2024, "PEERS", "ALL", "ALL", "chronic_ratio", 1, 1);
    check(t, 2024, "ALL", "school", "X/A", "chronic_ratio", 1, 3);  // each enrollment judged alone
    check(t, 2024, "ALL", "school", "X/B", "chronic_ratio", 1, 1);
    check(t, 2024, "ALL", "district", "X", "chronic_ratio", 2, 4);
    check(t, 2024, "ALL", "ALL", "ALL", "susp_oss", 1, 4);
    check(t, 2024, "HOUSING", "ALL", "ALL", "susp_any", 1, 2);
    check(t, 2024, "ALL", "ALL", "ALL", "prof_ela", 1, 2);
    check(t, 2024, "ALL", "ALL", "ALL", "prof_math", 1, 1);
    check(t, 2024, "ALL", "ALL", "ALL", "acgr", 1, 2);              // g3 removed from the cohort
    check(t, 2023, "ALL", "ALL", "ALL", "dropout", 1, 2);           // g2
    check(t, 2024, "HOUSING", "development", "D1", "chronic_ratio", 1, 1);
    check(t, 2024, "ALL", "grade", "3", "chronic_ratio", 1, 2);
    check(t, 2024, "ALL", "sex", "F", "chronic_ratio", 2, 2);
    check(t, 2024, "ALL", "race", "HISPANIC", "chronic_ratio", 1, 1);
    check(t, 2024, "ALL", "age", "10", "ontime", 2, 2);             // s1, s4 aged 10 on 2024-09-01
    assertTrue(t.where("school_year", 2024, "metric", "dropout").isEmpty(), "no 2025 data to judge 2024 dropouts");

    // published with the default minimum cell 11: everything here is small, so every rate is suppressed
    MetricsResult p = MetricsJob.run(spark, cfg.withMinCell(11), in);
    MetricTable pub = p.pub("education_outcomes");
    assertTrue(pub.rows().stream().allMatch(row -> row.getBoolean(pub.schema().fieldIndex("suppressed"))),
        "all suppressed");
  }

  static void check(MetricTable t, int year, String pop, String dim, String value, String metric,
      long num, long den) {
    Row r = t.one("school_year", year, "population", pop, "dim", dim, "dim_value", value, "metric", metric);
    String where = year + " " + pop + " " + dim + "=" + value + " " + metric;
    assertEquals(num, r.getLong(5), where + " numerator");
    assertEquals(den, r.getLong(6), where + " denominator");
  }
}
