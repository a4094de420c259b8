package org.commonclient.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.element_at;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
 * <p>Algorithm: records are joined to the crosswalk once (a hash join) and kept for the run,
 * hash-partitioned by person and sorted by person, program and start (a deliberate stage
 * boundary: spans, cases, persons and facts all read it); the crosswalk is kept partitioned by
 * record key for the fact-table joins. Both are repartitioned to an explicit partition count, so
 * adaptive execution keeps their partitioning and readers do not shuffle them again. Program spans
 * are merged per person and program, clipped to the periods and aggregated into one row per
 * person and period in a single pass over each partition of the records (no shuffle); one
 * aggregation turns those rows into pattern counts collected to the driver, where every
 * multi-program count is a sum over patterns. Families are connected components of shared case
 * ids, computed by union-find in one task per period ({@link Components}). Case-level counts merge
 * each case's spans in one pass after one shuffle by case. Education metrics are one fused
 * aggregation over person-year rows (see {@link EducationMetrics}). Disclosure control runs in
 * plain Java on the collected tables.
 */
public final class MetricsJob {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsJob.class);

  private MetricsJob() {}

  /** Computes every metric; never throws for a failing metric (it becomes a note). */
  public static MetricsResult run(SparkSession spark, MetricsConfig cfg, MetricsInputs inputs) {
    MetricsInputs in = inputs;
    long t0 = System.currentTimeMillis();
    Phases phases = new Phases();
    List<String> notes = new ArrayList<>();
    for (String f : in.absentFacts()) {
      notes.add("absent fact table " + f + ": metrics needing it are skipped");
    }
    Map<String, String> params = cfg.describe();
    List<MetricTable> raw = new ArrayList<>();
    List<MetricTable> pub = new ArrayList<>();
    List<Period> periods = cfg.periods();
    // stage boundary 1: the crosswalk by record key (every fact table and the records join it)
    // an explicit partition count (the shuffle partitions): adaptive execution does not coalesce
    // such a shuffle, so the cached tables keep a hash partitioning that joins and per-person
    // aggregations can use (with coalesced partitions every reader shuffled them again)
    int parts = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
    Dataset<Row> cw = in.crosswalk().select(col("source"), col("record_id"), col("person_id"))
        .repartition(parts, col("source"), col("record_id"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    in = in.withCrosswalk(cw);
    // stage boundary 2: linked records, hash-partitioned by person (spans, persons, dob read it)
    Dataset<Row> recs =
        Spans.linkedRecords(in.personRecords(), cw, cfg.sexMap(), cfg.raceMap())
            .drop("source", "record_id")
            .repartition(parts, col("person_id"))
            // in the order of the span-merge window (which then needs no sort of its own); the
            // per-person aggregations of the education thread read it in person order as well
            .sortWithinPartitions(col("person_id"), col("program"), col("start"), col("end"))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> personPeriods = null;
    Dataset<Row> personFamilies = null;
    java.util.concurrent.Future<Education> education = null;
    Dataset<Row> outreach = emptyOutreach(spark);
    try {
      List<String> programs = cfg.programs();
      if (programs.isEmpty()) {
        programs =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: program codes", () ->
                recs.select("program").distinct().collectAsList().stream()
                    .map(r -> r.getString(0)).sorted().toList());
        phases.mark("linked records + program codes");
      }
      if (programs.size() > 62) {
        throw new IllegalArgumentException("Cannot handle " + programs.size() + " programs: at most 62");
      }
      params.put("programs", programs.toString());
      // education outcomes share only the linked records and the crosswalk with the rest: they
      // run on a second driver thread, side by side with the program metrics, so the driver-side
      // work of one (planning, disclosure control) overlaps the Spark tasks of the other. Their
      // tables and notes are appended in the same order as when run one after the other.
      final MetricsInputs fin = in;
      education = EDUCATION_POOL.submit(() -> education(spark, cfg, fin, recs, params));
      Map<String, Integer> bits = ProgramMetrics.bits(programs);
      // stage boundary 3: one row per person and period; recs is partitioned by person and
      // sorted by person, program and start, so spans, clipping and the per-person aggregation
      // are one pass per partition with no shuffle
      personPeriods =
          ProgramMetrics.personPeriods(recs, periods, bits, cfg.mergeGapDays(), cfg.overlapMinDays(),
              cfg.churnWindowDays())
              .persist(StorageLevel.MEMORY_AND_DISK());
      final Dataset<Row> pp = personPeriods;
      ProgramTables.Builder tables = new ProgramTables.Builder(programs, cfg);
      try {
        // stage boundary 4: person-periods with their family (connected components) and its mask
        personFamilies = SparkSessions.withJobGroup(spark, "metrics", "metrics: families",
            () -> ProgramMetrics.personFamilies(pp)).persist(StorageLevel.MEMORY_AND_DISK());
        phases.mark("person periods + families (connected components)");
        Dataset<Row> both = ProgramMetrics.patterns(pp).withColumn("level", lit(0))
            .unionByName(ProgramMetrics.familyPatterns(personFamilies).withColumn("level", lit(1)));
        List<Row> patterns =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: program and family patterns",
                both::collectAsList);
        Map<Integer, ProgramMetrics.Counts> persons =
            ProgramMetrics.personCounts(patterns.stream().filter(r -> r.getInt(5) == 0).toList(), periods.size());
        Map<Integer, ProgramMetrics.Counts> families =
            ProgramMetrics.personCounts(patterns.stream().filter(r -> r.getInt(5) == 1).toList(), periods.size());
        phases.mark("program and family patterns");
        List<Row> caseRows =
            SparkSessions.withJobGroup(spark, "metrics", "metrics: cases", () ->
                ProgramMetrics.caseCounts(recs, periods, cfg.mergeGapDays(), cfg.churnWindowDays())
                    .collectAsList());
        phases.mark("case counts");
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
        phases.mark("program tables + disclosure control");
      } catch (RuntimeException e) {
        fail(notes, "multi-program metrics", e);
      }
      try {
        outreach = eligibility(spark, cfg, in, recs, personFamilies, bits, raw, pub, params, notes);
        phases.mark("eligible-not-enrolled");
      } catch (RuntimeException e) {
        fail(notes, "eligible-not-enrolled", e);
      }
      Education edu = await(education);
      education = null;
      raw.addAll(edu.raw());
      pub.addAll(edu.pub());
      notes.addAll(edu.notes());
      phases.mark("waiting for education outcomes");
      phases.millis.put("  (side thread) education outcomes (Spark)", edu.sparkMillis());
      phases.millis.put("  (side thread) education tables + disclosure control", edu.disclosureMillis());
    } finally {
      if (education != null) {
        try {
          await(education); // never unpersist what the other thread still reads
        } catch (RuntimeException e) {
          LOG.warn("metrics: education outcomes abandoned", e);
        }
      }
      if (personFamilies != null) {
        personFamilies.unpersist();
      }
      if (personPeriods != null) {
        personPeriods.unpersist();
      }
      recs.unpersist();
      cw.unpersist();
    }
    long ms = System.currentTimeMillis() - t0;
    LOG.info("metrics: {} restricted and {} published tables in {} ms ({}); notes {}", raw.size(), pub.size(), ms,
        phases.millis, notes);
    return new MetricsResult(raw, pub, outreach, List.copyOf(notes), params, periods.get(periods.size() - 1), ms,
        java.util.Collections.unmodifiableMap(phases.millis), java.util.Collections.unmodifiableMap(phases.cpuMillis));
  }

  /** What the education thread produced, to be appended in order. */
  record Education(List<MetricTable> raw, List<MetricTable> pub, List<String> notes, long sparkMillis,
      long disclosureMillis) {}

  /** Runs education outcomes on the side thread; never throws (a failure becomes a note). */
  private static final java.util.concurrent.ExecutorService EDUCATION_POOL =
      java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "metrics-education");
        t.setDaemon(true);
        return t;
      });

  private static Education education(SparkSession spark, MetricsConfig cfg, MetricsInputs in,
      Dataset<Row> recs, Map<String, String> params) {
    List<MetricTable> raw = new ArrayList<>();
    List<MetricTable> pub = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    long t0 = System.currentTimeMillis();
    long disclosure = 0;
    try {
      disclosure = EducationMetrics.compute(spark, cfg, in, recs, raw, pub, params, notes);
    } catch (RuntimeException e) {
      fail(notes, "education outcomes", e);
    }
    return new Education(raw, pub, notes, System.currentTimeMillis() - t0 - disclosure, disclosure);
  }

  private static <T> T await(java.util.concurrent.Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for education outcomes", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re
          : new IllegalStateException("education outcomes failed", e.getCause());
    }
  }

  /** Wall time per phase, in order. */
  static final class Phases {
    final Map<String, Long> millis = new java.util.LinkedHashMap<>();
    final Map<String, Long> cpuMillis = new java.util.LinkedHashMap<>();
    private long last = System.currentTimeMillis();
    private long lastCpu = StageProfile.processCpuMillis();

    void mark(String phase) {
      long now = System.currentTimeMillis();
      long cpu = StageProfile.processCpuMillis();
      millis.merge(phase, now - last, Long::sum);
      cpuMillis.merge(phase, cpu - lastCpu, Long::sum);
      last = now;
      lastCpu = cpu;
    }

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

  /**
   * Eligible-but-not-enrolled, in Spark: child rows (person-periods of persons young enough for
   * some rule) with their family's program mask and the Head Start and school flags; the rules
   * are column expressions ({@link Eligibility#evaluate}). The evaluated rows are checkpointed
   * (they are the outreach list the writer saves) and only their counts per period, rule and
   * status are collected.
   */
  private static Dataset<Row> eligibility(SparkSession spark, MetricsConfig cfg, MetricsInputs in,
      Dataset<Row> recs, Dataset<Row> personFamilies, Map<String, Integer> bits,
      List<MetricTable> raw, List<MetricTable> pub, Map<String, String> params, List<String> notes) {
    if (cfg.rules().isEmpty()) {
      return emptyOutreach(spark);
    }
    if (personFamilies == null) {
      throw new IllegalStateException("families were not computed (see the multi-program failure)");
    }
    List<Period> periods = cfg.periods();
    int maxAge = cfg.rules().stream().mapToInt(MetricsConfig.EligibilityRule::ageTo).max().orElse(0);
    LocalDate minDob = periods.get(0).start().minusYears(maxAge + 2L);
    Dataset<Row> dob = recs.groupBy("person_id").agg(org.apache.spark.sql.functions.min("dob").as("dob"))
        .where(col("dob").geq(lit(java.sql.Date.valueOf(minDob))));
    Dataset<Row> periodsDf = ProgramMetrics.periods(spark, periods);
    Dataset<Row> children = personFamilies.join(dob, "person_id");
    boolean haveHs = in.headstartService() != null;
    boolean haveEnr = in.eduEnrollment() != null;
    if (haveHs) {
      children = children.join(Facts.headStartAttended(in.headstartService(), in.crosswalk(), periodsDf, cfg),
          new String[] {"period_id", "person_id"}, "left");
    } else {
      children = children.withColumn("hs", lit(null).cast("boolean"));
    }
    if (haveEnr) {
      children = children.join(Facts.schoolEnrolled(in.eduEnrollment(), in.crosswalk(), periodsDf, cfg),
          new String[] {"period_id", "person_id"}, "left");
    } else {
      children = children.withColumn("enr", lit(null).cast("boolean"));
    }
    for (MetricsConfig.EligibilityRule rule : cfg.rules()) {
      for (String p : rule.qualifyingPrograms()) {
        if (!bits.containsKey(p)) {
          notes.add("rule " + rule.name() + ": qualifying program " + p + " not in the data");
        }
      }
    }
    final Dataset<Row> ch = children;
    Dataset<Row> evaluated = SparkSessions.withJobGroup(spark, "metrics", "metrics: eligibility", () ->
        Eligibility.evaluate(ch, periods, bits, cfg, haveHs, haveEnr).localCheckpoint(true));
    List<Row> counts = SparkSessions.withJobGroup(spark, "metrics", "metrics: eligibility counts", () ->
        evaluated.groupBy("period_id", "rule", "status").count().collectAsList());
    Map<String, Long> n = new HashMap<>();
    for (Row r : counts) {
      n.put(r.getInt(0) + "|" + r.getString(1) + "|" + r.getString(2), r.getLong(3));
    }
    Map<String, String> desc = new HashMap<>();
    cfg.rules().forEach(r -> desc.put(r.name(), r.description()));
    List<Row> rawRows = new ArrayList<>();
    List<Row> pubRows = new ArrayList<>();
    for (int p = 0; p < periods.size(); p++) {
      List<Eligibility.Outcome> outcomes = new ArrayList<>();
      for (MetricsConfig.EligibilityRule rule : cfg.rules()) {
        String k = p + "|" + rule.name() + "|";
        long enrolled = n.getOrDefault(k + Eligibility.ENROLLED, 0L);
        long notEnrolled = n.getOrDefault(k + Eligibility.ELIGIBLE_NOT_ENROLLED, 0L);
        outcomes.add(new Eligibility.Outcome(rule.name(), periods.get(p).label(), enrolled + notEnrolled,
            enrolled, notEnrolled, n.getOrDefault(k + Eligibility.POTENTIAL, 0L)));
      }
      Eligibility.tables(outcomes, desc, cfg.minCell(), rawRows, pubRows);
    }
    raw.add(new MetricTable("eligible_not_enrolled", Eligibility.RAW, rawRows, params, "restricted"));
    pub.add(new MetricTable("eligible_not_enrolled", Eligibility.PUB, pubRows, params, cfg.footnote()));
    List<Column> labels = new ArrayList<>();
    for (Period p : periods) {
      labels.add(lit(p.label()));
    }
    return evaluated.where(col("status").notEqual(Eligibility.ENROLLED))
        .select(element_at(array(labels.toArray(new Column[0])), col("period_id").plus(1)).as("period"),
            col("rule"), col("status"), col("person_id"));
  }
}
