package org.commonclient.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FellegiSunterModelTest {
  static FellegiSunterModel handModel() {
    Map<String, double[]> m = new LinkedHashMap<>();
    Map<String, double[]> u = new LinkedHashMap<>();
    m.put("last_name", new double[] {0.1, 0.2, 0.7});
    u.put("last_name", new double[] {0.8, 0.15, 0.05});
    m.put("dob", new double[] {0.2, 0.8});
    u.put("dob", new double[] {0.9, 0.1});
    return FellegiSunterModel.of(0.01, m, u);
  }

  @Test
  void matchWeightByHand() {
    FellegiSunterModel model = handModel();
    double prior = Math.log(0.01 / 0.99) / Math.log(2);
    assertEquals(prior + Math.log(0.7 / 0.05) / Math.log(2) + 3.0, model.matchWeight(2, 1), 1e-12);
    assertEquals(prior + Math.log(0.2 / 0.9) / Math.log(2), model.matchWeight(-1, 0), 1e-12);
    assertEquals(0.5, FellegiSunterModel.probabilityFromWeight(0.0), 1e-15);
    assertEquals(Math.log(99) / Math.log(2), FellegiSunterModel.weightFromProbability(0.99), 1e-12);
  }

  @Test
  void jsonRoundTripIsExact(@TempDir Path dir) throws Exception {
    FellegiSunterModel model =
        handModel()
            .withM("dob", 1, 0.8, true)
            .withU("last_name", 2, 0.05, true)
            .withMetadata("note", "quote \" and \\ and\nnewline");
    FellegiSunterModel back = FellegiSunterModel.fromJson(model.toJson());
    assertEquals(model, back, "round trip via string");
    Path f = dir.resolve("model.json");
    ModelStore.saveJson(model, f);
    assertEquals(model, ModelStore.loadJson(f), "round trip via file");
    assertEquals(model.toJson(), Files.readString(f), "file content is the JSON");
  }

  @Test
  void rejectsBadModels() {
    assertThrows(IllegalArgumentException.class, () -> handModel().withLambda(1.0, false));
    assertThrows(IllegalArgumentException.class, () -> handModel().withM("dob", 0, 1.5, false));
    assertThrows(IllegalArgumentException.class, () -> FellegiSunterModel.fromJson("{\"formatVersion\": 2}"));
    assertThrows(IllegalArgumentException.class, () -> FellegiSunterModel.fromJson("{"));
  }
}
