package org.commonclient.generate;

import static org.commonclient.generate.Population.logit;
import static org.commonclient.generate.Population.sigmoid;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.commonclient.generate.Model.Address;
import org.commonclient.generate.Model.Household;
import org.commonclient.generate.Model.Person;
import org.commonclient.generate.Model.Role;
import org.commonclient.generate.Noise.Profile;
import org.commonclient.generate.Noise.Rec;

/**
 * Decides one household's program participation (benefit spans) and school careers and writes
 * every agency record immediately. Participation is driven by the household's latent poverty
 * score, so the programs overlap the way they do among low-income families.
 */
final class Emitter {
  private static final Profile TANF_P = new Profile(false, true, 0, false);
  private static final Profile SNAP_P = new Profile(true, true, 0, false);
  private static final Profile WIC_P = new Profile(false, false, 0.08, false);
  private static final Profile MEDICAID_P = new Profile(true, true, 0, true);
  private static final Profile HOUSING_P = new Profile(false, true, 0, false);
  private static final Profile HEADSTART_P = new Profile(true, false, 0, false);
  private static final Profile SCHOOL_P = new Profile(true, false, 0.03, false);

  private final GenerateConfig cfg;
  private final GenerateConfig.Programs pr;
  private final Geography geo;
  private final Noise noise;
  private final Sinks out;
  private final int w0;
  private final int w1;
  private final int firstYear;
  private final int lastYear;
  private final String state;
  private final Rec rec = new Rec();

  // id counters (deterministic: households are written in order)
  private long tanfCase;
  private long tanfClient;
  private long snapCase;
  private long snapClient;
  private long snapRow;
  private long wicFamily;
  private long wicRow;
  private long mcdCase;
  private long mcdPerson;
  private long mcdSpan;
  private long phaHousehold;
  private long phaMember;
  private long hsFamily;
  private long hsChild;
  private long hsRow;
  private long studentIds;

  Emitter(GenerateConfig cfg, Geography geo, Noise noise, Sinks out, int w0, int w1) {
    this.cfg = cfg;
    this.pr = cfg.programs();
    this.geo = geo;
    this.noise = noise;
    this.out = out;
    this.w0 = w0;
    this.w1 = w1;
    this.firstYear = cfg.startYear();
    this.lastYear = cfg.startYear() + cfg.years() - 1;
    this.state = cfg.state();
  }

  void emit(Household h, SplittableRandom r) {
    double z = h.poverty * pr.povertyWeight();
    boolean snap = r.nextDouble() < sigmoid(logit(pr.snap()) + z);
    truthPersons(h);
    if (snap) {
      snap(h, r);
    }
    medicaid(h, r, z, snap);
    if (hasMinor(h) && r.nextDouble() < sigmoid(logit(pr.tanf()) + 1.2 * z + (snap ? 0.6 : -2.0))) {
      tanf(h, r);
    }
    wic(h, r, z);
    if (h.assisted) {
      housing(h, r);
    }
    headStart(h, r, z);
    for (Person p : h.members) {
      if (p.publicSchool && Dates.age(p.dob, Dates.day(lastYear, 9, 1)) >= 4
          && Dates.age(p.dob, Dates.day(firstYear, 9, 1)) <= 19) {
        school(h, p, r);
      }
    }
  }

  private boolean hasMinor(Household h) {
    for (Person p : h.members) {
      if (Dates.age(p.dob, w0) < 18) {
        return true;
      }
    }
    return false;
  }

  // ---- spans ------------------------------------------------------------------------------

  private final int[] spans = new int[8];

  /**
   * Draws up to 3 spells inside [from, to] into {@link #spans} (start, end pairs; end OPEN when
   * the spell is still running at the end of the data); returns the number of spells.
   */
  private int spells(SplittableRandom r, int from, int to, double presentAtStart, int meanLen,
      boolean startAtFrom) {
    if (to - from < 20) {
      return 0;
    }
    int n = 0;
    int start;
    if (startAtFrom) {
      start = from + r.nextInt(15);
    } else if (from <= w0 && r.nextDouble() < presentAtStart) {
      start = w0 - 1 - r.nextInt(3 * 365);
    } else {
      start = from + r.nextInt(Math.max(1, to - from - 15));
    }
    while (n < 3) {
      int len = 30 + (int) (-Math.log(1 - r.nextDouble()) * meanLen);
      int end = start + len;
      if (end < w0 + 30) {
        end = w0 + 30 + r.nextInt(300); // a spell must reach into the window
      }
      if (end >= to) {
        end = to >= w1 ? Dates.OPEN : to;
      }
      spans[2 * n] = start;
      spans[2 * n + 1] = end;
      n++;
      if (end == Dates.OPEN) {
        break;
      }
      double u = r.nextDouble();
      int next;
      if (u < pr.churn()) {
        next = end + 7 + r.nextInt(114); // re-entry within 4 months
      } else if (u < pr.churn() + pr.secondSpell()) {
        next = end + 150 + r.nextInt(550);
      } else {
        break;
      }
      if (next >= to - 15) {
        break;
      }
      start = next;
    }
    return n;
  }

