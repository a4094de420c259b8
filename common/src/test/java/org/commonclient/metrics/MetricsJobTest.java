package org.commonclient.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.commonclient.io.Schemas;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Each metric on small hand-built data, with the expected answer worked out by hand. */
@ExtendWith(SparkExtension.class)
class MetricsJobTest {
  static final MonthDay SY = MonthDay.of(7, 1);

  static Date d(String s) {
    return s == null ? null : Date.valueOf(s);
  }

  /** person_records row with the columns the metrics read; person id goes to the crosswalk. */
  record Rec(String source, String id, String person, String program, String dob, String sex,
      String race, String hh, String start, String end) {}

  static MetricsInputs inputs(SparkSession spark, List<Rec> recs) {
    List<Row> pr = new ArrayList<>();
    List<Row> cw = new ArrayList<>();
    for (Rec r : recs) {
      Object[] v = new Object[Schemas.PERSON_RECORD.size()];
      v[0] = r.source();
      v[1] = r.id();
      v[2] = r.program();
      v[7] = d(r.dob());
      v[9] = r.sex();
      v[16] = r.hh();
      v[17] = r.race();
      v[18] = d(r.start());
      v[19] = d(r.end());
      pr.add(RowFactory.create(v));
      cw.add(RowFactory.create(r.source(), r.id(), r.person(), "run1"));
    }
    return MetricsInputs.of(spark.createDataFrame(pr, Schemas.PERSON_RECORD),
        spark.createDataFrame(cw, Schemas.CROSSWALK));
  }

  static Dataset<Row> df(SparkSession spark, String ddl, Object[]... rows) {
    List<Row> l = new ArrayList<>();
    for (Object[] r : rows) {
      l.add(RowFactory.create(r));
    }
    return spark.createDataFrame(l, StructType.fromDDL(ddl));
  }

  /**
   * Calendar year 2024 plus 2020 (nobody). Programs sort to MEDICAID, SNAP, TANF, WIC.
   *
   * <pre>
   * p1 SNAP 01-01..03-31 + 04-01..06-30 (touching: one span), WIC 05-01..open   -> SNAP+WIC, concurrent
   * p2 SNAP 01-01..02-29 and 04-15..12-31 (gap 45 days: churn), TANF 03-01..04-01 (no overlap)
   * p3 MEDICAID 2023-01-01..open                                                -> MEDICAID
   * p4 SNAP in 2022 only                                                       -> in no program in 2024
   * p5 SNAP 06-01..08-31 (source snap), MEDICAID 07-01..07-31 (source mcd)      -> concurrent
   * p6 WIC 02-01..02-10 and 09-01..09-30 (gap 202 days > 120: no churn)
   * cases: p1, p2 share SNAP case H1; p1 and p6 share WIC case W1 -> family {p1, p2, p6}
   * </pre>
   */
  static List<Rec> programData() {
    return List.of(
        new Rec("snap", "s1a", "p1", "SNAP", "1990-01-01", "F", "W", "H1", "2024-01-01", "2024-03-31"),
        new Rec("snap", "s1b", "p1", "SNAP", "1990-01-01", "F", "W", "H1", "2024-04-01", "2024-06-30"),
        new Rec("wic", "w1", "p1", "WIC", "1990-01-01", "F", "W", "W1", "2024-05-01", null),
        new Rec("snap", "s2a", "p2", "SNAP", "2020-10-01", "M", "H", "H1", "2024-01-01", "2024-02-29"),
        new Rec("snap", "s2b", "p2", "SNAP", "2020-10-01", "M", "H", "H1", "2024-04-15", "2024-12-31"),
        new Rec("tanf", "t2", "p2", "TANF", "2020-10-01", "1", "H", "T2", "2024-03-01", "2024-04-01"),
        new Rec("mcd", "m3", "p3", "MEDICAID", "1980-05-05", "2", "B", "M3", "2023-01-01", null),
        new Rec("snap", "s4", "p4", "SNAP", "1970-01-01", "M", "W", "H4", "2022-01-01", "2022-06-30"),
        new Rec("snap", "s5", "p5", "SNAP", "1985-01-01", "M", "A", "S5", "2024-06-01", "2024-08-31"),
        new Rec("mcd", "m5", "p5", "MEDICAID", "1985-01-01", "M", "A", "M5", "2024-07-01", "2024-07-31"),
        new Rec("wic", "w6a", "p6", "WIC", "2023-03-01", "F", "W", "W1", "2024-02-01", "2024-02-10"),
        new Rec("wic", "w6b", "p6", "WIC", "2023-03-01", "F", "W", "W1", "2024-09-01", "2024-09-30"));
  }

