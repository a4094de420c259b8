package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.governance.ResearchExtract;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-use agreements, research extracts and retention through the command line, on one small
 * generated dataset linked once (two person sources, tanf and snap). The retention test runs last:
 * it destroys snap.
 */
@ExtendWith(SparkExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GovernanceCommandsTest {
  @TempDir static Path dir;
  static String tables;
  static Path ok;

  static final String BASE = """
      include "%s"
      include "%s"
      include "%s"
      commonclient.storage.root = "%s"
      commonclient.data.extracts = "%s"
      commonclient.spark.conf { "spark.sql.shuffle.partitions" = "2" }
      # a small link: u from 20,000 random pairs instead of all 540,000
      commonclient.linkage.scoring.u.maxPairs = 20000
      commonclient.linkage.training.maxPairs = 20000
      """;

  static String agreement(String id, String sources, String end) {
    return "commonclient.agreements." + id + " {\n"
        + "  parties { dhs { sources = [" + sources + "], receives = [birth_year, sex, programs, record_count] } }\n"
        + "  purposes = [linkage, metrics, research]\n  metrics = [\"*\"]\n"
        + "  start = \"2019-01-01\"\n  end = \"" + end + "\"\n}\n";
  }

  static Path conf(String name, String extra) throws IOException {
    Path root = SparkExtension.repoRoot();
    Path p = dir.resolve(name + ".conf");
    Files.writeString(p, String.format(BASE, root.resolve("conf/local.conf"), root.resolve("conf/sources/tanf.conf"),
        root.resolve("conf/sources/snap.conf"), tables, dir.resolve("data/extracts")) + extra);
    return p;
  }

  /** Exit code and standard error of one command. */
  record Outcome(int code, String err) {}

  static Outcome cc(String... args) {
    StringWriter err = new StringWriter();
    int code = TestCli.execute(err, args);
    return new Outcome(code, err.toString());
  }

  @BeforeAll
  static void linkTwoSources(SparkSession spark) throws IOException {
    tables = dir.resolve("tables").toString();
    ok = conf("ok", agreement("study", "tanf, snap", "2031-12-31"));
    assertEquals(0, cc("generate", "--people", "1000", "--seed", "11", "--out", dir.resolve("data").toString(),
        "--config", ok.toString()).code());
    assertEquals(0, cc("ingest", "--config", ok.toString()).code());
    long c0 = cpu();
    Outcome link = cc("link", "--config", ok.toString(), "--agreement", "study");
    assertEquals(0, link.code(), link.err());
    System.out.printf("fixture link: JVM CPU %.1f s%n", (cpu() - c0) / 1e9);
  }

  @Test
  @Order(1)
  void refusesWithExitCode3WithoutAnActiveCoveringAgreement() throws IOException {
    Path none = conf("none", "");
    for (String cmd : List.of("link", "metrics", "pipeline")) {
      Outcome o = cc(cmd, "--config", none.toString());
      assertEquals(ExitCodes.AGREEMENT_REFUSED, o.code(), cmd + ": " + o.err());
      assertTrue(o.err().contains("no data-use agreement is configured"), o.err());
    }
    Outcome x = cc("research-extract", "--config", none.toString(), "--agreement", "study", "--party", "dhs");
    assertEquals(ExitCodes.AGREEMENT_REFUSED, x.code(), x.err());
    assertTrue(x.err().contains("no data-use agreement 'study'"), x.err());

    Outcome expired = cc("link", "--config", conf("expired", agreement("old", "tanf, snap", "2020-12-31")).toString());
    assertEquals(ExitCodes.AGREEMENT_REFUSED, expired.code(), expired.err());
    assertTrue(expired.err().contains("data-use agreement 'old' expired on 2020-12-31"), expired.err());

    Path partial = conf("partial", agreement("tanf_only", "tanf", "2031-12-31"));
    for (String cmd : List.of("link", "metrics", "pipeline")) {
      Outcome o = cc(cmd, "--config", partial.toString());
      assertEquals(ExitCodes.AGREEMENT_REFUSED, o.code(), cmd + ": " + o.err());
      assertTrue(o.err().contains("'tanf_only' does not cover source(s) [snap]"), o.err());
    }
    // linkage.sources = [tanf] keeps snap out of the run: then tanf_only is enough (the check
    // passes; the run itself is not repeated here) -- and an agreement without purpose research
    Outcome noResearch = cc("research-extract", "--config",
        conf("nores", agreement("study", "tanf, snap", "2031-12-31").replace("linkage, metrics, research", "linkage"))
            .toString(), "--agreement", "study", "--party", "dhs");
    assertEquals(ExitCodes.AGREEMENT_REFUSED, noResearch.code(), noResearch.err());
    assertTrue(noResearch.err().contains("does not permit purpose 'research'"), noResearch.err());
  }

  @Test
  @Order(2)
  void linkRunsRecordTheirAgreement(SparkSession spark) {
    Dataset<Row> all = DeltaTables.read(spark, tables + "/linked/runs");
    List<Row> runs = all.where("stage = 'link' AND outcome = 'SUCCEEDED'").select("agreement_id", "mode").collectAsList();
    assertEquals(1, runs.size(), runs.toString());
    assertEquals("study", runs.get(0).getString(0));
    assertEquals("CLEAR", runs.get(0).getString(1));
    // the refused runs of the test before are recorded too, with what was refused
    List<Row> refused = all.where("outcome = 'FAILED'").select("stage", "error").collectAsList();
    assertTrue(refused.size() >= 3, refused.toString());
    assertTrue(refused.stream().allMatch(r -> r.getString(1) != null && r.getString(1).contains("agreement")),
        refused.toString());
  }

  @Test
  @Order(3)
  void researchExtractHoldsNoIdentifierFromTheIdentifiedZone(SparkSession spark) throws IOException {
    Path secret = dir.resolve("extract.secret");
    Files.writeString(secret, "test-secret-not-for-production-0123456789");
    Path out = dir.resolve("extracts");
    Outcome o = cc("research-extract", "--config", ok.toString(), "--agreement", "study", "--party", "dhs",
        "--secret-file", secret.toString(), "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    Path extract;
    try (Stream<Path> s = Files.list(out.resolve("study/dhs"))) {
      extract = s.findFirst().orElseThrow();
    }
    Dataset<Row> x = spark.read().parquet(extract.toString());
    assertEquals(List.of("study_id", "birth_year", "sex", "programs", "record_count"), List.of(x.columns()));
    for (String c : x.columns()) {
      assertFalse(ResearchExtract.FORBIDDEN.contains(c), "identifier column " + c);
    }
    long persons = DeltaTables.read(spark, tables + "/linked/crosswalk").select("person_id").distinct().count();
    assertEquals(persons, x.count(), "one row per linked person");
    assertEquals(persons, x.select("study_id").distinct().count(), "study ids are unique");

    // every value of every identifier column of the identified zone, and the linked person ids
    Dataset<Row> pr = DeltaTables.read(spark, tables + "/identified/person_records");
    Set<String> identifiers = new HashSet<>();
    for (String c : List.of("record_id", "first_name", "middle_name", "last_name", "name_suffix", "ssn", "dob", "dob_raw",
        "address_line", "city", "zip", "phone", "household_id", "source_file", "row_hash")) {
      identifiers.addAll(strings(pr.select(pr.col(c).cast("string"))));
    }
    identifiers.addAll(strings(DeltaTables.read(spark, tables + "/linked/crosswalk").select("person_id")));
    // one-letter middle initials and suffixes can equal a sex code without identifying anyone
    identifiers.removeIf(v -> v.length() < 2);
    Set<String> extracted = new HashSet<>();
    for (String c : x.columns()) {
      Dataset<Row> v = x.schema().apply(c).dataType() instanceof org.apache.spark.sql.types.ArrayType
          ? x.select(org.apache.spark.sql.functions.explode(x.col(c)).as(c)) : x.select(c);
      extracted.addAll(strings(v.select(v.col(c).cast("string"))));
    }
    Set<String> leaked = new TreeSet<>(extracted);
    leaked.retainAll(identifiers);
    assertTrue(leaked.isEmpty(), "identified-zone values in the extract: " + leaked);
    assertTrue(identifiers.size() > 1000, "the check saw the identifiers: " + identifiers.size());
    assertFalse(o.err().contains("test-secret") || o.toString().contains("test-secret"), "secret never printed");
    assertEquals(1, DeltaTables.read(spark, tables + "/linked/extract_log").count());
  }

  @Test
  @Order(4)
  void retentionDestroysASourceInEveryVersionOfEveryTable(SparkSession spark) throws IOException {
    Dataset<Row> pr = DeltaTables.read(spark, tables + "/identified/person_records");
    List<String> idCols = List.of("record_id", "first_name", "last_name", "ssn", "dob_raw", "address_line", "phone");
    Set<String> snap = new HashSet<>();
    Set<String> others = new HashSet<>();
    for (String c : idCols) {
      snap.addAll(strings(pr.where("source = 'snap'").select(c)));
    }
    // a value some other source also holds (in any column: a snap dob_raw "2000-08-26" is a tanf
    // dob) legitimately stays
    for (String c : pr.columns()) {
      others.addAll(strings(pr.where("source <> 'snap'").select(pr.col(c).cast("string"))));
    }
    // ... or holds in standardised form (record_keys: a tanf phone "(912) 861-5038" is 9128615038
    // there, as is the snap phone of the same household)
    Dataset<Row> keys = DeltaTables.read(spark, tables + "/identified/record_keys").where("source <> 'snap'");
    for (var f : keys.schema().fields()) {
      others.addAll(strings(f.dataType() instanceof org.apache.spark.sql.types.ArrayType
          ? keys.select(org.apache.spark.sql.functions.explode(keys.col(f.name())).as("v")).selectExpr("cast(v as string)")
          : keys.select(keys.col(f.name()).cast("string"))));
    }
    Dataset<Row> cw = DeltaTables.read(spark, tables + "/linked/crosswalk");
    // persons known only from snap: their ids must go too
    Dataset<Row> snapOnly = cw.groupBy("person_id").agg(org.apache.spark.sql.functions.expr("bool_and(source = 'snap')").as("only"))
        .where("only");
    snap.addAll(strings(snapOnly.select("person_id")));
    snap.removeAll(others);
    snap.removeIf(v -> v.length() < 2);
    long snapRecords = pr.where("source = 'snap'").count();
    assertTrue(snapRecords > 50 && snap.size() > 200, snapRecords + " snap records, " + snap.size() + " values");
    long personsBefore = DeltaTables.read(spark, tables + "/linked/person").count();
    long prVersionBefore = DeltaTables.version(spark, tables + "/identified/person_records");

    long t0 = System.nanoTime();
    long c0 = cpu();
    Outcome o = cc("retention", "--config", ok.toString(), "--source", "snap", "--reason", "test request",
        "--agreement", "study");
    assertEquals(0, o.code(), o.err());
    System.out.printf("retention of snap: %.1f s wall, JVM CPU %.1f s%n%s", (System.nanoTime() - t0) / 1e9,
        (cpu() - c0) / 1e9, o.err());

    assertEquals(0, DeltaTables.read(spark, tables + "/identified/person_records").where("source = 'snap'").count());
    assertEquals(0, DeltaTables.read(spark, tables + "/linked/crosswalk").where("source = 'snap'").count());
    assertEquals(0, DeltaTables.read(spark, tables + "/linked/match_pairs").where("source_l = 'snap' OR source_r = 'snap'").count());
    Dataset<Row> person = DeltaTables.read(spark, tables + "/linked/person");
    assertEquals(0, person.where("array_contains(sources, 'snap')").count(), "person attributes recomputed without snap");
    assertEquals(DeltaTables.read(spark, tables + "/linked/crosswalk").select("person_id").distinct().count(), person.count());
    assertTrue(person.count() < personsBefore, "persons known only from snap are gone");
    Dataset<Row> audit = DeltaTables.read(spark, tables + "/linked/destruction_audit");
    Set<String> audited = new TreeSet<>(strings(audit.where("source = 'snap' AND rows > 0").select("table_name")));
    assertTrue(audited.containsAll(Set.of("person_records", "crosswalk", "match_pairs", "person")), audited.toString());
    Row pra = audit.where("table_name = 'person_records'").select("rows", "reason", "agreement_id").head();
    assertEquals(snapRecords, pra.getLong(0));
    assertEquals("test request", pra.getString(1));
    assertEquals("study", pra.getString(2));

    // every version of every table: readable versions hold none of the destroyed values
    List<String> all = new ArrayList<>();
    for (String zone : List.of("identified", "linked", "linked/metrics")) {
      if (!Files.isDirectory(Path.of(tables, zone))) {
        continue;
      }
      try (Stream<Path> s = Files.list(Path.of(tables, zone))) {
        s.filter(p -> Files.isDirectory(p.resolve("_delta_log"))).forEach(p -> all.add(p.toString()));
      }
    }
    java.util.concurrent.atomic.AtomicInteger readable = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger unreadable = new java.util.concurrent.atomic.AtomicInteger();
    List<String> found = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Runnable> checks = new ArrayList<>();
    for (String t : all) {
      for (Row h : spark.sql("DESCRIBE HISTORY delta.`" + t + "`").select("version").collectAsList()) {
        long v = h.getLong(0);
        checks.add(() -> {
          List<String> json;
          try {
            json = spark.read().format("delta").option("versionAsOf", v).load(t).toJSON().collectAsList();
          } catch (Exception e) { // files removed by VACUUM: the version cannot be read any more
            unreadable.incrementAndGet();
            return;
          }
          readable.incrementAndGet();
          for (String line : json) {
            for (String val : snap) {
              if (line.contains("\"" + val + "\"")) {
                found.add(Path.of(t).getFileName() + "@v" + v + ": " + val);
              }
            }
          }
        });
      }
    }
    // the versions are read side by side (each read is mostly driver work on tables this small)
    org.commonclient.spark.SparkSessions.runAll("version-reader", checks, 4);
    System.out.printf("retention: %d tables, %d versions readable, %d not readable%n", all.size(), readable.get(), unreadable.get());
    // the transaction logs: Delta keeps per-file column statistics (min/max) in its JSON commits
    List<String> inLogs = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of(tables))) {
      for (Path f : files.filter(p -> p.toString().contains("_delta_log") && p.toString().endsWith(".json")).toList()) {
        String text = Files.readString(f);
        for (String val : snap) {
          if (text.contains("\"" + val + "\"") || text.contains("\\\"" + val + "\\\"")) {
            inLogs.add(Path.of(tables).relativize(f) + ": " + val);
          }
        }
      }
    }
    // none: the tables keep no per-column statistics (reference.conf), so no log copies a value
    assertEquals(List.of(), inLogs.subList(0, Math.min(10, inLogs.size())), "destroyed values in transaction logs");
    assertTrue(found.isEmpty(), "destroyed values still readable: " + found.subList(0, Math.min(20, found.size())));
    assertTrue(unreadable.get() > 0, "earlier versions holding snap can no longer be read");
    boolean oldReadable;
    try {
      spark.read().format("delta").option("versionAsOf", prVersionBefore).load(tables + "/identified/person_records").toJSON()
          .collectAsList(); // count() would be answered from the log's statistics without reading a file
      oldReadable = true;
    } catch (Exception e) {
      oldReadable = false;
    }
    assertFalse(oldReadable, "person_records before the destruction cannot be time-travelled to");
  }

  static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static List<String> strings(Dataset<Row> oneColumn) {
    return oneColumn.na().drop().distinct().as(Encoders.STRING()).collectAsList();
  }
}
