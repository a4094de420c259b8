package org.commonclient.linkage;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The survivorship rule of the person table: each attribute is the value most of the person's
 * records give (nulls ignored; among equally frequent values the lowest), as Spark's {@code
 * mode(c, true)} defines it.
 *
 * <p>Computed by two aggregations instead of {@code mode}: the values of every column are
 * counted per (key, column, value) (one hash aggregation, code-generated, over one row per record
 * and column), then each key keeps, per column, the smallest (-count, value). Spark's {@code mode}
 * keeps a hash map of boxed counts per group and serialises it between its partial and final
 * aggregation: at 1M records three of them were about a third of the publish stage.
 */
public final class Survivorship {
  private Survivorship() {}

  /**
   * One row per key holding at least one non-null value of the columns: the key and, per column,
   * its most frequent non-null value (the lowest among ties), null where the key has none.
   */
  public static Dataset<Row> modes(Dataset<Row> rows, String key, List<String> columns) {
    // one entry per record and column: k = the column's position, its value in field v<k> (the
    // other fields null: one struct type for every column)
    List<Column> entries = new ArrayList<>();
    for (int k = 0; k < columns.size(); k++) {
      List<Column> fields = new ArrayList<>();
      fields.add(lit(k).as("k"));
      for (int j = 0; j < columns.size(); j++) {
        Column v = j == k ? col(columns.get(j))
            : lit(null).cast(rows.schema().apply(columns.get(j)).dataType());
        fields.add(v.as("v" + j));
      }
      entries.add(struct(fields.toArray(new Column[0])));
    }
    Column present = lit(false);
    for (int k = 0; k < columns.size(); k++) {
      present = present.or(col("_e.k").equalTo(k).and(col("_e.v" + k).isNotNull()));
    }
    List<Column> groups = new ArrayList<>();
    groups.add(col(key));
    groups.add(col("_e.k").as("_k"));
    for (int j = 0; j < columns.size(); j++) {
      groups.add(col("_e.v" + j).as("_v" + j));
    }
    Dataset<Row> counted = rows.select(col(key), explode(array(entries.toArray(new Column[0]))).as("_e"))
        .where(present)
        .groupBy(groups.toArray(new Column[0]))
        .agg(count(lit(1)).as("_n"));
    // struct ordering: the first field (-count) first, then the value
    List<Column> picks = new ArrayList<>();
    for (int k = 0; k < columns.size(); k++) {
      picks.add(min(when(col("_k").equalTo(k), struct(col("_n").unary_$minus().as("n"), col("_v" + k).as("v"))))
          .getField("v").as(columns.get(k)));
    }
    return counted.groupBy(col(key))
        .agg(picks.get(0), picks.subList(1, picks.size()).toArray(new Column[0]));
  }
}
