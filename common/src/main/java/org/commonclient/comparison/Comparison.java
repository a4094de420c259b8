package org.commonclient.comparison;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * A named comparison: a null level (either side missing → gamma -1), graded levels listed
 * strongest first, and the else level (gamma 0). With n graded levels the first gets gamma n, the
 * last gamma 1.
 *
 * @param name the comparison name; the gamma column is {@code gamma_<name>}
 * @param nullPredicate true when the pair lacks the data to compare
 * @param levels graded levels, strongest first
 */
public record Comparison(String name, Column nullPredicate, List<ComparisonLevel> levels) {
  public Comparison {
    levels = List.copyOf(levels);
    if (levels.isEmpty()) {
      throw new IllegalArgumentException("Cannot build comparison " + name + ": no levels");
    }
  }

  public String gammaColumn() {
    return "gamma_" + name;
  }

  /** Labels indexed by gamma: element 0 = else level, element i = gamma i. */
  public List<String> labelsByGamma() {
    java.util.ArrayList<String> out = new java.util.ArrayList<>();
    out.add("else");
    for (int i = levels.size() - 1; i >= 0; i--) {
      out.add(levels.get(i).label());
    }
    return out;
  }

  /** The {@code when(...).when(...).otherwise(0)} expression giving the gamma value. */
  public Column gamma() {
    Column c = when(coalesce(nullPredicate, lit(false)), lit(-1));
    int g = levels.size();
    for (ComparisonLevel l : levels) {
      c = c.when(coalesce(l.predicate(), lit(false)), lit(g--));
    }
    return c.otherwise(lit(0)).cast("int");
  }

  /** Helper columns of all levels. */
  public Map<String, Column> helpers() {
    Map<String, Column> h = new LinkedHashMap<>();
    for (ComparisonLevel l : levels) {
      h.putAll(l.helpers());
    }
    return h;
  }
}