  private int asOf(int end) {
    return end == Dates.OPEN || end > w1 ? w1 : end;
  }

  // ---- truth ------------------------------------------------------------------------------

  private void truthPersons(Household h) {
    CsvSink s = out.persons;
    for (Person p : h.members) {
      s.add(p.id).add(h.id).add(p.role.name()).add(p.first).add(p.middle).add(p.last)
          .add(p.formerLast).add(p.suffix).add(p.female ? "F" : "M")
          .addDate(p.dob, Dates.Fmt.ISO).add(p.ssn).add(p.raceEthnicity())
          .add(p.twin ? "true" : "false");
      s.endRow();
    }
  }

  private void truth(String source, String recordId, Person p) {
    out.truth.add(source).add(recordId).add(p.id);
    out.truth.endRow();
  }

  // ---- SNAP -------------------------------------------------------------------------------

  private void snap(Household h, SplittableRandom r) {
    int n = spells(r, w0, w1, 0.6, 650, false);
    String hh = Dates.pad("S", ++snapCase, 8);
    int[] sp = java.util.Arrays.copyOf(spans, 2 * n);
    for (Person p : h.members) {
      String client = Dates.pad("", 100000000 + ++snapClient, 9);
      for (int i = 0; i < n; i++) {
        int start = Math.max(sp[2 * i], p.dob);
        int end = sp[2 * i + 1];
        if (end != Dates.OPEN && end <= start) {
          continue;
        }
        snapRow(h, p, r, hh, client, start, end);
        if (i == 0 && noise.hit(r, ErrorKind.DUPLICATE)) {
          String other = Dates.pad("", 100000000 + ++snapClient, 9);
          snapRow(h, p, r, hh, other, start + r.nextInt(60), end);
        }
      }
    }
  }

  private void snapRow(Household h, Person p, SplittableRandom r, String hh, String client,
      int start, int end) {
    noise.apply(rec, r, p, h, asOf(end), start, SNAP_P, w0);
    String id = Dates.pad("SP", ++snapRow, 8);
    CsvSink s = out.snap;
    s.add(hh).add(id).add(client).add(Layouts.upper(rec.first, rec))
        .add(Layouts.upper(rec.middle, rec)).add(Layouts.upper(rec.last, rec)).add(rec.suffix)
        .add(Layouts.dob(rec, Layouts.SNAP_DATES)).add(Layouts.sex12(rec)).add(rec.ssn)
        .add(p.hispanic ? "H" : "N").add(Layouts.SNAP_RACE[p.race])
        .add(Layouts.fullAddress(rec, state)).add(rec.phone)
        .addDate(start, Layouts.SNAP_DATES).addDate(end, Layouts.SNAP_DATES)
        .add(p.role == Role.HEAD ? "Y" : "N");
    s.endRow();
    truth("snap", id, p);
  }

  // ---- Medicaid ---------------------------------------------------------------------------

