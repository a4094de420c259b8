package org.commonclient.metrics.disclosure;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attacker's view of a protected release: for each suppressed cell, the minimum and maximum
 * value consistent with the published cells, the relations and non-negativity (Census RR-92/02
 * style LP audit).
 *
 * <p>Suppressed cells are grouped into connected components linked by relations, and each
 * component is solved on its own: published cells are constants, so components do not interact.
 * A component of at most {@link #MAX_EXACT} cells is one LP (phase one once, then a min and a max
 * per cell from the previous basis, {@link Simplex.Solver}). A larger one (e.g. hundreds of
 * suppressed schools under one district total) is decomposed into blocks: each block's LP holds
 * the block and its nearest suppressed cells up to {@link #MAX_EXACT} variables (breadth first
 * through relations), every other suppressed cell being treated as if the attacker knew its true
 * value. Knowing more can only narrow the interval, so these bounds are inner bounds of the
 * exact ones: a cell that passes the width test this way passes it exactly (conservative; it may
 * cost some extra suppression, never a weaker release).
 */
public final class Audit {
  /** Largest component solved exactly, and the neighbourhood size of a decomposed one. */
  public static final int MAX_EXACT = 240;

  /** Components up to this size always get exact bounds (not just a proven width). */
  static final int SMALL = 40;

  /** Cells per block of a decomposed component. */
  static final int BLOCK = 80;

