package org.commonclient.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Size benchmark, skipped unless {@code -Dbench.people=N} is given (output in
 * {@code -Dbench.out}, default {@code target/bench-sample}). Prints the run summary.
 */
class GeneratorBenchTest {
  @Test
  @EnabledIfSystemProperty(named = "bench.people", matches = "\\d+")
  void generateAtScale() {
    long n = Long.parseLong(System.getProperty("bench.people"));
    String out = System.getProperty("bench.out", Path.of("target", "bench-sample").toString());
    GenerateResult r = Generator.run(GenerateConfig.defaults().withPeople(n).withOut(out));
    System.out.print(r.summary());
    System.out.printf("maxHeapMB=%d usedHeapMB=%d%n", Runtime.getRuntime().maxMemory() >> 20,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    assertEquals(n, r.people(), "people");
  }
}
