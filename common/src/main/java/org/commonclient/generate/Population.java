package org.commonclient.generate;

import java.util.SplittableRandom;
import org.commonclient.generate.Model.Address;
import org.commonclient.generate.Model.Household;
import org.commonclient.generate.Model.Person;
import org.commonclient.generate.Model.Role;

/**
 * Builds the true members of one household: composition, ages, names, SSNs, race/ethnicity,
 * addresses (with moves and public housing) and the latent traits later stages use.
 *
 * <p>Household types and shares are a project default modelled on low-income families served by
 * SNAP/TANF/Medicaid: many single-parent families, some two-parent, multigenerational and
 * kinship-care households, and single adults (often older or disabled).
 */
final class Population {
  private final GenerateConfig cfg;
  private final Geography geo;
  final int windowStart;
  final int windowEnd;
  private final long ssnOffset;
  final long[] errors;
  final long[] opportunities;

  // SSNs: area 001-899 without 666 (898 values), group 01-99, serial 0001-9999
  private static final long SSN_SPACE = 898L * 99L * 9999L;
  private static final long SSN_MULT = 1_000_003L; // prime, coprime with SSN_SPACE

  Population(GenerateConfig cfg, Geography geo, long[] errors, long[] opportunities) {
    this.cfg = cfg;
    this.geo = geo;
    this.windowStart = Dates.day(cfg.startYear(), 1, 1);
    this.windowEnd = Dates.day(cfg.startYear() + cfg.years(), 6, 30);
    this.ssnOffset = Math.floorMod(new SplittableRandom(cfg.seed()).nextLong(), SSN_SPACE);
    this.errors = errors;
    this.opportunities = opportunities;
  }

