package org.commonclient.metrics.disclosure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests on seeded random tables: after protection no published cell is in 1..minCell-1,
 * no additive relation has exactly one suppressed cell, and the interval an attacker can derive
 * for every suppressed non-zero cell is at least minCell wide. The LP audit itself is checked
 * against brute-force enumeration on small 2x2 tables.
 */
class RandomTablePropertyTest {

  /** A rows x cols table with row, column and grand totals, plus an optional district level. */
  static Release table(Random rnd, int rows, int cols, int maxSmall, double smallShare) {
    Release r = new Release();
    int[][] cell = new int[rows][cols];
    long[] rowSum = new long[rows];
    long[] colSum = new long[cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        long v;
        double u = rnd.nextDouble();
        if (u < 0.1) {
          v = 0;
        } else if (u < 0.1 + smallShare) {
          v = 1 + rnd.nextInt(maxSmall);
        } else {
          v = 5 + rnd.nextInt(120);
        }
        cell[i][j] = r.cell("r" + i + "c" + j, v);
        rowSum[i] += v;
        colSum[j] += v;
      }
    }
    int[] rt = new int[rows];
    int[] ct = new int[cols];
    long grand = 0;
    for (int i = 0; i < rows; i++) {
      rt[i] = r.cell("r" + i + "T", rowSum[i]);
      r.equal(rt[i], cell[i]);
      grand += rowSum[i];
    }
    for (int j = 0; j < cols; j++) {
      int[] parts = new int[rows];
      for (int i = 0; i < rows; i++) {
        parts[i] = cell[i][j];
      }
      ct[j] = r.cell("Tc" + j, colSum[j]);
      r.equal(ct[j], parts);
    }
    int g = r.cell("TT", grand);
    r.equal(g, rt);
    r.equal(g, ct);
    return r;
  }

  /** Schools grouped into districts, districts into the state, crossed with sex (F, M). */
  static Release hierarchy(Random rnd) {
    Release r = new Release();
    int districts = 2 + rnd.nextInt(3);
    int[] stateBySex = new int[3];
    long[] stateVal = new long[3];
    int[][] distCells = new int[3][districts];
    for (int d = 0; d < districts; d++) {
      int schools = 1 + rnd.nextInt(4);
      int[][] sc = new int[3][schools];
      long[] dv = new long[3];
      for (int s = 0; s < schools; s++) {
        long f = rnd.nextDouble() < 0.3 ? rnd.nextInt(11) : rnd.nextInt(200);
        long m = rnd.nextDouble() < 0.3 ? rnd.nextInt(11) : rnd.nextInt(200);
        sc[0][s] = r.cell("d" + d + "s" + s + "F", f);
        sc[1][s] = r.cell("d" + d + "s" + s + "M", m);
        sc[2][s] = r.cell("d" + d + "s" + s + "A", f + m);
        r.equal(sc[2][s], sc[0][s], sc[1][s]);
        dv[0] += f;
        dv[1] += m;
        dv[2] += f + m;
      }
      for (int k = 0; k < 3; k++) {
        distCells[k][d] = r.cell("d" + d + "sex" + k, dv[k]);
        r.equalPreferTotal(distCells[k][d], sc[k]);
        stateVal[k] += dv[k];
      }
      r.equal(distCells[2][d], distCells[0][d], distCells[1][d]);
    }
    for (int k = 0; k < 3; k++) {
      stateBySex[k] = r.cell("state" + k, stateVal[k]);
      r.equal(stateBySex[k], distCells[k]);
    }
    r.equal(stateBySex[2], stateBySex[0], stateBySex[1]);
    return r;
  }

  static void assertProtected(Release r, CellSuppression.Protection p, int minCell, String label) {
    for (int i = 0; i < r.size(); i++) {
      long v = r.value(i);
      if (!p.isSuppressed(i)) {
        assertTrue(v == 0 || v >= minCell, label + ": published small cell " + r.key(i) + "=" + v);
      }
    }
    for (Release.Relation rel : r.relations()) {
      int count = 0;
      for (int c : rel.cells()) {
        if (p.isSuppressed(c)) {
          count++;
        }
      }
      assertTrue(count != 1, label + ": relation with a single suppressed cell, total " + r.key(rel.total()));
    }
    // independent re-audit from the published view only
    double[][] b = Audit.bounds(r, p.suppressed());
    for (int i = p.suppressed().nextSetBit(0); i >= 0; i = p.suppressed().nextSetBit(i + 1)) {
      if (r.value(i) == 0) {
        continue;
      }
      assertTrue(b[0][i] <= r.value(i) + 1e-6 && r.value(i) <= b[1][i] + 1e-6,
          label + ": true value outside its interval for " + r.key(i));
      assertTrue(b[1][i] - b[0][i] >= minCell - 1e-6,
          label + ": recoverable interval of " + r.key(i) + " is [" + b[0][i] + ", " + b[1][i] + "]");
      assertTrue(b[1][i] >= minCell, label + ": interval lies under the minimum for " + r.key(i));
    }
  }

  @Test
  void randomTwoWayTablesAreProtected() {
    Random rnd = new Random(20240611L);
    for (int t = 0; t < 200; t++) {
      int rows = 2 + rnd.nextInt(4);
      int cols = 2 + rnd.nextInt(5);
      int minCell = rnd.nextBoolean() ? 11 : 5 + rnd.nextInt(8);
      Release r = table(rnd, rows, cols, minCell + 2, 0.35);
      CellSuppression.Protection p = CellSuppression.protect(r, minCell);
      assertProtected(r, p, minCell, "table " + t + " (" + rows + "x" + cols + ", minCell " + minCell + ")");
    }
  }

  @Test
  void randomHierarchiesAreProtected() {
    Random rnd = new Random(7L);
    for (int t = 0; t < 100; t++) {
      Release r = hierarchy(rnd);
      CellSuppression.Protection p = CellSuppression.protect(r, 11);
      assertProtected(r, p, 11, "hierarchy " + t);
    }
  }

  /** The LP audit equals brute-force enumeration of all integer interior values (2x2 tables). */
  @Test
  void auditMatchesBruteForceOnSmallTables() {
    Random rnd = new Random(99L);
    int cap = 30;
    int checked = 0;
    for (int t = 0; t < 40; t++) {
      Release r = table(rnd, 2, 2, 6, 0.9);
      long[] v = new long[r.size()];
      for (int i = 0; i < r.size(); i++) {
        v[i] = r.value(i);
      }
      if (v[r.find("TT")] > 24) {
        continue; // keep the enumeration bounded
      }
      checked++;
      BitSet sup = new BitSet();
      for (int i = 0; i < r.size(); i++) {
        if (rnd.nextDouble() < 0.5) {
          sup.set(i);
        }
      }
      double[][] lp = Audit.bounds(r, sup);
      int[] in = {r.find("r0c0"), r.find("r0c1"), r.find("r1c0"), r.find("r1c1")};
      long[] min = new long[r.size()];
      long[] max = new long[r.size()];
      java.util.Arrays.fill(min, Long.MAX_VALUE);
      java.util.Arrays.fill(max, Long.MIN_VALUE);
      long[] x = new long[r.size()];
      for (int a = 0; a <= cap; a++) {
        for (int b = 0; b <= cap; b++) {
          for (int c = 0; c <= cap; c++) {
            for (int d = 0; d <= cap; d++) {
              x[in[0]] = a;
              x[in[1]] = b;
              x[in[2]] = c;
              x[in[3]] = d;
              x[r.find("r0T")] = a + b;
              x[r.find("r1T")] = c + d;
              x[r.find("Tc0")] = a + c;
              x[r.find("Tc1")] = b + d;
              x[r.find("TT")] = a + b + c + d;
              boolean ok = true;
              for (int i = 0; i < r.size() && ok; i++) {
                ok = sup.get(i) || x[i] == v[i];
              }
              if (ok) {
                for (int i = 0; i < r.size(); i++) {
                  min[i] = Math.min(min[i], x[i]);
                  max[i] = Math.max(max[i], x[i]);
                }
              }
            }
          }
        }
      }
      for (int i = sup.nextSetBit(0); i >= 0; i = sup.nextSetBit(i + 1)) {
        assertEquals((double) min[i], lp[0][i], 1e-6, "table " + t + " min of " + r.key(i));
        boolean bruteUnbounded = max[i] >= cap;
        if (bruteUnbounded) {
          assertTrue(lp[1][i] >= cap, "table " + t + " max of " + r.key(i) + " should be >= cap");
        } else {
          assertEquals((double) max[i], lp[1][i], 1e-6, "table " + t + " max of " + r.key(i));
        }
      }
    }
    assertTrue(checked >= 15, "enough small tables enumerated: " + checked);
  }
}