  static MetricsConfig calendar(int minCell) {
    return MetricsConfig.defaults()
        .withPeriods(List.of(
            new Period("2020", d("2020-01-01").toLocalDate(), d("2020-12-31").toLocalDate()),
            new Period("2024", d("2024-01-01").toLocalDate(), d("2024-12-31").toLocalDate())))
        .withMinCell(minCell);
  }

  @Test
  void multiProgramMetricsByHand(SparkSession spark, @TempDir Path dir) throws Exception {
    MetricsResult r = MetricsJob.run(spark, calendar(11), inputs(spark, programData()));
    MetricTable counts = r.raw("program_counts");
    assertEquals(5L, counts.value("n", "period", "2024", "level", "PERSON", "program", "ALL"), "unduplicated");
    assertEquals(2L, counts.value("n", "period", "2024", "level", "PERSON", "program", "MEDICAID"));
    assertEquals(3L, counts.value("n", "period", "2024", "level", "PERSON", "program", "SNAP"));
    assertEquals(1L, counts.value("n", "period", "2024", "level", "PERSON", "program", "TANF"));
    assertEquals(2L, counts.value("n", "period", "2024", "level", "PERSON", "program", "WIC"));
    assertEquals(0L, counts.value("n", "period", "2020", "level", "PERSON", "program", "ALL"), "nobody in 2020");

    MetricTable combos = r.raw("program_combinations");
    for (String c : List.of("SNAP+WIC", "SNAP+TANF", "MEDICAID", "MEDICAID+SNAP", "WIC")) {
      assertEquals(1L, combos.value("n", "period", "2024", "level", "PERSON", "combination", c), c);
    }
    assertEquals(5, combos.where("period", "2024", "level", "PERSON").size(), "five exclusive combinations");

    MetricTable breadth = r.raw("program_breadth");
    assertEquals(2L, breadth.value("n", "period", "2024", "level", "PERSON", "n_programs", 1));
    assertEquals(3L, breadth.value("n", "period", "2024", "level", "PERSON", "n_programs", 2));

    MetricTable ov = r.raw("program_overlap");
    Row sw = ov.one("period", "2024", "level", "PERSON", "definition", "EVER", "program_a", "SNAP", "program_b", "WIC");
    assertEquals(1L, sw.getLong(5));
    assertEquals(0.3333, sw.getDouble(8), 1e-9, "share of SNAP");
    assertEquals(0.5, sw.getDouble(9), 1e-9, "share of WIC");
    assertEquals(0.25, sw.getDouble(10), 1e-9, "Jaccard 1 / (3 + 2 - 1)");
    assertEquals(1L, ov.value("n_ab", "period", "2024", "level", "PERSON", "definition", "EVER",
        "program_a", "SNAP", "program_b", "TANF"));
    assertEquals(0L, ov.value("n_ab", "period", "2024", "level", "PERSON", "definition", "CONCURRENT",
        "program_a", "SNAP", "program_b", "TANF"), "TANF sits in p2's SNAP gap");
    assertEquals(1L, ov.value("n_ab", "period", "2024", "level", "PERSON", "definition", "CONCURRENT",
        "program_a", "SNAP", "program_b", "WIC"), "p1: open WIC span overlaps SNAP in May-June");
    assertEquals(1L, ov.value("n_ab", "period", "2024", "level", "PERSON", "definition", "CONCURRENT",
        "program_a", "MEDICAID", "program_b", "SNAP"), "p5 across two sources");

    MetricTable churn = r.raw("program_churn");
    assertEquals(1L, churn.value("churned", "period", "2024", "level", "PERSON", "program", "SNAP"), "p2 only");
    assertEquals(0L, churn.value("churned", "period", "2024", "level", "PERSON", "program", "WIC"),
        "p6's gap exceeds 120 days");
    assertEquals(0.3333, (Double) churn.value("churn_rate", "period", "2024", "level", "PERSON", "program", "SNAP"), 1e-9);

    // families: {p1, p2, p6} = SNAP+TANF+WIC, {p3} = MEDICAID, {p5} = MEDICAID+SNAP
    assertEquals(3L, counts.value("n", "period", "2024", "level", "FAMILY", "program", "ALL"));
    assertEquals(2L, counts.value("n", "period", "2024", "level", "FAMILY", "program", "SNAP"));
    assertEquals(1L, combos.value("n", "period", "2024", "level", "FAMILY", "combination", "SNAP+TANF+WIC"));
    // cases: SNAP H1 (p1, p2 merged all year, no churn) and S5
    assertEquals(2L, counts.value("n", "period", "2024", "level", "CASE", "program", "SNAP"));
    assertEquals(0L, churn.value("churned", "period", "2024", "level", "CASE", "program", "SNAP"));

    // published: every count 1..10 suppressed, zeros published, combinations collapsed
    MetricTable pc = r.pub("program_counts");
    Row all = pc.one("period", "2024", "level", "PERSON", "program", "ALL");
    assertNull(all.get(3), "5 persons is under the minimum cell");
    assertTrue(all.getBoolean(4));
    assertEquals(0L, pc.value("n", "period", "2020", "level", "PERSON", "program", "ALL"), "zero is published");
    MetricTable pcombo = r.pub("program_combinations");
    assertEquals(1, pcombo.where("period", "2024", "level", "PERSON").size(), "all collapsed into OTHER");
    assertTrue(r.notes().stream().noneMatch(n -> n.startsWith("FAILED")), "no failed metric: " + r.notes());

    // with minCell 1 nothing is suppressed and the published counts equal the raw ones
    MetricsResult open = MetricsJob.run(spark, calendar(1), inputs(spark, programData()));
    assertEquals(3L, open.pub("program_counts").value("n", "period", "2024", "level", "PERSON", "program", "SNAP"));
    assertEquals(0.25, (Double) open.pub("program_overlap").value("jaccard", "period", "2024", "level", "PERSON",
        "definition", "EVER", "program_a", "SNAP", "program_b", "WIC"), 1e-9);

    MetricsWriter.write(spark, r, dir.resolve("restricted").toString(), dir.resolve("published").toString());
    assertEquals(5L * 0 + spark.read().format("delta").load(dir.resolve("restricted/program_counts").toString()).count(),
        counts.rows().size());
    Dataset<Row> pubCsv = spark.read().option("header", "true").csv(dir.resolve("published/csv/program_counts").toString());
    assertTrue(List.of(pubCsv.columns()).contains("footnote"), "published CSV carries the footnote");
    String html = Files.readString(dir.resolve("published/summary.html"));
    assertTrue(html.contains("Common-client metrics, 2024"), "summary names the headline period");
  }