  private void medicaid(Household h, SplittableRandom r, double z, boolean snap) {
    double boost = snap ? pr.snapMedicaidBoost() * 0.5 : -pr.snapMedicaidBoost() * 0.5;
    double pChild = sigmoid(logit(pr.medicaidChild()) + z + boost);
    double pAdult = sigmoid(logit(pr.medicaidAdult()) + z + boost);
    double shared = r.nextDouble();
    int childN = spells(r, w0, w1, 0.75, 1100, false);
    int[] childSp = java.util.Arrays.copyOf(spans, 2 * childN);
    String mcdCaseId = null;
    for (Person p : h.members) {
      boolean child = Dates.age(p.dob, w0) < 19;
      double u = child && r.nextDouble() < 0.9 ? shared : r.nextDouble();
      if (u >= (child ? pChild : pAdult)) {
        continue;
      }
      int n;
      int[] sp;
      if (p.dob >= w0) {
        n = spells(r, p.dob, w1, 0, 1100, true); // newborns are covered from birth
        sp = java.util.Arrays.copyOf(spans, 2 * n);
      } else if (child) {
        n = childN;
        sp = childSp;
      } else {
        n = spells(r, w0, w1, 0.6, 700, false);
        sp = java.util.Arrays.copyOf(spans, 2 * n);
      }
      if (n == 0) {
        continue;
      }
      if (mcdCaseId == null) {
        mcdCaseId = Dates.pad("", 2000000000L + ++mcdCase, 10);
      }
      String mid = Dates.pad("MC", ++mcdPerson, 8);
      for (int i = 0; i < n; i++) {
        int start = Math.max(sp[2 * i], p.dob);
        int end = sp[2 * i + 1];
        if (end != Dates.OPEN && end <= start) {
          continue;
        }
        medicaidRow(h, p, r, mcdCaseId, mid, start, end);
        if (i == 0 && noise.hit(r, ErrorKind.DUPLICATE)) {
          medicaidRow(h, p, r, mcdCaseId, Dates.pad("MC", ++mcdPerson, 8),
              start + r.nextInt(45), end);
        }
      }
    }
  }

  private void medicaidRow(Household h, Person p, SplittableRandom r, String caseId, String mid,
      int start, int end) {
    noise.apply(rec, r, p, h, asOf(end), start, MEDICAID_P, w0);
    String id = Dates.pad("E", ++mcdSpan, 9);
    int age = Dates.age(p.dob, Math.max(start, p.dob));
    String aid = age < 19 ? "CHILD" : age >= 65 ? "AGED"
        : (p.index % 5 == 0 ? "DISABLED" : "ADULT");
    CsvSink s = out.medicaid;
    s.add(id).add(mid).add(caseId).add(Layouts.upper(rec.last, rec))
        .add(Layouts.upper(rec.first, rec)).add(Layouts.upper(rec.middle, rec)).add(rec.suffix)
        .add(Layouts.dob(rec, Layouts.MEDICAID_DATES))
        .add(rec.sex == 0 ? "U" : String.valueOf(rec.sex)).add(rec.ssn)
        .add(Layouts.medicaidRace(p)).add(Layouts.street(rec, false)).add(Layouts.unit(rec))
        .add(Layouts.city(rec)).add(Layouts.state(rec, state))
        .add(rec.addr == null || rec.zipMissing ? null : rec.addr.zip + "-" + rec.addr.zip4)
        .addDate(start, Layouts.MEDICAID_DATES).addDate(end, Layouts.MEDICAID_DATES).add(aid);
    s.endRow();
    truth("medicaid", id, p);
  }

  // ---- TANF -------------------------------------------------------------------------------

  private void tanf(Household h, SplittableRandom r) {
    int n = spells(r, w0, w1, 0.35, 330, false);
    int[] sp = java.util.Arrays.copyOf(spans, 2 * n);
    String caseNo = Dates.pad("TC", ++tanfCase, 7);
    for (Person p : h.members) {
      int ageAtStart = Dates.age(p.dob, w0);
      boolean inUnit = ageAtStart < 19 || (!h.kinCare && ageAtStart < 65);
      if (!inUnit) {
        continue;
      }
      for (int i = 0; i < n; i++) {
        int start = Math.max(sp[2 * i], p.dob);
        int end = sp[2 * i + 1];
        if (end != Dates.OPEN && end <= start) {
          continue;
        }
        tanfRow(h, p, r, caseNo, start, end);
        if (i == 0 && noise.hit(r, ErrorKind.DUPLICATE)) {
          tanfRow(h, p, r, caseNo, start, end);
        }
      }
    }
  }

