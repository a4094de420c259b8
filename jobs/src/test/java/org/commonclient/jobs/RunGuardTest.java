package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.commonclient.io.RunLock;
import org.junit.jupiter.api.Test;

/** The stage lines and the exit code of a refused run (plain Java). */
class RunGuardTest {
  @Test
  void stageLinesCarryRunCountsAndSeconds() {
    assertEquals("stage link started (run r1)", RunGuard.startLine("link", "r1"));
    assertEquals("stage link started", RunGuard.startLine("link", null));
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("records", 1200L);
    counts.put("persons", 800L);
    assertEquals("stage link done in 12.3 s: records=1200 persons=800", RunGuard.doneLine("link", 12.34, counts));
    assertEquals("stage metrics done in 0.0 s", RunGuard.doneLine("metrics", 0.01, Map.of()));
  }

  @Test
  void lockHeldMapsToItsOwnExitCode() {
    RunLock.Owner holder = new RunLock.Owner("other", "host", 1, 0, "pipeline");
    assertEquals(ExitCodes.LOCKED, ExitCodes.codeFor(new RunLock.LockHeldException("/x/pipeline.lock", holder)));
    assertEquals(ExitCodes.LOCKED, ExitCodes.codeFor(new RuntimeException(new RunLock.LockHeldException("/x", null))));
    assertEquals(4, ExitCodes.LOCKED);
    assertEquals(ExitCodes.FAILURE, ExitCodes.codeFor(new IllegalStateException("boom")));
  }

  @Test
  void failureMessagesAreOneLine() {
    assertEquals("IllegalStateException: first line", RunGuard.describe(new IllegalStateException("first line\nsecond")));
    assertEquals("NullPointerException", RunGuard.describe(new NullPointerException()));
  }
}
