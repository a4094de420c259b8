package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pipeline on a real Spark standalone cluster: {@code scripts/local-cluster.sh} starts a
 * master and two workers (1 core, 1g each) on 127.0.0.1 from this build's jars, and
 * {@code scripts/submit.sh} submits the job jar to it (client mode: the driver is the SparkSubmit
 * JVM, executors are JVMs the workers start). The cluster's tables must equal those of the local
 * reference run: the crosswalk up to person-id relabelling, every metric table exactly. Then one
 * worker and its executor are killed with SIGKILL while the link job runs; the job must complete
 * on the remaining worker with the same output.
 */
@Tag("ops")
@ExtendWith(SparkExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPipelineTest {
  private Path clusterDir;
  private Map<String, String> env;
  private String master;
  private Thread stopHook;

  @BeforeAll
  void startCluster() throws Exception {
    OpsFixture.reference(); // the local run to compare with (in this JVM, before the cluster competes for the cores)
    clusterDir = OpsFixture.base().resolve("cluster");
    int port = OpsFixture.freePort();
    env = new HashMap<>();
    env.put("CC_CLUSTER_DIR", clusterDir.toString());
    env.put("CC_CLASSPATH", OpsFixture.dependencyJars());
    env.put("CC_MASTER_PORT", String.valueOf(port));
    env.put("CC_MASTER_UI_PORT", String.valueOf(OpsFixture.freePort()));
    env.put("CC_JOB_JAR", OpsFixture.jobJar().toString());
    stopHook = new Thread(this::stopCluster);
    Runtime.getRuntime().addShutdownHook(stopHook); // never leave the daemons behind
    long t0 = System.nanoTime();
    Path log = clusterDir.resolveSibling("cluster-start.log");
    Files.createDirectories(clusterDir);
    Process p = OpsFixture.script(log, env, "scripts/local-cluster.sh", "start").start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "cluster start finished");
    assertEquals(0, p.exitValue(), OpsFixture.read(log));
    master = Files.readString(clusterDir.resolve("master.url")).trim();
    System.out.printf("cluster: %s up in %.1f s%n", master, (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  void stopCluster() {
    if (clusterDir == null) {
      return;
    }
    try {
      Process p = OpsFixture.script(clusterDir.resolveSibling("cluster-stop.log"), env, "scripts/local-cluster.sh", "stop").start();
      p.waitFor(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("could not stop the test cluster: " + e);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopHook);
    } catch (IllegalStateException e) {
      // shutting down
    }
  }

  private Process submit(Path log, Path conf, String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("scripts/submit.sh", "--master", master, "--config", conf.toString(),
        "--driver-memory", "1g", "--executor-memory", "1g", "--total-executor-cores", "2",
        // tasks start on whichever executor is free (the default waits up to 3 s per task for a
        // "local" one: data locality means nothing with both workers on one host), and the
        // executors of a short test compile with C1 only, as the driver and the test JVMs do (with
        // C1 only the JVM reserves a 48 MB code cache, which a pipeline run can fill: the code
        // cache then gives out with "Out of space in CodeCache for method handle intrinsic")
        "--conf", "spark.locality.wait=0s",
        "--conf", "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:-DontCompileHugeMethods"));
    args.addAll(List.of(command));
    Map<String, String> e = new HashMap<>(env);
    e.put("CC_CLASSPATH", OpsFixture.dependencyJars());
    e.put("CC_DRIVER_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:-DontCompileHugeMethods");
    return OpsFixture.script(log, e, args.toArray(String[]::new)).start();
  }

  @Test
  @Order(1)
  void pipelineOnTheClusterMatchesTheLocalRun(SparkSession spark) throws Exception {
    Path ref = OpsFixture.reference();
    Path root = OpsFixture.base().resolve("on-cluster");
    Path log = OpsFixture.base().resolve("on-cluster-driver.log");
    long t0 = System.nanoTime();
    Process p = submit(log, OpsFixture.conf(root), "pipeline");
    assertTrue(p.waitFor(20, TimeUnit.MINUTES), "cluster pipeline finished");
    double secs = (System.nanoTime() - t0) / 1e9;
    String out = OpsFixture.read(log);
    assertEquals(0, p.exitValue(), out);
    System.out.printf("pipeline, %d people: local (in-process) %.1f s, standalone cluster (2 workers) %.1f s%n",
        OpsFixture.PEOPLE, OpsFixture.referenceSeconds(), secs);
    for (String stage : List.of("ingest", "link", "metrics")) {
      assertTrue(out.contains("stage " + stage + " started") && out.contains("stage " + stage + " done in"),
          stage + " start and end lines:\n" + out);
    }
    assertTrue(Files.list(clusterDir).anyMatch(d -> d.getFileName().toString().startsWith("worker-")), "workers");
    assertTrue(executorsRan(), "executors ran under the workers' work dirs");

    assertEquals(OpsFixture.crosswalkPartition(spark, ref + "/linked/crosswalk"),
        OpsFixture.crosswalkPartition(spark, root + "/linked/crosswalk"), "same people, up to person-id relabelling");
    Map<String, List<String>> refRestricted = OpsFixture.tablesUnder(spark, ref.resolve("linked/metrics"), true);
    Map<String, List<String>> refPublished = OpsFixture.tablesUnder(spark, ref.resolve("published/metrics"));
    assertFalse(refRestricted.isEmpty() || refPublished.isEmpty(), "metric tables to compare");
    assertEquals(refRestricted, OpsFixture.tablesUnder(spark, root.resolve("linked/metrics"), true),
        "restricted metric tables (the outreach list without person ids)");
    assertEquals(refPublished, OpsFixture.tablesUnder(spark, root.resolve("published/metrics")), "published metric tables");
  }

  @Test
  @Order(2)
  void linkSurvivesAWorkerKilledWhileItRuns(SparkSession spark) throws Exception {
    Path ref = OpsFixture.reference();
    Path root = OpsFixture.base().resolve("worker-killed");
    OpsFixture.copyTree(ref.resolve("identified"), root.resolve("identified"));
    Path log = OpsFixture.base().resolve("worker-killed-driver.log");
    long t0 = System.nanoTime();
    Process p = submit(log, OpsFixture.conf(root), "link");

    // wait until the link job is comparing pairs with both executors busy, then SIGKILL worker 2 and its executor
    long workerPid = Long.parseLong(Files.readString(clusterDir.resolve("worker-2.pid")).trim());
    List<Long> killed = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
    while (killed.isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
      String out = OpsFixture.read(log);
      List<ProcessHandle> executors = ProcessHandle.of(workerPid).map(h -> h.children().toList()).orElse(List.of());
      if (out.contains("link: block started") && !executors.isEmpty()) {
        for (ProcessHandle ex : executors) {
          killed.add(ex.pid());
        }
        killed.add(workerPid);
        List<String> kill = new ArrayList<>(List.of("kill", "-9"));
        killed.forEach(pid -> kill.add(String.valueOf(pid)));
        assertEquals(0, new ProcessBuilder(kill).inheritIO().start().waitFor(), "kill -9 " + killed);
      } else {
        Thread.sleep(200);
      }
    }
    assertFalse(killed.isEmpty(), "worker 2 and its executor were killed during the link job:\n" + OpsFixture.read(log));
    for (long pid : killed) {
      // SIGKILL is asynchronous: give the kernel (and the reaping of the orphans) a moment
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), pid + " still alive after kill -9");
    }
    assertTrue(p.waitFor(20, TimeUnit.MINUTES), "link finished");
    String out = OpsFixture.read(log);
    assertEquals(0, p.exitValue(), out);
    System.out.printf("link with worker 2 killed (pids %s): %.1f s%n", killed, (System.nanoTime() - t0) / 1e9);
    assertEquals(OpsFixture.crosswalkPartition(spark, ref + "/linked/crosswalk"),
        OpsFixture.crosswalkPartition(spark, root + "/linked/crosswalk"), "same people as the local run");
    assertEquals(OpsFixture.rows(org.commonclient.io.DeltaTables.read(spark, ref + "/linked/person").drop("person_id")),
        OpsFixture.rows(org.commonclient.io.DeltaTables.read(spark, root + "/linked/person").drop("person_id")),
        "same person table (ids aside)");
  }

  private boolean executorsRan() throws Exception {
    for (int i = 1; i <= 2; i++) {
      try (var apps = Files.list(clusterDir.resolve("worker-" + i))) {
        if (apps.anyMatch(a -> a.getFileName().toString().startsWith("app-"))) {
          return true;
        }
      }
    }
    return false;
  }
}
