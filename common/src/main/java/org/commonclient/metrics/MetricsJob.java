package org.commonclient.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.spark.SparkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Common-client metrics over the linked tables, with disclosure control on everything published.
 *
 * <p>Inputs: {@code person_records} and {@code crosswalk} (required), fact tables {@code
 * edu_enrollment, edu_attendance, edu_assessment, edu_cohort, housing_residence,
 * headstart_service} (optional; metrics needing an absent one are skipped with a note).
 *
 * <p>Outputs ({@link MetricsWriter}): raw aggregates and outreach lists in the restricted zone,
 * published tables (Delta and CSV) and {@code summary.html} in the published zone.
 *
 * <p>Algorithm: records are joined to the crosswalk once and kept for the run (a deliberate stage
 * boundary: spans, cases, persons and facts all read it). Program spans are merged per person and
 * program after one repartition by person, so the merge windows and the per-person aggregation
 * share that shuffle; one aggregation gives each person's program set, churned programs and
 * concurrent pairs per period, and a second one turns them into pattern counts collected to the
 * driver, where every multi-program count is a sum over patterns. Families are connected
 * components of shared case ids computed by union-find on the driver from a stream of the same
 * per-person rows. Education metrics are one fused aggregation over person-year rows (see {@link
 * EducationMetrics}). Disclosure control runs in plain Java on the collected tables.
 */
