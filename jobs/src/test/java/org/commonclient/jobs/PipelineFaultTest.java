package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.io.RunLock;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fault and operations tests of the pipeline on the small generated sample: a rerun on the same
 * inputs changes nothing (idempotence), a driver killed in the middle of the link publish leaves
 * every table at its previous version and the next run completes correctly, a second concurrent
 * run is refused with exit code 4, and every run — failed ones too — is in the runs table.
 */
@Tag("ops")
@ExtendWith(SparkExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineFaultTest {
  static final List<String> LINKED = List.of("crosswalk", "person", "match_pairs", "model", "person_id_history", "runs");

  @Test
  @Order(1)
  void rerunOnTheSameInputsGivesTheSameTables(SparkSession spark) throws Exception {
    Path ref = OpsFixture.reference();
    Path root = OpsFixture.copyOfReference("rerun");
    Map<String, List<String>> identifiedBefore = OpsFixture.tablesUnder(spark, root.resolve("identified"));
    List<String> ingestRunsBefore = identifiedBefore.remove("ingest_runs"); // a log: one row per ingest run
    Map<String, List<String>> restrictedBefore = OpsFixture.tablesUnder(spark, root.resolve("linked/metrics"));
    Map<String, List<String>> publishedBefore = OpsFixture.tablesUnder(spark, root.resolve("published/metrics"));
    List<String> crosswalkBefore = OpsFixture.rows(DeltaTables.read(spark, root + "/linked/crosswalk"));

    // every Spark job of the rerun is recorded with its job group
    List<String> groups = Collections.synchronizedList(new ArrayList<>());
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart js) {
        groups.add(js.properties() == null ? null : js.properties().getProperty("spark.jobGroup.id"));
      }
    };
    spark.sparkContext().addSparkListener(listener);
    try {
      assertEquals(0, OpsFixture.run("pipeline", "--config", OpsFixture.conf(root).toString()), "second run");
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }

    Map<String, List<String>> identifiedAfter = OpsFixture.tablesUnder(spark, root.resolve("identified"));
    assertEquals(2 * ingestRunsBefore.size(), identifiedAfter.remove("ingest_runs").size(), "one more ingest_runs row per source");
    assertEquals(identifiedBefore, identifiedAfter,
        "identified tables (person records, facts, rejects) are the same after the rerun: no duplicate rows");
    long records = DeltaTables.read(spark, root + "/identified/person_records").count();
    long distinct = DeltaTables.read(spark, root + "/identified/person_records").select("source", "record_id").distinct().count();
    assertEquals(distinct, records, "one row per (source, record_id)");
    assertEquals(crosswalkBefore, OpsFixture.rows(DeltaTables.read(spark, root + "/linked/crosswalk")),
        "the crosswalk keeps every person id");
    assertEquals(OpsFixture.rows(DeltaTables.read(spark, ref + "/linked/person")),
        OpsFixture.rows(DeltaTables.read(spark, root + "/linked/person")), "person table");
    assertEquals(OpsFixture.rows(DeltaTables.read(spark, ref + "/linked/match_pairs")),
        OpsFixture.rows(DeltaTables.read(spark, root + "/linked/match_pairs")), "match pairs");
    assertEquals(restrictedBefore, OpsFixture.tablesUnder(spark, root.resolve("linked/metrics")), "restricted metric tables");
    assertEquals(publishedBefore, OpsFixture.tablesUnder(spark, root.resolve("published/metrics")), "published metric tables");
    assertFalse(restrictedBefore.isEmpty() || publishedBefore.isEmpty(), "metric tables were compared");

    // the runs table: one more pipeline, link and metrics row each, all succeeded
    List<Row> runs = DeltaTables.read(spark, root + "/linked/runs").orderBy("started_at").collectAsList();
    Map<String, Integer> byStage = new HashMap<>();
    for (Row r : runs) {
      assertEquals("SUCCEEDED", r.getAs("outcome"), "outcome of " + r);
      byStage.merge(r.<String>getAs("stage"), 1, Integer::sum);
    }
    assertEquals(Map.of("pipeline", 2, "link", 2, "metrics", 2), byStage, "runs rows by stage: " + runs);
    Row last = runs.stream().filter(r -> "pipeline".equals(r.getAs("stage"))).reduce((a, b) -> b).orElseThrow();
    scala.collection.Map<String, Object> counts = last.getAs("counts");
    scala.collection.Map<String, Object> secs = last.getAs("stage_seconds");
    assertTrue(counts.contains("ingest.read") && counts.contains("link.persons") && counts.contains("metrics.published_tables"),
        "pipeline row counts: " + counts);
    assertTrue(secs.contains("ingest") && secs.contains("link") && secs.contains("metrics"), "pipeline row seconds: " + secs);

    // job groups: every job ran under the pipeline's, a stage's or a link sub-stage's group
    List<String> missing = groups.stream().filter(g -> g == null).toList();
    System.out.printf("rerun: %d Spark jobs, groups %s%n", groups.size(), new java.util.TreeSet<>(groups.stream()
        .map(g -> g == null ? "<none>" : g).toList()));
    assertTrue(missing.isEmpty(), missing.size() + " of " + groups.size() + " jobs ran without a job group");
    for (String stage : List.of("ingest", "metrics", "link: standardise", "link: publish")) {
      assertTrue(groups.contains(stage), "jobs ran under the group '" + stage + "': " + new java.util.TreeSet<>(groups));
    }
  }

  @Test
  @Order(2)
  void driverKilledWhilePublishingLeavesPreviousVersionsAndTheRerunCompletes(SparkSession spark) throws Exception {
    Path root = OpsFixture.copyOfReference("killed");
    Map<String, Long> before = new HashMap<>();
    for (String t : LINKED) {
      before.put(t, DeltaTables.version(spark, root + "/linked/" + t));
    }
    List<String> crosswalkBefore = OpsFixture.rows(DeltaTables.read(spark, root + "/linked/crosswalk"));

    // a real driver JVM, halted (no shutdown hooks, like kill -9) right after it replaced the crosswalk
    Path log = root.resolveSibling("killed-driver.log");
    ProcessBuilder pb = OpsFixture.script(log, Map.of(
        "COMMONCLIENT_CLASSPATH", String.join(java.io.File.pathSeparator, OpsFixture.classPath()),
        "COMMONCLIENT_JAVA_OPTS", "-Xmx1g -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:-DontCompileHugeMethods -Dcc.failpoint=after:crosswalk"),
        "scripts/commonclient", "link", "--config", OpsFixture.conf(root).toString(),
        "-D", "commonclient.spark.master=local[2]");
    Process p = pb.start();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "driver finished");
    String out = OpsFixture.read(log);
    assertEquals(137, p.exitValue(), "the driver was halted at the failpoint:\n" + out);
    assertTrue(out.contains("failpoint after:crosswalk reached"), out);

    // right after the death: the crosswalk has its new version; the other tables are written side
    // by side with it, so each has its previous version or one more, except the run record
    // (written after all the others), which is not yet written; the journal and the dead run's
    // lock are there
    assertEquals(before.get("crosswalk") + 1, DeltaTables.version(spark, root + "/linked/crosswalk"), "crosswalk was replaced");
    List<String> writtenAtDeath = new java.util.ArrayList<>();
    for (String t : LINKED) {
      long v = DeltaTables.version(spark, root + "/linked/" + t);
      if (t.equals("runs")) {
        assertEquals(before.get(t), v, "the run record is not yet written");
      } else {
        assertTrue(v == before.get(t) || v == before.get(t) + 1, t + ": version " + v + ", before " + before.get(t));
      }
      if (v > before.get(t)) {
        writtenAtDeath.add(t);
      }
    }
    assertTrue(Files.exists(root.resolve("linked/_publish/journal")), "the publish journal survives the death");
    assertTrue(Files.exists(root.resolve("_locks/pipeline.lock")), "the dead run's lock is left behind");

    // the next run: takes over the dead run's lock, rolls the publish back, then links again
    assertEquals(0, OpsFixture.run("link", "--config", OpsFixture.conf(root).toString()), "rerun after the kill");
    assertFalse(Files.exists(root.resolve("linked/_publish/journal")), "journal gone");
    assertFalse(Files.exists(root.resolve("_locks/pipeline.lock")), "lock released");
    long restored = before.get("crosswalk") + 2;
    var history = io.delta.tables.DeltaTable.forPath(spark, root + "/linked/crosswalk").history()
        .filter("version = " + restored).select("operation").collectAsList();
    assertEquals("RESTORE", history.get(0).getString(0), "the killed write was restored");
    assertEquals(crosswalkBefore, OpsFixture.rows(spark.read().format("delta").option("versionAsOf", restored)
        .load(root + "/linked/crosswalk")), "after the restore the crosswalk is its previous version");
    assertEquals(crosswalkBefore, OpsFixture.rows(DeltaTables.read(spark, root + "/linked/crosswalk")),
        "the rerun gives every record its previous person id");
    for (String t : writtenAtDeath) {
      var op = io.delta.tables.DeltaTable.forPath(spark, root + "/linked/" + t).history()
          .filter("version = " + (before.get(t) + 2)).select("operation").collectAsList();
      assertEquals("RESTORE", op.get(0).getString(0), t + ": the killed write was restored");
    }
    List<Row> recovered = DeltaTables.read(spark, root + "/linked/runs").filter("stage = 'publish' AND outcome = 'FAILED'").collectAsList();
    assertEquals(1, recovered.size(), "the interrupted publish is recorded as a failed run");
    assertTrue(recovered.get(0).<String>getAs("error").contains("restored"), recovered.get(0).toString());
  }

  @Test
  @Order(3)
  void secondConcurrentRunIsRefusedWithExitCode4(SparkSession spark) throws Exception {
    Path root = OpsFixture.base().resolve("locked");
    Path conf = OpsFixture.conf(root);
    // this JVM holds the lock as a live run would
    try (RunLock held = RunLock.acquire(new Configuration(), root + "/_locks/pipeline.lock",
        RunLock.Owner.self("holder-run", "commonclient pipeline"), Duration.ofMinutes(30))) {
      Path log = root.resolveSibling("locked.log");
      Process p = OpsFixture.script(log, Map.of(
          "COMMONCLIENT_CLASSPATH", String.join(java.io.File.pathSeparator, OpsFixture.classPath()),
          "COMMONCLIENT_JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m -XX:-DontCompileHugeMethods"),
          "scripts/commonclient", "pipeline", "--config", conf.toString()).start();
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "refused run finished");
      String out = OpsFixture.read(log);
      assertEquals(ExitCodes.LOCKED, p.exitValue(), out);
      assertTrue(out.contains("another run holds the lock") && out.contains("holder-run"), out);
      assertTrue(Files.exists(root.resolve("_locks/pipeline.lock")), "the holder's lock is untouched");
    }
    assertFalse(Files.exists(root.resolve("_locks/pipeline.lock")), "released by its holder");
    assertFalse(Files.exists(root.resolve("identified")), "the refused run wrote nothing");
  }

  @Test
  @Order(4)
  void failedRunIsRecordedWithItsError(SparkSession spark) {
    Path root = OpsFixture.base().resolve("failing");
    // no ingest before: the link stage fails
    assertEquals(ExitCodes.FAILURE, OpsFixture.run("link", "--config", OpsFixture.conf(root).toString()));
    List<Row> runs = DeltaTables.read(spark, root + "/linked/runs").collectAsList();
    assertEquals(1, runs.size(), runs.toString());
    Row r = runs.get(0);
    assertEquals("link", r.getAs("stage"));
    assertEquals("FAILED", r.getAs("outcome"));
    String error = r.getAs("error");
    assertTrue(error.startsWith("link: ") && error.contains("No person_records table"), error);
    assertTrue(r.getAs("finished_at") != null, "finished_at");
    assertFalse(Files.exists(root.resolve("_locks/pipeline.lock")), "lock released after a failure");
  }
}