  /**
   * Builds household {@code index}; its first person gets global index {@code firstPerson}; at most
   * {@code maxPeople} members.
   */
  Household build(SplittableRandom r, long index, long firstPerson, long maxPeople) {
    Household h = new Household();
    h.index = index;
    h.id = Dates.pad("H", index + 1, 9);
    h.poverty = r.nextGaussian();
    // race/ethnicity of the household (low-income families; Hispanic of any race)
    double u = r.nextDouble();
    boolean hisp = u < 0.27;
    int race;
    double v = r.nextDouble();
    if (hisp) {
      race = v < 0.70 ? Model.WHITE : v < 0.75 ? Model.BLACK : v < 0.80 ? 3 : 5;
    } else {
      race = v < 0.50 ? Model.WHITE : v < 0.88 ? Model.BLACK : v < 0.93 ? Model.ASIAN
          : v < 0.955 ? 3 : v < 0.96 ? 4 : 5;
    }
    int group = hisp ? 2 : race == Model.BLACK ? 1 : race == Model.ASIAN ? 3 : 0;
    String familyName = surname(r, group);

    double t = r.nextDouble();
    int ref = windowStart;
    if (t < 0.34) { // single parent
      Person a = adult(r, h, Role.HEAD, r.nextDouble() < 0.86, 19, 50, familyName, group, hisp, race);
      children(r, h, a, null, 1 + geometric(r, 0.45, 4), familyName, group, hisp, race, Role.CHILD);
    } else if (t < 0.56) { // two parents
      Person f = adult(r, h, Role.HEAD, false, 20, 55, familyName, group, hisp, race);
      boolean married = r.nextDouble() < 0.65;
      Person m = spouse(r, h, f, married, group, hisp, race);
      String kidName = married || r.nextDouble() < 0.5 ? f.last : m.last;
      if (hisp && married && r.nextDouble() < 0.45) {
        kidName = firstToken(f.last) + " " + firstToken(m.formerLast != null ? m.formerLast : m.last);
      }
      children(r, h, m, f, 1 + geometric(r, 0.4, 5), kidName, group, hisp, race, Role.CHILD);
    } else if (t < 0.66) { // multigenerational: grandparent, parent, children
      Person g = adult(r, h, Role.HEAD, r.nextDouble() < 0.8, 45, 78, familyName, group, hisp, race);
      if (r.nextDouble() < 0.35) {
        spouse(r, h, g, true, group, hisp, race);
      }
      Person p = adult(r, h, Role.CHILD, r.nextDouble() < 0.75, 18, 40, g.last, group, hisp, race);
      int gap = Dates.age(g.dob, ref) - Dates.age(p.dob, ref);
      if (gap < 17) {
        p.dob = g.dob + (17 + r.nextInt(10)) * 365;
      }
      String kidName = r.nextDouble() < 0.6 ? p.last : surname(r, group);
      children(r, h, p.female ? p : null, p.female ? null : p, 1 + geometric(r, 0.5, 3),
          kidName, group, hisp, race, Role.GRANDCHILD);
    } else if (t < 0.70) { // grandparents raising grandchildren
      h.kinCare = true;
      Person g = adult(r, h, Role.HEAD, r.nextDouble() < 0.85, 45, 75, familyName, group, hisp, race);
      if (r.nextDouble() < 0.3) {
        spouse(r, h, g, true, group, hisp, race);
      }
      String kidName = r.nextDouble() < 0.5 ? g.last : surname(r, group);
      children(r, h, null, null, 1 + geometric(r, 0.5, 3), kidName, group, hisp, race, Role.GRANDCHILD);
    } else if (t < 0.90) { // single adult, often older or disabled
      boolean older = r.nextDouble() < 0.45;
      adult(r, h, Role.HEAD, r.nextDouble() < 0.55, older ? 55 : 19, older ? 90 : 64,
          familyName, group, hisp, race);
    } else if (t < 0.96) { // couple without children
      Person a = adult(r, h, Role.HEAD, false, 20, 85, familyName, group, hisp, race);
      spouse(r, h, a, r.nextDouble() < 0.7, group, hisp, race);
    } else { // parent with adult child (and sometimes a young child)
      Person a = adult(r, h, Role.HEAD, r.nextDouble() < 0.75, 38, 62, familyName, group, hisp, race);
      Person c = adult(r, h, Role.CHILD, r.nextDouble() < 0.5, 18, 25, a.last, group, hisp, race);
      if (Dates.age(a.dob, ref) - Dates.age(c.dob, ref) < 17) {
        c.dob = a.dob + (18 + r.nextInt(8)) * 365;
      }
      if (r.nextDouble() < 0.3) {
        children(r, h, a.female ? a : null, a.female ? null : a, 1, a.last, group, hisp, race, Role.CHILD);
      }
    }
    while (h.members.size() > maxPeople) {
      h.members.remove(h.members.size() - 1);
    }
    for (int i = 0; i < h.members.size(); i++) {
      Person p = h.members.get(i);
      p.index = firstPerson + i;
      p.id = Dates.pad("P", p.index + 1, 10);
      p.ssn = ssnOf(r, p);
    }
    addresses(r, h);
    h.phone = r.nextDouble() < 0.85
        ? (200 + r.nextInt(800)) + "" + (200 + r.nextInt(800)) + Dates.pad("", r.nextInt(10000), 4)
        : null;
    return h;
  }

  private Person adult(SplittableRandom r, Household h, Role role, boolean female, int minAge,
      int maxAge, String last, int group, boolean hisp, int race) {
    Person p = new Person();
    p.role = role;
    p.female = female;
    int age = minAge + (int) Math.floor(Math.pow(r.nextDouble(), 1.3) * (maxAge - minAge + 1));
    p.dob = windowStart - age * 365 - r.nextInt(365) - age / 4;
    p.hispanic = hisp;
    p.race = race;
    p.nameGroup = group;
    p.first = given(r, group, female);
    p.middle = middle(r, group, female);
    p.last = last;
    if (!female && r.nextDouble() < 0.03) {
      p.suffix = r.nextDouble() < 0.7 ? "JR" : r.nextDouble() < 0.5 ? "SR" : "III";
    }
    if (hisp && r.nextDouble() < 0.35 && !last.contains(" ") && !last.contains("-")) {
      String second = surname(r, group);
      if (!second.equals(last)) {
        p.last = last + (r.nextDouble() < 0.7 ? " " : "-") + second;
      }
    }
    h.members.add(p);
    return p;
  }