  private void tanfRow(Household h, Person p, SplittableRandom r, String caseNo, int start, int end) {
    noise.apply(rec, r, p, h, asOf(end), start, TANF_P, w0);
    String id = String.valueOf(400000000L + ++tanfClient);
    String rel = switch (p.role) {
      case HEAD -> "01";
      case SPOUSE, PARTNER -> "02";
      case CHILD -> "03";
      case GRANDCHILD -> "04";
      case PARENT -> "05";
      default -> "06";
    };
    CsvSink s = out.tanf;
    s.add(caseNo).add(id).add(Layouts.upper(rec.last, rec)).add(Layouts.upper(rec.first, rec))
        .add(Layouts.upper(Layouts.initial(rec.middle), rec)).add(rec.suffix)
        .add(Layouts.dob(rec, Layouts.TANF_DATES)).add(Layouts.sexMF(rec))
        .add(Layouts.ssnDashed(rec.ssn)).add(p.hispanic ? "Y" : "N").add(Layouts.tanfRace(p))
        .add(rel).add(Layouts.street(rec, false)).add(Layouts.unit(rec)).add(Layouts.city(rec))
        .add(Layouts.state(rec, state)).add(Layouts.zip(rec)).add(Layouts.phoneDashed(rec.phone))
        .addDate(start, Layouts.TANF_DATES).addDate(end, Layouts.TANF_DATES);
    s.endRow();
    truth("tanf", id, p);
  }

  // ---- WIC --------------------------------------------------------------------------------

  private void wic(Household h, SplittableRandom r, double z) {
    double p = sigmoid(logit(pr.wic()) + 0.8 * z);
    boolean family = r.nextDouble() < p;
    if (!family) {
      return;
    }
    String fam = null;
    for (Person c : h.members) {
      int fifth = c.dob + 5 * 365 + 1;
      if (fifth <= w0 + 30 || c.dob > w1) {
        continue;
      }
      if (fam == null) {
        fam = Dates.pad("WF", ++wicFamily, 7);
      }
      int from = Math.max(w0, c.dob);
      int to = Math.min(w1, fifth);
      boolean newborn = c.dob >= w0;
      int n = spells(r, from, to, 0.75, 700, newborn);
      int[] sp = java.util.Arrays.copyOf(spans, 2 * n);
      for (int i = 0; i < n; i++) {
        int start = Math.max(sp[2 * i], c.dob);
        int end = sp[2 * i + 1];
        if (end != Dates.OPEN && end <= start) {
          continue;
        }
        String cat = Dates.age(c.dob, start) < 1 ? "I" : "C";
        wicRow(h, c, r, fam, cat, start, end);
        if (i == 0 && noise.hit(r, ErrorKind.DUPLICATE)) {
          wicRow(h, c, r, fam, cat, start, end);
        }
      }
      // the mother while pregnant and after the birth
      Person m = c.mother;
      if (m != null && c.dob >= w0 - 180 && (!c.twin || firstTwin(h, c))) {
        int pStart = c.dob - 200 + r.nextInt(80);
        int pEnd = c.dob - 1;
        if (pEnd >= w0) {
          wicRow(h, m, r, fam, "P", pStart, pEnd);
        }
        boolean breastfeeding = r.nextDouble() < 0.45;
        int ppEnd = c.dob + (breastfeeding ? 365 : 182);
        wicRow(h, m, r, fam, breastfeeding ? "B" : "N", c.dob, ppEnd >= w1 ? Dates.OPEN : ppEnd);
      }
    }
  }

  private static boolean firstTwin(Household h, Person c) {
    for (Person o : h.members) {
      if (o.twin && o.dob == c.dob) {
        return o == c;
      }
    }
    return true;
  }

  private void wicRow(Household h, Person p, SplittableRandom r, String fam, String cat, int start,
      int end) {
    noise.apply(rec, r, p, h, asOf(end), start, WIC_P, w0);
    String id = Dates.pad("W", ++wicRow, 8);
    Address a = rec.addr;
    CsvSink s = out.wic;
    s.add(fam).add(id).add(Layouts.lastCommaFirst(rec)).add(Layouts.dob(rec, Layouts.WIC_DATES))
        .add(Layouts.sexMF(rec)).add(cat).add(rec.ssn)
        .add(p.hispanic ? "HISPANIC" : "NOT HISPANIC").add(Layouts.WIC_RACE[p.race])
        .add(Layouts.street(rec, true)).add(Layouts.unit(rec)).add(Layouts.city(rec))
        .add(Layouts.state(rec, state)).add(Layouts.zip(rec)).add(rec.phone)
        .addDate(start, Layouts.WIC_DATES).addDate(end, Layouts.WIC_DATES)
        .add(a == null ? "CL" + Geography.districtId(h.first.city) : "CL" + Geography.districtId(a.city));
    s.endRow();
    truth("wic", id, p);
  }

  // ---- housing ----------------------------------------------------------------------------

