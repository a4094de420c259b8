package org.commonclient.generate;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.commonclient.generate.Model.Household;

/**
 * The statewide sample generator: a synthetic population of low-income households and the
 * extracts the state's agencies would send about them, each in the agency's own layout and with
 * realistic record errors, plus the ground truth kept apart.
 *
 * <p>Output below {@code cfg.out()}: {@code extracts/<file>.csv} per source (see
 * {@code conf/sources/*.conf}) and {@code truth/truth.csv} ({@code source,record_id,person_id} for
 * every record of every person source) and {@code truth/persons.csv} (true attributes per person).
 *
 * <p>Streaming and deterministic: households are generated one at a time, each from its own
 * random generator derived from (seed, household index), and every record is written at once, so
 * memory does not grow with the population and the same seed and size give byte-identical files.
 */
public final class Generator {
  private Generator() {}

  /** Runs the generator with the given settings. */
  public static GenerateResult run(GenerateConfig cfg) {
    long t0 = System.nanoTime();
    Path out = Path.of(cfg.out());
    int n = ErrorKind.values().length;
    long[] errors = new long[n];
    long[] opportunities = new long[n];
    Geography geo = new Geography(cfg.state(), cfg.people());
    Population pop = new Population(cfg, geo, errors, opportunities);
    Noise noise = new Noise(cfg, errors, opportunities);
    long households = 0;
    long people = 0;
    Map<String, Long> records;
    Map<String, Long> bytes;
    try (Sinks sinks = new Sinks(out)) {
      Emitter emitter = new Emitter(cfg, geo, noise, sinks, pop.windowStart, pop.windowEnd);
      while (people < cfg.people()) {
        SplittableRandom r = new SplittableRandom(householdSeed(cfg.seed(), households));
        Household h = pop.build(r, households, people, cfg.people() - people);
        emitter.emit(h, r);
        people += h.members.size();
        households++;
      }
      records = sinks.recordsPerSource();
      sinks.close();
      bytes = sinks.bytesPerFile(out);
    }
    Map<ErrorKind, Long> err = new EnumMap<>(ErrorKind.class);
    Map<ErrorKind, Long> opp = new EnumMap<>(ErrorKind.class);
    for (ErrorKind k : ErrorKind.values()) {
      err.put(k, errors[k.ordinal()]);
      opp.put(k, opportunities[k.ordinal()]);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new GenerateResult(people, households, records, err, opp, bytes, seconds);
  }

  /**
   * Helper for the command line: reads {@code commonclient.generate} from a resolved root config
   * and applies the given overrides (null = keep the configured value).
   */
  public static GenerateResult run(Config root, Long people, String out, Long seed) {
    GenerateConfig cfg = GenerateConfig.from(root);
    if (people != null) {
      cfg = cfg.withPeople(people);
    }
    if (out != null) {
      cfg = cfg.withOut(out);
    }
    if (seed != null) {
      cfg = cfg.withSeed(seed);
    }
    return run(cfg);
  }

  /** The seed of household {@code index}: SplitMix64 finalizer of the master seed and index. */
  static long householdSeed(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + (index + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