  /**
   * School year 2024-25, age date 2024-09-01.
   *
   * <pre>
   * c1 born 2020-10-01 (3), own SNAP                       head start: eligible, not attended -> outreach
   *                                                         under-5 not WIC: counted
   * c2 born 2021-01-15 (3), WIC case W2 with m2 (TANF T2)  head start: eligible via family, attended
   * c3 born 2020-05-05 (4), WIC only                       head start: potentially eligible
   * c4 born 2022-06-01 (2), own TANF and WIC               under-5 not WIC: enrolled in WIC
   * h1 born 2012-03-03 (12), HOUSING, no school            housing rule: not enrolled
   * h2 born 2014-04-04 (10), HOUSING, enrolled             housing rule: enrolled
   * </pre>
   */
  @Test
  void eligibleNotEnrolledByHand(SparkSession spark) {
    List<Rec> recs = List.of(
        new Rec("snap", "c1", "c1", "SNAP", "2020-10-01", "F", "W", "S1", "2024-01-01", null),
        new Rec("wic", "c2", "c2", "WIC", "2021-01-15", "M", "W", "W2", "2024-01-01", null),
        new Rec("wic", "m2w", "m2", "WIC", "1995-01-01", "F", "W", "W2", "2024-01-01", null),
        new Rec("tanf", "m2t", "m2", "TANF", "1995-01-01", "F", "W", "T2", "2024-01-01", null),
        new Rec("wic", "c3", "c3", "WIC", "2020-05-05", "F", "B", "W3", "2024-01-01", null),
        new Rec("tanf", "c4t", "c4", "TANF", "2022-06-01", "M", "B", "T4", "2024-01-01", null),
        new Rec("wic", "c4w", "c4", "WIC", "2022-06-01", "M", "B", "W4", "2024-01-01", null),
        new Rec("pha", "h1", "h1", "HOUSING", "2012-03-03", "M", "W", "P1", "2020-01-01", null),
        new Rec("pha", "h2", "h2", "HOUSING", "2014-04-04", "F", "W", "P2", "2020-01-01", null),
        new Rec("school", "h2s", "h2", "SCHOOL", "2014-04-04", "F", "W", null, "2024-08-20", null));
    MetricsInputs base = inputs(spark, recs);
    Dataset<Row> hs = df(spark, "record_source string, record_id string, center_id string, program_year int,"
        + " accepted_date date, first_service_date date",
        new Object[] {"wic", "c2", "C1", 2024, d("2024-08-01"), d("2024-09-03")},
        new Object[] {"snap", "c1", "C1", 2024, d("2024-08-01"), null});
    Dataset<Row> enr = df(spark, "record_source string, record_id string, district_id string, school_id string,"
        + " school_year int, grade string, entry_date date, exit_date date, exit_code string",
        new Object[] {"school", "h2s", "X", "A", 2024, "5", d("2024-08-20"), null, null});
    MetricsInputs in = new MetricsInputs(base.personRecords(), base.crosswalk(), enr, null, null, null, null, hs);
    MetricsConfig cfg = MetricsConfig.defaults().withPeriods(List.of(Period.schoolYear(2024, SY))).withMinCell(1);
    MetricsResult r = MetricsJob.run(spark, cfg, in);
    MetricTable t = r.raw("eligible_not_enrolled");
    String p = "SY2024-25";
    assertEquals(2L, t.value("eligible", "period", p, "rule", "head_start"), "c1 and c2");
    assertEquals(1L, t.value("enrolled", "period", p, "rule", "head_start"), "c2 attended");
    assertEquals(1L, t.value("not_enrolled", "period", p, "rule", "head_start"));
    assertEquals(1L, t.value("potential_not_enrolled", "period", p, "rule", "head_start"), "c3 WIC only");
    assertEquals(2L, t.value("eligible", "period", p, "rule", "under5_snap_tanf_not_wic"), "c1 SNAP, c4 TANF");
    assertEquals(1L, t.value("not_enrolled", "period", p, "rule", "under5_snap_tanf_not_wic"), "c1");
    assertEquals(2L, t.value("eligible", "period", p, "rule", "housing_school_age_not_enrolled"));
    assertEquals(1L, t.value("not_enrolled", "period", p, "rule", "housing_school_age_not_enrolled"), "h1");
    List<Row> out = r.outreach().where("rule = 'head_start'").orderBy("person_id").collectAsList();
    assertEquals(2, out.size());
    assertEquals("c1", out.get(0).getString(3));
    assertEquals("ELIGIBLE_NOT_ENROLLED", out.get(0).getString(2));
    assertEquals("c3", out.get(1).getString(3));
    assertEquals(1L, r.outreach().where("rule = 'housing_school_age_not_enrolled' AND person_id = 'h1'").count());
  }
}