  private void housing(Household h, SplittableRandom r) {
    String hhNo = Dates.pad("HH", ++phaHousehold, 7);
    String type = h.publicHousing ? "PH" : "HCV";
    for (Person p : h.members) {
      int in = Math.max(h.housingIn, p.dob);
      int outDay = h.housingOut;
      if (outDay != Dates.OPEN && outDay <= in) {
        continue;
      }
      housingRow(h, p, r, hhNo, type, in, outDay);
      if (noise.hit(r, ErrorKind.DUPLICATE)) {
        housingRow(h, p, r, hhNo, type, in, outDay);
      }
    }
  }

  private void housingRow(Household h, Person p, SplittableRandom r, String hhNo, String type,
      int in, int outDay) {
    noise.apply(rec, r, p, h, asOf(outDay == Dates.OPEN ? w1 : outDay - 1), in, HOUSING_P, w0);
    String id = Dates.pad("HM", ++phaMember, 8);
    String rel = switch (p.role) {
      case HEAD -> "H";
      case SPOUSE, PARTNER -> "S";
      case CHILD, GRANDCHILD -> Dates.age(p.dob, w0) < 18 ? "D" : "E";
      default -> "E";
    };
    CsvSink s = out.housing;
    s.add(hhNo).add(id).add(Layouts.upper(rec.last, rec)).add(Layouts.upper(rec.first, rec))
        .add(Layouts.upper(Layouts.initial(rec.middle), rec)).add(rel)
        .add(Layouts.dob(rec, Layouts.HOUSING_DATES)).add(Layouts.sexMF(rec))
        .add(Layouts.ssnDashed(rec.ssn)).add(p.hispanic ? "1" : "2").add(Layouts.HUD_RACE[p.race])
        .add(Layouts.street(rec, false)).add(Layouts.unit(rec)).add(Layouts.city(rec))
        .add(Layouts.state(rec, state)).add(Layouts.zip(rec)).add(type)
        .add(h.publicHousing ? h.developmentId : null)
        .addDate(in, Layouts.HOUSING_DATES).addDate(outDay, Layouts.HOUSING_DATES);
    s.endRow();
    truth("housing", id, p);
  }

  // ---- Head Start -------------------------------------------------------------------------

  private void headStart(Household h, SplittableRandom r, double z) {
    String fam = null;
    for (Person c : h.members) {
      String childId = null;
      boolean attended = false;
      for (int y = firstYear; y <= lastYear; y++) {
        int age = Dates.age(c.dob, Dates.day(y, 9, 1));
        if (age != 3 && age != 4) {
          continue;
        }
        double p = attended ? 0.85 : sigmoid(logit(pr.headStart()) + 0.7 * z);
        if (r.nextDouble() >= p) {
          continue;
        }
        attended = true;
        if (fam == null) {
          fam = Dates.pad("F", ++hsFamily, 7);
        }
        if (childId == null) {
          childId = Dates.pad("HC", ++hsChild, 7);
        }
        int accepted = Dates.day(y, 4, 1) + r.nextInt(140);
        boolean noShow = r.nextDouble() < pr.headStartNoShow();
        int firstService = noShow ? Dates.OPEN : Dates.day(y, 8, 20) + r.nextInt(40);
        int exit = noShow ? Dates.day(y, 10, 1) + r.nextInt(30)
            : r.nextDouble() < 0.15 ? Dates.day(y, 11, 1) + r.nextInt(150) : Dates.day(y + 1, 5, 31);
        if (exit > w1) {
          exit = Dates.OPEN;
        }
        Address a = h.addressAt(Dates.day(y, 9, 1));
        String center = "C" + Geography.districtId(a.city)
            + Dates.pad("", 1 + Math.floorMod(a.street.hashCode() + a.houseNo / 300, 6), 2);
        hsRow(h, c, r, fam, childId, center, y, accepted, firstService, exit);
        if (noise.hit(r, ErrorKind.DUPLICATE)) {
          hsRow(h, c, r, fam, Dates.pad("HC", ++hsChild, 7), center, y, accepted,
              firstService, exit);
        }
      }
    }
  }

