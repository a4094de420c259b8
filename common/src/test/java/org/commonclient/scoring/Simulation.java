package org.commonclient.scoring;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Simulates comparison vectors from known m, u, lambda and null rates (test helper). */
final class Simulation {
  static final Map<String, double[]> M = new LinkedHashMap<>();
  static final Map<String, double[]> U = new LinkedHashMap<>();
  static final Map<String, Double> NULL_RATE = new LinkedHashMap<>();

  static {
    M.put("first_name", new double[] {0.05, 0.15, 0.80});
    U.put("first_name", new double[] {0.85, 0.12, 0.03});
    NULL_RATE.put("first_name", 0.05);
    M.put("last_name", new double[] {0.10, 0.10, 0.20, 0.60});
    U.put("last_name", new double[] {0.90, 0.06, 0.03, 0.01});
    NULL_RATE.put("last_name", 0.10);
    M.put("sex", new double[] {0.10, 0.90});
    U.put("sex", new double[] {0.55, 0.45});
    NULL_RATE.put("sex", 0.0);
    M.put("dob", new double[] {0.05, 0.25, 0.70});
    U.put("dob", new double[] {0.70, 0.25, 0.05});
    NULL_RATE.put("dob", 0.20);
  }

  private Simulation() {}

  /** One row per pair: gammas in the order of M's keys, and the last entry 1 = match, 0 = not. */
  static List<int[]> pairs(int n, double lambda, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>(n);
    List<String> names = new ArrayList<>(M.keySet());
    for (int i = 0; i < n; i++) {
      boolean match = rnd.nextDouble() < lambda;
      int[] g = new int[names.size() + 1];
      for (int c = 0; c < names.size(); c++) {
        String name = names.get(c);
        if (rnd.nextDouble() < NULL_RATE.get(name)) {
          g[c] = -1;
          continue;
        }
        double[] p = match ? M.get(name) : U.get(name);
        double x = rnd.nextDouble();
        int level = 0;
        double acc = p[0];
        while (x >= acc && level < p.length - 1) {
          level++;
          acc += p[level];
        }
        g[c] = level;
      }
      g[names.size()] = match ? 1 : 0;
      out.add(g);
    }
    return out;
  }

  static List<PatternCount> patterns(List<int[]> pairs) {
    Map<String, long[]> counts = new HashMap<>();
    Map<String, int[]> keys = new HashMap<>();
    for (int[] p : pairs) {
      int[] g = java.util.Arrays.copyOf(p, p.length - 1);
      String k = java.util.Arrays.toString(g);
      counts.computeIfAbsent(k, x -> new long[1])[0]++;
      keys.put(k, g);
    }
    List<PatternCount> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      out.add(new PatternCount(keys.get(e.getKey()), e.getValue()[0]));
    }
    return out;
  }

  static Map<String, Integer> levels() {
    Map<String, Integer> out = new LinkedHashMap<>();
    M.forEach((k, v) -> out.put(k, v.length));
    return out;
  }
}
