package org.commonclient.comparison;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The comparisons of the linkage model, read from {@code commonclient.linkage.comparison}
 * (defaults in {@code defaults/comparison.conf}).
 *
 * @param comparisons the comparisons, in output order
 * @param twinGuard settings of the twins rule
 */
public record ComparisonConfig(List<ComparisonSpec> comparisons, TwinGuardSpec twinGuard) {
  public static final String PATH = "commonclient.linkage.comparison";

  public ComparisonConfig {
    comparisons = List.copyOf(comparisons);
  }

  /**
   * One comparison.
   *
   * @param name gamma column is gamma_&lt;name&gt;
   * @param column default column of its levels
   * @param nullColumns null level when any of these is null on either side
   * @param levels graded levels, strongest first
   */
  public record ComparisonSpec(
      String name, String column, List<String> nullColumns, List<LevelSpec> levels) {
    public ComparisonSpec {
      nullColumns = List.copyOf(nullColumns);
      levels = List.copyOf(levels);
    }
  }

  /**
   * One level. Unused parameters are null (or NaN / 0).
   *
   * @param kind see {@link Comparisons#level}
   * @param column the column (defaults to the comparison's)
   * @param other second column (swap: the other name field; nickname: the related-names array;
   *     exactUnflagged: the flag column)
   * @param columns columns of allEqual and of the DOB levels (year, month, day)
   * @param threshold jaroWinkler threshold
   * @param distance levenshtein maximum distance
   * @param minLength tokenOverlap minimum token length
   * @param anyOf the alternatives of kind "any"
   */
  public record LevelSpec(
      String kind,
      String column,
      String other,
      List<String> columns,
      double threshold,
      int distance,
      int minLength,
      List<LevelSpec> anyOf) {}

  /**
   * The twins rule (DOMAIN 1.3): given names disagree while DOB and surname agree and no valid,
   * unshared SSN agrees.
   *
   * @param jwThreshold given names at or above this Jaro-Winkler similarity count as a typo
   * @param surnameTokenMinLength minimum length of a shared surname token
   */
  public record TwinGuardSpec(double jwThreshold, int surnameTokenMinLength) {}

  static final Set<String> LEVEL_KEYS =
      Set.of("kind", "column", "other", "columns", "threshold", "distance", "minLength", "anyOf");
  static final Set<String> COMPARISON_KEYS = Set.of("name", "column", "nullColumns", "levels");

  public static ComparisonConfig from(Config root) {
    Config c = root.getConfig(PATH);
    List<ComparisonSpec> specs = new ArrayList<>();
    List<? extends Config> list = c.getConfigList("comparisons");
    for (int i = 0; i < list.size(); i++) {
      Config cc = list.get(i);
      String where = PATH + ".comparisons[" + i + "]";
      checkKeys(cc, COMPARISON_KEYS, where);
      String column = cc.getString("column");
      List<String> nullColumns =
          cc.hasPath("nullColumns") ? cc.getStringList("nullColumns") : List.of(column);
      List<LevelSpec> levels = new ArrayList<>();
      List<? extends Config> lv = cc.getConfigList("levels");
      for (int j = 0; j < lv.size(); j++) {
        levels.add(level(lv.get(j), where + ".levels[" + j + "]"));
      }
      specs.add(new ComparisonSpec(cc.getString("name"), column, nullColumns, levels));
    }
    Config tg = c.getConfig("twinGuard");
    return new ComparisonConfig(
        specs, new TwinGuardSpec(tg.getDouble("jwThreshold"), tg.getInt("surnameTokenMinLength")));
  }

  private static LevelSpec level(Config l, String where) {
    checkKeys(l, LEVEL_KEYS, where);
    List<LevelSpec> anyOf = null;
    if (l.hasPath("anyOf")) {
      anyOf = new ArrayList<>();
      List<? extends Config> a = l.getConfigList("anyOf");
      for (int k = 0; k < a.size(); k++) {
        anyOf.add(level(a.get(k), where + ".anyOf[" + k + "]"));
      }
    }
    return new LevelSpec(
        l.getString("kind"),
        l.hasPath("column") ? l.getString("column") : null,
        l.hasPath("other") ? l.getString("other") : null,
        l.hasPath("columns") ? l.getStringList("columns") : null,
        l.hasPath("threshold") ? l.getDouble("threshold") : Double.NaN,
        l.hasPath("distance") ? l.getInt("distance") : 0,
        l.hasPath("minLength") ? l.getInt("minLength") : 0,
        anyOf);
  }

  private static void checkKeys(Config c, Set<String> known, String where) {
    for (Map.Entry<String, ?> e : c.root().entrySet()) {
      if (!known.contains(e.getKey())) {
        throw new ConfigException.BadPath(
            where + "." + e.getKey(), "unknown key; known keys: " + known);
      }
    }
  }

  /** The defaults of {@code defaults/comparison.conf}. */
  public static ComparisonConfig defaults() {
    return from(ConfigFactory.defaultReference().resolve());
  }
}
