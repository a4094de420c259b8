package org.commonclient.blocking;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * A rule bound to a record schema: its keys folded into one column, a string (scalar rule) or an
 * array of strings (rule with an array key: one composite value per element).
 *
 * <p>Blocking itself hashes each element from its typed parts ({@link #scalarParts}, {@link
 * #arrayElements}; {@link BlockingAnalysis#hashed}); the folded string form ({@link #key}, {@link
 * #elements}) names blocks in stats and messages. Null and blank values make the record keyless
 * for the rule.
 */
final class ResolvedRule {
  /** Separates the key parts inside the composite key (a control character, never in data). */
  static final String SEP = "\u001f";

  private static final Pattern SIDE_REF = Pattern.compile("\\b([lr])\\.`?([A-Za-z_][A-Za-z0-9_]*)");

  final int index;
  final BlockingRule rule;
  final boolean isArray;
  /** The composite key over the record's columns (string, or array of strings). */
  final Column key;
  /** Record columns the residual condition reads. */
  final List<String> residualColumns;
  /**
   * Elements of the key: 1 for a scalar key; for an array key the most it can hold (the number of
   * values of an {@code array(...)} expression, or the longest array in the data otherwise). The
   * hashed key table holds one long column per element ({@link #hashColumns()}).
   */
  final int width;
  /** The key's elements as string columns over the record (one for a scalar key), null where absent. */
  final List<Column> elements;
  /**
   * The key's parts as they are hashed ({@link BlockingAnalysis#hashed}): the scalar keys with
   * their own types (integral numbers widened to long, so a column stored as int in one table and
   * long in another hashes alike), and {@code null} at the array key's position.
   */
  final List<Column> scalarParts;
  /** The array key's elements (strings), one per position up to {@link #width}; empty for a scalar rule. */
  final List<Column> arrayElements;
  /** Position of the array key among the keys, -1 for none. */
  final int arrayPos;
  /** Per key: true when it is a string (blank counts as missing), false otherwise (null counts). */
  final List<Boolean> stringParts;

  private ResolvedRule(
      int index, BlockingRule rule, boolean isArray, Column key, List<String> residualColumns, int width,
      List<Column> elements, List<Column> scalarParts, List<Column> arrayElements, int arrayPos,
      List<Boolean> stringParts) {
    this.stringParts = List.copyOf(stringParts);
    this.elements = List.copyOf(elements);
    this.scalarParts = java.util.Collections.unmodifiableList(new ArrayList<>(scalarParts));
    this.arrayElements = List.copyOf(arrayElements);
    this.arrayPos = arrayPos;
    this.index = index;
    this.rule = rule;
    this.isArray = isArray;
    this.key = key;
    this.residualColumns = residualColumns;
    this.width = width;
  }

  /** The name of this rule's key column in the keyed table. */
  String keyColumn() {
    return "_bk" + index;
  }

  /** The names of this rule's hashed key columns (one per element, {@link #width}). */
  List<String> hashColumns() {
    List<String> out = new ArrayList<>(width);
    for (int i = 0; i < width; i++) {
      out.add("_bk" + index + "_" + i);
    }
    return out;
  }

  static List<ResolvedRule> resolveAll(Dataset<Row> records, List<BlockingRule> rules) {
    List<ResolvedRule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      out.add(resolve(records, i, rules.get(i)));
    }
    return out;
  }

  static ResolvedRule resolve(Dataset<Row> records, int index, BlockingRule rule) {
    List<Column> parts = new ArrayList<>();
    List<Column> typedParts = new ArrayList<>();
    List<Boolean> stringParts = new ArrayList<>();
    Column array = null;
    int arrayPos = -1;
    int width = 1;
    for (String k : rule.keys()) {
      Column c = expr(k);
      DataType t;
      try {
        t = records.select(c).schema().fields()[0].dataType();
      } catch (Exception e) { // AnalysisException is thrown undeclared (Scala)
        throw new IllegalArgumentException(
            "Blocking rule '" + rule.name() + "': cannot resolve key '" + k + "': " + e.getMessage(),
            e);
      }
      if (t instanceof ArrayType at) {
        if (array != null) {
          throw new IllegalArgumentException(
              "Blocking rule '"
                  + rule.name()
                  + "' has more than one array key ('"
                  + k
                  + "'): at most one is supported");
        }
        width = arrayWidth(records, c);
        array = at.elementType() == DataTypes.StringType ? c : c.cast("array<string>");
        arrayPos = parts.size();
        parts.add(null);
        typedParts.add(null);
        stringParts.add(true);
      } else {
        parts.add(c.cast("string"));
        stringParts.add(t == DataTypes.StringType);
        typedParts.add(t instanceof org.apache.spark.sql.types.IntegralType ? c.cast("long")
            : t instanceof org.apache.spark.sql.types.FloatType ? c.cast("double") : c);
      }
    }
    // null or blank scalar parts make the record keyless (when(null) is null)
    Column scalarsPresent = lit(true);
    for (Column p : parts) {
      if (p != null) {
        scalarsPresent = scalarsPresent.and(nonBlank(p));
      }
    }
    Column key;
    List<Column> elements = new ArrayList<>();
    List<Column> arrayElements = new ArrayList<>();
    if (array == null) {
      Column composite =
          parts.size() == 1 ? parts.get(0) : concat_ws(SEP, parts.toArray(new Column[0]));
      key = when(scalarsPresent, composite);
      elements.add(key);
    } else {
      // one composite value (prefix + element + suffix) per element position, null where the
      // element is missing or blank: element i of array(a, b, c) is simplified to the column
      // itself by the optimiser, so no array is built or searched per record (array_except and
      // lambdas were interpreted row by row). Duplicate elements are removed from the hashes.
      List<Column> before = parts.subList(0, arrayPos);
      List<Column> after = parts.subList(arrayPos + 1, parts.size());
      Column prefix = before.isEmpty() ? null : concat(concat_ws(SEP, before.toArray(new Column[0])), lit(SEP));
      Column suffix = after.isEmpty() ? null : concat(lit(SEP), concat_ws(SEP, after.toArray(new Column[0])));
      for (int i = 0; i < width; i++) {
        Column e = org.apache.spark.sql.functions.get(array, lit(i));
        arrayElements.add(e);
        Column composite = e;
        if (prefix != null) {
          composite = concat(prefix, composite);
        }
        if (suffix != null) {
          composite = concat(composite, suffix);
        }
        elements.add(when(scalarsPresent.and(nonBlank(e)), composite));
      }
      key = array(elements.toArray(new Column[0]));
    }
    List<String> residualColumns = residualColumns(records, rule);
    return new ResolvedRule(index, rule, array != null, key, residualColumns, width, elements, typedParts, arrayElements,
        arrayPos, stringParts);
  }

  /**
   * The most elements an array key can have: the number of values of an {@code array(...)}
   * expression (known from the plan, no data read), otherwise the longest array in the records
   * (one aggregation), at least 1.
   */
  static int arrayWidth(Dataset<Row> records, Column arrayKey) {
    org.apache.spark.sql.catalyst.plans.logical.LogicalPlan plan =
        records.select(arrayKey).queryExecution().analyzed();
    if (plan instanceof org.apache.spark.sql.catalyst.plans.logical.Project p && p.projectList().size() == 1) {
      org.apache.spark.sql.catalyst.expressions.Expression e = (org.apache.spark.sql.catalyst.expressions.Expression) p.projectList().head();
      while (e instanceof org.apache.spark.sql.catalyst.expressions.Alias a) {
        e = a.child();
      }
      if (e instanceof org.apache.spark.sql.catalyst.expressions.CreateArray ca) {
        return Math.max(1, ca.children().size());
      }
    }
    Row r = records.select(org.apache.spark.sql.functions.max(size(arrayKey))).first();
    return r.isNullAt(0) ? 1 : Math.max(1, r.getInt(0));
  }

  /** True for a non-blank string, null for null (so it can guard a {@code when}). */
  static Column nonBlank(Column x) {
    return length(trim(x)).gt(0);
  }

  private static List<String> residualColumns(Dataset<Row> records, BlockingRule rule) {
    if (!rule.hasResidual()) {
      return List.of();
    }
    Set<String> available = new LinkedHashSet<>(List.of(records.columns()));
    Set<String> cols = new LinkedHashSet<>();
    Matcher m = SIDE_REF.matcher(rule.residual());
    while (m.find()) {
      String c = m.group(2);
      if (!available.contains(c)) {
        throw new IllegalArgumentException(
            "Blocking rule '"
                + rule.name()
                + "': residual '"
                + rule.residual()
                + "' refers to unknown column '"
                + c
                + "'; columns: "
                + available);
      }
      cols.add(c);
    }
    if (cols.isEmpty()) {
      throw new IllegalArgumentException(
          "Blocking rule '"
              + rule.name()
              + "': residual '"
              + rule.residual()
              + "' refers to no l.<column> or r.<column>");
    }
    return List.copyOf(cols);
  }

  /** Turns a composite key into the form shown in stats and messages. */
  static String display(String compositeKey) {
    return compositeKey == null ? null : compositeKey.replace(SEP, " | ");
  }
}
