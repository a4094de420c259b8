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

  /**
   * The outcome: suppressed cells, reasons and the audited interval of every suppressed cell.
   * For components of up to 40 suppressed cells the interval is the attacker's exact one; for
   * larger ones it is an inner interval, refined only until it proves the minimum width.
   */
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

  /**
   * Protects the release with the given minimum cell size.
   *
   * <p>Cost: the complement fixpoint touches each relation once per change of one of its cells
   * (cell-to-relation index); the audit re-solves only the components that changed since the
   * previous round, and within a round every failing cell is widened unless an earlier widening
   * of the round already touched one of its relations (then it is re-audited first). Components
   * larger than {@link Audit#MAX_EXACT} are audited conservatively by neighbourhood (see {@link
   * Audit}), so no linear program grows with the size of the release.
   */
  public static Protection protect(Release r, int minCell) {
    if (minCell < 1) {
      throw new IllegalArgumentException("Cannot use minCell " + minCell + ": must be positive");
    }
    int n = r.size();
    Audit.Index ix = new Audit.Index(r);
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
    complementToFixpoint(r, ix, sup, reasons, null);
    double[] lo = new double[n];
    double[] hi = new double[n];
    for (int i = 0; i < n; i++) {
      lo[i] = hi[i] = r.value(i);
    }
    BitSet audited = new BitSet(n); // suppressed cells whose bounds are current
    int rounds = 0;
    BitSet withheld = new BitSet(n); // components published not at all (see below)
    while (true) {
      rounds++;
      List<List<Integer>> comps = Audit.components(r, ix, sup);
      java.util.Map<Integer, List<Integer>> compOf = new java.util.HashMap<>();
      for (List<Integer> comp : comps) {
        if (comp.size() > Audit.MAX_EXACT) {
          for (int c : comp) {
            compOf.put(c, comp);
          }
        }
      }
      for (List<Integer> comp : comps) {
        boolean stale = false;
        for (int c : comp) {
          if (!audited.get(c)) {
            stale = true;
            break;
          }
        }
        if (stale) {
          Audit.solveComponent(r, ix, sup, comp, lo, hi, minCell);
          for (int c : comp) {
            audited.set(c);
          }
        }
      }
      List<Integer> failing = new ArrayList<>();
      for (int i = sup.nextSetBit(0); i >= 0; i = sup.nextSetBit(i + 1)) {
        if (r.value(i) > 0 && !withheld.get(i) && hi[i] - lo[i] < minCell - 1e-6) {
          // a decomposed component's bounds are conservative: look wider before suppressing more
          List<Integer> comp = compOf.get(i);
          for (int size = 2 * Audit.MAX_EXACT; comp != null && hi[i] - lo[i] < minCell - 1e-6
              && size <= ESCALATE_MAX; size *= 2) {
            Audit.solveCell(r, ix, sup, comp, i, size, lo, hi, minCell);
          }
          if (hi[i] - lo[i] < minCell - 1e-6) {
            failing.add(i);
          }
        }
      }
      if (failing.isEmpty()) {
        return new Protection(r, minCell, sup, reasons, lo, hi, rounds);
      }
      BitSet touched = new BitSet(n); // cells sharing a relation with a cell suppressed this round
      BitSet before = (BitSet) sup.clone();
      for (int f : failing) {
        if (touched.get(f)) {
          continue;
        }
        int extra = widen(r, ix, sup, f);
        if (extra < 0 && compOf.containsKey(f)) {
          // everything around is suppressed: only the exact audit of the whole component can tell
          Audit.solveCell(r, ix, sup, compOf.get(f), f, Integer.MAX_VALUE, lo, hi, minCell);
          if (hi[f] - lo[f] >= minCell - 1e-6) {
            continue;
          }
        }
        if (extra < 0) {
          // Nothing left to suppress next to this cell and the audit still bounds it tightly (the
          // relations of small, inconsistent tables can do that). Never publish a weak release:
          // withhold every cell connected to it, so nothing of that component is published.
          BitSet comp = new BitSet(n);
          java.util.ArrayDeque<Integer> todo = new java.util.ArrayDeque<>(List.of(f));
          comp.set(f);
          while (!todo.isEmpty()) {
            int c = todo.pop();
            for (int k : ix.byCell[c]) {
              for (int d : ix.rels.get(k).cells()) {
                if (!comp.get(d)) {
                  comp.set(d);
                  todo.push(d);
                }
              }
            }
          }
          for (int c = comp.nextSetBit(0); c >= 0; c = comp.nextSetBit(c + 1)) {
            if (!sup.get(c)) {
              sup.set(c);
              reasons[c] = Reason.AUDIT;
            }
            withheld.set(c);
            touched.set(c);
          }
          continue;
        }
        sup.set(extra);
        reasons[extra] = Reason.AUDIT;
        List<Integer> added = new ArrayList<>(List.of(extra));
        complementToFixpoint(r, ix, sup, reasons, added);
        for (int c : added) {
          for (int k : ix.byCell[c]) {
            for (int d : ix.rels.get(k).cells()) {
              touched.set(d);
            }
          }
        }
      }
      // every component containing a newly suppressed cell is re-audited
      BitSet added = (BitSet) sup.clone();
      added.andNot(before);
      for (int c = added.nextSetBit(0); c >= 0; c = added.nextSetBit(c + 1)) {
        audited.clear(c);
      }
    }
  }

  /** Largest neighbourhood a failing cell of a decomposed component is re-audited with. */
  static final int ESCALATE_MAX = 2 * Audit.MAX_EXACT;

  static void complementToFixpoint(Release r, BitSet sup, Reason[] reasons) {
    complementToFixpoint(r, new Audit.Index(r), sup, reasons, null);
  }

  /**
   * Every equality relation with exactly one suppressed cell gets a complement, to a fixpoint.
   * Relations are swept in index order like a full pass over all of them, but a relation is only
   * looked at again when one of its cells was suppressed since (the outcome is the same as
   * repeated full passes). Newly suppressed cells are appended to {@code added} when not null.
   */
  static void complementToFixpoint(Release r, Audit.Index ix, BitSet sup, Reason[] reasons, List<Integer> added) {
    List<Release.Relation> rels = ix.rels;
    BitSet dirty = new BitSet(rels.size());
    if (added == null) {
      dirty.set(0, rels.size());
    } else {
      for (int c : added) {
        for (int k : ix.byCell[c]) {
          dirty.set(k);
        }
      }
    }
    while (!dirty.isEmpty()) {
      BitSet pass = dirty;
      dirty = new BitSet(rels.size());
      for (int k = pass.nextSetBit(0); k >= 0; k = pass.nextSetBit(k + 1)) {
        if (dirty.get(k)) {
          dirty.clear(k); // looked at now, later in the same pass, as a full sweep would
        }
        Release.Relation rel = rels.get(k);
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
        int pick;
        if (rel.preferTotal() && !sup.get(rel.total()) && !r.isStructuralZero(rel.total())) {
          pick = rel.total();
        } else {
          pick = cheapest(r, sup, cells);
        }
        if (pick >= 0) {
          sup.set(pick);
          reasons[pick] = Reason.COMPLEMENTARY;
          if (added != null) {
            added.add(pick);
          }
          for (int j : ix.byCell[pick]) {
            if (j > k) {
              pass.set(j); // later in this pass
            } else {
              dirty.set(j); // next pass
            }
          }
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
  static int widen(Release r, Audit.Index ix, BitSet sup, int cell) {
    // breadth-first over relations: first those containing the cell, then their neighbours
    BitSet seen = new BitSet(r.size());
    List<Integer> frontier = new ArrayList<>(List.of(cell));
    seen.set(cell);
    while (!frontier.isEmpty()) {
      BitSet touching = new BitSet(ix.rels.size());
      for (int c : frontier) {
        for (int k : ix.byCell[c]) {
          touching.set(k);
        }
      }
      List<Integer> candidates = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      for (int k = touching.nextSetBit(0); k >= 0; k = touching.nextSetBit(k + 1)) {
        for (int c : ix.rels.get(k).cells()) {
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