  private void hsRow(Household h, Person c, SplittableRandom r, String fam, String childId,
      String center, int year, int accepted, int firstService, int exit) {
    noise.apply(rec, r, c, h, accepted, accepted, HEADSTART_P, w0);
    String id = Dates.pad("HS", ++hsRow, 7);
    CsvSink s = out.headstart;
    s.add(id).add(childId).add(fam).add(Layouts.mixed(rec.first, rec))
        .add(Layouts.mixed(rec.middle, rec)).add(Layouts.mixed(rec.last, rec))
        .add(Layouts.dob(rec, Layouts.HEADSTART_DATES)).add(Layouts.sexWord(rec))
        .add(c.hispanic ? "Hispanic or Latino" : Layouts.HS_RACE[c.race])
        .add(rec.addr == null ? null : Layouts.mixed(Layouts.street(rec, true)
            + (rec.addr.unit == null ? "" : " " + rec.addr.unit), rec))
        .add(rec.addr == null ? null : Layouts.proper(Layouts.city(rec)))
        .add(Layouts.state(rec, state)).add(Layouts.zip(rec)).add(Layouts.phoneDashed(rec.phone))
        .add(center).add(year).addDate(accepted, Layouts.HEADSTART_DATES)
        .addDate(firstService, Layouts.HEADSTART_DATES).addDate(exit, Layouts.HEADSTART_DATES);
    s.endRow();
    truth("headstart", id, c);
  }

  // ---- school -----------------------------------------------------------------------------

  private static final int MAX_ROWS = 64;
  private final int[] enYear = new int[MAX_ROWS];
  private final int[] enGrade = new int[MAX_ROWS];
  private final int[] enEntry = new int[MAX_ROWS];
  private final int[] enExit = new int[MAX_ROWS];
  private final String[] enSchool = new String[MAX_ROWS];
  private final int[] enCity = new int[MAX_ROWS];
  private final String[] enCode = new String[MAX_ROWS];

  private static final String[] OUTCOMES = {
    "DIPLOMA", "DROPOUT", "TRANSFER_OUT_CONFIRMED", "GED", "CERTIFICATE", "EMIGRATED", "DECEASED",
    "STILL_ENROLLED"
  };
  private static final double[] OUTCOME_P = {0.78, 0.09, 0.06, 0.02, 0.01, 0.01, 0.002, 0.018};
  private static final String[] EXIT_CODES = {
    "GRADUATED", "DROPOUT", "TRANSFER_OUT_OF_STATE", "GED_PROGRAM", "CERTIFICATE", "EMIGRATED",
    "DECEASED", "END_OF_YEAR"
  };

