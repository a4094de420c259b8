package org.commonclient.metrics;

import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.List;

/** A metric period {@code [start, end]} (both inclusive) with a label such as "SY2024-25". */
public record Period(String label, LocalDate start, LocalDate end) {
  public Period {
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("Period " + label + " ends before it starts: " + start + " > " + end);
    }
  }

  /** Period types of {@code commonclient.metrics.period.type}. */
  public enum Type {
    CALENDAR_YEAR,
    QUARTER,
    SCHOOL_YEAR,
    EXPLICIT
  }

  /** The school year (fall year) containing {@code d}. */
  public static int schoolYearOf(LocalDate d, MonthDay schoolYearStart) {
    return MonthDay.from(d).isBefore(schoolYearStart) ? d.getYear() - 1 : d.getYear();
  }

  public static Period schoolYear(int fallYear, MonthDay schoolYearStart) {
    LocalDate s = schoolYearStart.atYear(fallYear);
    return new Period(
        "SY" + fallYear + "-" + String.format("%02d", (fallYear + 1) % 100),
        s,
        s.plusYears(1).minusDays(1));
  }

  /** First occurrence of {@code md} on or after this period's start. */
  public LocalDate firstOnOrAfterStart(MonthDay md) {
    LocalDate d = md.atYear(start.getYear());
    return d.isBefore(start) ? md.atYear(start.getYear() + 1) : d;
  }

  /** Expands a period specification into consecutive periods. */
  public static List<Period> expand(
      Type type, String from, String to, String start, String end, MonthDay schoolYearStart) {
    List<Period> out = new ArrayList<>();
    switch (type) {
      case EXPLICIT -> out.add(new Period(start + "_" + end, LocalDate.parse(start), LocalDate.parse(end)));
      case CALENDAR_YEAR -> {
        for (int y = Integer.parseInt(from); y <= Integer.parseInt(to); y++) {
          out.add(new Period(Integer.toString(y), LocalDate.of(y, 1, 1), LocalDate.of(y, 12, 31)));
        }
      }
      case SCHOOL_YEAR -> {
        for (int y = Integer.parseInt(from); y <= Integer.parseInt(to); y++) {
          out.add(schoolYear(y, schoolYearStart));
        }
      }
      case QUARTER -> {
        int a = quarterIndex(from);
        int b = quarterIndex(to);
        for (int q = a; q <= b; q++) {
          int y = q / 4;
          int qq = q % 4;
          LocalDate s = LocalDate.of(y, qq * 3 + 1, 1);
          out.add(new Period(y + "Q" + (qq + 1), s, s.plusMonths(3).minusDays(1)));
        }
      }
      default -> throw new IllegalArgumentException("Unknown period type " + type);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("Period range " + from + ".." + to + " is empty");
    }
    return out;
  }

  private static int quarterIndex(String s) {
    String u = s.toUpperCase();
    int q = u.indexOf('Q');
    if (q < 0) {
      throw new IllegalArgumentException("Cannot parse quarter " + s + ": expected e.g. 2024Q1");
    }
    int quarter = Integer.parseInt(u.substring(q + 1));
    if (quarter < 1 || quarter > 4) {
      throw new IllegalArgumentException("Cannot parse quarter " + s + ": quarter must be 1-4");
    }
    return Integer.parseInt(u.substring(0, q)) * 4 + quarter - 1;
  }
}
