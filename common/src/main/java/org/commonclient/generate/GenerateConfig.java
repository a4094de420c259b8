package org.commonclient.generate;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Settings of the sample generator, read from {@code commonclient.generate}.
 *
 * @param seed master seed; every household draws from its own generator derived from it
 * @param people number of persons to generate
 * @param out output folder ({@code extracts/} and {@code truth/} below it)
 * @param startYear first calendar year and first school (fall) year of the window
 * @param years number of years (window ends 30 June of startYear + years)
 * @param state two-letter state code
 * @param programs participation parameters
 * @param errors error rates by kind
 */
public record GenerateConfig(
    long seed,
    long people,
    String out,
    int startYear,
    int years,
    String state,
    Programs programs,
    Map<ErrorKind, Double> errors) {

  public static final String PATH = "commonclient.generate";
  public static final long MIN_PEOPLE = 1;
  public static final long MAX_PEOPLE = 50_000_000L;

  public GenerateConfig {
    if (people < MIN_PEOPLE || people > MAX_PEOPLE) {
      throw new IllegalArgumentException(
          "Cannot set people to " + people + ": must be in 1.." + MAX_PEOPLE);
    }
    if (years < 1 || years > 20) {
      throw new IllegalArgumentException("Cannot set years to " + years + ": must be in 1..20");
    }
    if (startYear < 1990 || startYear > 2100) {
      throw new IllegalArgumentException("Cannot set startYear to " + startYear);
    }
    if (state == null || !state.matches("[A-Z]{2}")) {
      throw new IllegalArgumentException("Cannot set state to " + state + ": two capital letters");
    }
    EnumMap<ErrorKind, Double> copy = new EnumMap<>(ErrorKind.class);
    for (ErrorKind k : ErrorKind.values()) {
      Double r = errors.get(k);
      if (r == null || r < 0 || r > 1) {
        throw new IllegalArgumentException(
            "Cannot set errors." + k.key() + " to " + r + ": must be a probability");
      }
      copy.put(k, r);
    }
    errors = Collections.unmodifiableMap(copy);
  }

  /** The rate of one error kind. */
  public double rate(ErrorKind k) {
    return errors.get(k);
  }

  public GenerateConfig withPeople(long n) {
    return new GenerateConfig(seed, n, out, startYear, years, state, programs, errors);
  }

  public GenerateConfig withOut(String dir) {
    return new GenerateConfig(seed, people, dir, startYear, years, state, programs, errors);
  }

  public GenerateConfig withSeed(long s) {
    return new GenerateConfig(s, people, out, startYear, years, state, programs, errors);
  }

  /** A copy with every error rate multiplied by {@code f} (capped at 1). */
  public GenerateConfig withErrorScale(double f) {
    EnumMap<ErrorKind, Double> m = new EnumMap<>(ErrorKind.class);
    errors.forEach((k, v) -> m.put(k, Math.min(1.0, v * f)));
    return new GenerateConfig(seed, people, out, startYear, years, state, programs, m);
  }

  /** Reads the whole subtree {@code commonclient.generate} of a resolved root config. */
  public static GenerateConfig from(Config root) {
    Config c = root.getConfig(PATH);
    Config e = c.getConfig("errors");
    EnumMap<ErrorKind, Double> errors = new EnumMap<>(ErrorKind.class);
    for (ErrorKind k : ErrorKind.values()) {
      errors.put(k, e.getDouble(k.key()));
    }
    try {
      return new GenerateConfig(
          c.getLong("seed"),
          c.getLong("people"),
          c.getString("out"),
          c.getInt("startYear"),
          c.getInt("years"),
          c.getString("state"),
          Programs.from(c.getConfig("programs")),
          errors);
    } catch (IllegalArgumentException ex) {
      throw new ConfigException.BadValue(c.origin(), PATH, ex.getMessage());
    }
  }

  /** The defaults of {@code defaults/generate.conf}. */
  public static GenerateConfig defaults() {
    return from(ConfigFactory.parseResources("defaults/generate.conf").resolve());
  }

  /** Participation parameters; see defaults/generate.conf for their meaning. */
  public record Programs(
      double povertyWeight,
      double snap,
      double medicaidChild,
      double medicaidAdult,
      double snapMedicaidBoost,
      double tanf,
      double wic,
      double housing,
      double publicHousingShare,
      double headStart,
      double headStartNoShow,
      double privateSchool,
      double retained,
      double chronicAbsence,
      double housingAbsenceBoost,
      double churn,
      double secondSpell,
      double birthInWindow) {

    static Programs from(Config p) {
      return new Programs(
          p.getDouble("povertyWeight"),
          p.getDouble("snap"),
          p.getDouble("medicaidChild"),
          p.getDouble("medicaidAdult"),
          p.getDouble("snapMedicaidBoost"),
          p.getDouble("tanf"),
          p.getDouble("wic"),
          p.getDouble("housing"),
          p.getDouble("publicHousingShare"),
          p.getDouble("headStart"),
          p.getDouble("headStartNoShow"),
          p.getDouble("privateSchool"),
          p.getDouble("retained"),
          p.getDouble("chronicAbsence"),
          p.getDouble("housingAbsenceBoost"),
          p.getDouble("churn"),
          p.getDouble("secondSpell"),
          p.getDouble("birthInWindow"));
    }
  }
}