  /** A spouse or partner; a married woman usually took the husband's surname (maiden kept). */
  private Person spouse(SplittableRandom r, Household h, Person head, boolean married, int group,
      boolean hisp, int race) {
    boolean female = !head.female;
    Person s = new Person();
    s.role = married ? Role.SPOUSE : Role.PARTNER;
    s.female = female;
    int age = Math.max(18, Dates.age(head.dob, windowStart) + (female ? -1 : 1) * (r.nextInt(9) - 2));
    s.dob = windowStart - age * 365 - r.nextInt(365) - age / 4;
    s.hispanic = hisp;
    s.race = race;
    s.nameGroup = group;
    s.first = given(r, group, female);
    s.middle = middle(r, group, female);
    String own = surname(r, group);
    if (married && female && !head.female) {
      if (hisp && r.nextDouble() < 0.6) {
        s.last = own; // Hispanic women often keep their own surnames
      } else if (!hisp && r.nextDouble() < 0.08) {
        s.last = own + "-" + firstToken(head.last);
        s.formerLast = own;
      } else {
        s.last = head.last;
        s.formerLast = own;
      }
    } else if (married && !female) {
      s.last = own;
      head.formerLast = head.last;
      head.last = own;
    } else {
      s.last = own;
    }
    h.members.add(s);
    return s;
  }

  private void children(SplittableRandom r, Household h, Person mother, Person father, int n,
      String last, int group, boolean hisp, int race, Role role) {
    int motherAge = mother != null ? Dates.age(mother.dob, windowStart)
        : father != null ? Dates.age(father.dob, windowStart) : 30;
    int maxAge = Math.max(0, Math.min(17, motherAge - 16));
    int windowDays = windowEnd - windowStart;
    for (int i = 0; i < n; i++) {
      Person c = new Person();
      c.role = role;
      c.female = r.nextBoolean();
      int dob;
      if (r.nextDouble() < cfg.programs().birthInWindow() && motherAge < 44) {
        dob = windowStart + r.nextInt(Math.max(1, windowDays - 90));
      } else {
        dob = windowStart - r.nextInt((maxAge + 1) * 365) - 1;
      }
      c.dob = dob;
      c.hispanic = hisp;
      c.race = race;
      c.nameGroup = group;
      c.first = given(r, group, c.female);
      c.middle = middle(r, group, c.female);
      c.last = last;
      c.mother = mother;
      if (father != null && !c.female && r.nextDouble() < 0.04) {
        c.first = father.first;
        c.suffix = "JR";
      }
      schoolTraits(r, h, c);
      h.members.add(c);
      opportunities[ErrorKind.TWINS.ordinal()]++;
      if (r.nextDouble() < cfg.rate(ErrorKind.TWINS)) {
        errors[ErrorKind.TWINS.ordinal()]++;
        Person t = new Person();
        t.role = role;
        t.female = r.nextDouble() < 0.5 ? c.female : !c.female;
        t.dob = dob;
        t.hispanic = hisp;
        t.race = race;
        t.nameGroup = group;
        String name;
        do {
          name = given(r, group, t.female);
        } while (name.equals(c.first));
        t.first = name;
        t.middle = middle(r, group, t.female);
        t.last = last;
        t.mother = mother;
        t.twin = true;
        c.twin = true;
        schoolTraits(r, h, t);
        t.gradeOffset = c.gradeOffset;
        h.members.add(t);
        i++;
      }
    }
  }

  private void schoolTraits(SplittableRandom r, Household h, Person c) {
    var pr = cfg.programs();
    c.gradeOffset = r.nextDouble() < pr.retained() ? -1 : 0;
    c.publicSchool = r.nextDouble() >= pr.privateSchool();
    c.chronicTendency = r.nextDouble() < pr.chronicAbsence() * (0.7 + 0.3 * Math.max(0, h.poverty + 1));
    c.ability = 0.3 - 0.35 * h.poverty + r.nextGaussian() * 0.9;
  }

  private String ssnOf(SplittableRandom r, Person p) {
    boolean child = Dates.age(p.dob, windowStart) < 18;
    if (r.nextDouble() < (child ? 0.07 : 0.05)) {
      return null; // no SSN (recent immigrant, newborn not yet issued, ...)
    }
    long x = Math.floorMod(p.index * SSN_MULT + ssnOffset, SSN_SPACE);
    int area = (int) (x % 898) + 1;
    if (area >= 666) {
      area++;
    }
    x /= 898;
    int group = (int) (x % 99) + 1;
    int serial = (int) (x / 99) + 1;
    String s = Dates.pad("", area, 3) + Dates.pad("", group, 2) + Dates.pad("", serial, 4);
    return Noise.isPlaceholderOrKnownBad(s) ? null : s;
  }

