package org.commonclient.metrics;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.current_date;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.months_between;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;
import org.commonclient.metrics.disclosure.CellSuppression;
import org.commonclient.metrics.disclosure.PercentCoding;
import org.commonclient.metrics.disclosure.Release;

/**
 * Education outcomes of children in assisted housing against their peers (DOMAIN 3.3-3.9).
 *
 * <p>Every fact table is turned into rows keyed by (person, school year) carrying numerator and
 * denominator flags of each metric; they are unioned and summed per person-year in one
 * aggregation, joined to person attributes and housing status, exploded into (population,
 * dimension, value) and summed again, so all metrics and all disaggregations come from one Spark
 * job. School and district rows judge each enrollment separately (EDFacts practice); all other
 * rows apply the rules once per person-year across schools ({@code chronic.scope = PERSON_YEAR}).
 * Populations: HOUSING_PH, HOUSING_HCV, HOUSING_OTHER (housing residents by program type),
 * HOUSING (all residents), PEERS (students not in assisted housing that year), ALL.
 */
final class EducationMetrics {
  static final String[] METRICS = {
    "ontime", "chronic_ratio", "chronic_count", "susp_oss", "susp_iss", "expulsion", "susp_any",
    "prof_ela", "prof_math", "acgr", "dropout"
  };

  private EducationMetrics() {}

