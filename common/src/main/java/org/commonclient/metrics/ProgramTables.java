package org.commonclient.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.metrics.disclosure.CellSuppression;
import org.commonclient.metrics.disclosure.Release;

/**
 * Raw and published multi-program tables from the driver-side counts. One {@link Release} per
 * period and level holds every count of every program table (counts, combinations, breadth,
 * overlaps, churn) with all additive relations between them, so complementary suppression and the
 * audit see the whole release at once.
 */
final class ProgramTables {
  static final String PERSON = "PERSON";
  static final String FAMILY = "FAMILY";
  static final String CASE = "CASE";
  static final String ALL = "ALL";
  static final String OTHER = "OTHER";

  private ProgramTables() {}

  /** All tables, raw (restricted) and published, accumulated over periods and levels. */
  static final class Builder {
    final List<String> programs;
    final MetricsConfig cfg;
    final List<Row> countsRaw = new ArrayList<>(), countsPub = new ArrayList<>();
    final List<Row> combosRaw = new ArrayList<>(), combosPub = new ArrayList<>();
    final List<Row> breadthRaw = new ArrayList<>(), breadthPub = new ArrayList<>();
    final List<Row> overlapRaw = new ArrayList<>(), overlapPub = new ArrayList<>();
    final List<Row> churnRaw = new ArrayList<>(), churnPub = new ArrayList<>();

    Builder(List<String> programs, MetricsConfig cfg) {
      this.programs = programs;
      this.cfg = cfg;
    }

    String comboName(long mask) {
      List<String> names = new ArrayList<>();
      for (int b = 0; b < programs.size(); b++) {
        if ((mask & (1L << b)) != 0) {
          names.add(programs.get(b));
        }
      }
      return String.join("+", names);
    }

    /** Adds one period and level (PERSON or FAMILY). */
    void add(String period, String level, ProgramMetrics.Counts c) {
      int k = programs.size();
      int minCell = cfg.minCell();
      Release r = new Release();
      int u = r.cell("U", c.total);
      // UpSet combinations, small ones collapsed into OTHER first (DOMAIN 4.3)
      Map<Long, Integer> comboCell = new java.util.TreeMap<>();
      long otherN = 0;
      long otherUnion = 0;
      List<Long> collapsed = new ArrayList<>();
      for (Map.Entry<Long, Long> e : c.combos.entrySet()) {
        if (cfg.collapseCombinations() && e.getValue() < minCell) {
          otherN += e.getValue();
          otherUnion |= e.getKey();
          collapsed.add(e.getKey());
        } else {
          comboCell.put(e.getKey(), r.cell("C|" + e.getKey(), e.getValue()));
        }
      }
      int other = collapsed.isEmpty() ? -1 : r.cell("C|OTHER", otherN);
      List<Integer> allCombos = new ArrayList<>(comboCell.values());
      if (other >= 0) {
        allCombos.add(other);
      }
      r.equal(u, ints(allCombos));
      int[] n = new int[k];
      for (int b = 0; b < k; b++) {
        n[b] = r.cell("N|" + b, c.programCount(b));
        relate(r, n[b], comboCell, 1L << b, (otherUnion & (1L << b)) != 0, false);
      }
      int[] breadth = new int[k + 1];
      for (int s = 1; s <= k; s++) {
        long v = 0;
        for (Map.Entry<Long, Long> e : c.combos.entrySet()) {
          if (Long.bitCount(e.getKey()) == s) {
            v += e.getValue();
          }
        }
        breadth[s] = r.cell("B|" + s, v);
        boolean inOther = false;
        for (long m : collapsed) {
          inOther |= Long.bitCount(m) == s;
        }
        List<Integer> parts = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : comboCell.entrySet()) {
          if (Long.bitCount(e.getKey()) == s) {
            parts.add(e.getValue());
          }
        }
        if (inOther) {
          r.atLeast(breadth[s], ints(parts));
        } else {
          r.equal(breadth[s], ints(parts));
        }
      }
      int[] bParts = new int[k];
      System.arraycopy(breadth, 1, bParts, 0, k);
      r.equal(u, bParts);
      boolean person = level.equals(PERSON);
      int[][] ever = new int[k][k];
      int[][] conc = new int[k][k];
      for (int a = 0; a < k; a++) {
        for (int b = a + 1; b < k; b++) {
          long m = (1L << a) | (1L << b);
          ever[a][b] = r.cell("E|" + a + "|" + b, c.everPair(a, b));
          boolean inOther = false;
          for (long cm : collapsed) {
            inOther |= (cm & m) == m;
          }
          relate(r, ever[a][b], comboCell, m, inOther, true);
          int da = r.cell("D|" + a + "|" + b, c.programCount(a) - c.everPair(a, b));
          int db = r.cell("D|" + b + "|" + a, c.programCount(b) - c.everPair(a, b));
          r.equal(n[a], ever[a][b], da);
          r.equal(n[b], ever[a][b], db);
          if (person) {
            long x = c.concurrentPairs.getOrDefault((long) a * 64 + b, 0L);
            conc[a][b] = r.cell("X|" + a + "|" + b, x);
            int xc = r.cell("XC|" + a + "|" + b, c.everPair(a, b) - x);
            r.equal(ever[a][b], conc[a][b], xc);
          }
        }
      }
      int[] churn = new int[k];
      if (person) {
        for (int b = 0; b < k; b++) {
          long h = c.churned.getOrDefault(b, 0L);
          churn[b] = r.cell("H|" + b, h);
          int hc = r.cell("HC|" + b, c.programCount(b) - h);
          r.equal(n[b], churn[b], hc);
        }
      }
      CellSuppression.Protection p = CellSuppression.protect(r, minCell);

