package org.commonclient.linkage;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.ConfigLoader;
import org.commonclient.config.SourceConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.generate.Generator;
import org.commonclient.ingest.IngestJob;
import org.commonclient.io.DeltaTables;
import org.commonclient.scoring.ModelStore;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Month 1: the generator's sample (500 people) ingested and linked in full. Month 2
 * ({@link MonthlyChanges}): about 1% of the person records withdrawn, 1% changed (moved house, or
 * a first-name typo) and 1% new (new records of known people, and new people). The incremental run must give
 * the same partition of records into people as a full run on the month-2 records with the same
 * model, and every person whose records are untouched keeps their id.
 */
@ExtendWith(SparkExtension.class)
class IncrementalLinkTest {
  @TempDir Path dir;

  @Test
  void incrementalEqualsFullRerunUpToRelabelling(SparkSession spark) throws Exception {
    Path root = SparkExtension.repoRoot();
    String tables = dir.resolve("tables").toString();
    Map<String, String> o = new HashMap<>();
    o.put("commonclient.storage.root", tables);
    o.put("commonclient.data.extracts", dir.resolve("gen/extracts").toString());
    o.put("commonclient.linkage.scoring.u.maxPairs", "200000");
    Config c = ConfigLoader.load(root.resolve("conf/sample.conf"), o);
    Generator.run(c, 500L, dir.resolve("gen").toString(), 11L);
    StorageConfig storage = StorageConfig.from(c);
    List<SourceConfig> persons = SourceConfig.all(c).stream().filter(s -> s.kind() == SourceConfig.Kind.PERSON).toList();
    IngestJob.run(spark, storage, persons, "ingest1");
    LinkConfig cfg = LinkConfig.from(c);

    LinkJob.LinkResult first = LinkJob.run(spark, storage, cfg, "run1", "test");
    String model = dir.resolve("month1-model.json").toString();
    ModelStore.save(spark, first.model(), model);
    Set<Set<String>> month1 = partition(DeltaTables.read(spark, storage.linked("crosswalk")));
    Map<Set<String>, String> month1Ids = idsBySet(DeltaTables.read(spark, storage.linked("crosswalk")));
    assertEquals(DeltaTables.read(spark, storage.identified("person_records")).count(),
        DeltaTables.read(spark, storage.identified(IncrementalLink.RECORD_KEYS)).count(), "record_keys: one row per record");

    // month 2, written straight to person_records (as a re-ingest of every source would)
    String pr = storage.identified("person_records");
    Dataset<Row> month2 = MonthlyChanges.apply(DeltaTables.read(spark, pr), 100, 100, 100, "m2");
    String staged = dir.resolve("month2.parquet").toString();
    month2.write().parquet(staged);
    DeltaTables.overwrite(spark.read().parquet(staged), pr);

    // the tables as they stand before month 2, for the same run with the tables updated in place
    StorageConfig mergeStorage = new StorageConfig(copyTree(storage.identified(), dir.resolve("m-identified")),
        copyTree(storage.linked(), dir.resolve("m-linked")), storage.published());

    assertTrue(!cfg.incrementalMerge(), "the default publish rewrites the tables");
    IncrementalLink.Result inc = IncrementalLink.run(spark, storage, cfg, "run2", "test");
    System.out.printf("incremental: %d new, %d changed, %d withdrawn, %d re-paired, %d people re-clustered, %d pairs, %s%n",
        inc.newRecords(), inc.changedRecords(), inc.withdrawnRecords(), inc.rescoredRecords(), inc.affectedPersons(),
        inc.link().candidatePairs(), inc.link().stageSeconds());
    assertTrue(inc.incremental(), "ran incrementally");
    assertTrue(inc.newRecords() > 0 && inc.changedRecords() > 0 && inc.withdrawnRecords() > 0,
        "the month has new, changed and withdrawn records");
    long month2Records = DeltaTables.read(spark, pr).count();
    assertEquals(month2Records, DeltaTables.read(spark, storage.identified(IncrementalLink.RECORD_KEYS)).count(),
        "record_keys follows person_records");
    Dataset<Row> incCw = DeltaTables.read(spark, storage.linked("crosswalk"));
    assertEquals(month2Records, incCw.count(), "one crosswalk row per month-2 record");
    Set<Set<String>> incremental = partition(incCw);
    Dataset<Row> mp = DeltaTables.read(spark, storage.linked("match_pairs"));
    assertEquals(mp.select("source_l", "record_id_l", "source_r", "record_id_r").distinct().count(), mp.count(),
        "match_pairs: each pair once");
    Dataset<Row> keys = DeltaTables.read(spark, storage.identified(IncrementalLink.RECORD_KEYS));
    assertEquals(month2Records, keys.select("uid").distinct().count(), "record_keys: one row per record");
    Set<String> incKeys = rowsAsText(keys);
    Set<String> incBlockKeys = rowsAsText(DeltaTables.read(spark, storage.identified(IncrementalLink.BLOCK_KEYS)));
    assertEquals(month2Records, incBlockKeys.size(), "block_keys: one row per record");
    Set<String> incPersons = rowsAsText(DeltaTables.read(spark, storage.linked("person")).drop("person_id", "run_id"));
    Map<String, Row> incPairs = pairsByKey(mp);

    // full rerun on the month-2 records with the month-1 model, in its own linked zone
    Map<String, String> o2 = new HashMap<>(o);
    o2.put("commonclient.linkage.scoring.fixedModel", model);
    Config c2 = ConfigLoader.load(root.resolve("conf/sample.conf"), o2);
    StorageConfig fullStorage = new StorageConfig(storage.identified(), dir.resolve("linked-full").toString(), storage.published());
    LinkJob.run(spark, fullStorage, LinkConfig.from(c2), "full2", "test");
    Set<Set<String>> full = partition(DeltaTables.read(spark, fullStorage.linked("crosswalk")));
    assertEquals(rowsAsText(DeltaTables.read(spark, storage.identified(IncrementalLink.RECORD_KEYS))), incKeys,
        "record_keys of the incremental run = those the full rerun standardised");
    assertEquals(rowsAsText(DeltaTables.read(spark, storage.identified(IncrementalLink.BLOCK_KEYS))), incBlockKeys,
        "block_keys of the incremental run (the stored rows updated in place) = those of the full rerun");
    assertEquals(rowsAsText(DeltaTables.read(spark, fullStorage.linked("person")).drop("person_id", "run_id")), incPersons,
        "person rows of the incremental run = the full rerun's, up to the ids");
    // the same pairs with the same comparison levels and rule; only scores near the table's floor
    // may differ (old pairs keep the term frequencies of their run)
    Map<String, Row> fullPairs = pairsByKey(DeltaTables.read(spark, fullStorage.linked("match_pairs")));
    int bothPairs = 0;
    for (var e : incPairs.entrySet()) {
      Row f = fullPairs.get(e.getKey());
      if (f == null) {
        assertTrue(e.getValue().getDouble(0) < 0.05, "pair only in the incremental match_pairs: " + e.getValue());
      } else {
        bothPairs++;
        assertEquals(f.getString(1), e.getValue().getString(1), "levels and rule of pair " + e.getKey());
      }
    }
    for (var e : fullPairs.entrySet()) {
      assertTrue(incPairs.containsKey(e.getKey()) || e.getValue().getDouble(0) < 0.05,
          "pair only in the full rerun's match_pairs: " + e.getValue());
    }
    assertTrue(bothPairs > 0.9 * fullPairs.size(), bothPairs + " of " + fullPairs.size() + " pairs in both");

    Set<Set<String>> onlyInc = new HashSet<>(incremental);
    onlyInc.removeAll(full);
    Set<Set<String>> onlyFull = new HashSet<>(full);
    onlyFull.removeAll(incremental);
    assertEquals(Set.of(), onlyInc, "people only in the incremental result (only in the full rerun: " + onlyFull + ")");
    assertEquals(full.size(), incremental.size(), "same number of people");
    assertTrue(!month1.equals(incremental), "month 2 changed the people");

    // people whose records are the same keep their ids; the others got history events
    Map<Set<String>, String> incIds = idsBySet(incCw);
    int same = 0;
    for (var e : month1Ids.entrySet()) {
      String now = incIds.get(e.getKey());
      if (now != null) {
        same++;
        assertEquals(e.getValue(), now, "unaffected person " + e.getKey() + " keeps the id");
      }
    }
    assertTrue(same > 0.9 * month1Ids.size(), same + " of " + month1Ids.size() + " people unchanged");
    Dataset<Row> hist = DeltaTables.read(spark, storage.linked("person_id_history")).where(col("run_id").equalTo("run2"));
    assertTrue(hist.count() > 0 && hist.count() <= 3L * inc.affectedPersons() + inc.newRecords(), "history of the affected only");
    assertEquals(incCw.select("person_id").distinct().count(),
        DeltaTables.read(spark, storage.linked("person")).count(), "one person row per person id");
    assertEquals(1, DeltaTables.read(spark, storage.linked("runs")).where(col("run_id").equalTo("run2")).count(), "runs row");

    // the same month published the other way round: the linked tables in place (deletes with
    // deletion vectors, appends), the key tables rewritten (the default does the opposite): the
    // same rows in every table
    IncrementalLink.run(spark, mergeStorage, cfg.withIncrementalMerge(true).withIncrementalKeysInPlace(false), "run2", "test");
    for (String t : List.of(IncrementalLink.RECORD_KEYS, IncrementalLink.BLOCK_KEYS)) {
      assertEquals(rowsAsText(DeltaTables.read(spark, storage.identified(t))),
          rowsAsText(DeltaTables.read(spark, mergeStorage.identified(t))), t + " updated in place = rewritten");
    }
    for (String t : List.of("crosswalk", "person", "match_pairs")) {
      assertEquals(rowsAsText(DeltaTables.read(spark, storage.linked(t))),
          rowsAsText(DeltaTables.read(spark, mergeStorage.linked(t))), t + " updated in place = rewritten");
    }
    assertTrue(DeltaTables.deletionVectorsEnabled(spark, mergeStorage.linked("crosswalk")), "deletes with deletion vectors");
    assertTrue(DeltaTables.deletionVectorsEnabled(spark, storage.identified(IncrementalLink.RECORD_KEYS)),
        "key tables updated in place by default");
    assertFalse(DeltaTables.deletionVectorsEnabled(spark, storage.linked("crosswalk")), "linked tables rewritten by default");
  }