  /** Computes the education tables; returns the milliseconds spent in the driver-side tables and disclosure control. */
  static long compute(SparkSession spark, MetricsConfig cfg, MetricsInputs in, Dataset<Row> recs,
      List<MetricTable> raw, List<MetricTable> pub, Map<String, String> params, List<String> notes) {
    if (in.eduEnrollment() == null && in.eduAttendance() == null) {
      notes.add("education outcomes skipped: neither edu_enrollment nor edu_attendance present");
      return 0;
    }
    Dataset<Row> cw = in.crosswalk();
    List<Dataset<Row>> parts = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Dataset<Row> schoolRows = null;
    Dataset<Row> attGroups = null;
    Dataset<Row> housing = null;
    try {
      if (in.eduEnrollment() != null) {
        parts.add(enrollmentRows(Facts.withPerson(in.eduEnrollment(), cw), cfg));
      } else {
        skipped.add("ontime, dropout (no edu_enrollment)");
      }
      if (in.eduAttendance() != null) {
        // per person, year and school once (kept: the school rows and the person-year rows read it)
        attGroups = attendanceGroups(Facts.withPerson(in.eduAttendance(), cw), cfg)
            .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        parts.add(attendanceRows(attGroups, cfg, false));
        schoolRows = attendanceRows(attGroups, cfg, true);
      } else {
        skipped.add("chronic absence, suspension (no edu_attendance)");
      }
      if (in.eduAssessment() != null) {
        parts.add(assessmentRows(Facts.withPerson(in.eduAssessment(), cw), cfg));
      } else {
        skipped.add("proficiency (no edu_assessment)");
      }
      Dataset<Row> cohort = in.eduCohort() != null ? Facts.withPerson(in.eduCohort(), cw) : null;
      if (cohort != null) {
        parts.add(cohortRows(cohort, cfg));
      } else {
        skipped.add("ACGR, dropout completions (no edu_cohort)");
      }
      if (!skipped.isEmpty()) {
        notes.add("education metrics skipped: " + skipped);
      }
      Dataset<Row> units = null;
      for (Dataset<Row> p : parts) {
        Dataset<Row> full = conform(p);
        units = units == null ? full : units.unionByName(full);
      }
      List<Column> sums = new ArrayList<>(List.of(max(col("grade")).as("grade"),
          max(col("district_id")).as("district_id"), min(col("first_entry")).as("first_entry")));
      for (String c : VALUE_COLUMNS) {
        sums.add(max(col(c)).as(c));
      }
      Dataset<Row> py =
          units.repartition(col("person_id"))
              .groupBy(col("person_id"), col("school_year"))
              .agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]));
      py = dropout(py, cohort, cfg);
      Dataset<Row> persons =
          recs.groupBy("person_id")
              .agg(min("dob").as("dob"), max(when(col("sex").equalTo("UNKNOWN"), null).otherwise(col("sex"))).as("sex"),
                  max(when(col("race").equalTo("HISPANIC"), "HISPANIC")).as("hisp"),
                  max(when(col("race").equalTo("UNKNOWN"), null).otherwise(col("race"))).as("race0"))
              .select(col("person_id"), col("dob"), coalesce(col("sex"), lit("UNKNOWN")).as("sex"),
                  coalesce(col("hisp"), col("race0"), lit("UNKNOWN")).as("race"));
      housing = housing(in, recs, cfg).persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
      Column ageDate = Facts.monthDay(col("school_year").plus(
          cfg.ageDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.ageDate());
      Dataset<Row> attrs = py.join(persons, new String[] {"person_id"}, "left")
          .join(housing, new String[] {"person_id", "school_year"}, "left")
          .withColumn("age", floor(months_between(ageDate, col("dob")).divide(12)).cast("int"));
      Column otDate = Facts.monthDay(col("school_year").plus(
          cfg.onTime().ageDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.onTime().ageDate());
      Column otAge = floor(months_between(otDate, col("dob")).divide(12));
      attrs = attrs.withColumn("ontime_den", flag(coalesce(col("enrolled_any"), lit(0)).equalTo(1)
              .and(otAge.between(cfg.onTime().minAge(), cfg.onTime().maxAge()))))
          .withColumn("ontime_num", flag(col("ontime_den").equalTo(1)
              .and(coalesce(col("ontime_num"), lit(0)).equalTo(1))));
      Column pops = when(col("program_type").isNotNull(),
              array(concat_ws("_", lit("HOUSING"), col("program_type")), lit("HOUSING"), lit("ALL")))
          .otherwise(array(lit("PEERS"), lit("ALL")));
      Column dims = array(
          struct(lit("ALL").as("dim"), lit("ALL").as("value")),
          struct(lit("grade").as("dim"), coalesce(col("grade"), lit("UNKNOWN")).as("value")),
          struct(lit("age").as("dim"), coalesce(col("age").cast("string"), lit("UNKNOWN")).as("value")),
          struct(lit("sex").as("dim"), coalesce(col("sex"), lit("UNKNOWN")).as("value")),
          struct(lit("race").as("dim"), coalesce(col("race"), lit("UNKNOWN")).as("value")),
          struct(lit("development").as("dim"), coalesce(col("development_id"), lit("NONE")).as("value")));
      // person-years share few attribute combinations: sum them per combination first, so the
      // population x dimension explode runs over combinations, not persons (sums are additive)
      Dataset<Row> combos = preAggregate(attrs,
          "school_year", "program_type", "grade", "age", "sex", "race", "development_id");
      Dataset<Row> exploded = explodeUnits(combos, pops, dims);
      if (schoolRows != null) {
        Dataset<Row> sr = preAggregate(conform(schoolRows)
            .join(housing, new String[] {"person_id", "school_year"}, "left"),
            "school_year", "program_type", "district_id", "school_id");
        Column sdims = array(
            struct(lit("school").as("dim"), concat_ws("/", col("district_id"), col("school_id")).as("value")),
            struct(lit("district").as("dim"), coalesce(col("district_id"), lit("UNKNOWN")).as("value")));
        Column spops = when(col("program_type").isNotNull(),
                array(concat_ws("_", lit("HOUSING"), col("program_type")), lit("HOUSING"), lit("ALL")))
            .otherwise(array(lit("PEERS"), lit("ALL")));
        exploded = exploded.unionByName(explodeUnits(sr, spops, sdims));
      }
      List<Column> aggs = new ArrayList<>();
      for (String c : VALUE_COLUMNS) {
        aggs.add(sum(coalesce(col(c), lit(0))).cast("long").as(c));
      }
      Dataset<Row> agg = exploded.groupBy("school_year", "population", "dim", "value")
          .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
      List<Row> rows = org.commonclient.spark.SparkSessions.withJobGroup(
          spark, "metrics", "metrics: education", agg::collectAsList);
      long t = System.currentTimeMillis();
      tables(rows, cfg, raw, pub, params, notes);
      return System.currentTimeMillis() - t;
    } finally {
      if (attGroups != null) {
        attGroups.unpersist();
      }
      if (housing != null) {
        housing.unpersist();
      }
    }
  }

  /** Numerator and denominator columns of the unit rows (ints, null = not applicable). */
  static final String[] VALUE_COLUMNS = {
    "ontime_den", "ontime_num", "chronic_den", "chronic_ratio_num", "chronic_count_num",
    "susp_den", "susp_oss_num", "susp_iss_num", "expulsion_num", "susp_any_num",
    "prof_ela_den", "prof_ela_num", "prof_math_den", "prof_math_num", "prof_elig",
    "acgr_den", "acgr_num", "dropout_den", "dropout_num", "on_count_date", "enrolled_any"
  };

  private static Dataset<Row> conform(Dataset<Row> d) {
    List<String> have = List.of(d.columns());
    Dataset<Row> out = d;
    for (String c : VALUE_COLUMNS) {
      if (!have.contains(c)) {
        out = out.withColumn(c, lit(null).cast("int"));
      }
    }
    for (String c : new String[] {"grade", "district_id", "school_id"}) {
      if (!have.contains(c)) {
        out = out.withColumn(c, lit(null).cast("string"));
      }
    }
    if (!have.contains("first_entry")) {
      out = out.withColumn("first_entry", lit(null).cast("date"));
    }
    List<Column> cols = new ArrayList<>(List.of(col("person_id"), col("school_year"), col("grade"),
        col("district_id"), col("school_id"), col("first_entry")));
    for (String c : VALUE_COLUMNS) {
      cols.add(col(c));
    }
    return out.select(cols.toArray(new Column[0]));
  }

  private static Column flag(Column c) {
    return when(c, 1).otherwise(0);
  }

  private static Column inList(Column c, List<String> values) {
    return c.isin(values.toArray());
  }

  /** On-time enrollment and count-date enrollment from edu_enrollment. */
  static Dataset<Row> enrollmentRows(Dataset<Row> enr, MetricsConfig cfg) {
    Column syStart = Facts.schoolYearStart(col("school_year"), cfg);
    Column entry = coalesce(col("entry_date"), syStart);
    Column exit = coalesce(col("exit_date"), to_date(lit(Spans.OPEN_END)));
    Column cd = Facts.monthDay(col("school_year").plus(
        cfg.dropoutCountDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.dropoutCountDate());
    Column snap = Facts.monthDay(col("school_year").plus(
        cfg.suspSnapshotDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.suspSnapshotDate());
    Column firstDay = cfg.onTime().firstDay() != null
        ? Facts.monthDay(col("school_year").plus(
            cfg.onTime().firstDay().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.onTime().firstDay())
        : min(entry).over(Window.partitionBy(col("district_id"), col("school_year")));
    Dataset<Row> e = enr.withColumn("entry", entry).withColumn("first_day", firstDay)
        .withColumn("on_cd", flag(entry.leq(cd).and(exit.geq(cd))))
        .withColumn("on_snap", flag(entry.leq(snap).and(exit.geq(snap))));
    Dataset<Row> py = e.groupBy("person_id", "school_year").agg(
        min("entry").as("first_entry"),
        max_by(col("grade"), col("entry")).as("grade"),
        max_by(col("district_id"), col("entry")).as("district_id"),
        min("first_day").as("first_day"),
        max("on_cd").as("on_count_date"),
        max("on_snap").as("on_snap"));
    Column ageDate = Facts.monthDay(col("school_year").plus(
        cfg.onTime().ageDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.onTime().ageDate());
    return py.withColumn("enrolled_any", lit(1))
        .withColumn("ontime_age_date", ageDate)
        .withColumn("ontime_deadline", org.apache.spark.sql.functions.date_add(col("first_day"), cfg.onTime().graceDays()))
        .withColumn("ontime_num", flag(col("first_entry").leq(col("ontime_deadline"))))
        .withColumn("prof_elig", flag(inList(col("grade"), cfg.profGrades())))
        .withColumn("susp_den",
            cfg.suspDenominator().equals("OCTOBER_SNAPSHOT") ? col("on_snap") : lit(null).cast("int"))
        .drop("on_snap", "ontime_age_date", "ontime_deadline", "first_day");
  }

  /**
   * Attendance summed per person, school year and school: {@code de} (days enrolled), {@code da}
   * (days absent), {@code any_enr_chronic} (some enrollment chronic on its own), suspension and
   * expulsion flags.
   */
  static Dataset<Row> attendanceGroups(Dataset<Row> att, MetricsConfig cfg) {
    MetricsConfig.Chronic ch = cfg.chronic();
    Dataset<Row> a = att.withColumn("enr_chronic",
        flag(col("days_enrolled").geq(ch.minEnrolledDays())
            .and(col("days_absent").divide(col("days_enrolled")).geq(ch.ratio()))));
    return a.groupBy(col("person_id"), col("school_year"), col("district_id"), col("school_id"))
        .agg(sum(coalesce(col("days_enrolled"), lit(0))).as("de"),
            sum(coalesce(col("days_absent"), lit(0.0))).as("da"),
            max("enr_chronic").as("any_enr_chronic"),
            max(flag(coalesce(col("oss_events"), lit(0)).gt(0).or(coalesce(col("oss_days"), lit(0.0)).gt(0)))).as("susp_oss_num"),
            max(flag(coalesce(col("iss_events"), lit(0)).gt(0).or(coalesce(col("iss_days"), lit(0.0)).gt(0)))).as("susp_iss_num"),
            max(flag(coalesce(col("expulsions"), lit(0)).gt(0))).as("expulsion_num"));
  }

  /**
   * Chronic absence and suspension rows from {@link #attendanceGroups}: per person-year (summed
   * across schools) or, with {@code perSchool}, per person-year-school.
   */
  static Dataset<Row> attendanceRows(Dataset<Row> groups, MetricsConfig cfg, boolean perSchool) {
    MetricsConfig.Chronic ch = cfg.chronic();
    Dataset<Row> g = perSchool ? groups
        : groups.groupBy(col("person_id"), col("school_year"))
            .agg(sum(col("de")).as("de"), sum(col("da")).as("da"),
                max("any_enr_chronic").as("any_enr_chronic"), max("susp_oss_num").as("susp_oss_num"),
                max("susp_iss_num").as("susp_iss_num"), max("expulsion_num").as("expulsion_num"));
    Column meets = col("de").geq(ch.minEnrolledDays());
    Column ratioChronic = perSchool || ch.scope().equals("PERSON_YEAR")
        ? col("da").divide(col("de")).geq(ch.ratio())
        : col("any_enr_chronic").equalTo(1);
    return g.withColumn("chronic_den", flag(meets))
        .withColumn("chronic_ratio_num", flag(meets.and(ratioChronic)))
        .withColumn("chronic_count_num", flag(meets.and(col("da").geq(ch.minDays()))))
        .withColumn("susp_den",
            perSchool || cfg.suspDenominator().equals("CUMULATIVE") ? lit(1) : lit(null).cast("int"))
        .withColumn("susp_any_num", greatest(col("susp_oss_num"), col("susp_iss_num"), col("expulsion_num")))
        .drop("de", "da", "any_enr_chronic");
  }

  /** Proficiency per subject from edu_assessment. */
  static Dataset<Row> assessmentRows(Dataset<Row> asm, MetricsConfig cfg) {
    Column valid = col("performance_level").isNotNull();
    if (!cfg.profIncludeAlternate()) {
      valid = valid.and(coalesce(col("alternate"), lit(false)).equalTo(false));
    }
    Column subj = upper(col("subject"));
    Column prof = coalesce(col("proficient"), col("performance_level").geq(3));
    return asm.groupBy("person_id", "school_year").agg(
        max(flag(valid.and(subj.equalTo("ELA")))).as("prof_ela_den"),
        max(flag(valid.and(subj.equalTo("ELA")).and(prof))).as("prof_ela_num"),
        max(flag(valid.and(subj.equalTo("MATH")))).as("prof_math_den"),
        max(flag(valid.and(subj.equalTo("MATH")).and(prof))).as("prof_math_num"));
  }

  /** ACGR rows, placed in the cohort's fourth school year (34 CFR 200.19(b)(1)). */
  static Dataset<Row> cohortRows(Dataset<Row> coh, MetricsConfig cfg) {
    Column outcome = upper(col("outcome"));
    Column lastYear = col("cohort_year").plus(3);
    Column deadline = cfg.acgrIncludeSummer()
        ? Facts.monthDay(col("cohort_year").plus(4), cfg.acgrSummerEnd())
        : date_sub(Facts.schoolYearStart(col("cohort_year").plus(4), cfg), 1);
    Column removed = inList(outcome, cfg.dropoutExcusedOutcomes());
    return coh.select(col("person_id"), lastYear.as("school_year"),
        flag(removed.unary_$bang()).as("acgr_den"),
        flag(removed.unary_$bang().and(outcome.equalTo("DIPLOMA"))
            .and(coalesce(col("outcome_date").leq(deadline), lit(true)))).as("acgr_num"));
  }

  /**
   * CCD event dropout: enrolled in year t (grades 9-12), not enrolled on the count date of t+1,
   * not a completer by then and not excused (confirmed transfer, emigration, death). Denominator:
   * enrolled on the count date of t. Computed for t when some enrollment of t+1 exists.
   */
  static Dataset<Row> dropout(Dataset<Row> py, Dataset<Row> cohort, MetricsConfig cfg) {
    Column g = inList(col("grade"), cfg.dropoutGrades());
    Dataset<Row> d = py.withColumn("next_year", lead(col("school_year"), 1)
            .over(Window.partitionBy("person_id").orderBy("school_year")))
        .withColumn("next_on_cd", lead(col("on_count_date"), 1)
            .over(Window.partitionBy("person_id").orderBy("school_year")));
    Column cdNext = Facts.monthDay(col("school_year").plus(1).plus(
        cfg.dropoutCountDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.dropoutCountDate());
    Column notBack = col("next_year").isNull().or(col("next_year").notEqual(col("school_year").plus(1)))
        .or(coalesce(col("next_on_cd"), lit(0)).equalTo(0));
    Column exempt = lit(false);
    if (cohort != null) {
      Column outcome = upper(col("outcome"));
      Dataset<Row> outs = cohort.groupBy(col("person_id").as("pid")).agg(
          min(when(inList(outcome, cfg.dropoutCompleterOutcomes()),
              coalesce(col("outcome_date"), to_date(lit("1900-01-01"))))).as("completed_on"),
          min(when(inList(outcome, cfg.dropoutExcusedOutcomes()),
              coalesce(col("outcome_date"), to_date(lit("1900-01-01"))))).as("excused_on"));
      d = d.join(outs, d.col("person_id").equalTo(outs.col("pid")), "left").drop("pid");
      exempt = coalesce(col("completed_on").leq(cdNext), lit(false))
          .or(coalesce(col("excused_on").leq(cdNext), lit(false)));
    }
    Column enrolledT = coalesce(col("enrolled_any"), lit(0)).equalTo(1);
    return d.withColumn("dropout_den", flag(g.and(coalesce(col("on_count_date"), lit(0)).equalTo(1))))
        .withColumn("dropout_num", flag(g.and(enrolledT).and(notBack).and(exempt.unary_$bang())))
        .drop("next_year", "next_on_cd", "completed_on", "excused_on");
  }

  /** Housing status per person and school year: program_type, development_id. */
  static Dataset<Row> housing(MetricsInputs in, Dataset<Row> recs, MetricsConfig cfg) {
    Dataset<Row> res;
    if (in.housingResidence() != null) {
      res = Facts.withPerson(in.housingResidence(), in.crosswalk())
          .select(col("person_id"), upper(col("program_type")).as("program_type"),
              col("development_id"), col("move_in").as("s"),
              coalesce(col("move_out"), current_date()).as("e"));
    } else {
      res = recs.where(col("program").equalTo(cfg.housingProgram()))
          .select(col("person_id"), lit("OTHER").as("program_type"),
              lit(null).cast("string").as("development_id"), col("start").as("s"),
              least(col("end"), current_date()).as("e"));
    }
    int sm = cfg.schoolYearStart().getMonthValue();
    int sd = cfg.schoolYearStart().getDayOfMonth();
    Column syOf = org.apache.spark.sql.functions.expr(
        "CASE WHEN month(s) * 100 + day(s) < " + (sm * 100 + sd) + " THEN year(s) - 1 ELSE year(s) END");
    Column syOfE = org.apache.spark.sql.functions.expr(
        "CASE WHEN month(e) * 100 + day(e) < " + (sm * 100 + sd) + " THEN year(e) - 1 ELSE year(e) END");
    Dataset<Row> years = res.where(col("s").leq(col("e")))
        .withColumn("school_year", explode(sequence(syOf, syOfE)));
    Column ys = Facts.schoolYearStart(col("school_year"), cfg);
    Column ye = date_sub(Facts.schoolYearStart(col("school_year").plus(1), cfg), 1);
    Column overlap = datediff(least(col("e"), ye), greatest(col("s"), ys)).plus(1);
    Column refDate = Facts.monthDay(col("school_year").plus(
        cfg.ageDate().isBefore(cfg.schoolYearStart()) ? 1 : 0), cfg.ageDate());
    Column weight = cfg.developmentRule().equals("LONGEST")
        ? overlap
        : when(col("s").leq(refDate).and(col("e").geq(refDate)), overlap.plus(100000)).otherwise(overlap);
    Column typeCode = when(col("program_type").isin("PH", "HCV"), col("program_type")).otherwise(lit("OTHER"));
    return years.withColumn("w", weight).withColumn("pt", typeCode)
        .groupBy("person_id", "school_year")
        .agg(max_by(col("pt"), col("w")).as("program_type"),
            max_by(col("development_id"), col("w")).as("development_id"));
  }

  /** Sums of every value column per combination of {@code keys} (nulls as 0). */
  private static Dataset<Row> preAggregate(Dataset<Row> d, String... keys) {
    List<Column> aggs = new ArrayList<>();
    for (String c : VALUE_COLUMNS) {
      aggs.add(sum(coalesce(col(c), lit(0))).cast("long").as(c));
    }
    Column[] k = java.util.Arrays.stream(keys).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    return d.groupBy(k).agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
  }

  private static Dataset<Row> explodeUnits(Dataset<Row> d, Column pops, Column dims) {
    List<Column> keep = new ArrayList<>(List.of(col("school_year")));
    for (String c : VALUE_COLUMNS) {
      keep.add(col(c));
    }
    List<Column> sel = new ArrayList<>(keep);
    sel.add(explode(pops).as("population"));
    sel.add(dims.as("dims"));
    List<Column> sel2 = new ArrayList<>(keep);
    sel2.add(col("population"));
    sel2.add(explode(col("dims")).as("d"));
    List<Column> sel3 = new ArrayList<>(keep);
    sel3.add(col("population"));
    sel3.add(col("d.dim").as("dim"));
    sel3.add(col("d.value").as("value"));
    return d.select(sel.toArray(new Column[0])).select(sel2.toArray(new Column[0]))
        .select(sel3.toArray(new Column[0]));
  }

  // ----------------------------------------------------------------------------------------------
  // driver side: tables and disclosure control

  static final StructType RAW = new StructType().add("school_year", "int").add("population", "string")
      .add("dim", "string").add("dim_value", "string").add("metric", "string")
      .add("numerator", "long").add("denominator", "long").add("rate", "double");
  static final StructType PUB = new StructType().add("school_year", "int").add("population", "string")
      .add("dim", "string").add("dim_value", "string").add("metric", "string")
      .add("n", "long").add("n_suppressed", "boolean").add("rate_pct", "int")
      .add("rate_display", "string").add("coding", "string").add("suppressed", "boolean");

  /** Column names (numerator, denominator) of a metric. */
  static String[] columns(String metric) {
    return switch (metric) {
      case "ontime" -> new String[] {"ontime_num", "ontime_den"};
      case "chronic_ratio" -> new String[] {"chronic_ratio_num", "chronic_den"};
      case "chronic_count" -> new String[] {"chronic_count_num", "chronic_den"};
      case "susp_oss" -> new String[] {"susp_oss_num", "susp_den"};
      case "susp_iss" -> new String[] {"susp_iss_num", "susp_den"};
      case "expulsion" -> new String[] {"expulsion_num", "susp_den"};
      case "susp_any" -> new String[] {"susp_any_num", "susp_den"};
      case "prof_ela" -> new String[] {"prof_ela_num", "prof_ela_den"};
      case "prof_math" -> new String[] {"prof_math_num", "prof_math_den"};
      case "acgr" -> new String[] {"acgr_num", "acgr_den"};
      case "dropout" -> new String[] {"dropout_num", "dropout_den"};
      default -> throw new IllegalArgumentException("Unknown metric " + metric);
    };
  }

  static void tables(List<Row> rows, MetricsConfig cfg, List<MetricTable> raw, List<MetricTable> pub,
      Map<String, String> params, List<String> notes) {
    StructType s = rows.isEmpty() ? null : rows.get(0).schema();
    // (year, metric) -> cells
    Map<Integer, List<Row>> byYear = new TreeMap<>();
    for (Row r : rows) {
      byYear.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(r);
    }
    int lastEnrollYear = Integer.MIN_VALUE;
    for (Row r : rows) {
      if (r.getLong(s.fieldIndex("enrolled_any")) > 0) {
        lastEnrollYear = Math.max(lastEnrollYear, r.getInt(0));
      }
    }
    List<Row> rawRows = new ArrayList<>();
    List<Row> pubRows = new ArrayList<>();
    PercentCoding coding = cfg.coding();
    boolean essa = cfg.profDenominator().equals("ESSA95");
    // one release per (year, metric): built in order, protected side by side (independent), and
    // turned into rows in the same order
    List<Object[]> releases = new ArrayList<>(); // year, metric, Release, cells, values
    for (Map.Entry<Integer, List<Row>> y : byYear.entrySet()) {
      for (String metric : METRICS) {
        if (metric.equals("dropout") && y.getKey() >= lastEnrollYear) {
          continue; // no t+1 enrollment data to judge
        }
        String[] c = columns(metric);
        boolean prof = metric.startsWith("prof_");
        Release rel = new Release();
        Map<String, int[]> cells = new LinkedHashMap<>();
        Map<String, long[]> values = new LinkedHashMap<>();
        for (Row r : y.getValue()) {
          long num = r.getLong(s.fieldIndex(c[0]));
          long den = r.getLong(s.fieldIndex(c[1]));
          if (prof && essa) {
            den = Math.max(den, (long) Math.ceil(0.95 * r.getLong(s.fieldIndex("prof_elig"))));
          }
          if (den == 0) {
            continue;
          }
          String key = r.getString(1) + "|" + r.getString(2) + "|" + r.getString(3);
          cells.put(key, new int[] {rel.cell("N|" + key, num), rel.cell("C|" + key, den - num),
              rel.cell("D|" + key, den)});
          values.put(key, new long[] {num, den});
          rel.equal(cells.get(key)[2], cells.get(key)[0], cells.get(key)[1]);
        }
        if (cells.isEmpty()) {
          continue;
        }
        relations(rel, cells, !(prof && essa));
        releases.add(new Object[] {y.getKey(), metric, rel, cells, values});
      }
    }
    List<CellSuppression.Protection> protections = protectAll(releases, cfg.minCell());
    for (int i = 0; i < releases.size(); i++) {
      Object[] job = releases.get(i);
      int year = (Integer) job[0];
      String metric = (String) job[1];
      @SuppressWarnings("unchecked")
      Map<String, int[]> cells = (Map<String, int[]>) job[3];
      @SuppressWarnings("unchecked")
      Map<String, long[]> values = (Map<String, long[]>) job[4];
      CellSuppression.Protection p = protections.get(i);
      for (Map.Entry<String, int[]> e : cells.entrySet()) {
        String[] k = e.getKey().split("\\|", 3);
        long num = values.get(e.getKey())[0];
        long den = values.get(e.getKey())[1];
        rawRows.add(RowFactory.create(year, k[0], k[1], k[2], metric, num, den,
            ProgramTables.ratio(num, den)));
        int[] ce = e.getValue();
        boolean sup = p.isSuppressed(ce[0]) || p.isSuppressed(ce[1]) || p.isSuppressed(ce[2]);
        PercentCoding.Coded cd = sup ? new PercentCoding.Coded(null, PercentCoding.SUPPRESSED, null)
            : coding.code(num, den);
        pubRows.add(RowFactory.create(year, k[0], k[1], k[2], metric,
            p.isSuppressed(ce[2]) ? null : den, p.isSuppressed(ce[2]), cd.pct(), cd.display(),
            cd.coding(), sup));
      }
    }
    raw.add(new MetricTable("education_outcomes", RAW, rawRows, params, "restricted"));
    pub.add(new MetricTable("education_outcomes", PUB, pubRows, params, cfg.footnote()));
  }

  /** Threads protecting independent releases at once. */
  static final int PROTECT_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** {@link CellSuppression#protect} of each release (element 2 of each job), in order. */
  private static List<CellSuppression.Protection> protectAll(List<Object[]> jobs, int minCell) {
    List<CellSuppression.Protection> out = new ArrayList<>();
    if (jobs.size() < 2 || PROTECT_THREADS < 2) {
      for (Object[] j : jobs) {
        out.add(CellSuppression.protect((Release) j[2], minCell));
      }
      return out;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(PROTECT_THREADS, r -> {
      Thread t = new Thread(r, "metrics-disclosure");
      t.setDaemon(true);
      return t;
    });
    try {
      List<java.util.concurrent.Future<CellSuppression.Protection>> fs = new ArrayList<>();
      // largest first, so the long ones do not end up last on one thread
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < jobs.size(); i++) {
        order.add(i);
        fs.add(null);
      }
      order.sort((a, b) -> Integer.compare(((Release) jobs.get(b)[2]).size(), ((Release) jobs.get(a)[2]).size()));
      for (int i : order) {
        Release r = (Release) jobs.get(i)[2];
        fs.set(i, pool.submit(() -> CellSuppression.protect(r, minCell)));
      }
      for (java.util.concurrent.Future<CellSuppression.Protection> f : fs) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted during disclosure control", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re
          : new IllegalStateException("Disclosure control failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Additive relations of one (year, metric) release: values of a dimension sum to the ALL row of
   * the population, schools to their district (preferring the district as complement), housing
   * program types to HOUSING, HOUSING and PEERS to ALL. Applied to numerators, complements and
   * (when additive) denominators.
   */
  private static void relations(Release rel, Map<String, int[]> cells, boolean denAdditive) {
    Map<String, List<String>> groups = new TreeMap<>();
    for (String key : cells.keySet()) {
      String[] k = key.split("\\|", 3);
      if (k[1].equals("ALL") || k[1].equals("district")) {
        continue;
      }
      String total = k[1].equals("school")
          ? k[0] + "|district|" + k[2].substring(0, Math.max(0, k[2].indexOf('/')))
          : k[0] + "|ALL|ALL";
      groups.computeIfAbsent(total, t -> new ArrayList<>()).add(key);
    }
    // populations: per (dim, value)
    Map<String, List<String>> popGroups = new TreeMap<>();
    for (String key : cells.keySet()) {
      String[] k = key.split("\\|", 3);
      String rest = k[1] + "|" + k[2];
      if (k[0].startsWith("HOUSING_")) {
        popGroups.computeIfAbsent("HOUSING|" + rest, t -> new ArrayList<>()).add(key);
      } else if (k[0].equals("HOUSING") || k[0].equals("PEERS")) {
        popGroups.computeIfAbsent("ALL|" + rest, t -> new ArrayList<>()).add(key);
      }
    }
    for (int kind = 0; kind < 3; kind++) {
      if (kind == 2 && !denAdditive) {
        continue;
      }
      final int kk = kind;
      addGroups(rel, cells, groups, kk, true);
      addGroups(rel, cells, popGroups, kk, false);
    }
  }

  private static void addGroups(Release rel, Map<String, int[]> cells, Map<String, List<String>> groups,
      int kind, boolean hierarchy) {
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      int[] total = cells.get(g.getKey());
      if (total == null) {
        continue;
      }
      int[] parts = g.getValue().stream().mapToInt(k -> cells.get(k)[kind]).toArray();
      long sum = 0;
      for (int p : parts) {
        sum += rel.value(p);
      }
      if (sum != rel.value(total[kind])) {
        continue; // e.g. school rows (enrollment scope) vs. person-year totals
      }
      if (hierarchy && g.getKey().contains("|district|")) {
        rel.equalPreferTotal(total[kind], parts);
      } else {
        rel.equal(total[kind], parts);
      }
    }
  }
}