  private void school(Household h, Person p, SplittableRandom r) {
    boolean pk = r.nextDouble() < 0.35;
    boolean chronic = p.chronicTendency || (h.assisted && r.nextDouble() < pr.housingAbsenceBoost());
    int grade0 = Dates.age(p.dob, Dates.day(firstYear, 9, 1)) - 5 + p.gradeOffset;
    int cohortYear = firstYear + 9 - grade0;
    if (cohortYear < firstYear - 3) {
      return; // finished high school before the window
    }
    boolean inCohort = cohortYear <= lastYear;
    int outcome = 7;
    int exitYear = Integer.MAX_VALUE;
    int outcomeDate = Dates.OPEN;
    if (cohortYear <= lastYear) {
      double u = r.nextDouble();
      double acc = 0;
      for (int k = 0; k < OUTCOME_P.length; k++) {
        acc += OUTCOME_P[k];
        if (u < acc || k == OUTCOME_P.length - 1) {
          outcome = k;
          break;
        }
      }
      if (outcome == 0 || outcome == 4) {
        exitYear = cohortYear + 3;
        outcomeDate = Dates.day(exitYear + 1, 6, 1) + r.nextInt(10);
      } else if (outcome != 7) {
        exitYear = cohortYear + r.nextInt(4);
        outcomeDate = Dates.day(exitYear, 9, 15) + r.nextInt(250);
      }
    }
    int rows = 0;
    for (int y = firstYear; y <= lastYear && rows < MAX_ROWS - 2; y++) {
      int grade = Math.min(12, grade0 + (y - firstYear));
      if (grade < -1 || (grade == -1 && !pk) || y > exitYear || grade0 + (y - firstYear) > 15) {
        continue;
      }
      if (grade0 + (y - firstYear) > 12 && outcome != 7) {
        continue;
      }
      int start = Dates.day(y, 8, 18) + Math.floorMod(y * 7 + h.first.city, 7);
      int entry = r.nextDouble() < 0.08 ? start + 5 + r.nextInt(55) : start;
      int exit = Dates.day(y + 1, 6, 5);
      String code = "END_OF_YEAR";
      if (y == exitYear) {
        exit = Math.max(entry + 1, outcomeDate);
        code = EXIT_CODES[outcome];
      }
      Address a = h.addressAt(entry);
      int move = h.moveDay;
      if (h.second != null && move > entry + 10 && move < exit - 10) {
        // moved during the school year: two enrollments
        enrol(rows++, y, grade, entry, move - 1, a, "TRANSFER_IN_STATE");
        Address b = h.second;
        enrol(rows++, y, grade, move + 2 + r.nextInt(8), exit, b, code);
        if (enSchool[rows - 1].equals(enSchool[rows - 2])) {
          // same school after the move: one enrollment
          rows--;
          enExit[rows - 1] = exit;
          enCode[rows - 1] = code;
        }
      } else if (r.nextDouble() < 0.03 && exit - entry > 60) {
        int mid = entry + 30 + r.nextInt(exit - entry - 60);
        enrol(rows++, y, grade, entry, mid, a, "TRANSFER_IN_STATE");
        enrol(rows++, y, grade, mid + 1 + r.nextInt(5), exit, a, code);
        enSchool[rows - 1] = geo.schoolId(a.city, grade, neighborhood(a) + 1 + r.nextInt(5));
        if (enSchool[rows - 1].equals(enSchool[rows - 2])) {
          rows--;
          enExit[rows - 1] = exit;
          enCode[rows - 1] = code;
        }
      } else {
        enrol(rows++, y, grade, entry, exit, a, code);
      }
    }
    if (rows == 0) {
      return;
    }
    String id = Dates.pad("", 1000000000L + ++studentIds, 10);
    String dupId = null;
    int splitYear = Integer.MAX_VALUE;
    if (noise.hit(r, ErrorKind.DUPLICATE)) {
      dupId = Dates.pad("", 1000000000L + ++studentIds, 10);
      if (enYear[rows - 1] > enYear[0]) {
        splitYear = enYear[0] + 1 + r.nextInt(enYear[rows - 1] - enYear[0]);
      }
    }
    int firstEntry = enEntry[0];
    int lastExit = enExit[rows - 1];
    int rosterEnd = lastExit > w1 ? Dates.OPEN : lastExit;
    studentRow(h, p, r, id, firstEntry, dupId != null && splitYear != Integer.MAX_VALUE
        ? firstDayOfYear(splitYear) - 1 : rosterEnd);
    if (dupId != null) {
      studentRow(h, p, r, dupId, splitYear == Integer.MAX_VALUE ? firstEntry
          : firstEntryOf(splitYear, rows), rosterEnd);
    }
    for (int i = 0; i < rows; i++) {
      String sid = dupId != null && enYear[i] >= splitYear ? dupId : id;
      String district = Geography.districtId(enCity[i]);
      out.enrollment.add(sid).add(district).add(enSchool[i]).add(enYear[i])
          .add(Layouts.grade(enGrade[i])).addDate(enEntry[i], Layouts.SCHOOL_FACT_DATES)
          .addDate(enExit[i] > w1 ? Dates.OPEN : enExit[i], Layouts.SCHOOL_FACT_DATES)
          .add(enExit[i] > w1 ? null : enCode[i]);
      out.enrollment.endRow();
      attendance(r, p, sid, district, i, chronic);
      assessment(r, p, sid, i);
    }
    if (inCohort) {
      String sid = dupId != null && enYear[rows - 1] >= splitYear ? dupId : id;
      boolean done = exitYear <= lastYear && outcomeDate <= w1;
      out.cohort.add(sid).add(Geography.districtId(enCity[rows - 1])).add(cohortYear)
          .add(done ? OUTCOMES[outcome] : "STILL_ENROLLED")
          .addDate(done ? outcomeDate : Dates.OPEN, Dates.Fmt.ISO);
      out.cohort.endRow();
    }
  }

  private int firstDayOfYear(int y) {
    return Dates.day(y, 8, 15);
  }

  private int firstEntryOf(int y, int rows) {
    for (int i = 0; i < rows; i++) {
      if (enYear[i] == y) {
        return enEntry[i];
      }
    }
    return enEntry[0];
  }

  private static int neighborhood(Address a) {
    return a.street.hashCode() + a.houseNo / 200;
  }

  private void enrol(int i, int y, int grade, int entry, int exit, Address a, String code) {
    enYear[i] = y;
    enGrade[i] = grade;
    enEntry[i] = entry;
    enExit[i] = exit;
    enCity[i] = a.city;
    enSchool[i] = geo.schoolId(a.city, Math.max(0, grade), neighborhood(a));
    enCode[i] = code;
  }

