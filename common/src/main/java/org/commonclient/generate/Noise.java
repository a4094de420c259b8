package org.commonclient.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.commonclient.generate.Model.Address;
import org.commonclient.generate.Model.Household;
import org.commonclient.generate.Model.Person;

/**
 * Derives what one agency record shows for a person, injecting the errors of DOMAIN.md section 1
 * at the configured rates and counting every injection and every opportunity by kind.
 */
final class Noise {
  /** What an agency knows about its data collection. */
  record Profile(boolean middleField, boolean collectsSsn, double ssnShareIfNotCollected,
      boolean newbornPlaceholders) {}

  /** One record's values (names upper case, before the layout's own formatting). */
  static final class Rec {
    String first;
    String middle;
    String last;
    String suffix;
    int y;
    int m;
    int d;
    char sex; // 'F', 'M' or 0 = empty
    String ssn; // digits as recorded, or null
    Address addr; // null = empty
    boolean zipMissing;
    String phone;
    boolean caseNoise;
  }

  static final String[] PLACEHOLDERS = {"123456789", "111111111", "999999999", "222222222", "555555555"};
  static final String[] KNOWN_BAD = {"078051120", "078051120", "078051120", "219099999", "457555462"};

  private final GenerateConfig cfg;
  private final long[] errors;
  private final long[] opportunities;
  private final double[] rate = new double[ErrorKind.values().length];

  Noise(GenerateConfig cfg, long[] errors, long[] opportunities) {
    this.cfg = cfg;
    this.errors = errors;
    this.opportunities = opportunities;
    for (ErrorKind k : ErrorKind.values()) {
      rate[k.ordinal()] = cfg.rate(k);
    }
  }

  /** Counts one opportunity of {@code k} and decides whether the error happens. */
  boolean hit(SplittableRandom r, ErrorKind k) {
    opportunities[k.ordinal()]++;
    if (r.nextDouble() < rate[k.ordinal()]) {
      errors[k.ordinal()]++;
      return true;
    }
    return false;
  }

  void count(ErrorKind k, boolean happened) {
    opportunities[k.ordinal()]++;
    if (happened) {
      errors[k.ordinal()]++;
    }
  }

  /**
   * Fills {@code out} with the record's view of {@code p}.
   *
   * @param asOf the day the agency's data describe (address at that day)
   * @param recordStart first day of the record (newborn placeholder names)
   */
  void apply(Rec out, SplittableRandom r, Person p, Household h, int asOf, int recordStart,
      Profile prof, int windowStart) {
    String first = p.first;
    String middle = p.middle;
    String last = p.last;
    // surname: former (maiden) name still on file
    if (p.formerLast != null && hit(r, ErrorKind.SURNAME_CHANGE)) {
      last = p.formerLast;
    }
    // two-part surname: one part only, or the other joiner
    if (Population.indexOfSep(last) > 0 && hit(r, ErrorKind.DOUBLE_SURNAME_PARTIAL)) {
      int i = Population.indexOfSep(last);
      double u = r.nextDouble();
      if (u < 0.6) {
        last = last.substring(0, i);
      } else if (u < 0.75) {
        last = last.substring(i + 1);
      } else {
        char c = last.charAt(i) == ' ' ? '-' : ' ';
        last = last.substring(0, i) + c + last.substring(i + 1);
      }
    }
    boolean baby = false;
    if (prof.newbornPlaceholders() && p.dob >= windowStart && recordStart - p.dob <= 60
        && hit(r, ErrorKind.BABY_NAME)) {
      first = p.female ? "BABY GIRL" : "BABY BOY";
      middle = null;
      baby = true;
    }
    if (!baby) {
      String[] nicks = NameTables.nicknamesOf(first);
      if (nicks.length > 0 && hit(r, ErrorKind.NICKNAME)) {
        first = nicks[r.nextInt(nicks.length)];
      }
    }
    if (prof.middleField() && middle != null && hit(r, ErrorKind.MIDDLE_MISSING)) {
      middle = null;
    }
    if (!baby && hit(r, ErrorKind.TYPO)) {
      first = typo(r, first);
    }
    if (hit(r, ErrorKind.TYPO)) {
      last = typo(r, last);
    }
    if (!baby && hit(r, ErrorKind.NAME_SWAP)) {
      String t = first;
      first = last;
      last = t;
    }
    if (hit(r, ErrorKind.PUNCTUATION_NOISE)) {
      double u = r.nextDouble();
      if (u < 0.3) {
        last = punctuate(r, last);
      } else if (u < 0.5 && middle != null) {
        middle = middle.substring(0, 1) + ".";
      } else if (u < 0.7) {
        first = first + (r.nextBoolean() ? "." : ",");
      } else {
        last = last.replace(" ", "  ").replace("'", "") + (last.contains(" ") ? "" : " ");
        if (last.endsWith(" ")) {
          last = " " + last.trim() + ".";
        }
      }
    }
    out.caseNoise = hit(r, ErrorKind.CASE_NOISE);
    out.first = first;
    out.middle = middle;
    out.last = last;
    out.suffix = p.suffix;

    // date of birth
    LocalDate b = LocalDate.ofEpochDay(p.dob);
    int y = b.getYear();
    int m = b.getMonthValue();
    int d = b.getDayOfMonth();
    if (hit(r, ErrorKind.DOB_DEFAULT)) {
      if (r.nextBoolean()) {
        y = 1900;
      }
      m = 1;
      d = 1;
    } else {
      if (d <= 12 && d != m && hit(r, ErrorKind.DOB_DAY_MONTH_SWAP)) {
        int t = d;
        d = m;
        m = t;
      }
      if (hit(r, ErrorKind.DOB_TYPO)) {
        double u = r.nextDouble();
        int nd = (d / 10) * 10 + r.nextInt(10);
        if (u < 0.45 && nd != d && Dates.valid(y, m, nd)) {
          d = nd;
        } else if (u < 0.9) {
          y = (y / 10) * 10 + (y % 10 + 1 + r.nextInt(9)) % 10;
        } else {
          y = y + (r.nextBoolean() ? 10 : -10);
        }
        if (!Dates.valid(y, m, d)) {
          d = 28;
        }
      }
    }
    out.y = y;
    out.m = m;
    out.d = d;
    out.sex = p.female ? 'F' : 'M';

    // SSN
    String ssn = p.ssn;
    if (prof.collectsSsn()) {
      if (ssn != null && hit(r, ErrorKind.SSN_MISSING)) {
        ssn = null;
      }
    } else if (ssn != null && r.nextDouble() >= prof.ssnShareIfNotCollected()) {
      ssn = null;
    }
    if (ssn != null) {
      for (ErrorKind k : SSN_KINDS) {
        opportunities[k.ordinal()]++;
      }
      double u = r.nextDouble();
      double a = rate[ErrorKind.SSN_INVALID.ordinal()];
      double b2 = a + rate[ErrorKind.SSN_PLACEHOLDER.ordinal()];
      double c = b2 + rate[ErrorKind.SSN_KNOWN_BAD.ordinal()];
      double e = c + rate[ErrorKind.SSN_TYPO.ordinal()];
      if (u < a) {
        errors[ErrorKind.SSN_INVALID.ordinal()]++;
        double w = r.nextDouble();
        String area = w < 0.3 ? "000" : w < 0.5 ? "666" : "9" + (10 + r.nextInt(90));
        ssn = area + ssn.substring(3);
      } else if (u < b2) {
        errors[ErrorKind.SSN_PLACEHOLDER.ordinal()]++;
        ssn = PLACEHOLDERS[NameTables.skewed(r, PLACEHOLDERS.length)];
      } else if (u < c) {
        errors[ErrorKind.SSN_KNOWN_BAD.ordinal()]++;
        ssn = KNOWN_BAD[r.nextInt(KNOWN_BAD.length)];
      } else if (u < e) {
        errors[ErrorKind.SSN_TYPO.ordinal()]++;
        ssn = ssnTypo(r, ssn);
      }
    }
    out.ssn = ssn;

    // address as of the record's date; agencies are often late to learn of a move
    Address addr = h.addressAt(asOf);
    if (h.second != null && asOf >= h.moveDay && hit(r, ErrorKind.STALE_ADDRESS)) {
      addr = h.first;
    }
    out.addr = addr;
    out.zipMissing = false;
    out.phone = h.phone;
    if (hit(r, ErrorKind.NULL_FIELD)) {
      switch (r.nextInt(4)) {
        case 0 -> out.sex = 0;
        case 1 -> out.phone = null;
        case 2 -> out.addr = null;
        default -> out.zipMissing = true;
      }
    }
  }