  /** Copies a directory tree (a zone of Delta tables) to {@code to}; returns its path. */
  static String copyTree(String from, Path to) throws java.io.IOException {
    Path src = Path.of(java.net.URI.create(from.startsWith("file:") ? from : "file:" + from));
    try (var files = java.nio.file.Files.walk(src)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path d = to.resolve(src.relativize(f).toString());
        if (java.nio.file.Files.isDirectory(f)) {
          java.nio.file.Files.createDirectories(d);
        } else {
          java.nio.file.Files.copy(f, d);
        }
      }
    }
    return to.toString();
  }

  /** match_pairs by "source|record_id|source|record_id": (match_probability, levels and rule as text). */
  static Map<String, Row> pairsByKey(Dataset<Row> mp) {
    List<String> levels = new java.util.ArrayList<>();
    for (String c : mp.columns()) {
      if (c.startsWith("gamma_") || c.equals("match_rule")) {
        levels.add(c);
      }
    }
    java.util.Collections.sort(levels);
    Dataset<Row> d = mp.select(org.apache.spark.sql.functions.concat_ws("|", col("source_l"), col("record_id_l"),
            col("source_r"), col("record_id_r")),
        col("match_probability"),
        org.apache.spark.sql.functions.concat_ws("|", levels.stream()
            .map(c -> col(c).cast("string")).toArray(org.apache.spark.sql.Column[]::new)));
    Map<String, Row> out = new HashMap<>();
    for (Row r : d.collectAsList()) {
      out.put(r.getString(0), org.apache.spark.sql.RowFactory.create(r.getDouble(1), r.getString(2)));
    }
    return out;
  }

  /** Every row as text, columns in name order. */
  static Set<String> rowsAsText(Dataset<Row> df) {
    String[] cols = df.columns().clone();
    java.util.Arrays.sort(cols);
    Set<String> out = new HashSet<>();
    for (Row r : df.selectExpr(cols).collectAsList()) {
      out.add(r.toString());
    }
    return out;
  }

  /** The people as sets of "source|record_id". */
  static Set<Set<String>> partition(Dataset<Row> crosswalk) {
    return new HashSet<>(idsBySet(crosswalk).keySet());
  }

  static Map<Set<String>, String> idsBySet(Dataset<Row> crosswalk) {
    Map<String, Set<String>> byId = new HashMap<>();
    for (Row r : crosswalk.select("source", "record_id", "person_id").collectAsList()) {
      byId.computeIfAbsent(r.getString(2), k -> new TreeSet<>()).add(r.getString(0) + "|" + r.getString(1));
    }
    Map<Set<String>, String> out = new HashMap<>();
    byId.forEach((id, s) -> out.put(s, id));
    return out;
  }
}
