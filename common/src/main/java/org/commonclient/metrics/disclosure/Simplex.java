package org.commonclient.metrics.disclosure;

/**
 * A small dense two-phase simplex for {@code min c.x subject to A x = b, x >= 0}, enough for the
 * audit of suppressed cells (tens to a few hundred variables). Bland's rule prevents cycling;
 * redundant equality rows are dropped after phase one.
 */
final class Simplex {
  static final double EPS = 1e-9;

  /** The optimum, or {@code NaN} when infeasible, {@code -Infinity} when unbounded below. */
  static double minimize(double[][] a, double[] b, double[] c) {
    int m = a.length;
    int n = c.length;
    // tableau: m rows, columns = n originals + m artificials + rhs
    int cols = n + m + 1;
    double[][] t = new double[m + 1][cols];
    int[] basis = new int[m];
    for (int i = 0; i < m; i++) {
      double sign = b[i] < 0 ? -1 : 1;
      for (int j = 0; j < n; j++) {
        t[i][j] = sign * a[i][j];
      }
      t[i][n + i] = 1;
      t[i][cols - 1] = sign * b[i];
      basis[i] = n + i;
    }
    // phase one objective: minimise the sum of artificials (reduced costs in row m)
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < cols; j++) {
        if (j < n || j == cols - 1) {
          t[m][j] -= t[i][j];
        }
      }
    }
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

  /** Runs simplex iterations; false when unbounded. */
  private static boolean run(double[][] t, int[] basis, boolean[] allowed) {
    int m = basis.length;
    int cols = t[0].length;
    for (int iter = 0; iter < 100_000; iter++) {
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

  private static void pivot(double[][] t, int[] basis, int row, int col) {
    double p = t[row][col];
    int cols = t[0].length;
    for (int j = 0; j < cols; j++) {
      t[row][j] /= p;
    }
    for (int i = 0; i < t.length; i++) {
      if (i != row) {
        double f = t[i][col];
        if (f != 0) {
          for (int j = 0; j < cols; j++) {
            t[i][j] -= f * t[row][j];
          }
        }
      }
    }
    basis[row] = col;
  }

  private Simplex() {}
}
