package org.commonclient.metrics.disclosure;

/**
 * A small dense two-phase simplex for {@code min c.x subject to A x = b, x >= 0}, enough for the
 * audit of suppressed cells (tens to a few hundred variables). Bland's rule prevents cycling;
 * redundant equality rows are dropped after phase one.
 */
final class Simplex {
  static final double EPS = 1e-9;

  /**
   * Fills the phase-one tableau: rows of A x = b with b made non-negative, one artificial per row
   * as the starting basis, and in row m the reduced costs of minimising the sum of artificials.
   */
  private static void phaseOne(double[][] a, double[] b, int n, double[][] t, int[] basis) {
    int m = a.length;
    int cols = n + m + 1;
    for (int i = 0; i < m; i++) {
      double sign = b[i] < 0 ? -1 : 1;
      for (int j = 0; j < n; j++) {
        t[i][j] = sign * a[i][j];
      }
      t[i][n + i] = 1;
      t[i][cols - 1] = sign * b[i];
      basis[i] = n + i;
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < cols; j++) {
        if (j < n || j == cols - 1) {
          t[m][j] -= t[i][j];
        }
      }
    }
  }

  /** The optimum, or {@code NaN} when infeasible, {@code -Infinity} when unbounded below. */
  static double minimize(double[][] a, double[] b, double[] c) {
    int m = a.length;
    int n = c.length;
    // tableau: m rows, columns = n originals + m artificials + rhs
    int cols = n + m + 1;
    double[][] t = new double[m + 1][cols];
    int[] basis = new int[m];
    phaseOne(a, b, n, t, basis);
    boolean[] allowed = new boolean[cols - 1];
    for (int j = 0; j < cols - 1; j++) {
      allowed[j] = true;
    }
    if (!run(t, basis, allowed)) {
      throw new IllegalStateException("phase one cannot be unbounded");
    }
    if (-t[m][cols - 1] > 1e-7) {
      return Double.NaN;
    }
    // drive artificials out of the basis; rows where that is impossible are redundant
    boolean[] dropRow = new boolean[m];
    for (int i = 0; i < m; i++) {
      if (basis[i] >= n) {
        int enter = -1;
        for (int j = 0; j < n; j++) {
          if (Math.abs(t[i][j]) > EPS) {
            enter = j;
            break;
          }
        }
        if (enter < 0) {
          dropRow[i] = true;
        } else {
          pivot(t, basis, i, enter);
        }
      }
    }
    for (int j = n; j < cols - 1; j++) {
      allowed[j] = false;
    }
    for (int i = 0; i < m; i++) {
      if (dropRow[i]) {
        java.util.Arrays.fill(t[i], 0);
        basis[i] = -1;
      }
    }
    // phase two objective
    java.util.Arrays.fill(t[m], 0);
    for (int j = 0; j < n; j++) {
      t[m][j] = c[j];
    }
    for (int i = 0; i < m; i++) {
      if (basis[i] >= 0 && basis[i] < n && c[basis[i]] != 0) {
        double f = c[basis[i]];
        for (int j = 0; j < cols; j++) {
          t[m][j] -= f * t[i][j];
        }
      }
    }
    if (!run(t, basis, allowed)) {
      return Double.NEGATIVE_INFINITY;
    }
    return -t[m][cols - 1];
  }

  /**
   * A feasible tableau of {@code A x = b, x >= 0} that answers many objectives: phase one runs
   * once; each objective starts from the basis the previous one ended in (still feasible), and
   * its reduced costs come from the row of the basic variable, so a unit objective costs only its
   * own pivots. {@link #minimize(double[], double)} may stop as soon as the objective reaches a
   * target, which is all a width test needs.
   */
  static final class Solver {
    private double[][] t;
    private final int[] basis;
    private boolean[] allowed;
    private final int n;
    final boolean feasible;

    Solver(double[][] a, double[] b) {
      int m = a.length;
      n = a.length == 0 ? 0 : a[0].length;
      int cols = n + m + 1;
      t = new double[m + 1][cols];
      basis = new int[m];
      phaseOne(a, b, n, t, basis);
      allowed = new boolean[cols - 1];
      java.util.Arrays.fill(allowed, true);
      if (!run(t, basis, allowed, Double.NEGATIVE_INFINITY, false)) {
        throw new IllegalStateException("phase one cannot be unbounded");
      }
      feasible = -t[m][cols - 1] <= 1e-7;
      for (int i = 0; i < m; i++) {
        if (basis[i] >= n) {
          int enter = -1;
          for (int j = 0; j < n; j++) {
            if (Math.abs(t[i][j]) > EPS) {
              enter = j;
              break;
            }
          }
          if (enter < 0) {
            java.util.Arrays.fill(t[i], 0);
            basis[i] = -1;
          } else {
            pivot(t, basis, i, enter);
          }
        }
      }
      // artificials never enter again: drop their columns, so pivots no longer update them (the
      // other columns, and so every later choice and value, are the same as with them)
      double[][] compact = new double[m + 1][n + 1];
      for (int i = 0; i <= m; i++) {
        System.arraycopy(t[i], 0, compact[i], 0, n);
        compact[i][n] = t[i][cols - 1];
      }
      t = compact;
      allowed = new boolean[n];
      java.util.Arrays.fill(allowed, true);
    }

    /**
     * Minimises {@code x[var] * sign}; stops early once the objective is at most {@code stopAt}
     * (returning that value). Returns {@code -Infinity} when unbounded below.
     */
    double minimizeVar(int var, double sign, double stopAt) {
      int m = basis.length;
      int cols = t[0].length;
      java.util.Arrays.fill(t[m], 0);
      int row = -1;
      for (int i = 0; i < m; i++) {
        if (basis[i] == var) {
          row = i;
          break;
        }
      }
      if (row < 0) {
        t[m][var] = sign;
      } else {
        for (int j = 0; j < cols; j++) {
          t[m][j] = -sign * t[row][j];
        }
        t[m][var] = 0;
      }
      if (-t[m][cols - 1] <= stopAt) {
        return -t[m][cols - 1];
      }
      if (!run(t, basis, allowed, stopAt, true)) {
        return Double.NEGATIVE_INFINITY;
      }
      return -t[m][cols - 1];
    }
  }

  /** Runs simplex iterations; false when unbounded. */
  private static boolean run(double[][] t, int[] basis, boolean[] allowed) {
    return run(t, basis, allowed, Double.NEGATIVE_INFINITY, false);
  }

  /** Runs simplex iterations, optionally stopping once the objective is at most {@code stopAt}. */
  private static boolean run(double[][] t, int[] basis, boolean[] allowed, double stopAt, boolean early) {
    int m = basis.length;
    int cols = t[0].length;
    for (int iter = 0; iter < 100_000; iter++) {
      if (early && -t[m][cols - 1] <= stopAt) {
        return true;
      }
      int enter = -1;
      for (int j = 0; j < cols - 1; j++) {
        if (allowed[j] && t[m][j] < -EPS) {
          enter = j; // Bland: lowest index
          break;
        }
      }
      if (enter < 0) {
        return true;
      }
      int leave = -1;
      double best = Double.POSITIVE_INFINITY;
      for (int i = 0; i < m; i++) {
        if (basis[i] >= 0 && t[i][enter] > EPS) {
          double ratio = t[i][cols - 1] / t[i][enter];
          if (leave < 0
              || ratio < best - EPS
              || (Math.abs(ratio - best) <= EPS && basis[i] < basis[leave])) {
            best = ratio;
            leave = i;
          }
        }
      }
      if (leave < 0) {
        return false;
      }
      pivot(t, basis, leave, enter);
    }
    throw new IllegalStateException("simplex did not terminate");
  }

  /**
   * Pivots on {@code (row, col)}. The tableau is sparse (each relation holds a few cells), so only
   * the non-zero columns of the pivot row are updated: for a zero entry {@code t[i][j] - f * 0}
   * equals {@code t[i][j]} (up to the sign of a zero, which no comparison sees), so the result is
   * the dense pivot's.
   */
  private static void pivot(double[][] t, int[] basis, int row, int col) {
    double[] r = t[row];
    double p = r[col];
    int cols = r.length;
    int[] nz = new int[cols];
    int k = 0;
    for (int j = 0; j < cols; j++) {
      if (r[j] != 0) {
        r[j] /= p;
        nz[k++] = j;
      }
    }
    for (int i = 0; i < t.length; i++) {
      if (i != row) {
        double[] ti = t[i];
        double f = ti[col];
        if (f != 0) {
          for (int q = 0; q < k; q++) {
            int j = nz[q];
            ti[j] -= f * r[j];
          }
        }
      }
    }
    basis[row] = col;
  }

  private Simplex() {}
}
