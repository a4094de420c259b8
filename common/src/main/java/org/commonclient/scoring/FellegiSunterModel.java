package org.commonclient.scoring;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An immutable Fellegi-Sunter model: the prior {@code lambda} (the probability that a pair of the
 * population the model was trained on is a match) and, per comparison, per agreement level
 * {@code gamma = 0..k}, the probabilities m = P(level | match) and u = P(level | non-match).
 * Level -1 (null) carries no evidence (Bayes factor 1). Each parameter can be fixed so EM leaves
 * it alone. Serialises to and from JSON ({@link #toJson()}, {@link #fromJson(String)}).
 *
 * <p>Scoring a pair: match weight = log2(lambda / (1 - lambda)) + sum over comparisons of
 * log2(m / u) at the pair's level, match probability = 2^w / (1 + 2^w).
 */
public record FellegiSunterModel(
    double lambda, boolean lambdaFixed, List<Comparison> comparisons, Map<String, String> metadata)
    implements Serializable {

  public static final int FORMAT_VERSION = 1;

  /** One agreement level of a comparison. */
  public record Level(int gamma, String label, double m, double u, boolean fixedM, boolean fixedU)
      implements Serializable {
    public Level {
      if (gamma < 0) {
        throw new IllegalArgumentException("Cannot use gamma " + gamma + ": levels start at 0");
      }
      checkProbability("m", gamma, m);
      checkProbability("u", gamma, u);
      label = label == null ? "level " + gamma : label;
    }

    private static void checkProbability(String what, int gamma, double p) {
      if (!(p >= 0.0 && p <= 1.0)) {
        throw new IllegalArgumentException(
            "Cannot set " + what + " of level " + gamma + " to " + p + ": must be in [0, 1]");
      }
    }

    /** m / u; +infinity when u is 0 (avoid by flooring u). */
    public double bayesFactor() {
      return m / u;
    }

    public Level withM(double newM, boolean fixed) {
      return new Level(gamma, label, newM, u, fixed, fixedU);
    }

    public Level withU(double newU, boolean fixed) {
      return new Level(gamma, label, m, newU, fixedM, fixed);
    }
  }

  /** A comparison: levels gamma = 0 (else / disagree) .. k (strongest agreement), in order. */
  public record Comparison(String name, List<Level> levels) implements Serializable {
    public Comparison {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("Cannot use a blank comparison name");
      }
      levels = List.copyOf(levels);
      if (levels.size() < 2) {
        throw new IllegalArgumentException(
            "Cannot use comparison " + name + " with " + levels.size() + " levels: needs >= 2");
      }
      for (int i = 0; i < levels.size(); i++) {
        if (levels.get(i).gamma() != i) {
          throw new IllegalArgumentException(
              "Comparison " + name + ": level at position " + i + " has gamma "
                  + levels.get(i).gamma() + ", expected " + i);
        }
      }
    }

    public int numLevels() {
      return levels.size();
    }

    /** Bayes factor of a gamma value; 1 for the null level (-1) and unknown values. */
    public double bayesFactor(int gamma) {
      return gamma < 0 || gamma >= levels.size() ? 1.0 : levels.get(gamma).bayesFactor();
    }

    public double[] m() {
      return levels.stream().mapToDouble(Level::m).toArray();
    }

    public double[] u() {
      return levels.stream().mapToDouble(Level::u).toArray();
    }

    /** The gamma column this comparison reads: {@code gamma_<name>}. */
    public String gammaColumn() {
      return "gamma_" + name;
    }

    /** The Bayes factor column scoring writes: {@code bf_<name>}. */
    public String bfColumn() {
      return "bf_" + name;
    }
  }

  public FellegiSunterModel {
    if (!(lambda > 0.0 && lambda < 1.0)) {
      throw new IllegalArgumentException("Cannot set lambda to " + lambda + ": must be in (0, 1)");
    }
    comparisons = List.copyOf(comparisons);
    if (comparisons.isEmpty()) {
      throw new IllegalArgumentException("Cannot build a model without comparisons");
    }
    long distinct = comparisons.stream().map(Comparison::name).distinct().count();
    if (distinct != comparisons.size()) {
      throw new IllegalArgumentException("Comparison names must be unique: " + comparisons);
    }
    metadata = Collections.unmodifiableMap(new TreeMap<>(metadata == null ? Map.of() : metadata));
  }

  /**
   * A starting model for EM: m rises and u falls with the level (ratios of 4 between neighbouring
   * levels), which is deliberately vague so EM does the work.
   *
   * @param levelsPerComparison comparison name -> number of non-null levels (k + 1), in order
   */
  public static FellegiSunterModel initial(Map<String, Integer> levelsPerComparison, double lambda) {
    List<Comparison> cs = new ArrayList<>();
    for (Map.Entry<String, Integer> e : levelsPerComparison.entrySet()) {
      int n = e.getValue();
      double[] m = new double[n];
      double[] u = new double[n];
      double sm = 0;
      double su = 0;
      for (int g = 0; g < n; g++) {
        m[g] = Math.pow(4, g);
        u[g] = Math.pow(4, n - 1 - g);
        sm += m[g];
        su += u[g];
      }
      List<Level> levels = new ArrayList<>();
      for (int g = 0; g < n; g++) {
        levels.add(new Level(g, null, m[g] / sm, u[g] / su, false, false));
      }
      cs.add(new Comparison(e.getKey(), levels));
    }
    return new FellegiSunterModel(lambda, false, cs, Map.of());
  }

  /** Builds a model from explicit m and u arrays per comparison (nothing fixed). */
  public static FellegiSunterModel of(
      double lambda, Map<String, double[]> m, Map<String, double[]> u) {
    List<Comparison> cs = new ArrayList<>();
    for (Map.Entry<String, double[]> e : m.entrySet()) {
      double[] mm = e.getValue();
      double[] uu = u.get(e.getKey());
      if (uu == null || uu.length != mm.length) {
        throw new IllegalArgumentException("u of comparison " + e.getKey() + " missing or sized differently from m");
      }
      List<Level> levels = new ArrayList<>();
      for (int g = 0; g < mm.length; g++) {
        levels.add(new Level(g, null, mm[g], uu[g], false, false));
      }
      cs.add(new Comparison(e.getKey(), levels));
    }
    return new FellegiSunterModel(lambda, false, cs, Map.of());
  }

  public List<String> comparisonNames() {
    return comparisons.stream().map(Comparison::name).toList();
  }

  public Comparison comparison(String name) {
    for (Comparison c : comparisons) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("No comparison named " + name + " in " + comparisonNames());
  }

  /** log2 of the prior odds lambda / (1 - lambda). */
  public double priorWeight() {
    return log2(lambda / (1.0 - lambda));
  }

  /** The match weight of one comparison vector (gammas in the order of {@link #comparisons()}). */
  public double matchWeight(int... gammas) {
    if (gammas.length != comparisons.size()) {
      throw new IllegalArgumentException(
          "Expected " + comparisons.size() + " gammas but got " + gammas.length);
    }
    double w = priorWeight();
    for (int i = 0; i < gammas.length; i++) {
      w += log2(comparisons.get(i).bayesFactor(gammas[i]));
    }
    return w;
  }

  public static double probabilityFromWeight(double weight) {
    return 1.0 / (1.0 + Math.pow(2.0, -weight));
  }

  public static double weightFromProbability(double p) {
    return log2(p / (1.0 - p));
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2.0);
  }

  public FellegiSunterModel withLambda(double newLambda, boolean fixed) {
    return new FellegiSunterModel(newLambda, fixed, comparisons, metadata);
  }

  public FellegiSunterModel withComparison(Comparison replacement) {
    List<Comparison> cs = new ArrayList<>();
    boolean found = false;
    for (Comparison c : comparisons) {
      if (c.name().equals(replacement.name())) {
        cs.add(replacement);
        found = true;
      } else {
        cs.add(c);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("No comparison named " + replacement.name());
    }
    return new FellegiSunterModel(lambda, lambdaFixed, cs, metadata);
  }

  /** Sets (and optionally fixes) m of one level. */
  public FellegiSunterModel withM(String comparison, int gamma, double m, boolean fixed) {
    Comparison c = comparison(comparison);
    List<Level> levels = new ArrayList<>(c.levels());
    levels.set(gamma, levels.get(gamma).withM(m, fixed));
    return withComparison(new Comparison(c.name(), levels));
  }

  /** Sets (and optionally fixes) u of one level. */
  public FellegiSunterModel withU(String comparison, int gamma, double u, boolean fixed) {
    Comparison c = comparison(comparison);
    List<Level> levels = new ArrayList<>(c.levels());
    levels.set(gamma, levels.get(gamma).withU(u, fixed));
    return withComparison(new Comparison(c.name(), levels));
  }

  /** Replaces all u values of a comparison (e.g. from random pairs), optionally fixing them. */
  public FellegiSunterModel withU(String comparison, double[] u, boolean fixed) {
    Comparison c = comparison(comparison);
    if (u.length != c.numLevels()) {
      throw new IllegalArgumentException(
          "Comparison " + comparison + " has " + c.numLevels() + " levels, got " + u.length + " u values");
    }
    List<Level> levels = new ArrayList<>();
    for (Level l : c.levels()) {
      levels.add(l.withU(u[l.gamma()], fixed));
    }
    return withComparison(new Comparison(c.name(), levels));
  }

  /** Returns a copy with all u values fixed (or all freed). */
  public FellegiSunterModel withAllUFixed(boolean fixed) {
    FellegiSunterModel out = this;
    for (Comparison c : comparisons) {
      out = out.withU(c.name(), c.u(), fixed);
    }
    return out;
  }

  public FellegiSunterModel withMetadata(String key, String value) {
    Map<String, String> md = new TreeMap<>(metadata);
    md.put(key, value);
    return new FellegiSunterModel(lambda, lambdaFixed, comparisons, md);
  }

  /**
   * Adds {@code bf_<comparison>}, {@code match_weight} and {@code match_probability} to a dataset
   * of comparison vectors; see {@link Scoring#score}.
   */
  public Dataset<Row> score(Dataset<Row> vectors) {
    return Scoring.score(this, vectors);
  }

  // ---------------------------------------------------------------- JSON

  public String toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("lambda", lambda);
    root.put("lambdaFixed", lambdaFixed);
    List<Object> cs = new ArrayList<>();
    for (Comparison c : comparisons) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      List<Object> ls = new ArrayList<>();
      for (Level l : c.levels()) {
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("gamma", l.gamma());
        lm.put("label", l.label());
        lm.put("m", l.m());
        lm.put("u", l.u());
        lm.put("fixedM", l.fixedM());
        lm.put("fixedU", l.fixedU());
        ls.add(lm);
      }
      cm.put("levels", ls);
      cs.add(cm);
    }
    root.put("comparisons", cs);
    root.put("metadata", new LinkedHashMap<String, Object>(metadata));
    return Json.write(root);
  }

  @SuppressWarnings("unchecked")
  public static FellegiSunterModel fromJson(String json) {
    Object parsed = Json.parse(json);
    if (!(parsed instanceof Map<?, ?> root)) {
      throw new IllegalArgumentException("Model JSON must be an object");
    }
    double version = num(root, "formatVersion");
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException("Cannot read model format version " + version);
    }
    List<Comparison> cs = new ArrayList<>();
    for (Object o : (List<Object>) req(root, "comparisons")) {
      Map<String, Object> cm = (Map<String, Object>) o;
      List<Level> levels = new ArrayList<>();
      for (Object lo : (List<Object>) req(cm, "levels")) {
        Map<String, Object> lm = (Map<String, Object>) lo;
        levels.add(
            new Level(
                (int) num(lm, "gamma"),
                (String) lm.get("label"),
                num(lm, "m"),
                num(lm, "u"),
                (Boolean) req(lm, "fixedM"),
                (Boolean) req(lm, "fixedU")));
      }
      cs.add(new Comparison((String) req(cm, "name"), levels));
    }
    Map<String, String> md = new TreeMap<>();
    Object mdo = root.get("metadata");
    if (mdo instanceof Map<?, ?> mm) {
      mm.forEach((k, v) -> md.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
    }
    return new FellegiSunterModel(num(root, "lambda"), (Boolean) req(root, "lambdaFixed"), cs, md);
  }

  private static Object req(Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("Model JSON lacks '" + key + "'");
    }
    return v;
  }

  private static double num(Map<?, ?> m, String key) {
    return ((Number) req(m, key)).doubleValue();
  }
}
