package org.commonclient.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.MonthDay;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.commonclient.metrics.disclosure.PercentCoding;

/**
 * Settings of the metrics stage, read eagerly from {@code commonclient.metrics} (defaults in
 * {@code defaults/metrics.conf}). Every jurisdiction-dependent choice of DOMAIN sections 3-4 is a
 * field here, and {@link #describe()} prints them for the footnotes of published tables.
 */
public record MetricsConfig(
    List<Period> periods,
    MonthDay schoolYearStart,
    List<String> programs,
    int mergeGapDays,
    int overlapMinDays,
    int churnWindowDays,
    String housingProgram,
    String schoolProgram,
    String headStartProgram,
    MonthDay ageDate,
    String developmentRule,
    Map<String, List<String>> sexMap,
    Map<String, List<String>> raceMap,
    Chronic chronic,
    OnTime onTime,
    String suspDenominator,
    MonthDay suspSnapshotDate,
    String profDenominator,
    boolean profIncludeAlternate,
    List<String> profGrades,
    boolean acgrIncludeSummer,
    MonthDay acgrSummerEnd,
    MonthDay dropoutCountDate,
    List<String> dropoutGrades,
    List<String> dropoutCompleterOutcomes,
    List<String> dropoutExcusedOutcomes,
    List<EligibilityRule> rules,
    int minCell,
    boolean collapseCombinations,
    PercentCoding coding,
    String restrictedPath,
    String publishedPath) {

  public static final String PATH = "commonclient.metrics";
  private static final DateTimeFormatter MD = DateTimeFormatter.ofPattern("MM-dd");

  /** Chronic absenteeism settings (DOMAIN 3.3). */
  public record Chronic(
      String mode, double ratio, int minEnrolledDays, int minDays, String scope, List<String> grades) {}

  /** On-time enrollment settings (DOMAIN 3.4); {@code firstDay} null = from the data. */
  public record OnTime(int graceDays, MonthDay ageDate, int minAge, int maxAge, MonthDay firstDay) {}

  /** An eligible-but-not-enrolled rule. */
  public record EligibilityRule(
      String name,
      String description,
      int ageFrom,
      int ageTo,
      MonthDay ageDate,
      List<String> qualifyingPrograms,
      String qualifyingUnit,
      String enrolledIn,
      List<String> potentialPrograms) {}

  /** Reads {@code commonclient.metrics}. */
  public static MetricsConfig from(Config root) {
    Config c = root.getConfig(PATH);
    MonthDay syStart = md(c, "period.schoolYearStart");
    Period.Type type = enumValue(c, "period.type", Period.Type.class);
    List<Period> periods;
    try {
      periods =
          Period.expand(
              type,
              c.getString("period.from"),
              c.getString("period.to"),
              c.getString("period.start"),
              c.getString("period.end"),
              syStart);
    } catch (RuntimeException e) {
      throw new ConfigException.BadValue(c.origin(), PATH + ".period", e.getMessage(), e);
    }
    Config ch = c.getConfig("chronic");
    Chronic chronic =
        new Chronic(
            oneOf(ch, "mode", "RATIO", "COUNT"),
            ch.getDouble("ratio"),
            ch.getInt("minEnrolledDays"),
            ch.getInt("minDays"),
            oneOf(ch, "scope", "PERSON_YEAR", "ENROLLMENT"),
            List.copyOf(ch.getStringList("grades")));
    Config ot = c.getConfig("ontime");
    String firstDay = ot.getString("firstDay");
    OnTime onTime =
        new OnTime(
            ot.getInt("graceDays"),
            md(ot, "ageDate"),
            ot.getInt("minAge"),
            ot.getInt("maxAge"),
            firstDay.isBlank() ? null : md(ot, "firstDay"));
    List<EligibilityRule> rules = new ArrayList<>();
    Config rc = c.getConfig("rules");
    for (String name : new java.util.TreeSet<>(rc.root().keySet())) {
      Config r = rc.getConfig(name);
      rules.add(
          new EligibilityRule(
              name,
              r.getString("description"),
              r.getInt("ageFrom"),
              r.getInt("ageTo"),
              md(r, "ageDate"),
              List.copyOf(r.getStringList("qualifyingPrograms")),
              oneOf(r, "qualifyingUnit", "PERSON", "FAMILY"),
              r.getString("enrolledIn"),
              List.copyOf(r.getStringList("potentialPrograms"))));
    }
    List<PercentCoding.Band> bands = new ArrayList<>();
    for (Config b : c.getConfigList("disclosure.coding")) {
      bands.add(new PercentCoding.Band(b.getInt("minN"), b.getInt("top"), b.getInt("bottom")));
    }
    int minCell = c.getInt("disclosure.minCell");
    if (minCell < 1) {
      throw new ConfigException.BadValue(PATH + ".disclosure.minCell", "must be positive, is " + minCell);
    }
    return new MetricsConfig(
        List.copyOf(periods),
        syStart,
        List.copyOf(c.getStringList("programs")),
        c.getInt("span.mergeGapDays"),
        c.getInt("overlap.minDays"),
        c.getInt("churn.windowDays"),
        c.getString("programCodes.housing"),
        c.getString("programCodes.school"),
        c.getString("programCodes.headStart"),
        md(c, "disagg.ageDate"),
        oneOf(c, "disagg.developmentRule", "REFERENCE_DATE", "LONGEST"),
        codeMap(c.getConfig("disagg.sexMap")),
        codeMap(c.getConfig("disagg.raceMap")),
        chronic,
        onTime,
        oneOf(c, "susp.denominator", "CUMULATIVE", "OCTOBER_SNAPSHOT"),
        md(c, "susp.snapshotDate"),
        oneOf(c, "prof.denominator", "TESTED", "ESSA95"),
        c.getBoolean("prof.includeAlternate"),
        List.copyOf(c.getStringList("prof.grades")),
        c.getBoolean("acgr.includeSummer"),
        md(c, "acgr.summerEnd"),
        md(c, "dropout.countDate"),
        List.copyOf(c.getStringList("dropout.grades")),
        List.copyOf(c.getStringList("dropout.completerOutcomes")),
        List.copyOf(c.getStringList("dropout.excusedOutcomes")),
        List.copyOf(rules),
        minCell,
        c.getBoolean("disclosure.collapseCombinations"),
        new PercentCoding(bands),
        c.getString("output.restricted"),
        c.getString("output.published"));
  }

  /** The defaults of {@code defaults/metrics.conf}. */
  public static MetricsConfig defaults() {
    return from(ConfigFactory.defaultReference().resolve());
  }

  /** The defaults with a different period list (tests). */
  public MetricsConfig withPeriods(List<Period> p) {
    return new MetricsConfig(
        List.copyOf(p), schoolYearStart, programs, mergeGapDays, overlapMinDays, churnWindowDays,
        housingProgram, schoolProgram, headStartProgram, ageDate, developmentRule, sexMap, raceMap,
        chronic, onTime, suspDenominator, suspSnapshotDate, profDenominator, profIncludeAlternate,
        profGrades, acgrIncludeSummer, acgrSummerEnd, dropoutCountDate, dropoutGrades,
        dropoutCompleterOutcomes, dropoutExcusedOutcomes, rules, minCell, collapseCombinations,
        coding, restrictedPath, publishedPath);
  }

  /** The same settings with another minimum cell (tests, sensitivity runs). */
  public MetricsConfig withMinCell(int m) {
    return new MetricsConfig(
        periods, schoolYearStart, programs, mergeGapDays, overlapMinDays, churnWindowDays,
        housingProgram, schoolProgram, headStartProgram, ageDate, developmentRule, sexMap, raceMap,
        chronic, onTime, suspDenominator, suspSnapshotDate, profDenominator, profIncludeAlternate,
        profGrades, acgrIncludeSummer, acgrSummerEnd, dropoutCountDate, dropoutGrades,
        dropoutCompleterOutcomes, dropoutExcusedOutcomes, rules, m, collapseCombinations,
        coding, restrictedPath, publishedPath);
  }

  /** Parameters as key = value text, recorded with every table. */
  public Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("periods", periods.stream().map(p -> p.label() + "=" + p.start() + ".." + p.end()).toList().toString());
    m.put("period.schoolYearStart", schoolYearStart.format(MD));
    m.put("span.mergeGapDays", Integer.toString(mergeGapDays));
    m.put("overlap.minDays", Integer.toString(overlapMinDays));
    m.put("churn.windowDays", Integer.toString(churnWindowDays));
    m.put("disagg.ageDate", ageDate.format(MD));
    m.put("disagg.developmentRule", developmentRule);
    m.put("chronic", chronic.mode() + " ratio>=" + chronic.ratio() + " minEnrolledDays=" + chronic.minEnrolledDays()
        + " minDays=" + chronic.minDays() + " scope=" + chronic.scope() + " grades=" + chronic.grades());
    m.put("ontime", "graceDays=" + onTime.graceDays() + " ages " + onTime.minAge() + "-" + onTime.maxAge()
        + " on " + onTime.ageDate().format(MD) + " firstDay=" + (onTime.firstDay() == null ? "data" : onTime.firstDay().format(MD)));
    m.put("susp.denominator", suspDenominator + (suspDenominator.equals("OCTOBER_SNAPSHOT") ? " " + suspSnapshotDate.format(MD) : ""));
    m.put("prof", "denominator=" + profDenominator + " includeAlternate=" + profIncludeAlternate);
    m.put("acgr.includeSummer", acgrIncludeSummer + (acgrIncludeSummer ? " (to " + acgrSummerEnd.format(MD) + ")" : ""));
    m.put("dropout.countDate", dropoutCountDate.format(MD));
    m.put("disclosure.minCell", Integer.toString(minCell));
    m.put("disclosure.coding", coding.describe());
    return m;
  }

  /** Footnote text: the suppression rules and the parameters. */
  public String footnote() {
    return "Counts 1-" + (minCell - 1) + " suppressed (minimum cell " + minCell + "); complementary suppression "
        + "over every additive relation of the table, audited so that each suppressed cell's derivable "
        + "interval is at least " + minCell + " wide; " + coding.describe()
        + " Persons counted once per program (unduplicated by linked person id).";
  }

  private static MonthDay md(Config c, String key) {
    String v = c.getString(key);
    try {
      return MonthDay.parse("--" + v);
    } catch (RuntimeException e) {
      throw new ConfigException.BadValue(c.origin(), key, "expected MM-dd, got '" + v + "'", e);
    }
  }

  private static String oneOf(Config c, String key, String... allowed) {
    String v = c.getString(key).toUpperCase();
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new ConfigException.BadValue(c.origin(), key, "must be one of " + List.of(allowed) + ", is '" + v + "'");
  }

  private static <E extends Enum<E>> E enumValue(Config c, String key, Class<E> cls) {
    String v = c.getString(key).toUpperCase();
    try {
      return Enum.valueOf(cls, v);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), key, "unknown value '" + v + "'", e);
    }
  }

  private static Map<String, List<String>> codeMap(Config c) {
    Map<String, List<String>> m = new TreeMap<>();
    for (String k : c.root().keySet()) {
      m.put(k, c.getStringList(k).stream().map(s -> s.toUpperCase()).toList());
    }
    return m;
  }
}
