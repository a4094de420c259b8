package org.commonclient.metrics;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A small metric table held on the driver: raw (restricted zone) or published (after disclosure
 * control). {@code parameters} are the settings it was computed with; {@code footnote} the rules
 * applied. Published tables also carry both as columns, so a CSV copy is self-describing.
 */
public record MetricTable(
    String name, StructType schema, List<Row> rows, Map<String, String> parameters, String footnote) {

  /** The value of {@code column} in row {@code i}. */
  public Object get(int i, String column) {
    return rows.get(i).get(schema.fieldIndex(column));
  }

  /** Rows whose listed columns equal the given values (pairs of column, value). */
  public List<Row> where(Object... columnValuePairs) {
    return rows.stream()
        .filter(
            r -> {
              for (int k = 0; k < columnValuePairs.length; k += 2) {
                Object v = r.get(schema.fieldIndex((String) columnValuePairs[k]));
                if (!java.util.Objects.equals(v, columnValuePairs[k + 1])) {
                  return false;
                }
              }
              return true;
            })
        .toList();
  }

  /** The single row matching, or an exception naming the filter. */
  public Row one(Object... columnValuePairs) {
    List<Row> m = where(columnValuePairs);
    if (m.size() != 1) {
      throw new IllegalStateException(
          name + ": expected one row for " + List.of(columnValuePairs) + ", found " + m.size());
    }
    return m.get(0);
  }

  /** The value of a column in the single row matching. */
  public Object value(String column, Object... columnValuePairs) {
    return one(columnValuePairs).get(schema.fieldIndex(column));
  }
}
