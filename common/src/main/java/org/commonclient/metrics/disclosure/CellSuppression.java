package org.commonclient.metrics.disclosure;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Primary and complementary cell suppression with an LP audit (DOMAIN 4.1, 4.3).
 *
 * <ol>
 *   <li>Primary: every cell with a value in {@code 1..minCell-1} is suppressed; zero is published.
 *   <li>Complementary, to a fixpoint: every equality relation that contains a suppressed cell must
 *       contain at least two. The complement is the lowest-cost unsuppressed cell of the relation
 *       that is not a structural zero (cost = value, non-zero cells first, since suppressing a zero
 *       adds no uncertainty); relations marked {@code preferTotal} (school to district) take the
 *       total first.
 *   <li>Audit and repair: for each suppressed non-zero cell, the minimum and maximum it can take
 *       subject to the published cells, all relations and non-negativity are computed by linear
 *       programming ({@link Simplex}); while some cell's interval is narrower than {@code minCell}
 *       the cheapest unsuppressed cell sharing a relation with it is suppressed as well, and the
 *       audit runs again.
 * </ol>
 *
 * <p>The width requirement also applies to complementary cells (the issue asks it of "each
 * suppressed cell"); zero cells are exempt because a zero may be published anyway.
 */
public final class CellSuppression {
  /** Why a cell was suppressed. */
  public enum Reason {
    NONE,
    PRIMARY,
    COMPLEMENTARY,
    AUDIT
  }

  /** The outcome: suppressed cells, reasons and the audited interval of every suppressed cell. */
  public record Protection(
      Release release,
      int minCell,
      BitSet suppressed,
      Reason[] reasons,
      double[] lower,
      double[] upper,
      int auditRounds) {
    public boolean isSuppressed(int cell) {
      return suppressed.get(cell);
    }

    /** Width of the interval an attacker can derive for a suppressed cell (infinite if unbounded). */
    public double width(int cell) {
      return upper[cell] - lower[cell];
    }

    public int suppressedCount() {
      return suppressed.cardinality();
    }
  }

  private CellSuppression() {}

  /** Protects the release with the given minimum cell size. */
  public static Protection protect(Release r, int minCell) {
    if (minCell < 1) {
      throw new IllegalArgumentException("Cannot use minCell " + minCell + ": must be positive");
    }
    int n = r.size();
    BitSet sup = new BitSet(n);
    Reason[] reasons = new Reason[n];
    java.util.Arrays.fill(reasons, Reason.NONE);
    for (int i = 0; i < n; i++) {
      long v = r.value(i);
      if (v >= 1 && v < minCell) {
        sup.set(i);
        reasons[i] = Reason.PRIMARY;
      }
    }
    complementToFixpoint(r, sup, reasons);
    int rounds = 0;
    while (true) {
      rounds++;
      double[][] bounds = Audit.bounds(r, sup);
      int failing = -1;
      for (int i = sup.nextSetBit(0); i >= 0; i = sup.nextSetBit(i + 1)) {
        if (r.value(i) > 0 && bounds[1][i] - bounds[0][i] < minCell - 1e-6) {
          failing = i;
          break;
        }
      }
      if (failing < 0) {
        return new Protection(r, minCell, sup, reasons, bounds[0], bounds[1], rounds);
      }
      int extra = widen(r, sup, failing);
      if (extra < 0) {
        // nothing left to suppress around this cell; cannot happen for consistent releases since
        // a fully suppressed component is unbounded, but never publish a weak release
        throw new IllegalStateException(
            "Cannot protect cell " + r.key(failing) + ": no unsuppressed neighbour left");
      }
      sup.set(extra);
      reasons[extra] = Reason.AUDIT;
      complementToFixpoint(r, sup, reasons);
    }
  }

  static void complementToFixpoint(Release r, BitSet sup, Reason[] reasons) {
    boolean changed = true;
    while (changed) {
      changed = false;
      for (Release.Relation rel : r.relations()) {
        if (rel.kind() != Release.Kind.EQUAL) {
          continue;
        }
        int[] cells = rel.cells();
        int count = 0;
        for (int c : cells) {
          if (sup.get(c)) {
            count++;
          }
        }
        if (count != 1) {
          continue;
        }
        int pick = -1;
        if (rel.preferTotal() && !sup.get(rel.total()) && !r.isStructuralZero(rel.total())) {
          pick = rel.total();
        } else {
          pick = cheapest(r, sup, cells);
        }
        if (pick >= 0) {
          sup.set(pick);
          reasons[pick] = Reason.COMPLEMENTARY;
          changed = true;
        }
      }
    }
  }

  /** Lowest-cost unsuppressed candidate: non-zero before zero, then smallest value, then index. */
  static int cheapest(Release r, BitSet sup, int[] cells) {
    int best = -1;
    for (int c : cells) {
      if (sup.get(c) || r.isStructuralZero(c)) {
        continue;
      }
      if (best < 0 || better(r, c, best)) {
        best = c;
      }
    }
    return best;
  }

  private static boolean better(Release r, int a, int b) {
    long va = r.value(a);
    long vb = r.value(b);
    if ((va == 0) != (vb == 0)) {
      return va != 0;
    }
    return va != vb ? va < vb : a < b;
  }

  /** Chooses one more cell to suppress to widen the interval of {@code cell}; -1 if none. */
  static int widen(Release r, BitSet sup, int cell) {
    // breadth-first over relations: first those containing the cell, then their neighbours
    BitSet seen = new BitSet(r.size());
    List<Integer> frontier = new ArrayList<>(List.of(cell));
    seen.set(cell);
    while (!frontier.isEmpty()) {
      List<Integer> candidates = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      for (Release.Relation rel : r.relations()) {
        int[] cells = rel.cells();
        boolean touches = false;
        for (int c : cells) {
          if (frontier.contains(c)) {
            touches = true;
            break;
          }
        }
        if (!touches) {
          continue;
        }
        for (int c : cells) {
          if (!sup.get(c) && !r.isStructuralZero(c)) {
            candidates.add(c);
          }
          if (!seen.get(c)) {
            seen.set(c);
            next.add(c);
          }
        }
      }
      int[] arr = candidates.stream().mapToInt(Integer::intValue).toArray();
      int pick = cheapest(r, sup, arr);
      if (pick >= 0 && r.value(pick) > 0) {
        return pick;
      }
      frontier = next;
    }
    return -1;
  }
}