      countsRaw.add(RowFactory.create(period, level, ALL, c.total));
      countsPub.add(pubCount(period, level, ALL, r, p, u));
      for (int b = 0; b < k; b++) {
        countsRaw.add(RowFactory.create(period, level, programs.get(b), r.value(n[b])));
        countsPub.add(pubCount(period, level, programs.get(b), r, p, n[b]));
      }
      for (Map.Entry<Long, Long> e : c.combos.entrySet()) {
        combosRaw.add(
            RowFactory.create(period, level, comboName(e.getKey()), Long.bitCount(e.getKey()), e.getValue()));
      }
      for (Map.Entry<Long, Integer> e : comboCell.entrySet()) {
        int cell = e.getValue();
        combosPub.add(
            RowFactory.create(period, level, comboName(e.getKey()), Long.bitCount(e.getKey()),
                pub(r, p, cell), p.isSuppressed(cell)));
      }
      if (other >= 0) {
        combosPub.add(RowFactory.create(period, level, OTHER, null, pub(r, p, other), p.isSuppressed(other)));
      }
      for (int s = 1; s <= k; s++) {
        breadthRaw.add(RowFactory.create(period, level, s, r.value(breadth[s])));
        breadthPub.add(RowFactory.create(period, level, s, pub(r, p, breadth[s]), p.isSuppressed(breadth[s])));
      }
      for (int a = 0; a < k; a++) {
        for (int b = a + 1; b < k; b++) {
          overlapRows(period, level, "EVER", a, b, r, p, ever[a][b], n[a], n[b]);
          if (person) {
            overlapRows(period, level, "CONCURRENT", a, b, r, p, conc[a][b], n[a], n[b]);
          }
        }
      }
      if (person) {
        for (int b = 0; b < k; b++) {
          long ne = r.value(n[b]);
          long h = r.value(churn[b]);
          churnRaw.add(RowFactory.create(period, level, programs.get(b), ne, h, ratio(h, ne)));
          boolean s = p.isSuppressed(churn[b]) || p.isSuppressed(n[b]);
          churnPub.add(
              RowFactory.create(period, level, programs.get(b), pub(r, p, n[b]), p.isSuppressed(n[b]),
                  pub(r, p, churn[b]), p.isSuppressed(churn[b]), s ? null : ratio(h, ne)));
        }
      }
    }

    /** Case (program household) level churn and counts: its own release per period. */
    void addCases(String period, Map<String, long[]> byProgram) {
      Release r = new Release();
      List<String> progs = new ArrayList<>(byProgram.keySet());
      int[] kc = new int[progs.size()];
      int[] hc = new int[progs.size()];
      for (int i = 0; i < progs.size(); i++) {
        long[] v = byProgram.get(progs.get(i));
        kc[i] = r.cell("K|" + progs.get(i), v[0]);
        hc[i] = r.cell("KH|" + progs.get(i), v[1]);
        int comp = r.cell("KHC|" + progs.get(i), v[0] - v[1]);
        r.equal(kc[i], hc[i], comp);
      }
      CellSuppression.Protection p = CellSuppression.protect(r, cfg.minCell());
      for (int i = 0; i < progs.size(); i++) {
        long k = r.value(kc[i]);
        long h = r.value(hc[i]);
        countsRaw.add(RowFactory.create(period, CASE, progs.get(i), k));
        countsPub.add(pubCount(period, CASE, progs.get(i), r, p, kc[i]));
        churnRaw.add(RowFactory.create(period, CASE, progs.get(i), k, h, ratio(h, k)));
        boolean s = p.isSuppressed(kc[i]) || p.isSuppressed(hc[i]);
        churnPub.add(
            RowFactory.create(period, CASE, progs.get(i), pub(r, p, kc[i]), p.isSuppressed(kc[i]),
                pub(r, p, hc[i]), p.isSuppressed(hc[i]), s ? null : ratio(h, k)));
      }
    }

