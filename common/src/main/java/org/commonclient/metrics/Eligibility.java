package org.commonclient.metrics;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.commonclient.metrics.disclosure.CellSuppression;
import org.commonclient.metrics.disclosure.Release;

/**
 * Eligible-but-not-enrolled rules (DOMAIN 3.2), evaluated on the driver over the collected child
 * rows of the period (children are a small share of all persons): age on the rule's reference
 * date, a qualifying program held by the child (PERSON) or anyone in the child's family (FAMILY),
 * minus those enrolled in the target service.
 */
final class Eligibility {
  static final String HEAD_START_SERVICE = "HEAD_START_SERVICE";
  static final String SCHOOL_ENROLLMENT = "SCHOOL_ENROLLMENT";

  private Eligibility() {}

  /** One child in one period, as collected from Spark. */
  record Child(int period, String personId, long personHash, long mask, LocalDate dob,
      boolean attendedHeadStart, boolean enrolledInSchool) {}

  /** Counts of one rule in one period, and the outreach ids. */
  record Outcome(String rule, String period, long eligible, long enrolled, long notEnrolled,
      long potentialNotEnrolled, List<String> outreachEligible, List<String> outreachPotential) {}

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
   * Evaluates one rule in one period.
   *
   * @param familyMask person hash to the program mask of the person's family in this period
   * @param haveHeadStartFacts whether headstart_service is present (else the Head Start program
   *     code stands in for "attended")
   * @param haveEnrollmentFacts whether edu_enrollment is present (else the school program code)
   */
  static Outcome evaluate(MetricsConfig.EligibilityRule rule, Period period, int periodIndex,
      List<Child> children, Map<Long, Long> familyMask, Map<String, Integer> bits,
      MetricsConfig cfg, boolean haveHeadStartFacts, boolean haveEnrollmentFacts) {
    LocalDate ageDate = period.firstOnOrAfterStart(rule.ageDate());
    long qualifying = maskOf(rule.qualifyingPrograms(), bits);
    long potential = maskOf(rule.potentialPrograms(), bits);
    long eligible = 0, enrolled = 0, notEnrolled = 0, potentialNot = 0;
    List<String> outE = new ArrayList<>();
    List<String> outP = new ArrayList<>();
    for (Child c : children) {
      if (c.period() != periodIndex || c.dob() == null || c.dob().isAfter(ageDate)) {
        continue;
      }
      int age = java.time.Period.between(c.dob(), ageDate).getYears();
      if (age < rule.ageFrom() || age > rule.ageTo()) {
        continue;
      }
      long unitMask =
          rule.qualifyingUnit().equals("FAMILY")
              ? familyMask.getOrDefault(c.personHash(), c.mask()) | c.mask()
              : c.mask();
      boolean isEnrolled = enrolled(rule.enrolledIn(), c, bits, cfg, haveHeadStartFacts, haveEnrollmentFacts);
      if ((unitMask & qualifying) != 0) {
        eligible++;
        if (isEnrolled) {
          enrolled++;
        } else {
          notEnrolled++;
          outE.add(c.personId());
        }
      } else if ((unitMask & potential) != 0 && !isEnrolled) {
        potentialNot++;
        outP.add(c.personId());
      }
    }
    return new Outcome(rule.name(), period.label(), eligible, enrolled, notEnrolled, potentialNot, outE, outP);
  }

  private static boolean enrolled(String target, Child c, Map<String, Integer> bits, MetricsConfig cfg,
      boolean haveHs, boolean haveEnr) {
    if (target.equals(HEAD_START_SERVICE)) {
      return haveHs ? c.attendedHeadStart() : hasBit(c.mask(), bits, cfg.headStartProgram());
    }
    if (target.equals(SCHOOL_ENROLLMENT)) {
      return haveEnr ? c.enrolledInSchool() : hasBit(c.mask(), bits, cfg.schoolProgram());
    }
    return hasBit(c.mask(), bits, target);
  }

  private static boolean hasBit(long mask, Map<String, Integer> bits, String program) {
    Integer b = bits.get(program);
    return b != null && (mask & (1L << b)) != 0;
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
