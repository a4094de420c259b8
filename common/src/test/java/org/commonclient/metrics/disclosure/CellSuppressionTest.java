package org.commonclient.metrics.disclosure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class CellSuppressionTest {

  /**
   * 2x2 table with margins:
   *
   * <pre>
   *        c1   c2 | total
   *   A     3   20 |   23
   *   B    15   30 |   45
   *   ---------------------
   *        18   50 |   68
   * </pre>
   *
   * Naive primary suppression hides only A/c1 = 3, which is recovered as 23 - 20. Worked by hand:
   * row A needs a complement, the cheapest is A/c2 = 20 (cheaper than the total 23); column c1
   * takes B/c1 = 15; then row B has one suppressed cell and takes B/c2 = 30; column c2 then has
   * two. The four interior cells move together by k with 3+k, 20-k, 15-k, 30+k >= 0, so
   * k in [-3, 15] and A/c1 lies in [0, 18]: width 18 >= 11.
   */
  @Test
  void complementarySuppressionDefeatsSubtraction() {
    Release r = new Release();
    int a1 = r.cell("A,c1", 3);
    int a2 = r.cell("A,c2", 20);
    int b1 = r.cell("B,c1", 15);
    int b2 = r.cell("B,c2", 30);
    int a = r.cell("A,total", 23);
    int b = r.cell("B,total", 45);
    int c1 = r.cell("total,c1", 18);
    int c2 = r.cell("total,c2", 50);
    int t = r.cell("total,total", 68);
    r.equal(a, a1, a2);
    r.equal(b, b1, b2);
    r.equal(c1, a1, b1);
    r.equal(c2, a2, b2);
    r.equal(t, a, b);
    r.equal(t, c1, c2);

    // naive primary suppression alone is undone by subtraction
    BitSet naive = new BitSet();
    naive.set(a1);
    double[][] naiveBounds = Audit.bounds(r, naive);
    assertEquals(3.0, naiveBounds[0][a1], 1e-9, "naive: lower bound recovers the cell");
    assertEquals(3.0, naiveBounds[1][a1], 1e-9, "naive: upper bound recovers the cell");

    CellSuppression.Protection p = CellSuppression.protect(r, 11);
    BitSet expected = new BitSet();
    expected.set(a1);
    expected.set(a2);
    expected.set(b1);
    expected.set(b2);
    assertEquals(expected, p.suppressed(), "the four interior cells, margins published");
    assertEquals(CellSuppression.Reason.PRIMARY, p.reasons()[a1]);
    assertEquals(CellSuppression.Reason.COMPLEMENTARY, p.reasons()[b2]);
    assertEquals(0.0, p.lower()[a1], 1e-9, "A/c1 lower bound");
    assertEquals(18.0, p.upper()[a1], 1e-9, "A/c1 upper bound");
    assertEquals(20.0 - 15, p.lower()[a2], 1e-9, "A/c2 lower bound = 20 - 15");
    assertEquals(23.0, p.upper()[a2], 1e-9, "A/c2 upper bound = row total");
    for (int i = p.suppressed().nextSetBit(0); i >= 0; i = p.suppressed().nextSetBit(i + 1)) {
      assertTrue(p.width(i) >= 11, "width of " + r.key(i) + " = " + p.width(i));
    }
  }

  /**
   * Row 30 = 2 + 4 + 24: both small cells are primary; each equality already has two suppressed
   * cells, but 2 + 4 = 6 is known, so each lies in [0, 6] (width 6 < 11). The audit suppresses the
   * cheapest unsuppressed cell of the relation, the part 24 (cheaper than the total 30), after which
   * each cell lies in [0, 30].
   */
  @Test
  void auditWidensWhenTwoSmallCellsProtectEachOtherOnly() {
    Release r = new Release();
    int x = r.cell("x", 2);
    int y = r.cell("y", 4);
    int z = r.cell("z", 24);
    int t = r.cell("t", 30);
    r.equal(t, x, y, z);
    CellSuppression.Protection p = CellSuppression.protect(r, 11);
    assertTrue(p.isSuppressed(z), "z suppressed by the audit");
    assertEquals(CellSuppression.Reason.AUDIT, p.reasons()[z]);
    assertFalse(p.isSuppressed(t), "total stays published");
    assertEquals(30.0, p.upper()[x], 1e-9);
    assertEquals(0.0, p.lower()[x], 1e-9);
    assertEquals(0.0, p.lower()[z], 1e-9, "z can absorb nothing: x + y may reach 30");
    assertEquals(30.0, p.upper()[z], 1e-9, "z at most the total");
  }

  /** Two categories with one small: both suppressed, the total kept (Wisconsin DPI). */
  @Test
  void twoCategoryFactorKeepsTotal() {
    Release r = new Release();
    int f = r.cell("F", 5);
    int m = r.cell("M", 40);
    int all = r.cell("all", 45);
    r.equal(all, f, m);
    CellSuppression.Protection p = CellSuppression.protect(r, 11);
    assertTrue(p.isSuppressed(f) && p.isSuppressed(m), "both categories suppressed");
    assertFalse(p.isSuppressed(all), "total kept");
    assertEquals(45.0, p.width(f), 1e-9);
  }

  /** School to district: prefer suppressing the district total over a second school. */
  @Test
  void hierarchyPrefersDistrictTotal() {
    Release r = new Release();
    int s1 = r.cell("s1", 4);
    int s2 = r.cell("s2", 12);
    int s3 = r.cell("s3", 50);
    int d = r.cell("district", 66);
    r.equalPreferTotal(d, s1, s2, s3);
    CellSuppression.Protection p = CellSuppression.protect(r, 11);
    assertTrue(p.isSuppressed(d), "district total suppressed");
    assertFalse(p.isSuppressed(s2), "second school kept");
    assertTrue(Double.isInfinite(p.upper()[s1]), "s1 unbounded above once the total is hidden");
  }

  /** Structural zeros are never complements, ordinary zeros are published. */
  @Test
  void zerosArePublishedAndStructuralZerosNeverComplement() {
    Release r = new Release();
    int a = r.cell("a", 3);
    int z = r.cell("z", 0, true);
    int b = r.cell("b", 12);
    int t = r.cell("t", 15);
    r.equal(t, a, z, b);
    CellSuppression.Protection p = CellSuppression.protect(r, 11);
    assertFalse(p.isSuppressed(z), "structural zero not suppressed");
    assertTrue(p.isSuppressed(b), "b is the complement");
  }
}