  private void attendance(SplittableRandom r, Person p, String sid, String district, int i,
      boolean chronic) {
    int exit = Math.min(enExit[i], Dates.day(enYear[i] + 1, 6, 5));
    int days = (int) Math.round((exit - enEntry[i] + 1) * 180.0 / 292.0);
    days = Math.max(1, Math.min(180, days));
    double rate = chronic ? 0.08 + 0.25 * Math.pow(r.nextDouble(), 1.5) : 0.01 + 0.07 * r.nextDouble();
    if (enGrade[i] >= 9) {
      rate *= 1.25;
    }
    double absent = Math.min(days, Math.round(rate * days * 2) / 2.0);
    double pOss = 0.03 + (enGrade[i] >= 6 ? 0.04 : 0) + (p.female ? 0 : 0.03);
    int ossEvents = r.nextDouble() < pOss ? 1 + Population.geometric(r, 0.6, 4) : 0;
    double ossDays = 0;
    for (int k = 0; k < ossEvents; k++) {
      ossDays += 1 + r.nextInt(r.nextDouble() < 0.8 ? 3 : 10);
    }
    int issEvents = r.nextDouble() < 0.05 ? 1 + Population.geometric(r, 0.6, 4) : 0;
    double issDays = 0;
    for (int k = 0; k < issEvents; k++) {
      issDays += r.nextDouble() < 0.3 ? 0.5 : 1 + r.nextInt(2);
    }
    int expulsions = enGrade[i] >= 6 && r.nextDouble() < 0.003 ? 1 : 0;
    out.attendance.add(sid).add(district).add(enSchool[i]).add(enYear[i]).add(days)
        .add(num(absent)).add(num(Math.min(ossDays, days))).add(num(issDays)).add(ossEvents)
        .add(issEvents).add(expulsions);
    out.attendance.endRow();
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private void assessment(SplittableRandom r, Person p, String sid, int i) {
    int g = enGrade[i];
    if (!((g >= 3 && g <= 8) || g == 11)) {
      return;
    }
    int testDay = Dates.day(enYear[i] + 1, 4, 15);
    if (enEntry[i] > testDay || enExit[i] < testDay || enYear[i] + 1 > LocalDate.ofEpochDay(w1).getYear()) {
      return;
    }
    boolean alternate = (p.index * 2654435761L & 1023) < 15; // ~1.5%, stable per student
    for (String subject : new String[] {"ELA", "MATH"}) {
      if (r.nextDouble() < 0.03) {
        continue; // not tested
      }
      double s = p.ability + r.nextGaussian() * 0.5 + (subject.equals("MATH") ? -0.1 : 0);
      int level = alternate ? 1 + r.nextInt(4) : s < -0.4 ? 1 : s < 0.35 ? 2 : s < 1.2 ? 3 : 4;
      out.assessment.add(sid).add(enSchool[i]).add(enYear[i]).add(Layouts.grade(g)).add(subject)
          .add(level).add(level >= 3 ? "true" : "false").add(alternate ? "true" : "false");
      out.assessment.endRow();
    }
  }

  private void studentRow(Household h, Person p, SplittableRandom r, String id, int entry, int exit) {
    noise.apply(rec, r, p, h, asOf(exit), entry, SCHOOL_P, w0);
    CsvSink s = out.students;
    s.add(id).add(Layouts.upper(rec.last, rec)).add(Layouts.upper(rec.first, rec))
        .add(Layouts.upper(rec.middle, rec)).add(rec.suffix)
        .add(Layouts.dob(rec, Layouts.SCHOOL_DATES)).add(Layouts.sexMF(rec))
        .add(Layouts.ssnDashed(rec.ssn)).add(p.hispanic ? "Y" : "N")
        .add(Layouts.SCHOOL_RACE[p.race]).add(
            rec.addr == null ? null : Layouts.street(rec, false)
                + (rec.addr.unit == null ? "" : " " + rec.addr.unit))
        .add(Layouts.city(rec)).add(Layouts.state(rec, state)).add(Layouts.zip(rec))
        .add(rec.phone).addDate(entry, Layouts.SCHOOL_DATES).addDate(exit, Layouts.SCHOOL_DATES);
    s.endRow();
    truth("school_students", id, p);
  }
}
