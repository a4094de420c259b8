package org.commonclient.generate;

import java.time.LocalDate;

/** Dates as epoch days and the agencies' date layouts, formatted without DateTimeFormatter. */
final class Dates {
  private Dates() {}

  /** Sentinel end day of an open span. */
  static final int OPEN = Integer.MAX_VALUE;

  enum Fmt {
    MDY_SLASH("MM/dd/yyyy"),
    ISO("yyyy-MM-dd"),
    COMPACT("yyyyMMdd");

    final String pattern;

    Fmt(String pattern) {
      this.pattern = pattern;
    }
  }

  static int day(int y, int m, int d) {
    return (int) LocalDate.of(y, m, d).toEpochDay();
  }

  static boolean valid(int y, int m, int d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) {
      return false;
    }
    return d <= LocalDate.of(y, m, 1).lengthOfMonth();
  }

  /** Appends the date y-m-d in the given layout (no validation: invalid dates are written as is). */
  static void append(StringBuilder sb, int y, int m, int d, Fmt f) {
    switch (f) {
      case MDY_SLASH -> {
        two(sb, m);
        sb.append('/');
        two(sb, d);
        sb.append('/');
        four(sb, y);
      }
      case ISO -> {
        four(sb, y);
        sb.append('-');
        two(sb, m);
        sb.append('-');
        two(sb, d);
      }
      case COMPACT -> {
        four(sb, y);
        two(sb, m);
        two(sb, d);
      }
      default -> throw new IllegalArgumentException(f.toString());
    }
  }

  /** The epoch day formatted, or "" for {@link #OPEN} / negative sentinel. */
  static String format(int epochDay, Fmt f) {
    if (epochDay == OPEN) {
      return "";
    }
    LocalDate d = LocalDate.ofEpochDay(epochDay);
    StringBuilder sb = new StringBuilder(10);
    append(sb, d.getYear(), d.getMonthValue(), d.getDayOfMonth(), f);
    return sb.toString();
  }

  private static void two(StringBuilder sb, int v) {
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }

  private static void four(StringBuilder sb, int v) {
    if (v < 1000) {
      sb.append('0');
    }
    if (v < 100) {
      sb.append('0');
    }
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }

  /** Age in whole years on the given day. */
  static int age(int dob, int onDay) {
    LocalDate b = LocalDate.ofEpochDay(dob);
    LocalDate o = LocalDate.ofEpochDay(onDay);
    int a = o.getYear() - b.getYear();
    if (o.getMonthValue() < b.getMonthValue()
        || (o.getMonthValue() == b.getMonthValue() && o.getDayOfMonth() < b.getDayOfMonth())) {
      a--;
    }
    return a;
  }

  /** prefix + v zero-padded to at least {@code width} digits (String.format is slow here). */
  static String pad(String prefix, long v, int width) {
    String d = Long.toString(v);
    StringBuilder sb = new StringBuilder(prefix.length() + Math.max(width, d.length()));
    sb.append(prefix);
    for (int i = d.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(d).toString();
  }
}
