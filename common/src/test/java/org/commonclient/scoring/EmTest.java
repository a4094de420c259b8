package org.commonclient.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** EM on simulated comparison vectors (plain Java, no Spark). */
class EmTest {
  private static final double LAMBDA = 0.2;

  private static void assertRecovered(FellegiSunterModel model, boolean checkU) {
    assertEquals(LAMBDA, model.lambda(), 0.01, "lambda");
    for (String c : Simulation.M.keySet()) {
      double[] m = model.comparison(c).m();
      double[] u = model.comparison(c).u();
      for (int g = 0; g < m.length; g++) {
        assertEquals(Simulation.M.get(c)[g], m[g], 0.02, "m of " + c + " level " + g);
        if (checkU) {
          assertEquals(Simulation.U.get(c)[g], u[g], 0.02, "u of " + c + " level " + g);
        }
      }
    }
  }

  @Test
  void recoversMAndLambdaWithUFixedFromAPoorStart() {
    List<PatternCount> patterns = Simulation.patterns(Simulation.pairs(40_000, LAMBDA, 7));
    FellegiSunterModel start = FellegiSunterModel.initial(Simulation.levels(), 0.5);
    for (String c : Simulation.U.keySet()) {
      start = start.withU(c, Simulation.U.get(c), true);
    }
    EmResult r = Em.train(patterns, start, EmSettings.defaults().withMaxIterations(200));
    assertTrue(r.converged(), "EM converged; history " + r.history().size());
    assertRecovered(r.model(), true);
    for (String c : Simulation.U.keySet()) {
      assertTrue(
          java.util.Arrays.equals(Simulation.U.get(c), r.model().comparison(c).u()),
          "fixed u of " + c + " untouched");
    }
    // the log-likelihood never decreases under EM
    for (int i = 1; i < r.history().size(); i++) {
      assertTrue(
          r.history().get(i).logLikelihood() >= r.history().get(i - 1).logLikelihood() - 1e-6,
          "log-likelihood non-decreasing at iteration " + i);
    }
    assertEquals(40_000, r.pairCount(), "pairs");
  }

  @Test
  void recoversMUAndLambdaAllFree() {
    List<PatternCount> patterns = Simulation.patterns(Simulation.pairs(40_000, LAMBDA, 11));
    FellegiSunterModel start = FellegiSunterModel.initial(Simulation.levels(), 0.5);
    EmResult r =
        Em.train(patterns, start, EmSettings.defaults().withFixU(false).withMaxIterations(500));
    assertTrue(r.converged(), "EM converged after " + r.iterations());
    assertRecovered(r.model(), true);
  }

  @Test
  void fixedParametersStayAndOthersShareTheRest() {
    List<PatternCount> patterns = Simulation.patterns(Simulation.pairs(20_000, LAMBDA, 3));
    FellegiSunterModel start =
        FellegiSunterModel.initial(Simulation.levels(), 0.3)
            .withM("sex", 1, 0.9, true)
            .withLambda(0.25, true);
    EmResult r = Em.train(patterns, start, EmSettings.defaults().withFixU(false));
    assertEquals(0.9, r.model().comparison("sex").m()[1], 1e-12, "fixed m");
    assertEquals(0.1, r.model().comparison("sex").m()[0], 1e-9, "free m takes the rest");
    assertEquals(0.25, r.model().lambda(), 0.0, "fixed lambda");
  }

  @Test
  void nullLevelIsIgnoredAndUnobservedLevelsWarn() {
    // comparison b is null for every pair: it must not move and must not affect a
    List<PatternCount> patterns =
        List.of(
            new PatternCount(new int[] {2, -1}, 300),
            new PatternCount(new int[] {0, -1}, 700));
    java.util.Map<String, Integer> levels = new java.util.LinkedHashMap<>();
    levels.put("a", 3);
    levels.put("b", 2);
    FellegiSunterModel start = FellegiSunterModel.initial(levels, 0.3);
    EmResult r = Em.train(patterns, start, EmSettings.defaults().withFixU(false).withMaxIterations(50));
    assertTrue(
        java.util.Arrays.equals(start.comparison("b").m(), r.model().comparison("b").m()),
        "all-null comparison unchanged");
    assertFalse(r.warnings().isEmpty(), "warnings about unobserved levels");
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.contains("Level 1 of comparison a")),
        "warning names level 1 of a: " + r.warnings());
    assertEquals(1e-6, r.model().comparison("a").m()[1], 1e-9, "floored, not zero");
  }

  @Test
  void impliedOverallPrior() {
    List<PatternCount> patterns = Simulation.patterns(Simulation.pairs(10_000, LAMBDA, 5));
    FellegiSunterModel start = FellegiSunterModel.initial(Simulation.levels(), 0.5);
    for (String c : Simulation.U.keySet()) {
      start = start.withU(c, Simulation.U.get(c), true);
    }
    long total = 1_000_000_000L;
    EmResult r = Em.train(patterns, start, EmSettings.defaults().withTotalPairCount(total));
    double expected = r.model().lambda() * 10_000 / total;
    assertEquals(expected, r.impliedOverallPrior().getAsDouble(), 1e-15, "implied prior");
    assertEquals(
        Double.toString(expected),
        r.model().metadata().get("em.impliedOverallPrior"),
        "implied prior in metadata");
  }

  @Test
  void excludedComparisonsAreIgnoredAndSessionsAverage() {
    List<PatternCount> a = Simulation.patterns(Simulation.pairs(30_000, LAMBDA, 31));
    List<PatternCount> b = Simulation.patterns(Simulation.pairs(30_000, LAMBDA, 32));
    FellegiSunterModel start = FellegiSunterModel.initial(Simulation.levels(), 0.5);
    for (String c : Simulation.U.keySet()) {
      start = start.withU(c, Simulation.U.get(c), true);
    }
    EmResult one =
        Em.train(a, start, EmSettings.defaults().withExcludedComparisons(java.util.Set.of("dob")));
    assertTrue(
        java.util.Arrays.equals(start.comparison("dob").m(), one.model().comparison("dob").m()),
        "excluded comparison untouched");
    assertEquals(LAMBDA, one.model().lambda(), 0.015, "lambda from the other comparisons");
    Em.SessionsResult both =
        Em.trainSessions(
            List.of(
                new Em.Session("no dob", a, java.util.Set.of("dob")),
                new Em.Session("no last_name", b, java.util.Set.of("last_name"))),
            start,
            EmSettings.defaults());
    double[] lnA = both.sessions().get("no dob").model().comparison("last_name").m();
    assertTrue(
        java.util.Arrays.equals(lnA, both.model().comparison("last_name").m()),
        "last_name m from the only session that estimated it");
    double[] fa = both.sessions().get("no dob").model().comparison("first_name").m();
    double[] fb = both.sessions().get("no last_name").model().comparison("first_name").m();
    for (int g = 0; g < fa.length; g++) {
      assertEquals((fa[g] + fb[g]) / 2, both.model().comparison("first_name").m()[g], 1e-12, "mean m");
      assertEquals(Simulation.M.get("first_name")[g], both.model().comparison("first_name").m()[g], 0.02);
    }
    for (int g = 0; g < 3; g++) {
      assertEquals(Simulation.M.get("dob")[g], both.model().comparison("dob").m()[g], 0.02, "dob m");
    }
  }
}
