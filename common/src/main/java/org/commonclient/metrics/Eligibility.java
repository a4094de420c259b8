package org.commonclient.metrics;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.commonclient.metrics.disclosure.CellSuppression;
import org.commonclient.metrics.disclosure.Release;

/**
 * Eligible-but-not-enrolled rules (DOMAIN 3.2), evaluated in Spark as column expressions over
 * the child rows of each period: age on the rule's reference date, a qualifying program held by
 * the child (PERSON) or anyone in the child's family (FAMILY), minus those enrolled in the target
 * service. Only the counts per period and rule reach the driver (for disclosure control).
 */
final class Eligibility {
  static final String HEAD_START_SERVICE = "HEAD_START_SERVICE";
  static final String SCHOOL_ENROLLMENT = "SCHOOL_ENROLLMENT";

  private Eligibility() {}

  /** Outreach statuses (and ENROLLED, counted but not listed). */
  static final String ELIGIBLE_NOT_ENROLLED = "ELIGIBLE_NOT_ENROLLED";
  static final String POTENTIAL = "POTENTIALLY_ELIGIBLE_INCOME_NOT_VERIFIED";
  static final String ENROLLED = "ENROLLED";

  /** Counts of one rule in one period. */
  record Outcome(String rule, String period, long eligible, long enrolled, long notEnrolled,
      long potentialNotEnrolled) {}

  static long maskOf(List<String> programs, Map<String, Integer> bits) {
    long m = 0;
    for (String p : programs) {
      Integer b = bits.get(p);
      if (b != null) {
        m |= 1L << b;
      }
    }
    return m;
  }

  /**
   * Evaluates every rule on the child rows, in Spark. Input columns: {@code period_id, person_id,
   * mask} (the child's programs in the period), {@code fmask} (the family's, null = none), {@code
   * dob}, {@code hs} and {@code enr} (attended Head Start, enrolled in school; null = no). Output:
   * {@code period_id, rule, status, person_id} for every child that is eligible (status ENROLLED
   * or ELIGIBLE_NOT_ENROLLED) or potentially eligible and not enrolled (status POTENTIAL).
   *
   * <p>Age is whole years on the rule's reference date (the first occurrence of its month-day on
   * or after the period start), as {@code java.time.Period.between(dob, date).getYears()}.
   *
   * @param haveHeadStartFacts whether headstart_service is present (else the Head Start program
   *     code stands in for "attended")
   * @param haveEnrollmentFacts whether edu_enrollment is present (else the school program code)
   */
  static Dataset<Row> evaluate(Dataset<Row> children, List<Period> periods, Map<String, Integer> bits,
      MetricsConfig cfg, boolean haveHeadStartFacts, boolean haveEnrollmentFacts) {
    List<Column> perRule = new ArrayList<>();
    for (MetricsConfig.EligibilityRule rule : cfg.rules()) {
      List<Column> dates = new ArrayList<>();
      for (Period p : periods) {
        dates.add(lit(java.sql.Date.valueOf(p.firstOnOrAfterStart(rule.ageDate()))));
      }
      Column ad = element_at(array(dates.toArray(new Column[0])), col("period_id").plus(1));
      Column dob = col("dob");
      Column age = year(ad).minus(year(dob)).minus(
          when(month(ad).multiply(100).plus(dayofmonth(ad))
              .lt(month(dob).multiply(100).plus(dayofmonth(dob))), 1).otherwise(0));
      Column inAge = dob.isNotNull().and(dob.leq(ad)).and(age.between(rule.ageFrom(), rule.ageTo()));
      Column unit = rule.qualifyingUnit().equals("FAMILY")
          ? coalesce(col("fmask"), col("mask")).bitwiseOR(col("mask"))
          : col("mask");
      long q = maskOf(rule.qualifyingPrograms(), bits);
      long pot = maskOf(rule.potentialPrograms(), bits);
      Column qualifies = unit.bitwiseAND(lit(q)).notEqual(0);
      Column potential = unit.bitwiseAND(lit(pot)).notEqual(0);
      Column enrolled = enrolled(rule.enrolledIn(), bits, cfg, haveHeadStartFacts, haveEnrollmentFacts);
      Column status = when(inAge.and(qualifies), when(enrolled, lit(ENROLLED)).otherwise(lit(ELIGIBLE_NOT_ENROLLED)))
          .when(inAge.and(potential).and(enrolled.unary_$bang()), lit(POTENTIAL));
      perRule.add(struct(lit(rule.name()).as("rule"), status.as("status")));
    }
    return children
        .select(col("period_id"), col("person_id"), explode(array(perRule.toArray(new Column[0]))).as("x"))
        .where(col("x.status").isNotNull())
        .select(col("period_id"), col("x.rule").as("rule"), col("x.status").as("status"), col("person_id"));
  }

  private static Column enrolled(String target, Map<String, Integer> bits, MetricsConfig cfg,
      boolean haveHs, boolean haveEnr) {
    if (target.equals(HEAD_START_SERVICE)) {
      return haveHs ? coalesce(col("hs"), lit(false)) : hasBit(bits, cfg.headStartProgram());
    }
    if (target.equals(SCHOOL_ENROLLMENT)) {
      return haveEnr ? coalesce(col("enr"), lit(false)) : hasBit(bits, cfg.schoolProgram());
    }
    return hasBit(bits, target);
  }

  private static Column hasBit(Map<String, Integer> bits, String program) {
    Integer b = bits.get(program);
    return b == null ? lit(false) : col("mask").bitwiseAND(lit(1L << b)).notEqual(0);
  }

  static final StructType RAW = new StructType().add("period", "string").add("rule", "string")
      .add("description", "string").add("eligible", "long").add("enrolled", "long")
      .add("not_enrolled", "long").add("potential_not_enrolled", "long");
  static final StructType PUB = new StructType().add("period", "string").add("rule", "string")
      .add("description", "string").add("eligible", "long").add("eligible_suppressed", "boolean")
      .add("enrolled", "long").add("enrolled_suppressed", "boolean").add("not_enrolled", "long")
      .add("not_enrolled_suppressed", "boolean").add("potential_not_enrolled", "long")
      .add("potential_not_enrolled_suppressed", "boolean");

  /** Raw and published rows for the outcomes of one period (one release per period). */
  static void tables(List<Outcome> outcomes, Map<String, String> descriptions, int minCell,
      List<Row> raw, List<Row> pub) {
    Release r = new Release();
    int[][] cells = new int[outcomes.size()][4];
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      cells[i][0] = r.cell(o.rule() + "|E", o.eligible());
      cells[i][1] = r.cell(o.rule() + "|IN", o.enrolled());
      cells[i][2] = r.cell(o.rule() + "|OUT", o.notEnrolled());
      cells[i][3] = r.cell(o.rule() + "|POT", o.potentialNotEnrolled());
      r.equal(cells[i][0], cells[i][1], cells[i][2]);
    }
    CellSuppression.Protection p = CellSuppression.protect(r, minCell);
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome o = outcomes.get(i);
      String d = descriptions.get(o.rule());
      raw.add(RowFactory.create(o.period(), o.rule(), d, o.eligible(), o.enrolled(), o.notEnrolled(),
          o.potentialNotEnrolled()));
      Object[] v = new Object[11];
      v[0] = o.period();
      v[1] = o.rule();
      v[2] = d;
      for (int k = 0; k < 4; k++) {
        v[3 + 2 * k] = ProgramTables.pub(r, p, cells[i][k]);
        v[4 + 2 * k] = p.isSuppressed(cells[i][k]);
      }
      pub.add(RowFactory.create(v));
    }
  }
}