    private void overlapRows(String period, String level, String def, int a, int b, Release r,
        CellSuppression.Protection p, int cell, int na, int nb) {
      long ab = r.value(cell);
      long va = r.value(na);
      long vb = r.value(nb);
      overlapRaw.add(
          RowFactory.create(period, level, def, programs.get(a), programs.get(b), ab, va, vb,
              ratio(ab, va), ratio(ab, vb), ratio(ab, va + vb - ab)));
      boolean sab = p.isSuppressed(cell);
      boolean sa = p.isSuppressed(na);
      boolean sb = p.isSuppressed(nb);
      overlapPub.add(
          RowFactory.create(period, level, def, programs.get(a), programs.get(b), pub(r, p, cell), sab,
              sab || sa ? null : ratio(ab, va), sab || sb ? null : ratio(ab, vb),
              sab || sa || sb ? null : ratio(ab, va + vb - ab)));
    }

    private static Row pubCount(String period, String level, String program, Release r,
        CellSuppression.Protection p, int cell) {
      return RowFactory.create(period, level, program, pub(r, p, cell), p.isSuppressed(cell));
    }

    List<MetricTable> raw(Map<String, String> params, String note) {
      return List.of(
          new MetricTable("program_counts", COUNTS_RAW, countsRaw, params, note),
          new MetricTable("program_combinations", COMBOS_RAW, combosRaw, params, note),
          new MetricTable("program_breadth", BREADTH_RAW, breadthRaw, params, note),
          new MetricTable("program_overlap", OVERLAP_RAW, overlapRaw, params, note),
          new MetricTable("program_churn", CHURN_RAW, churnRaw, params, note));
    }

    List<MetricTable> published(Map<String, String> params, String footnote) {
      return List.of(
          new MetricTable("program_counts", COUNTS_PUB, countsPub, params, footnote),
          new MetricTable("program_combinations", COMBOS_PUB, combosPub, params, footnote),
          new MetricTable("program_breadth", BREADTH_PUB, breadthPub, params, footnote),
          new MetricTable("program_overlap", OVERLAP_PUB, overlapPub, params, footnote),
          new MetricTable("program_churn", CHURN_PUB, churnPub, params, footnote));
    }
  }

  /** Relates a total to the combination cells containing all bits of {@code m}. */
  private static void relate(Release r, int total, Map<Long, Integer> comboCell, long m,
      boolean collapsedContains, boolean unused) {
    List<Integer> parts = new ArrayList<>();
    for (Map.Entry<Long, Integer> e : comboCell.entrySet()) {
      if ((e.getKey() & m) == m) {
        parts.add(e.getValue());
      }
    }
    if (collapsedContains) {
      r.atLeast(total, ints(parts));
    } else {
      r.equal(total, ints(parts));
    }
  }

  static Long pub(Release r, CellSuppression.Protection p, int cell) {
    return p.isSuppressed(cell) ? null : r.value(cell);
  }

  static Double ratio(long num, long den) {
    return den == 0 ? null : Math.round(1e4 * num / (double) den) / 1e4;
  }

  static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  static final StructType COUNTS_RAW = new StructType().add("period", "string").add("level", "string")
      .add("program", "string").add("n", "long");
  static final StructType COUNTS_PUB = new StructType().add("period", "string").add("level", "string")
      .add("program", "string").add("n", "long").add("n_suppressed", "boolean");
  static final StructType COMBOS_RAW = new StructType().add("period", "string").add("level", "string")
      .add("combination", "string").add("n_programs", DataTypes.IntegerType).add("n", "long");
  static final StructType COMBOS_PUB = new StructType().add("period", "string").add("level", "string")
      .add("combination", "string").add("n_programs", DataTypes.IntegerType).add("n", "long")
      .add("n_suppressed", "boolean");
  static final StructType BREADTH_RAW = new StructType().add("period", "string").add("level", "string")
      .add("n_programs", DataTypes.IntegerType).add("n", "long");
  static final StructType BREADTH_PUB = BREADTH_RAW.add("n_suppressed", "boolean");
  static final StructType OVERLAP_RAW = new StructType().add("period", "string").add("level", "string")
      .add("definition", "string").add("program_a", "string").add("program_b", "string")
      .add("n_ab", "long").add("n_a", "long").add("n_b", "long").add("share_of_a", "double")
      .add("share_of_b", "double").add("jaccard", "double");
  static final StructType OVERLAP_PUB = new StructType().add("period", "string").add("level", "string")
      .add("definition", "string").add("program_a", "string").add("program_b", "string")
      .add("n_ab", "long").add("n_ab_suppressed", "boolean").add("share_of_a", "double")
      .add("share_of_b", "double").add("jaccard", "double");
  static final StructType CHURN_RAW = new StructType().add("period", "string").add("level", "string")
      .add("program", "string").add("ever_enrolled", "long").add("churned", "long")
      .add("churn_rate", "double");
  static final StructType CHURN_PUB = new StructType().add("period", "string").add("level", "string")
      .add("program", "string").add("ever_enrolled", "long").add("ever_enrolled_suppressed", "boolean")
      .add("churned", "long").add("churned_suppressed", "boolean").add("churn_rate", "double");
}
