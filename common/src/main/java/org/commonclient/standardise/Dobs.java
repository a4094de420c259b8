package org.commonclient.standardise;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_date;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;

/**
 * Date-of-birth rules of DOMAIN.md 1.2: parsing with a list of formats, DOB_DEFAULT
 * (placeholders such as 1900-01-01 or 9999-xx-xx), DOB_IMPOSSIBLE (future, before the minimum,
 * after the record's first service date) and the heaping test behind DOB_PARTIAL_SUSPECT.
 */
public final class Dobs {
  private Dobs() {}

  public static final String IMPOSSIBLE = "DOB_IMPOSSIBLE";
  public static final String DEFAULT = "DOB_DEFAULT";
  public static final String UNPARSEABLE = "DOB_UNPARSEABLE";
  public static final String PARTIAL_SUSPECT = "DOB_PARTIAL_SUSPECT";

  /** Expected share of 1 January among birth dates (uniform births). */
  public static final double JAN1_EXPECTED = 1.0 / 365.25;

  /** Expected share of the 1st of any month among birth dates. */
  public static final double FIRST_OF_MONTH_EXPECTED = 12.0 / 365.25;

  /** Parses with the first format that reads the whole trimmed value; null when none does. */
  public static LocalDate parse(String raw, List<String> formats) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String s = raw.trim();
    for (DateTimeFormatter f : formatters(formats)) {
      try {
        return LocalDate.parse(s, f);
      } catch (java.time.format.DateTimeParseException e) {
        // try the next format
      }
    }
    return null;
  }

  static List<DateTimeFormatter> formatters(List<String> formats) {
    List<DateTimeFormatter> out = new ArrayList<>();
    for (String p : formats) {
      // java.time's strict resolver needs the proleptic year (u) rather than year-of-era (y)
      out.add(
          new DateTimeFormatterBuilder()
              .parseCaseInsensitive()
              .appendPattern(p.replace('y', 'u'))
              .toFormatter(Locale.US)
              .withResolverStyle(ResolverStyle.STRICT));
    }
    return out;
  }

  static Column parse(Column raw, List<String> formats) {
    Column t = trim(raw);
    Column[] tries = new Column[formats.size()];
    for (int i = 0; i < formats.size(); i++) {
      tries[i] = try_to_date(t, formats.get(i));
    }
    return coalesce(tries);
  }

  /** True when the date matches a {@code yyyy-MM-dd} pattern with {@code *} wildcards. */
  public static boolean matchesPlaceholder(LocalDate d, String pattern) {
    String[] p = pattern.split("-");
    return part(p[0], d.getYear()) && part(p[1], d.getMonthValue()) && part(p[2], d.getDayOfMonth());
  }

  private static boolean part(String p, int v) {
    return p.equals("*") || Integer.parseInt(p) == v;
  }

  static Column matchesPlaceholder(Column d, String pattern) {
    String[] p = pattern.split("-");
    Column c = lit(true);
    if (!p[0].equals("*")) {
      c = c.and(year(d).equalTo(Integer.parseInt(p[0])));
    }
    if (!p[1].equals("*")) {
      c = c.and(month(d).equalTo(Integer.parseInt(p[1])));
    }
    if (!p[2].equals("*")) {
      c = c.and(dayofmonth(d).equalTo(Integer.parseInt(p[2])));
    }
    return c;
  }

  /**
   * The flag of a parsed date (or of an unparseable raw value), without heaping: DOB_DEFAULT, then
   * DOB_IMPOSSIBLE, else null. A raw value that is present but unparseable is DOB_UNPARSEABLE.
   */
  public static String flag(
      LocalDate dob,
      String raw,
      LocalDate firstService,
      LocalDate today,
      LocalDate min,
      List<String> placeholders) {
    if (dob == null) {
      return raw != null && !raw.isBlank() ? UNPARSEABLE : null;
    }
    for (String p : placeholders) {
      if (matchesPlaceholder(dob, p)) {
        return DEFAULT;
      }
    }
    if (dob.isAfter(today) || dob.isBefore(min) || (firstService != null && dob.isAfter(firstService))) {
      return IMPOSSIBLE;
    }
    return null;
  }

  static Column flag(
      Column dob, Column raw, Column firstService, Column today, LocalDate min, List<String> placeholders) {
    Column isDefault = lit(false);
    for (String p : placeholders) {
      isDefault = isDefault.or(matchesPlaceholder(dob, p));
    }
    Column impossible =
        dob.gt(today)
            .or(dob.lt(lit(java.sql.Date.valueOf(min))))
            .or(coalesce(dob.gt(firstService), lit(false)));
    return when(
            dob.isNull(),
            when(raw.isNotNull().and(trim(raw).notEqual("")), lit(UNPARSEABLE)))
        .when(isDefault, lit(DEFAULT))
        .when(impossible, lit(IMPOSSIBLE));
  }

  /**
   * The heaping test: a day (1 January, or the 1st of a month) is suspect in a source when its
   * share exceeds ratio × expected share, counted over at least minRecords parsed dates.
   */
  public static boolean heaped(long count, long total, double expectedShare, double ratio, int minRecords) {
    return total >= minRecords && total > 0 && (double) count / total > ratio * expectedShare;
  }
}
