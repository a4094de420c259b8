package org.commonclient.scoring;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * Term-frequency adjustment of exact-match levels.
 *
 * <p>The u of an exact-match level is an average over all values; a pair agreeing on a common
 * surname is less telling than one agreeing on a rare one. For a pair at the exact level we
 * replace u by the frequency of the value itself: the Bayes factor m/u becomes m/tf, applied as an
 * extra factor {@code bf_tf_adj_<col> = u_exact / max(tf_l, tf_r)}, clamped to [min, max].
 * Using the larger of the two frequencies keeps the adjustment conservative when the two sides
 * disagree in spelling details the standardiser left (they are equal at the exact level anyway).
 * Pairs at other levels, or with a value not in the frequency table, get factor 1.
 */
public final class TermFrequencies {
  private TermFrequencies() {}

  /**
   * Share of records carrying each value of {@code column} among records where it is not null.
   *
   * @return {@code value} (the column's type), {@code tf} (double)
   */
  public static Dataset<Row> compute(Dataset<Row> records, String column) {
    return tables(records, List.of(column)).get(0).tf();
  }

  /** A column's frequency table ({@code value, tf}) and its number of values. */
  private record Table(Dataset<Row> tf, long values) {}

  /**
   * The frequency tables of {@code columns}, in order, from one pass over {@code records}: one
   * aggregation of (column, value) counts, cached (the link jobs clear their cache when they end;
   * recomputed from its lineage if an executor is lost), with each column's total and number of
   * values from that small table.
   */
  private static List<Table> tables(Dataset<Row> records, List<String> columns) {
    Column[] entries = new Column[columns.size()];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = struct(lit(i).as("i"), col(columns.get(i)).cast(DataTypes.StringType).as("v"));
    }
    Dataset<Row> counts = records.select(explode(array(entries)).as("e"))
        .where(col("e.v").isNotNull())
        .groupBy(col("e.i").as("i"), col("e.v").as("v"))
        .count()
        .persist(StorageLevel.MEMORY_AND_DISK());
    long[] total = new long[columns.size()];
    long[] values = new long[columns.size()];
    for (Row r : counts.groupBy("i").agg(functions.sum("count"), functions.count(lit(1))).collectAsList()) {
      total[r.getInt(0)] = r.getLong(1);
      values[r.getInt(0)] = r.getLong(2);
    }
    List<Table> out = new java.util.ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      DataType type = records.schema().apply(columns.get(i)).dataType();
      Dataset<Row> tf = counts.where(col("i").equalTo(i))
          .select(col("v").cast(type).as("value"),
              total[i] == 0 ? lit(0.0).as("tf") : col("count").divide(lit((double) total[i])).as("tf"));
      out.add(new Table(tf, values[i]));
    }
    return out;
  }

  /**
   * Adds {@code bf_tf_adj_<adj.column()>} to pairs.
   *
   * @param pairs comparison vectors with {@code <column>_l}, {@code <column>_r} and the gamma
   *     column of the adjustment's comparison
   * @param tf a table from {@link #compute}
   * @param model supplies u of the exact level
   */
  public static Dataset<Row> adjust(
      Dataset<Row> pairs,
      Dataset<Row> tf,
      FellegiSunterModel model,
      TermFrequencySettings.Adjustment adj,
      TermFrequencySettings settings,
      boolean broadcast) {
    FellegiSunterModel.Comparison comp = model.comparison(adj.comparison());
    int exact = adj.exactLevel() < 0 ? comp.numLevels() - 1 : adj.exactLevel();
    if (exact >= comp.numLevels()) {
      throw new IllegalArgumentException(
          "Cannot use exact level " + exact + " of comparison " + comp.name() + ": it has levels 0.."
              + (comp.numLevels() - 1));
    }
    double uExact = comp.levels().get(exact).u();
    String c = adj.column();
    String vl = "__tf_" + c + "_vl";
    String vr = "__tf_" + c + "_vr";
    String tl = "__tf_" + c + "_l";
    String tr = "__tf_" + c + "_r";
    Dataset<Row> left = tf.select(col("value").as(vl), col("tf").as(tl));
    Dataset<Row> right = tf.select(col("value").as(vr), col("tf").as(tr));
    if (broadcast) {
      left = functions.broadcast(left);
      right = functions.broadcast(right);
    }
    // only pairs at the exact level are adjusted: with the tables broadcast, the others look up a
    // null key (no hashing of their values; their factor is 1 whatever the lookup gives). Not
    // when shuffled: every null key would go to one partition
    Column atExact = col(comp.gammaColumn()).equalTo(exact);
    Column keyL = broadcast ? when(atExact, pairs.col(c + "_l")) : pairs.col(c + "_l");
    Column keyR = broadcast ? when(atExact, col(c + "_r")) : col(c + "_r");
    Dataset<Row> joined =
        pairs
            .join(left, keyL.equalTo(left.col(vl)), "left")
            .join(right, keyR.equalTo(right.col(vr)), "left");
    Column maxTf = greatest(col(tl), col(tr));
    Column factor =
        least(
            lit(settings.maxAdjustment()),
            greatest(lit(settings.minAdjustment()), lit(uExact).divide(maxTf)));
    Column bf =
        when(col(comp.gammaColumn()).equalTo(exact).and(maxTf.isNotNull()).and(maxTf.gt(0)), factor)
            .otherwise(lit(1.0));
    return joined.withColumn(Scoring.TF_ADJ_PREFIX + c, bf).drop(vl, vr, tl, tr);
  }

  /**
   * Applies every configured adjustment, the frequency tables of all the adjusted columns from
   * one pass over {@code records}, each broadcast when it has at most {@code
   * settings.broadcastMaxRows()} values.
   */
  public static Dataset<Row> adjustAll(
      Dataset<Row> pairs, Dataset<Row> records, FellegiSunterModel model, TermFrequencySettings settings) {
    List<TermFrequencySettings.Adjustment> adjs = settings.adjustments();
    if (adjs.isEmpty()) {
      return pairs;
    }
    List<String> columns = adjs.stream().map(TermFrequencySettings.Adjustment::column).distinct().toList();
    List<Table> tables = tables(records, columns);
    Dataset<Row> out = pairs;
    for (TermFrequencySettings.Adjustment a : adjs) {
      Table t = tables.get(columns.indexOf(a.column()));
      out = adjust(out, t.tf(), model, a, settings, t.values() <= settings.broadcastMaxRows());
    }
    return out;
  }
}
