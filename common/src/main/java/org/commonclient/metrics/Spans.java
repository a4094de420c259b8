package org.commonclient.metrics;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Pure transforms from person records to linked, normalised records and merged program spans
 * (DOMAIN 3.1). No I/O.
 */
final class Spans {
  /** Stands in for an open end (null enroll_end) until spans are clipped to a period. */
  static final String OPEN_END = "9999-12-31";

  private Spans() {}

  /**
   * Joins person records to the crosswalk and normalises them: {@code person_id, program,
   * case_key (program:household_id or null), start, end (open = 9999-12-31), dob, sex, race}.
   * Records without a crosswalk row or without a start date cannot be placed and are dropped.
   */
  static Dataset<Row> linkedRecords(
      Dataset<Row> personRecords,
      Dataset<Row> crosswalk,
      Map<String, List<String>> sexMap,
      Map<String, List<String>> raceMap) {
    Dataset<Row> pr =
        personRecords.select(
            col("source"),
            col("record_id"),
            upper(trim(col("program"))).as("program"),
            col("dob"),
            col("sex"),
            col("race_ethnicity"),
            col("household_id"),
            col("enroll_start"),
            col("enroll_end"));
    // a hash join (crosswalk rows hashed per partition) instead of a sort-merge join: neither
    // million-row side is sorted by its string keys
    Dataset<Row> cw = crosswalk.select(col("source"), col("record_id"), col("person_id"))
        .hint("shuffle_hash");
    return pr.join(cw, new String[] {"source", "record_id"}, "inner")
        .where(col("enroll_start").isNotNull().and(col("program").isNotNull()))
        .select(
            col("source"),
            col("record_id"),
            col("person_id"),
            col("program"),
            when(col("household_id").isNotNull(), concat_ws(":", col("program"), col("household_id")))
                .as("case_key"),
            col("enroll_start").as("start"),
            coalesce(col("enroll_end"), to_date(lit(OPEN_END))).as("end"),
            col("dob"),
            code(col("sex"), sexMap, false).as("sex"),
            code(col("race_ethnicity"), raceMap, true).as("race"));
  }

  /**
   * Maps raw codes to categories with a literal map lookup; unmapped = UNKNOWN. With {@code
   * hispanicFirst}, any raw value whose tokens include a HISPANIC code is HISPANIC (Hispanic of any
   * race is reported as Hispanic).
   */
  static Column code(Column raw, Map<String, List<String>> map, boolean hispanicFirst) {
    Map<String, String> lookup = new java.util.HashMap<>();
    for (Map.Entry<String, List<String>> e : map.entrySet()) {
      for (String v : e.getValue()) {
        lookup.put(v.toUpperCase(), e.getKey());
      }
    }
    Column key = upper(trim(raw));
    Column direct =
        lookup.isEmpty() ? lit(null).cast("string") : element_at(mapLiteral(lookup), key);
    Column out = coalesce(direct, lit("UNKNOWN"));
    if (hispanicFirst && map.containsKey("HISPANIC")) {
      // "some token of the key (split at runs of characters other than A-Z and 0-9) is a
      // HISPANIC code" as one regular expression compiled once, instead of splitting every value
      // with a regex compiled per row: a code is such a token exactly when it consists of A-Z and
      // 0-9 only and stands between non-token characters or the ends of the key (codes with
      // other characters can never equal a token)
      List<String> codes = new ArrayList<>();
      boolean empty = false; // the empty code: an empty key, or one starting or ending with a separator
      for (String h : map.get("HISPANIC")) {
        if (!h.contains(" ") && h.matches("[A-Z0-9]+")) {
          codes.add(java.util.regex.Pattern.quote(h));
        }
        empty |= h.isEmpty();
      }
      List<String> alternatives = new ArrayList<>();
      if (!codes.isEmpty()) {
        alternatives.add("(^|[^A-Z0-9])(" + String.join("|", codes) + ")([^A-Z0-9]|$)");
      }
      if (empty) {
        alternatives.add("^$|^[^A-Z0-9]|[^A-Z0-9]$");
      }
      Column anyHisp = alternatives.isEmpty() ? lit(false) : key.rlike(String.join("|", alternatives));
      out = when(key.isNotNull().and(anyHisp), lit("HISPANIC")).otherwise(out);
    }
    return when(raw.isNull(), lit("UNKNOWN")).otherwise(out);
  }

  /** A literal map column (string keys); null when the map is empty. */
  static Column mapLiteral(Map<String, ?> m) {
    if (m.isEmpty()) {
      return lit(null);
    }
    List<Column> kv = new ArrayList<>();
    for (Map.Entry<String, ?> e : new java.util.TreeMap<>(m).entrySet()) {
      kv.add(lit(e.getKey()));
      kv.add(lit(e.getValue()));
    }
    return org.apache.spark.sql.functions.map(kv.toArray(new Column[0]));
  }

  /**
   * Merges spans per unit (T-MSIS gap logic): ordered by start, a new span begins when the start
   * is later than the latest end so far plus {@code 1 + gapDays}, so touching spans (end + 1 =
   * next start) merge at gap 0. Output: the unit columns, {@code span_start, span_end,
   * next_start} (start of the unit's next merged span, null if none) and {@code cases} (case keys
   * of the merged records, hashed).
   */
  static Dataset<Row> merge(Dataset<Row> recs, int gapDays, String... unit) {
    Column[] u = new Column[unit.length];
    for (int i = 0; i < unit.length; i++) {
      u[i] = col(unit[i]);
    }
    WindowSpec w = Window.partitionBy(u).orderBy(col("start"), col("end"));
    Column prevMax = max(col("end")).over(w.rowsBetween(Window.unboundedPreceding(), -1));
    Dataset<Row> flagged =
        recs.withColumn(
                "new_span",
                when(prevMax.isNull().or(col("start").gt(date_add(prevMax, gapDays + 1))), 1)
                    .otherwise(0))
            .withColumn(
                "span_no", sum(col("new_span")).over(w.rowsBetween(Window.unboundedPreceding(), 0)));
    List<Column> keys = new ArrayList<>(List.of(u));
    keys.add(col("span_no"));
    Dataset<Row> merged =
        flagged
            .groupBy(keys.toArray(new Column[0]))
            .agg(
                min("start").as("span_start"),
                max("end").as("span_end"),
                org.apache.spark.sql.functions.collect_set(
                        when(col("case_key").isNotNull(), xxhash64(col("case_key"))))
                    .as("cases"));
    WindowSpec byStart = Window.partitionBy(u).orderBy(col("span_start"));
    return merged
        .withColumn("next_start", lead(col("span_start"), 1).over(byStart))
        .drop("span_no");
  }
}