  private void addresses(SplittableRandom r, Household h) {
    var pr = cfg.programs();
    int city = geo.pickCity(r);
    Address home = randomAddress(r, city);
    double pHousing = sigmoid(logit(pr.housing()) + 0.8 * pr.povertyWeight() * h.poverty);
    h.assisted = r.nextDouble() < pHousing;
    opportunities[ErrorKind.MOVE.ordinal()]++;
    boolean moves = r.nextDouble() < cfg.rate(ErrorKind.MOVE);
    int windowDays = windowEnd - windowStart;
    if (h.assisted) {
      h.publicHousing = r.nextDouble() < pr.publicHousingShare();
      boolean before = r.nextDouble() < 0.7;
      h.housingIn = before ? windowStart - 1 - r.nextInt(12 * 365) : windowStart + r.nextInt(windowDays - 60);
      if (r.nextDouble() < 0.2) {
        int out = Math.max(h.housingIn, windowStart) + 180 + r.nextInt(windowDays);
        h.housingOut = out < windowEnd ? out : Dates.OPEN;
      }
      Address assisted;
      if (h.publicHousing) {
        int dev = r.nextInt(geo.developments[city]);
        h.developmentId = geo.developmentId(city, dev);
        String unit = "APT " + (1 + r.nextInt(12)) + (char) ('A' + r.nextInt(6));
        assisted = geo.developmentAddress(city, dev, unit);
      } else {
        assisted = randomAddress(r, city);
      }
      if (h.housingIn >= windowStart) {
        h.first = home;
        h.second = assisted;
        h.moveDay = h.housingIn;
      } else if (h.housingOut != Dates.OPEN) {
        h.first = assisted;
        h.second = randomAddress(r, r.nextDouble() < 0.7 ? city : geo.pickCity(r));
        h.moveDay = h.housingOut;
      } else {
        h.first = assisted;
      }
      if (h.second != null) {
        errors[ErrorKind.MOVE.ordinal()]++;
      }
      return;
    }
    h.first = home;
    if (moves) {
      errors[ErrorKind.MOVE.ordinal()]++;
      h.second = randomAddress(r, r.nextDouble() < 0.7 ? city : geo.pickCity(r));
      h.moveDay = windowStart + 30 + r.nextInt(windowDays - 60);
    }
  }

  private Address randomAddress(SplittableRandom r, int city) {
    int houseNo = 1 + NameTables.skewed(r, 9000) + r.nextInt(50);
    String street = NameTables.STREETS[r.nextInt(NameTables.STREETS.length)];
    int type = NameTables.skewed(r, NameTables.STREET_TYPES.length);
    String unit = r.nextDouble() < 0.35 ? (r.nextBoolean() ? "APT " : "UNIT ") + (1 + r.nextInt(30)) : null;
    int nb = r.nextInt(1000);
    return new Address(houseNo, street, type, unit, city, geo.zip(city, nb),
        Dates.pad("", r.nextInt(10000), 4), null);
  }

  static String surname(SplittableRandom r, int group) {
    // names cross groups sometimes (intermarriage, common names)
    int g = r.nextDouble() < 0.12 ? 0 : group;
    return NameTables.pick(r, NameTables.SURNAME[g]);
  }

  static String given(SplittableRandom r, int group, boolean female) {
    int g = group;
    if (group == 1 && r.nextDouble() < 0.55) {
      g = 0;
    } else if (group == 2 && r.nextDouble() < 0.3) {
      g = 0;
    } else if (group == 3 && r.nextDouble() < 0.3) {
      g = 0;
    }
    return NameTables.pick(r, female ? NameTables.FEMALE[g] : NameTables.MALE[g]);
  }

  static String middle(SplittableRandom r, int group, boolean female) {
    if (r.nextDouble() < 0.28) {
      return null;
    }
    String m = given(r, group, female);
    return m;
  }

  static String firstToken(String last) {
    int i = indexOfSep(last);
    return i < 0 ? last : last.substring(0, i);
  }

  static int indexOfSep(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '-') {
        return i;
      }
    }
    return -1;
  }

  static int geometric(SplittableRandom r, double p, int max) {
    int k = 0;
    while (k < max && r.nextDouble() > p) {
      k++;
    }
    return k;
  }

  static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  static double logit(double p) {
    double q = Math.min(0.999, Math.max(0.001, p));
    return Math.log(q / (1 - q));
  }
}
