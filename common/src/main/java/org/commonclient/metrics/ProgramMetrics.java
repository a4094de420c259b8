package org.commonclient.metrics;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Multi-program use (DOMAIN 3.2): per period, each person's exact program set, churned programs and
 * concurrently held program pairs, aggregated in one pass into pattern counts that are small
 * enough to finish on the driver (every count of the issue is a sum over patterns).
 */
final class ProgramMetrics {
  private ProgramMetrics() {}

  /** Periods as a tiny Dataset: period_id, p_start, p_end. */
  static Dataset<Row> periods(SparkSession spark, List<Period> periods) {
    StructType t =
        new StructType()
            .add("period_id", DataTypes.IntegerType, false)
            .add("p_start", DataTypes.DateType, false)
            .add("p_end", DataTypes.DateType, false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < periods.size(); i++) {
      rows.add(
          RowFactory.create(
              i, Date.valueOf(periods.get(i).start()), Date.valueOf(periods.get(i).end())));
    }
    return spark.createDataFrame(rows, t);
  }

  /** Program code to bit position. */
  static Map<String, Integer> bits(List<String> programs) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < programs.size(); i++) {
      m.put(programs.get(i), i);
    }
    return m;
  }

  /**
   * One row per (period, person) with at least one span intersecting the period: {@code
   * period_id, person_id, mask} (bit per program ever enrolled), {@code churn_mask} (programs with
   * an exit in the period followed by re-entry within the window), {@code conc} (sorted pair codes
   * {@code 64*a+b}, a &lt; b, of programs held concurrently for at least {@code minDays}), {@code
   * cases} (hashed case keys).
   */
  static Dataset<Row> personPeriods(
      Dataset<Row> spans, Dataset<Row> periods, Map<String, Integer> bits, int minDays, int window) {
    Column bit = element_at(Spans.mapLiteral(bits), col("program"));
    Column churn =
        col("span_end")
            .between(col("p_start"), col("p_end"))
            .and(col("next_start").isNotNull())
            .and(datediff(col("next_start"), col("span_end")).minus(1).leq(window));
    Dataset<Row> clipped =
        spans
            .crossJoin(broadcast(periods))
            .where(col("span_start").leq(col("p_end")).and(col("span_end").geq(col("p_start"))))
            .withColumn("bit", bit)
            .where(col("bit").isNotNull())
            .withColumn("s", greatest(col("span_start"), col("p_start")))
            .withColumn("e", least(col("span_end"), col("p_end")));
    return clipped
        .groupBy(col("period_id"), col("person_id"))
        .agg(
            bit_or(expr("shiftleft(CAST(1 AS BIGINT), bit)")).as("mask"),
            bit_or(when(churn, expr("shiftleft(CAST(1 AS BIGINT), bit)")).otherwise(lit(0L))).as("churn_mask"),
            collect_list(struct(col("bit"), col("s"), col("e"))).as("sp"),
            array_distinct(flatten(collect_list(col("cases")))).as("cases"))
        .withColumn(
            "conc",
            array_sort(
                array_distinct(
                    flatten(
                        expr(
                            "transform(sp, x -> transform(filter(sp, y -> y.bit > x.bit AND"
                                + " datediff(least(x.e, y.e), greatest(x.s, y.s)) + 1 >= "
                                + minDays
                                + "), y -> CAST(x.bit AS BIGINT) * 64 + y.bit))")))))
        .drop("sp");
  }

  /** Pattern counts: period_id, mask, churn_mask, conc, n. */
  static Dataset<Row> patterns(Dataset<Row> personPeriods) {
    return personPeriods
        .groupBy(col("period_id"), col("mask"), col("churn_mask"), col("conc"))
        .agg(count(lit(1)).as("n"));
  }

  /** Case (program household) level: period_id, program, cases, churned. */
  static Dataset<Row> caseCounts(
      Dataset<Row> caseSpans, Dataset<Row> periods, int window) {
    Column churn =
        col("span_end")
            .between(col("p_start"), col("p_end"))
            .and(col("next_start").isNotNull())
            .and(datediff(col("next_start"), col("span_end")).minus(1).leq(window));
    return caseSpans
        .crossJoin(broadcast(periods))
        .where(col("span_start").leq(col("p_end")).and(col("span_end").geq(col("p_start"))))
        .groupBy(col("period_id"), col("program"), col("case_key"))
        .agg(max(when(churn, 1).otherwise(0)).as("churn"))
        .groupBy(col("period_id"), col("program"))
        .agg(count(lit(1)).as("cases"), sum(col("churn")).as("churned"));
  }

  /** Driver-side counts for one period and level (PERSON or FAMILY). */
  static final class Counts {
    final Map<Long, Long> combos = new TreeMap<>();
    final Map<Long, Long> concurrentPairs = new TreeMap<>(); // key 64*a+b
    final Map<Integer, Long> churned = new TreeMap<>();
    final Map<Integer, long[]> cases = new TreeMap<>(); // program bit -> {cases, churned}
    long total;

    long programCount(int bit) {
      long n = 0;
      for (Map.Entry<Long, Long> e : combos.entrySet()) {
        if ((e.getKey() & (1L << bit)) != 0) {
          n += e.getValue();
        }
      }
      return n;
    }

    long everPair(int a, int b) {
      long m = (1L << a) | (1L << b);
      long n = 0;
      for (Map.Entry<Long, Long> e : combos.entrySet()) {
        if ((e.getKey() & m) == m) {
          n += e.getValue();
        }
      }
      return n;
    }

    void add(long mask, long churnMask, List<Long> conc, long n) {
      combos.merge(mask, n, Long::sum);
      total += n;
      for (int b = 0; b < 64; b++) {
        if ((churnMask & (1L << b)) != 0) {
          churned.merge(b, n, Long::sum);
        }
      }
      if (conc != null) {
        for (Long pc : conc) {
          concurrentPairs.merge(pc, n, Long::sum);
        }
      }
    }
  }

  /** Reads collected pattern rows into per-period person-level counts. */
  static Map<Integer, Counts> personCounts(List<Row> patterns, int periodCount) {
    Map<Integer, Counts> out = new HashMap<>();
    for (int i = 0; i < periodCount; i++) {
      out.put(i, new Counts());
    }
    for (Row r : patterns) {
      List<Long> conc = r.isNullAt(3) ? List.of() : r.getList(3);
      out.get(r.getInt(0)).add(r.getLong(1), r.getLong(2), conc, r.getLong(4));
    }
    return out;
  }

  /**
   * Cross-program families (DOMAIN 3.1, project default): connected components of persons sharing
   * a case id in the period, computed in Spark ({@link Components}). Output: {@code period_id,
   * person_id, ph} (person hash), {@code mask}, {@code fam} (the family label: the smallest person
   * hash of the family, so exactly one member has {@code ph = fam}) and {@code fmask} (the
   * family's program mask), for every person-period row.
   */
  static Dataset<Row> personFamilies(Dataset<Row> personPeriods) {
    Dataset<Row> pp = personPeriods.select(col("period_id"), col("person_id"),
        xxhash64(col("person_id")).as("ph"), col("mask"), col("cases"));
    Dataset<Row> edges = pp.select(col("period_id").as("g"), col("ph").as("v"),
            org.apache.spark.sql.functions.explode(col("cases")).as("c"))
        .where(col("c").isNotNull());
    Dataset<Row> labels = Components.label(edges);
    return pp.join(labels, pp.col("period_id").equalTo(labels.col("g")).and(pp.col("ph").equalTo(labels.col("v"))),
            "left")
        .select(col("period_id"), col("person_id"), col("ph"), col("mask"),
            org.apache.spark.sql.functions.coalesce(col("label"), col("ph")).as("fam"))
        .withColumn("fmask", bit_or(col("mask")).over(
            org.apache.spark.sql.expressions.Window.partitionBy(col("period_id"), col("fam"))));
  }

  /** Family pattern counts in the shape of {@link #patterns}: period_id, mask, churn_mask, conc, n. */
  static Dataset<Row> familyPatterns(Dataset<Row> personFamilies) {
    return personFamilies.where(col("ph").equalTo(col("fam")))
        .groupBy(col("period_id"), col("fmask").as("mask"))
        .agg(count(lit(1)).as("n"))
        .select(col("period_id"), col("mask"), lit(0L).as("churn_mask"),
            lit(null).cast("array<bigint>").as("conc"), col("n"));
  }
}
