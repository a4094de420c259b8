package org.commonclient.metrics.disclosure;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The attacker's view of a protected release: for each suppressed cell, the minimum and maximum
 * value consistent with the published cells, the relations and non-negativity (Census RR-92/02
 * style LP audit). Suppressed cells are grouped into components linked by relations and each
 * component is solved on its own, which keeps the linear programs small.
 */
public final class Audit {
  private Audit() {}

  /**
   * Returns {@code [lower[], upper[]]} indexed by cell; published cells get their own value as
   * both bounds, unbounded maxima are {@code +Infinity}.
   */
  public static double[][] bounds(Release r, BitSet suppressed) {
    int n = r.size();
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int i = 0; i < n; i++) {
      lo[i] = hi[i] = r.value(i);
    }
    // union-find of suppressed cells through relations
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (Release.Relation rel : r.relations()) {
      int first = -1;
      for (int c : rel.cells()) {
        if (suppressed.get(c)) {
          if (first < 0) {
            first = c;
          } else {
            union(parent, first, c);
          }
        }
      }
    }
    java.util.Map<Integer, List<Integer>> comps = new java.util.HashMap<>();
    for (int i = suppressed.nextSetBit(0); i >= 0; i = suppressed.nextSetBit(i + 1)) {
      comps.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
    }
    for (List<Integer> comp : comps.values()) {
      solveComponent(r, suppressed, comp, lo, hi);
    }
    return new double[][] {lo, hi};
  }

  private static void solveComponent(
      Release r, BitSet suppressed, List<Integer> comp, double[] lo, double[] hi) {
    java.util.Map<Integer, Integer> var = new java.util.HashMap<>();
    for (int c : comp) {
      var.put(c, var.size());
    }
    List<Release.Relation> rels = new ArrayList<>();
    int slacks = 0;
    for (Release.Relation rel : r.relations()) {
      for (int c : rel.cells()) {
        if (var.containsKey(c)) {
          rels.add(rel);
          if (rel.kind() == Release.Kind.AT_LEAST) {
            slacks++;
          }
          break;
        }
      }
    }
    int nv = comp.size() + slacks;
    double[][] a = new double[rels.size()][nv];
    double[] b = new double[rels.size()];
    int slack = comp.size();
    for (int k = 0; k < rels.size(); k++) {
      Release.Relation rel = rels.get(k);
      double rhs = 0;
      int[] cells = rel.cells();
      for (int j = 0; j < cells.length; j++) {
        int c = cells[j];
        double coef = j == 0 ? 1 : -1;
        Integer v = var.get(c);
        if (v != null) {
          a[k][v] += coef;
        } else {
          rhs -= coef * r.value(c);
        }
      }
      if (rel.kind() == Release.Kind.AT_LEAST) {
        a[k][slack++] = -1;
      }
      b[k] = rhs;
    }
    for (int c : comp) {
      int v = var.get(c);
      double[] obj = new double[nv];
      obj[v] = 1;
      double min = Simplex.minimize(a, b, obj);
      obj[v] = -1;
      double negMax = Simplex.minimize(a, b, obj);
      if (Double.isNaN(min) || Double.isNaN(negMax)) {
        throw new IllegalStateException("Audit LP infeasible: the release is inconsistent");
      }
      lo[c] = Math.max(0, min);
      hi[c] = negMax == Double.NEGATIVE_INFINITY ? Double.POSITIVE_INFINITY : -negMax;
    }
  }

  private static int find(int[] p, int i) {
    while (p[i] != i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  private static void union(int[] p, int a, int b) {
    int ra = find(p, a);
    int rb = find(p, b);
    if (ra != rb) {
      p[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}
