package org.commonclient.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lock on the local file system (through Hadoop's FileSystem API, as on HDFS). */
class RunLockTest {
  @TempDir Path dir;
  static final Duration STALE = Duration.ofMinutes(30);

  String lock() {
    return dir.resolve("_locks/pipeline.lock").toString();
  }

  @Test
  void secondAcquireIsRefusedNamingTheHolderAndReleaseFreesIt() throws Exception {
    try (RunLock a = RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("run-a", "pipeline"), STALE)) {
      String text = Files.readString(Path.of(lock()));
      assertTrue(text.contains("run_id=run-a") && text.contains("pid=" + ProcessHandle.current().pid()), text);
      var e = assertThrows(RunLock.LockHeldException.class,
          () -> RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("run-b", "pipeline"), STALE));
      assertEquals("run-a", e.holder().orElseThrow().runId());
      assertTrue(e.getMessage().contains("run-a"), e.getMessage());
    }
    assertFalse(Files.exists(Path.of(lock())), "released");
    try (RunLock b = RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("run-b", "pipeline"), STALE)) {
      assertEquals("run-b", b.owner().runId());
    }
  }

  @Test
  void onlyOneOfManyConcurrentTakersWins() throws Exception {
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RunLock>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "run-" + i;
      fs.add(pool.submit(() -> {
        go.await();
        try {
          return RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self(id, "pipeline"), STALE);
        } catch (RunLock.LockHeldException e) {
          return null;
        }
      }));
    }
    go.countDown();
    List<RunLock> won = new ArrayList<>();
    for (Future<RunLock> f : fs) {
      if (f.get() != null) {
        won.add(f.get());
      }
    }
    pool.shutdown();
    assertEquals(1, won.size(), "exactly one taker holds the lock");
    won.get(0).close();
  }

  @Test
  void lockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long deadPid = p.pid();
    Files.createDirectories(Path.of(lock()).getParent());
    Files.writeString(Path.of(lock()), new RunLock.Owner("dead-run", RunLock.hostName(), deadPid,
        System.currentTimeMillis(), "pipeline").render());
    try (RunLock l = RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("next-run", "pipeline"), STALE)) {
      assertTrue(Files.readString(Path.of(lock())).contains("run_id=next-run"));
    }
    try (var files = Files.list(Path.of(lock()).getParent())) {
      assertEquals(0, files.count(), "no stale copies or temporary files are left");
    }
  }

  @Test
  void stalenessRules() {
    long now = 1_000_000_000L;
    RunLock.Owner here = new RunLock.Owner("r", "this-host", 42, now - 5_000, "pipeline");
    // same host: alive (started before the lock) -> held however old; dead -> stale; pid reused later -> stale
    assertFalse(RunLock.isStale(here, now - 5_000, STALE, "this-host", now + STALE.toMillis() * 10, pid -> now - 60_000));
    assertTrue(RunLock.isStale(here, now, STALE, "this-host", now, pid -> -1L));
    assertTrue(RunLock.isStale(here, now, STALE, "this-host", now, pid -> now));
    // other host: by the newest of start and heartbeat
    RunLock.Owner there = new RunLock.Owner("r", "other-host", 42, now - STALE.toMillis() * 3, "pipeline");
    assertFalse(RunLock.isStale(there, now - 60_000, STALE, "this-host", now, pid -> -1L), "heartbeat a minute ago");
    assertTrue(RunLock.isStale(there, now - STALE.toMillis() - 1, STALE, "this-host", now, pid -> -1L), "no heartbeat for staleAfter");
    // unreadable owner: only by age
    assertFalse(RunLock.isStale(null, now - 1000, STALE, "this-host", now, pid -> -1L));
    assertTrue(RunLock.isStale(null, now - STALE.toMillis() - 1, STALE, "this-host", now, pid -> -1L));
  }

  @Test
  void releaseLeavesAnotherOwnersLockAlone() throws Exception {
    RunLock a = RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("run-a", "pipeline"), STALE);
    // an operator removed the lock and another run took it
    Files.delete(Path.of(lock()));
    try (RunLock b = RunLock.acquire(new Configuration(), lock(), RunLock.Owner.self("run-b", "pipeline"), STALE)) {
      a.close();
      assertTrue(Files.readString(Path.of(lock())).contains("run_id=run-b"), "run-b keeps its lock");
    }
  }

  @Test
  void ownerRoundTrip() {
    RunLock.Owner o = new RunLock.Owner("20260101T000000Z-abc", "host-1", 123, 456789, "commonclient pipeline");
    assertEquals(o, RunLock.Owner.parse(o.render()).orElseThrow());
    assertTrue(RunLock.Owner.parse("run_id=x\nhost=").isEmpty(), "half-written content is unreadable, not an error");
  }
}
