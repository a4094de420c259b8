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
import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Encoders;
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
   * One row per (period, person) with at least one merged span intersecting the period: {@code
   * period_id, person_id, mask} (bit per program ever enrolled), {@code churn_mask} (programs with
   * a span ending in the period followed by re-entry within {@code window} days), {@code conc}
   * (sorted pair codes {@code 64*a+b}, a &lt; b, of programs held concurrently for at least {@code
   * minDays} days within the period), {@code cases} (hashed case keys).
   *
   * <p>Spans are merged per person and program exactly as {@link Spans#merge} does (ordered by
   * start and end, a new span when the start is later than the latest end so far plus {@code 1 +
   * gapDays}), then clipped to each period. All of it is one pass over each person's records in a
   * task: {@code recs} must be hash-partitioned by {@code person_id} (every record of a person in
   * one partition, as {@link MetricsJob} keeps it); the sort by person, program, start and end is
   * free when the records are kept in that order. Columns read: person_id, program, start, end,
   * case_key.
   */
  static Dataset<Row> personPeriods(Dataset<Row> recs, List<Period> periods, Map<String, Integer> bits,
      int gapDays, int minDays, int window) {
    Dataset<Row> in = recs
        .sortWithinPartitions(col("person_id"), col("program"), col("start"), col("end"))
        .select(col("person_id"), col("program"), expr("unix_date(start)").as("s"),
            expr("unix_date(end)").as("e"),
            when(col("case_key").isNotNull(), xxhash64(col("case_key"))).as("ch"));
    int[] ps = new int[periods.size()];
    int[] pe = new int[periods.size()];
    for (int i = 0; i < periods.size(); i++) {
      ps[i] = (int) periods.get(i).start().toEpochDay();
      pe[i] = (int) periods.get(i).end().toEpochDay();
    }
    StructType out = new StructType()
        .add("period_id", DataTypes.IntegerType, false)
        .add("person_id", DataTypes.StringType, true)
        .add("mask", DataTypes.LongType, false)
        .add("churn_mask", DataTypes.LongType, false)
        .add("cases", DataTypes.createArrayType(DataTypes.LongType, false), false)
        .add("conc", DataTypes.createArrayType(DataTypes.LongType, false), false);
    return in.mapPartitions(new PersonPeriods(new HashMap<>(bits), ps, pe, gapDays, minDays, window),
        Encoders.row(out));
  }

  /** A Scala sequence (the external type of an array column in a Row). */
  static scala.collection.immutable.Seq<Long> seq(java.util.Collection<Long> values) {
    return scala.jdk.javaapi.CollectionConverters.asScala(new ArrayList<>(values)).toList();
  }

  /** The per-partition pass of {@link #personPeriods}: input sorted by person, program, s, e. */
  static final class PersonPeriods implements MapPartitionsFunction<Row, Row> {
    private final HashMap<String, Integer> bits;
    private final int[] ps;
    private final int[] pe;
    private final int gap;
    private final int minDays;
    private final int window;

    PersonPeriods(HashMap<String, Integer> bits, int[] ps, int[] pe, int gap, int minDays, int window) {
      this.bits = bits;
      this.ps = ps;
      this.pe = pe;
      this.gap = gap;
      this.minDays = minDays;
      this.window = window;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return new Iterator<>() {
        private final java.util.ArrayDeque<Row> ready = new java.util.ArrayDeque<>();
        private final List<Row> person = new ArrayList<>();
        private Row pending = rows.hasNext() ? rows.next() : null;

        @Override
        public boolean hasNext() {
          while (ready.isEmpty() && pending != null) {
            person.clear();
            String id = pending.getString(0);
            while (pending != null && java.util.Objects.equals(pending.getString(0), id)) {
              person.add(pending);
              pending = rows.hasNext() ? rows.next() : null;
            }
            emit(id, person, ready);
          }
          return !ready.isEmpty();
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return ready.poll();
        }
      };
    }

    /** One person's records (sorted by program, s, e) to the person's period rows. */
    private void emit(String personId, List<Row> recs, java.util.ArrayDeque<Row> out) {
      int np = ps.length;
      long[] mask = new long[np];
      long[] churn = new long[np];
      List<List<int[]>> sp = new ArrayList<>(); // per period: {bit, s, e}
      List<java.util.LinkedHashSet<Long>> cases = new ArrayList<>();
      for (int p = 0; p < np; p++) {
        sp.add(new ArrayList<>());
        cases.add(new java.util.LinkedHashSet<>());
      }
      int i = 0;
      while (i < recs.size()) {
        String program = recs.get(i).getString(1);
        int j = i;
        while (j < recs.size() && java.util.Objects.equals(recs.get(j).getString(1), program)) {
          j++;
        }
        Integer bit = bits.get(program);
        if (bit != null) {
          // merged spans of this program: {start, end} and their case hashes, in start order
          List<int[]> spans = new ArrayList<>();
          List<java.util.LinkedHashSet<Long>> spanCases = new ArrayList<>();
          boolean any = false;
          int runningMax = 0;
          for (int k = i; k < j; k++) {
            Row r = recs.get(k);
            int s = r.getInt(2);
            int e = r.getInt(3);
            if (!any || (long) s > (long) runningMax + gap + 1) {
              spans.add(new int[] {s, e});
              spanCases.add(new java.util.LinkedHashSet<>());
            } else {
              int[] cur = spans.get(spans.size() - 1);
              cur[0] = Math.min(cur[0], s);
              cur[1] = Math.max(cur[1], e);
            }
            if (!r.isNullAt(4)) {
              spanCases.get(spanCases.size() - 1).add(r.getLong(4));
            }
            runningMax = any ? Math.max(runningMax, e) : e;
            any = true;
          }
          for (int k = 0; k < spans.size(); k++) {
            int ss = spans.get(k)[0];
            int se = spans.get(k)[1];
            boolean hasNext = k + 1 < spans.size();
            int nextStart = hasNext ? spans.get(k + 1)[0] : 0;
            for (int p = 0; p < np; p++) {
              if (ss <= pe[p] && se >= ps[p]) {
                mask[p] |= 1L << bit;
                if (se >= ps[p] && se <= pe[p] && hasNext && (long) nextStart - se - 1 <= window) {
                  churn[p] |= 1L << bit;
                }
                sp.get(p).add(new int[] {bit, Math.max(ss, ps[p]), Math.min(se, pe[p])});
                cases.get(p).addAll(spanCases.get(k));
              }
            }
          }
        }
        i = j;
      }
      for (int p = 0; p < np; p++) {
        List<int[]> x = sp.get(p);
        if (x.isEmpty()) {
          continue;
        }
        java.util.TreeSet<Long> conc = new java.util.TreeSet<>();
        for (int[] a : x) {
          for (int[] b : x) {
            if (b[0] > a[0] && (long) Math.min(a[2], b[2]) - Math.max(a[1], b[1]) + 1 >= minDays) {
              conc.add((long) a[0] * 64 + b[0]);
            }
          }
        }
        out.add(RowFactory.create(p, personId, mask[p], churn[p], seq(cases.get(p)), seq(conc)));
      }
    }
  }

  /** Pattern counts: period_id, mask, churn_mask, conc, n. */
  static Dataset<Row> patterns(Dataset<Row> personPeriods) {
    return personPeriods
        .groupBy(col("period_id"), col("mask"), col("churn_mask"), col("conc"))
        .agg(count(lit(1)).as("n"));
  }

  /**
   * Case (program household) level: period_id, program, cases (cases with a merged span
   * intersecting the period), churned (of them, cases with a span ending in the period followed
   * by re-entry within {@code window} days). Spans are merged per program and case key as {@link
   * Spans#merge} does; the records of a case are brought together by one shuffle and merged in one
   * pass per partition, which also sums its cases per period and program, so only those partial
   * counts are shuffled again. Columns read: program, case_key, start, end.
   */
  static Dataset<Row> caseCounts(Dataset<Row> recs, List<Period> periods, int gapDays, int window) {
    int[] ps = new int[periods.size()];
    int[] pe = new int[periods.size()];
    for (int i = 0; i < periods.size(); i++) {
      ps[i] = (int) periods.get(i).start().toEpochDay();
      pe[i] = (int) periods.get(i).end().toEpochDay();
    }
    Dataset<Row> in = recs.where(col("case_key").isNotNull())
        .select(col("program"), col("case_key"), expr("unix_date(start)").as("s"), expr("unix_date(end)").as("e"))
        .repartition(col("program"), col("case_key"))
        .sortWithinPartitions(col("program"), col("case_key"), col("s"), col("e"));
    StructType out = new StructType()
        .add("period_id", DataTypes.IntegerType, false)
        .add("program", DataTypes.StringType, true)
        .add("cases", DataTypes.LongType, false)
        .add("churned", DataTypes.LongType, false);
    return in.mapPartitions(new CaseCounts(ps, pe, gapDays, window), Encoders.row(out))
        .groupBy(col("period_id"), col("program"))
        .agg(sum(col("cases")).as("cases"), sum(col("churned")).as("churned"));
  }

  /** The per-partition pass of {@link #caseCounts}: input sorted by program, case_key, s, e. */
  static final class CaseCounts implements MapPartitionsFunction<Row, Row> {
    private final int[] ps;
    private final int[] pe;
    private final int gap;
    private final int window;

    CaseCounts(int[] ps, int[] pe, int gap, int window) {
      this.ps = ps;
      this.pe = pe;
      this.gap = gap;
      this.window = window;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      // (period, program) -> {cases, churned}
      Map<String, long[]> counts = new java.util.TreeMap<>();
      Map<String, Object[]> keys = new HashMap<>();
      List<int[]> spans = new ArrayList<>();
      Row r = rows.hasNext() ? rows.next() : null;
      while (r != null) {
        String program = r.getString(0);
        String caseKey = r.getString(1);
        spans.clear();
        boolean any = false;
        int runningMax = 0;
        while (r != null && java.util.Objects.equals(r.getString(0), program)
            && java.util.Objects.equals(r.getString(1), caseKey)) {
          int s = r.getInt(2);
          int e = r.getInt(3);
          if (!any || (long) s > (long) runningMax + gap + 1) {
            spans.add(new int[] {s, e});
          } else {
            int[] cur = spans.get(spans.size() - 1);
            cur[0] = Math.min(cur[0], s);
            cur[1] = Math.max(cur[1], e);
          }
          runningMax = any ? Math.max(runningMax, e) : e;
          any = true;
          r = rows.hasNext() ? rows.next() : null;
        }
        for (int p = 0; p < ps.length; p++) {
          boolean in = false;
          boolean churn = false;
          for (int k = 0; k < spans.size(); k++) {
            int ss = spans.get(k)[0];
            int se = spans.get(k)[1];
            if (ss <= pe[p] && se >= ps[p]) {
              in = true;
              if (se <= pe[p] && k + 1 < spans.size() && (long) spans.get(k + 1)[0] - se - 1 <= window) {
                churn = true;
              }
            }
          }
          if (in) {
            String key = p + "|" + program;
            keys.putIfAbsent(key, new Object[] {p, program});
            long[] c = counts.computeIfAbsent(key, k -> new long[2]);
            c[0]++;
            if (churn) {
              c[1]++;
            }
          }
        }
      }
      List<Row> out = new ArrayList<>();
      for (Map.Entry<String, long[]> e : counts.entrySet()) {
        Object[] k = keys.get(e.getKey());
        out.add(RowFactory.create(k[0], k[1], e.getValue()[0], e.getValue()[1]));
      }
      return out.iterator();
    }
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
    return Components.families(personPeriods.select(col("period_id"), col("person_id"),
        xxhash64(col("person_id")).as("ph"), col("mask"), col("cases")));
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
