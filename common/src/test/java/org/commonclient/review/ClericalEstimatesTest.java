package org.commonclient.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClericalEstimatesTest {
  @Test
  void wilsonIntervalMatchesTheTextbookValue() {
    ClericalEstimates.Interval i = ClericalEstimates.wilson(8, 10);
    assertEquals(0.8, i.value(), 1e-12);
    assertEquals(0.4902, i.low(), 1e-4, "Wilson 8/10 lower bound");
    assertEquals(0.9433, i.high(), 1e-4, "Wilson 8/10 upper bound");
    ClericalEstimates.Interval all = ClericalEstimates.wilson(20, 20);
    assertEquals(1.0, all.high(), 1e-12);
    assertTrue(all.low() < 0.9 && all.low() > 0.8, "20/20 is not certainty: " + all);
  }

  static List<ClericalEstimates.Label> labels(int stratum, double low, double high, long pairs, int n, int matches) {
    List<ClericalEstimates.Label> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ClericalEstimates.Label(stratum, low, high, pairs, i < matches));
    }
    return out;
  }

  @Test
  void strataAreExpandedToTheirPopulations() {
    List<ClericalEstimates.Label> l = new ArrayList<>();
    l.addAll(labels(0, Double.NEGATIVE_INFINITY, -6, 1000, 10, 0));
    l.addAll(labels(1, -6, 0, 100, 10, 2));
    l.addAll(labels(2, 0, 6, 50, 10, 8));
    l.addAll(labels(3, 6, Double.POSITIVE_INFINITY, 200, 10, 10));
    List<ClericalEstimates.Stratum> strata = ClericalEstimates.strata(l);
    List<ClericalEstimates.Stratum> all = new ArrayList<>(strata);
    all.add(new ClericalEstimates.Stratum(4, 100, 200, 7, 0, 0));
    ClericalEstimates.Estimate e = ClericalEstimates.estimate(strata, all, 0.0);
    // matches above: 50 * 0.8 + 200 * 1 = 240 of 250 pairs; below: 100 * 0.2 = 20
    assertEquals(240.0 / 250, e.precision().value(), 1e-12, "stratified precision");
    assertEquals(240.0 / 260, e.recall().value(), 1e-12, "stratified recall");
    assertEquals(260.0, e.estimatedMatches(), 1e-9);
    assertEquals(0.9, e.inSamplePrecision().value(), 1e-12, "in-sample 18 of 20");
    assertEquals(20, e.labelledAbove());
    assertEquals(7, e.unlabelledPairs(), "the stratum without labels is reported");
    // variance of the above total: 50^2 (1 - 10/50) 0.8 0.2 / 9; effective n = p(1-p)/var
    double var = 2500 * 0.8 * 0.8 * 0.2 / 9 / (250.0 * 250);
    double nEff = 0.96 * 0.04 / var;
    double z = ClericalEstimates.Z95;
    double centre = (0.96 + z * z / (2 * nEff)) / (1 + z * z / nEff);
    double half = z * Math.sqrt(0.96 * 0.04 / nEff + z * z / (4 * nEff * nEff)) / (1 + z * z / nEff);
    assertEquals(centre - half, e.precision().low(), 1e-9, "Wilson at the effective sample size (lower)");
    assertEquals(centre + half, e.precision().high(), 1e-9, "Wilson at the effective sample size (upper)");
    for (ClericalEstimates.Interval i : List.of(e.precision(), e.recall(), e.inSamplePrecision())) {
      assertTrue(0 <= i.low() && i.low() <= i.value() && i.value() <= i.high() && i.high() <= 1, i.toString());
    }
  }

  @Test
  void thresholdInsideAStratumIsRefused() {
    List<ClericalEstimates.Stratum> s = ClericalEstimates.strata(labels(2, 0, 6, 50, 10, 8));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClericalEstimates.estimate(s, s, 3.0));
    assertTrue(e.getMessage().contains("stratum 2"), e.getMessage());
  }

  @Test
  void mixedPopulationsOfOneStratumAreRefused() {
    List<ClericalEstimates.Label> l = new ArrayList<>(labels(1, 0, 6, 50, 2, 1));
    l.add(new ClericalEstimates.Label(1, 0, 6, 51, true));
    assertThrows(IllegalArgumentException.class, () -> ClericalEstimates.strata(l));
  }
}