  /** Objectives solved on one tableau before it is rebuilt. */
  static final int REFACTOR_EVERY = 100;

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
    Index ix = new Index(r);
    for (List<Integer> comp : components(r, ix, suppressed)) {
      solveComponent(r, ix, suppressed, comp, lo, hi);
    }
    return new double[][] {lo, hi};
  }

  /** Cell to relation index of a release (relations are only ever appended). */
  static final class Index {
    final List<Release.Relation> rels;
    final int[][] byCell;

    Index(Release r) {
      rels = r.relations();
      int[] count = new int[r.size()];
      for (Release.Relation rel : rels) {
        for (int c : rel.cells()) {
          count[c]++;
        }
      }
      byCell = new int[r.size()][];
      for (int i = 0; i < count.length; i++) {
        byCell[i] = new int[count[i]];
      }
      int[] fill = new int[r.size()];
      for (int k = 0; k < rels.size(); k++) {
        for (int c : rels.get(k).cells()) {
          int[] row = byCell[c];
          // a cell listed twice in one relation is indexed once
          if (fill[c] == 0 || row[fill[c] - 1] != k) {
            row[fill[c]++] = k;
          }
        }
      }
      for (int i = 0; i < count.length; i++) {
        if (fill[i] != count[i]) {
          byCell[i] = java.util.Arrays.copyOf(byCell[i], fill[i]);
        }
      }
    }
  }

  /** Components of suppressed cells linked by relations, each sorted by cell index. */
  static List<List<Integer>> components(Release r, Index ix, BitSet suppressed) {
    int n = r.size();
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    for (Release.Relation rel : ix.rels) {
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
    Map<Integer, List<Integer>> comps = new java.util.LinkedHashMap<>();
    for (int i = suppressed.nextSetBit(0); i >= 0; i = suppressed.nextSetBit(i + 1)) {
      comps.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
    }
    return new ArrayList<>(comps.values());
  }

  /** Bounds of every cell of one component (exact, or decomposed when large). */
  static void solveComponent(
      Release r, Index ix, BitSet suppressed, List<Integer> comp, double[] lo, double[] hi) {
    solveComponent(r, ix, suppressed, comp, lo, hi, 0);
  }

  /**
   * Bounds of every cell of one component. With {@code minWidth > 0} the bounds of a cell are
   * only refined until they prove a width of at least {@code minWidth} (or are exact): then
   * {@code [lo, hi]} is an inner interval of the attacker's interval, which is all the width
   * test needs. Components up to {@link #MAX_EXACT} cells are one LP; larger ones are cut into
   * blocks of {@link #BLOCK} cells in breadth-first order, each solved over itself plus the
   * nearest other suppressed cells up to {@link #MAX_EXACT} variables, the remaining cells
   * pinned at their true values (conservative, see the class comment).
   */
  static void solveComponent(Release r, Index ix, BitSet suppressed, List<Integer> comp, double[] lo, double[] hi,
      double minWidth) {
    if (comp.size() <= MAX_EXACT) {
      solve(r, ix, comp, comp, lo, hi, comp.size() <= SMALL ? 0 : minWidth);
      return;
    }
    List<Integer> order = neighbourhood(ix, suppressed, comp.get(0), Integer.MAX_VALUE);
    for (int from = 0; from < order.size(); from += BLOCK) {
      List<Integer> block = order.subList(from, Math.min(order.size(), from + BLOCK));
      solve(r, ix, grow(ix, suppressed, block, MAX_EXACT), block, lo, hi, minWidth);
    }
  }

  /** {@code seed} plus the suppressed cells nearest to it (breadth first), up to {@code max}. */
  static List<Integer> grow(Index ix, BitSet suppressed, List<Integer> seed, int max) {
    List<Integer> out = new ArrayList<>(seed);
    BitSet seen = new BitSet();
    for (int c : seed) {
      seen.set(c);
    }
    for (int i = 0; i < out.size() && out.size() < max; i++) {
      for (int k : ix.byCell[out.get(i)]) {
        for (int d : ix.rels.get(k).cells()) {
          if (suppressed.get(d) && !seen.get(d) && out.size() < max) {
            seen.set(d);
            out.add(d);
          }
        }
      }
    }
    return out;
  }

  /**
   * Re-audits one cell of a decomposed component with a larger neighbourhood of {@code size}
   * cells (the whole component when {@code size >= comp.size()}: exact).
   */
  static void solveCell(Release r, Index ix, BitSet suppressed, List<Integer> comp, int cell, int size,
      double[] lo, double[] hi, double minWidth) {
    List<Integer> vars = size >= comp.size() ? comp : neighbourhood(ix, suppressed, cell, size);
    solve(r, ix, vars, List.of(cell), lo, hi, minWidth);
  }

  /** Up to {@code max} suppressed cells nearest to {@code cell} through relations (cell first). */
  static List<Integer> neighbourhood(Index ix, BitSet suppressed, int cell, int max) {
    List<Integer> out = new ArrayList<>();
    BitSet seen = new BitSet();
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(cell);
    seen.set(cell);
    while (!queue.isEmpty() && out.size() < max) {
      int c = queue.poll();
      out.add(c);
      for (int k : ix.byCell[c]) {
        for (int d : ix.rels.get(k).cells()) {
          if (suppressed.get(d) && !seen.get(d)) {
            seen.set(d);
            queue.add(d);
          }
        }
      }
    }
    return out;
  }

  /**
   * Min and max of each cell of {@code targets} over the LP whose variables are {@code vars}
   * (other cells at their true values), subject to every relation touching a variable.
   */
  private static void solve(Release r, Index ix, List<Integer> vars, List<Integer> targets, double[] lo,
      double[] hi, double minWidth) {
    Map<Integer, Integer> var = new HashMap<>();
    for (int c : vars) {
      var.put(c, var.size());
    }
    BitSet relSet = new BitSet();
    for (int c : vars) {
      for (int k : ix.byCell[c]) {
        relSet.set(k);
      }
    }
    List<Release.Relation> rels = new ArrayList<>();
    int slacks = 0;
    for (int k = relSet.nextSetBit(0); k >= 0; k = relSet.nextSetBit(k + 1)) {
      Release.Relation rel = ix.rels.get(k);
      rels.add(rel);
      if (rel.kind() == Release.Kind.AT_LEAST) {
        slacks++;
      }
    }
    int nv = vars.size() + slacks;
    double[][] a = new double[rels.size()][nv];
    double[] b = new double[rels.size()];
    int slack = vars.size();
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
    Simplex.Solver solver = null;
    int used = 0;
    for (int c : targets) {
      if (solver == null || used++ >= REFACTOR_EVERY) {
        solver = new Simplex.Solver(a, b); // a fresh tableau now and then keeps rounding errors small
        used = 1;
        if (!solver.feasible) {
          throw new IllegalStateException("Audit LP infeasible: the release is inconsistent");
        }
      }
      int v = var.get(c);
      double value = r.value(c);
      double negMax = solver.minimizeVar(v, -1,
          minWidth > 0 ? -(value + minWidth) : Double.NEGATIVE_INFINITY);
      double max = negMax == Double.NEGATIVE_INFINITY ? Double.POSITIVE_INFINITY : -negMax;
      double min = max == Double.POSITIVE_INFINITY && minWidth > 0 ? value
          : solver.minimizeVar(v, 1, minWidth > 0 ? max - minWidth : Double.NEGATIVE_INFINITY);
      lo[c] = Math.max(0, min);
      hi[c] = max;
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