  private static final ErrorKind[] SSN_KINDS = {
    ErrorKind.SSN_INVALID, ErrorKind.SSN_PLACEHOLDER, ErrorKind.SSN_KNOWN_BAD, ErrorKind.SSN_TYPO
  };

  static boolean isPlaceholderOrKnownBad(String s) {
    for (String x : PLACEHOLDERS) {
      if (x.equals(s)) {
        return true;
      }
    }
    for (String x : KNOWN_BAD) {
      if (x.equals(s)) {
        return true;
      }
    }
    return s.startsWith("98765432");
  }

  /** One insertion, deletion, substitution or transposition of letters. */
  static String typo(SplittableRandom r, String s) {
    int n = s.length();
    if (n < 2) {
      return s + (char) ('A' + r.nextInt(26));
    }
    int op = r.nextInt(4);
    int i = r.nextInt(n);
    char c = (char) ('A' + r.nextInt(26));
    switch (op) {
      case 0:
        return s.substring(0, i) + c + s.substring(i);
      case 1:
        if (n > 2) {
          return s.substring(0, i) + s.substring(i + 1);
        }
        return s + c;
      case 2:
        if (c == s.charAt(i)) {
          c = c == 'Z' ? 'A' : (char) (c + 1);
        }
        return s.substring(0, i) + c + s.substring(i + 1);
      default:
        int j = i == n - 1 ? i - 1 : i;
        if (s.charAt(j) == s.charAt(j + 1)) {
          return s.substring(0, j) + s.substring(j + 1); // doubled letter dropped instead
        }
        return s.substring(0, j) + s.charAt(j + 1) + s.charAt(j) + s.substring(j + 2);
    }
  }

  static String punctuate(SplittableRandom r, String s) {
    if (s.startsWith("O'") || s.startsWith("D'")) {
      return s.charAt(0) + s.substring(2); // apostrophe dropped
    }
    if (s.length() > 3 && s.charAt(0) == 'M' && s.charAt(1) == 'C') {
      return "MC " + s.substring(2);
    }
    int i = 1 + r.nextInt(Math.max(1, s.length() - 1));
    char c = r.nextBoolean() ? '\'' : '.';
    return s.substring(0, i) + c + s.substring(i);
  }

  static String ssnTypo(SplittableRandom r, String s) {
    char[] a = s.toCharArray();
    if (r.nextDouble() < 0.7) {
      int i = r.nextInt(9);
      char c;
      do {
        c = (char) ('0' + r.nextInt(10));
      } while (c == a[i]);
      a[i] = c;
    } else {
      int i = r.nextInt(8);
      if (a[i] == a[i + 1]) {
        a[i] = a[i] == '9' ? '0' : (char) (a[i] + 1);
      } else {
        char t = a[i];
        a[i] = a[i + 1];
        a[i + 1] = t;
      }
    }
    return new String(a);
  }
}