public final class MetricsJob {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsJob.class);

  private MetricsJob() {}

  /** Computes every metric; never throws for a failing metric (it becomes a note). */
  public static MetricsResult run(SparkSession spark, MetricsConfig cfg, MetricsInputs in) {
    long t0 = System.currentTimeMillis();
    List<String> notes = new ArrayList<>();
    for (String f : in.absentFacts()) {
      notes.add("absent fact table " + f + ": metrics needing it are skipped");
    }
    Map<String, String> params = cfg.describe();
    List<MetricTable> raw = new ArrayList<>();
    List<MetricTable> pub = new ArrayList<>();
    List<Period> periods = cfg.periods();
    Dataset<Row> recs =
        Spans.linkedRecords(in.personRecords(), in.crosswalk(), cfg.sexMap(), cfg.raceMap())
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> personPeriods = null;
    Dataset<Row> outreach = emptyOutreach(spark);
    try {
      List<String> programs = cfg.programs();
      if (programs.isEmpty()) {
        programs =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: program codes", () ->
                recs.select("program").distinct().collectAsList().stream()
                    .map(r -> r.getString(0)).sorted().toList());
      }
      if (programs.size() > 62) {
        throw new IllegalArgumentException("Cannot handle " + programs.size() + " programs: at most 62");
      }
      params.put("programs", programs.toString());
      Map<String, Integer> bits = ProgramMetrics.bits(programs);
      Dataset<Row> periodsDf = ProgramMetrics.periods(spark, periods);
      Dataset<Row> spans =
          Spans.merge(recs.repartition(col("person_id")), cfg.mergeGapDays(), "person_id", "program");
      personPeriods =
          ProgramMetrics.personPeriods(spans, periodsDf, bits, cfg.overlapMinDays(), cfg.churnWindowDays())
              .persist(StorageLevel.MEMORY_AND_DISK());
      final Dataset<Row> pp = personPeriods;
      ProgramTables.Builder tables = new ProgramTables.Builder(programs, cfg);
      Map<Integer, Map<Long, Long>> familyMask = new HashMap<>();
      try {
        List<Row> patterns =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: program patterns", () ->
                ProgramMetrics.patterns(pp).collectAsList());
        Map<Integer, ProgramMetrics.Counts> persons = ProgramMetrics.personCounts(patterns, periods.size());
        Map<Integer, ProgramMetrics.Counts> families =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: families", () ->
                ProgramMetrics.familyCounts(
                    ProgramMetrics.familyStream(pp).toLocalIterator(), periods.size(), familyMask));
        List<Row> caseRows =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: cases", () ->
                ProgramMetrics.caseCounts(
                        Spans.merge(recs.where(col("case_key").isNotNull()), cfg.mergeGapDays(),
                            "program", "case_key"),
                        periodsDf, cfg.churnWindowDays())
                    .collectAsList());
        for (int p = 0; p < periods.size(); p++) {
          String label = periods.get(p).label();
          tables.add(label, ProgramTables.PERSON, persons.get(p));
          tables.add(label, ProgramTables.FAMILY, families.get(p));
          Map<String, long[]> cases = new java.util.TreeMap<>();
          for (Row r : caseRows) {
            if (r.getInt(0) == p) {
              cases.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3)});
            }
          }
          tables.addCases(label, cases);
        }
        raw.addAll(tables.raw(params, "restricted: raw counts, not for release"));
        pub.addAll(tables.published(params, cfg.footnote()));
      } catch (RuntimeException e) {
        fail(notes, "multi-program metrics", e);
      }
      try {
        outreach = eligibility(spark, cfg, in, recs, pp, bits, familyMask, raw, pub, params, notes);
      } catch (RuntimeException e) {
        fail(notes, "eligible-not-enrolled", e);
      }
      try {
        EducationMetrics.compute(spark, cfg, in, recs, raw, pub, params, notes);
      } catch (RuntimeException e) {
        fail(notes, "education outcomes", e);
      }
    } finally {
      if (personPeriods != null) {
        personPeriods.unpersist();
      }
      recs.unpersist();
    }
    long ms = System.currentTimeMillis() - t0;
    LOG.info("metrics: {} restricted and {} published tables in {} ms; notes {}", raw.size(), pub.size(), ms, notes);
    return new MetricsResult(raw, pub, outreach, List.copyOf(notes), params, periods.get(periods.size() - 1), ms);
  }

  static void fail(List<String> notes, String what, RuntimeException e) {
    LOG.error("metrics: {} failed", what, e);
    notes.add("FAILED " + what + ": " + e);
  }

  static final StructType OUTREACH = new StructType().add("period", "string").add("rule", "string")
      .add("status", "string").add("person_id", "string");

  private static Dataset<Row> emptyOutreach(SparkSession spark) {
    return spark.createDataFrame(List.of(), OUTREACH);
  }

  private static Dataset<Row> eligibility(SparkSession spark, MetricsConfig cfg, MetricsInputs in,
      Dataset<Row> recs, Dataset<Row> pp, Map<String, Integer> bits,
      Map<Integer, Map<Long, Long>> familyMask, List<MetricTable> raw, List<MetricTable> pub,
      Map<String, String> params, List<String> notes) {
    if (cfg.rules().isEmpty()) {
      return emptyOutreach(spark);
    }
    List<Period> periods = cfg.periods();
    int maxAge = cfg.rules().stream().mapToInt(MetricsConfig.EligibilityRule::ageTo).max().orElse(0);
    LocalDate minDob = periods.get(0).start().minusYears(maxAge + 2L);
    Dataset<Row> dob = recs.groupBy("person_id").agg(org.apache.spark.sql.functions.min("dob").as("dob"));
    Dataset<Row> periodsDf = ProgramMetrics.periods(spark, periods);
    Dataset<Row> children =
        pp.select("period_id", "person_id", "mask")
            .join(dob.where(col("dob").geq(lit(java.sql.Date.valueOf(minDob)))), "person_id");
    boolean haveHs = in.headstartService() != null;
    boolean haveEnr = in.eduEnrollment() != null;
    Dataset<Row> hs = haveHs ? Facts.headStartAttended(in.headstartService(), in.crosswalk(), periodsDf, cfg) : null;
    Dataset<Row> enr = haveEnr ? Facts.schoolEnrolled(in.eduEnrollment(), in.crosswalk(), periodsDf, cfg) : null;
    children = children.join(
        hs == null ? spark.createDataFrame(List.of(), Facts.FLAG.add("hs", "boolean")) : hs,
        new String[] {"period_id", "person_id"}, "left");
    children = children.join(
        enr == null ? spark.createDataFrame(List.of(), Facts.FLAG.add("enr", "boolean")) : enr,
        new String[] {"period_id", "person_id"}, "left");
    final Dataset<Row> ch = children.select(col("period_id"), col("person_id"),
        xxhash64(col("person_id")).as("ph"), col("mask"), col("dob"), col("hs"), col("enr"));
    List<Row> rows = SparkSessions.withJobGroup(spark, "metrics", "metrics: eligibility", ch::collectAsList);
    List<Eligibility.Child> kids = new ArrayList<>();
    for (Row r : rows) {
      kids.add(new Eligibility.Child(r.getInt(0), r.getString(1), r.getLong(2), r.getLong(3),
          r.getDate(4).toLocalDate(), !r.isNullAt(5) && r.getBoolean(5), !r.isNullAt(6) && r.getBoolean(6)));
    }
    for (MetricsConfig.EligibilityRule rule : cfg.rules()) {
      for (String p : rule.qualifyingPrograms()) {
        if (!bits.containsKey(p)) {
          notes.add("rule " + rule.name() + ": qualifying program " + p + " not in the data");
        }
      }
    }
    Map<String, String> desc = new HashMap<>();
    cfg.rules().forEach(r -> desc.put(r.name(), r.description()));
    List<Row> rawRows = new ArrayList<>();
    List<Row> pubRows = new ArrayList<>();
    List<Row> out = new ArrayList<>();
    for (int p = 0; p < periods.size(); p++) {
      List<Eligibility.Outcome> outcomes = new ArrayList<>();
      for (MetricsConfig.EligibilityRule rule : cfg.rules()) {
        Eligibility.Outcome o = Eligibility.evaluate(rule, periods.get(p), p, kids,
            familyMask.getOrDefault(p, Map.of()), bits, cfg, haveHs, haveEnr);
        outcomes.add(o);
        for (String id : o.outreachEligible()) {
          out.add(RowFactory.create(o.period(), o.rule(), "ELIGIBLE_NOT_ENROLLED", id));
        }
        for (String id : o.outreachPotential()) {
          out.add(RowFactory.create(o.period(), o.rule(), "POTENTIALLY_ELIGIBLE_INCOME_NOT_VERIFIED", id));
        }
      }
      Eligibility.tables(outcomes, desc, cfg.minCell(), rawRows, pubRows);
    }
    raw.add(new MetricTable("eligible_not_enrolled", Eligibility.RAW, rawRows, params, "restricted"));
    pub.add(new MetricTable("eligible_not_enrolled", Eligibility.PUB, pubRows, params, cfg.footnote()));
    return spark.createDataFrame(out, OUTREACH);
  }
}
