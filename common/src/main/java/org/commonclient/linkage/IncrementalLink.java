package org.commonclient.linkage;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.blocking.IncrementalBlocker;
import org.commonclient.clustering.Clustering;
import org.commonclient.clustering.ConnectedComponents;
import org.commonclient.clustering.StableIds;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.AtomicPublisher;
import org.commonclient.io.DeltaTables;
import org.commonclient.scoring.FellegiSunterModel;
import org.commonclient.scoring.ModelTraining;
import org.commonclient.scoring.TermFrequencies;
import org.commonclient.standardise.Ssn;
import org.commonclient.standardise.Standardiser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incremental link run: links only the new and changed records of {@code person_records}
 * against the people of the previous link run, and updates the linked tables in place (one atomic
 * publish).
 *
 * <p>State kept between runs: {@code identified/record_keys} (standardised identifiers: identified zone), one row per linked record with its
 * standardised columns ({@link Standardiser#COLUMNS}), the {@code row_hash} seen and the attributes
 * the person table aggregates ({@link #recordKeys}), written by every full ({@link LinkJob}: its
 * standardised work files, moved in) and incremental run. Comparing it with {@code person_records}
 * gives the <em>new</em> (unseen (source, record_id)), <em>changed</em> (row_hash differs) and
 * <em>withdrawn</em> (present before, absent now) records. Beside it {@code identified/block_keys}
 * ({@link #BLOCK_KEYS}): every record's hashed blocking keys, so a run computes only the new and
 * changed records' keys (without it, from a run of an earlier version, everyone's keys are
 * hashed once and the table is written). The current population is never materialised: it is the
 * stored rows without the replaced ones plus the replacing ones, read where a step needs it.
 *
 * <p>Algorithm:
 *
 * <ol>
 *   <li>Standardise the new and changed records only; the others keep their stored columns.
 *       SSN_SHARED (a whole-dataset flag) is recomputed, from the stored columns, for the SSNs of
 *       the records that came or went (over every record holding one); records whose flag flips
 *       are re-scored.
 *   <li>Block the dirty records (new, changed, re-flagged, and records of blocks that crossed
 *       their size limit) against themselves and all records ({@link IncrementalBlocker}: the
 *       full run's ordered rules, pair-once), compare, and score with the previous run's model
 *       (latest row of {@code linked/model}; no training).
 *   <li>Old pairs touching a dirty or withdrawn record are dropped from {@code match_pairs}; every
 *       other stored pair is exactly the pair a full run would find. Affected people are those
 *       holding a dirty or withdrawn record or an endpoint of a new edge; connected components are
 *       recomputed over their remaining records (plus the new ones) from their stored
 *       above-threshold edges and the new edges, so splits after a withdrawal are found.
 *   <li>Stable ids ({@link StableIds}) for the affected clusters against the affected people's
 *       previous ids; new ids never collide with any previous id. Merges and splits go to {@code
 *       person_id_history} (only affected people get history rows).
 *   <li>{@code crosswalk}, {@code person}, {@code match_pairs} are rewritten with their
 *       unchanged rows kept, or (with {@code incremental.publish = merge}) updated in place
 *       ({@link AtomicPublisher.Mode#UPSERT}: the rows of the affected people and touched pairs
 *       deleted with deletion vectors, the new rows appended; unaffected rows are not rewritten);
 *       {@code record_keys} and {@code block_keys} are updated in place likewise (the rows of the
 *       replaced and withdrawn records), or rewritten with {@code incremental.publishKeys =
 *       rewrite}; {@code model}, {@code person_id_history}, {@code runs} appended, all through
 *       {@link AtomicPublisher}.
 * </ol>
 *
 * <p>A full run is made instead when there is no previous run to extend, or when the
 * configuration hash differs from the last link run's (rules, comparisons or thresholds may have
 * changed, which invalidates the stored pairs).
 *
 * <p>Not refreshed for old pairs (a full run does): term frequencies (old pairs keep the scores
 * computed with the frequencies of their run; new pairs use the current population's) and the
 * per-source DOB heaping test (new and changed records are standardised on their own, so a
 * heaping flag needs {@code dobHeapingMinRecords} of them).
 */
public final class IncrementalLink {
  private static final Logger LOG = LoggerFactory.getLogger(IncrementalLink.class);

  /** The linked-zone table of standardised records kept for the next incremental run. */
  public static final String RECORD_KEYS = "record_keys";

  /**
   * The identified-zone table of every linked record's hashed blocking keys ({@link
   * IncrementalBlocker#keyTable}), one row per record, kept with {@link #RECORD_KEYS}.
   */
  public static final String BLOCK_KEYS = "block_keys";

  /**
   * @param link the usual link figures (records = current population; candidate and matched pairs
   *     of this run only; persons = all people after the update)
   * @param incremental false when no previous run could be extended and a full run was made
   * @param rescoredRecords unchanged records re-paired (a block crossed its size limit, or their
   *     SSN_SHARED flag flipped)
   * @param affectedPersons previous people whose records were re-clustered
   */
  public record Result(
      LinkJob.LinkResult link,
      boolean incremental,
      long newRecords,
      long changedRecords,
      long withdrawnRecords,
      long rescoredRecords,
      long affectedPersons) {}

  private IncrementalLink() {}

  /**
   * The record_keys rows: the standardised columns ({@link Standardiser#COLUMNS}), then the
   * {@code row_hash} of the person record and the other {@link LinkJob#CARRIED} columns
   * person_records has (the attributes the person table aggregates: an incremental run builds the
   * re-clustered people's rows from them). Columns {@code std} lacks come from {@code raw}.
   */
  public static Dataset<Row> recordKeys(Dataset<Row> std, Dataset<Row> raw) {
    List<String> names = recordKeyColumns(raw);
    java.util.Set<String> have = java.util.Set.of(std.columns());
    List<Column> fromRaw = new ArrayList<>(List.of(col("source"), col("record_id")));
    for (String c : names) {
      if (!have.contains(c)) {
        fromRaw.add(col(c));
      }
    }
    Dataset<Row> d = fromRaw.size() == 2 ? std
        : std.join(raw.select(fromRaw.toArray(new Column[0])), new String[] {"source", "record_id"}, "left");
    return d.select(names.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  /** The columns of {@link #recordKeys}, in order, for records read from {@code raw}. */
  static List<String> recordKeyColumns(Dataset<Row> raw) {
    List<String> names = new ArrayList<>(Standardiser.COLUMNS);
    names.add("row_hash");
    for (String c : LinkJob.carried(raw)) {
      if (!names.contains(c)) {
        names.add(c);
      }
    }
    return names;
  }

  /**
   * {@code rows} with the columns of the stored {@code table} only, in its order: a record_keys
   * table written by an earlier version lacks the carried attributes, and keeps lacking them until
   * a full run rewrites it.
   */
  static Dataset<Row> conformed(Dataset<Row> rows, Dataset<Row> table) {
    if (java.util.Arrays.equals(rows.columns(), table.columns())) {
      return rows;
    }
    return rows.select(java.util.Arrays.stream(table.columns()).map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  /** True when the linked zone holds everything an incremental run extends. */
  public static boolean canExtend(SparkSession spark, StorageConfig storage) {
    for (String t : List.of(RECORD_KEYS, "crosswalk", "person", "match_pairs", "model")) {
      if (!DeltaTables.exists(spark, (t.equals(RECORD_KEYS) ? storage.identified(t) : storage.linked(t)))) {
        return false;
      }
    }
    return true;
  }

  /** Incremental run, or a full {@link LinkJob#run} when there is no previous run to extend. */
  public static Result run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash) {
    return run(spark, storage, cfg, runId, configHash, null);
  }

  /** As {@link #run(SparkSession, StorageConfig, LinkConfig, String, String)}, recording the data-use agreement. */
  public static Result run(SparkSession spark, StorageConfig storage, LinkConfig cfg, String runId, String configHash,
      String agreementId) {
    AtomicPublisher.recover(spark, storage.linked());
    String why = !canExtend(spark, storage) ? "no previous link run with record_keys in " + storage.identified() + " and its tables in " + storage.linked() : null;
    if (why == null) {
      String last = lastConfigHash(spark, storage);
      if (last != null && configHash != null && !last.equals(configHash)) {
        why = "the configuration changed since the last link run (config hash " + last + ", now " + configHash + ")";
      }
    }
    if (why != null) {
      LOG.warn("incremental link: {}; running a full link", why);
      LinkJob.LinkResult r = LinkJob.run(spark, storage, cfg, runId, configHash, java.util.Optional.empty(), agreementId);
      return new Result(r, false, r.records(), 0, 0, 0, 0);
    }
    if (cfg.matchPairsMinProbability() > cfg.clustering().threshold()) {
      throw new IllegalStateException("Cannot link incrementally: matchPairsMinProbability "
          + cfg.matchPairsMinProbability() + " is above the clustering threshold " + cfg.clustering().threshold()
          + ", so match_pairs does not hold every clustering edge");
    }
    Map<String, Double> secs = new LinkedHashMap<>();
    long started = System.currentTimeMillis();
    LinkJob.Stage stage = new LinkJob.Stage(spark, secs);
    long inputVersion = DeltaTables.version(spark, storage.identified("person_records"));
    Dataset<Row> raw = LinkJob.records(spark, storage, cfg);
    String work = storage.linked("_work/" + runId);

    // the previous run's tables, pinned to their current versions: they are rewritten below
    Dataset<Row> prevKeys = pinned(spark, storage.identified(RECORD_KEYS));
    Dataset<Row> prevCw = pinned(spark, storage.linked("crosswalk"))
        .withColumn("uid", xxhash64(col("source"), col("record_id")));
    Dataset<Row> prevPairs = pinned(spark, storage.linked("match_pairs"));
    Dataset<Row> prevPerson = pinned(spark, storage.linked("person"));
    PreviousModel prevModel = previousModel(spark, storage);
    FellegiSunterModel model = prevModel.model();

    // 1. what changed: uid, status (NEW, CHANGED, WITHDRAWN)
    Dataset<Row> status = stage.run("delta", () -> {
      Dataset<Row> now = raw.select(xxhash64(col("source"), col("record_id")).as("uid"), col("row_hash").as("_h_now"),
          lit(true).as("_in_now"));
      Dataset<Row> was = prevKeys.select(col("uid"), col("row_hash").as("_h_was"), lit(true).as("_in_was"));
      Column st = when(col("_in_was").isNull(), lit("NEW"))
          .when(col("_in_now").isNull(), lit("WITHDRAWN"))
          .when(not(col("_h_now").eqNullSafe(col("_h_was"))), lit("CHANGED"));
      return LinkJob.boundary(spark, now.join(was, new String[] {"uid"}, "full_outer")
          .select(col("uid"), st.as("status")).where(col("status").isNotNull()), work + "/status");
    });
    Map<String, Long> byStatus = new LinkedHashMap<>(Map.of("NEW", 0L, "CHANGED", 0L, "WITHDRAWN", 0L));
    for (Row r : status.groupBy("status").count().collectAsList()) {
      byStatus.put(r.getString(0), r.getLong(1));
    }
    LOG.info("incremental link: {}", byStatus);
    Dataset<Row> freshUids = status.where(col("status").isin("NEW", "CHANGED")).select("uid");
    Dataset<Row> goneNow = status.where(col("status").isin("CHANGED", "WITHDRAWN")).select("uid");
    Dataset<Row> withdrawn = status.where(col("status").equalTo("WITHDRAWN")).select("uid");

    // 2. standardise the new and changed records; the rest keep their stored columns. The
    // population is not materialised: it is the stored record_keys without the replaced rows,
    // plus the replacing ones, read where a step needs it (mostly a few records of it)
    Dataset<Row> updated = stage.run("standardise", () -> {
      Dataset<Row> freshRaw = raw.join(broadcast(freshUids.withColumnRenamed("uid", "_uid")),
          xxhash64(col("source"), col("record_id")).equalTo(col("_uid")), "left_semi");
      // the record rules' result materialised once (not run again for each dataset-wide aggregate)
      Dataset<Row> fresh = conformed(recordKeys(Standardiser.standardise(freshRaw, cfg.standardise(),
          d -> d.localCheckpoint(true)), freshRaw), prevKeys).localCheckpoint(true);
      Dataset<Row> kept = prevKeys.join(broadcast(goneNow), new String[] {"uid"}, "left_anti");
      // an SSN's shared flag can change only where a record with that SSN came or went: it is
      // recomputed from all the records holding such an SSN (every record of each of them)
      Dataset<Row> touchedSsns = fresh.select("ssn")
          .union(prevKeys.join(broadcast(goneNow), new String[] {"uid"}, "left_semi").select("ssn"))
          .where(col("ssn").isNotNull()).distinct().localCheckpoint(true);
      // materialised: withSharedSsn reads them twice (the SSNs' status, then the records), and
      // each read of the kept records is a scan of the whole stored population
      Dataset<Row> holders = kept.unionByName(fresh)
          .join(broadcast(touchedSsns.select(col("ssn").as("_t_ssn"))), col("ssn").equalTo(col("_t_ssn")), "left_semi")
          .localCheckpoint(true);
      Dataset<Row> fixed = withSharedSsn(holders, touchedSsns, cfg.standardise().ssnMaxDistinctPersons()).localCheckpoint(true);
      // every new or changed record (its SSN flag as it is now), and every unchanged one whose flag flipped
      Dataset<Row> rows = fresh.join(broadcast(fixed.select("uid")), new String[] {"uid"}, "left_anti")
          .withColumn("_ssn_flipped", lit(false))
          .unionByName(fixed.join(broadcast(freshUids), new String[] {"uid"}, "left_semi").withColumn("_ssn_flipped", lit(false)))
          .unionByName(fixed.where(col("_ssn_flipped")).join(broadcast(freshUids), new String[] {"uid"}, "left_anti"));
      return org.commonclient.blocking.Blocker.cacheUncompressed(rows);
    });
    Dataset<Row> flippedUids = updated.where(col("_ssn_flipped")).select("uid");
    Dataset<Row> changed = LinkJob.boundary(spark, updated.select("uid"), work + "/changed");
    Dataset<Row> upd = updated.drop("_ssn_flipped");
    Dataset<Row> replaced = LinkJob.boundary(spark, goneNow.union(flippedUids).distinct(), work + "/replaced");
    Dataset<Row> stdOut = prevKeys.join(broadcast(replaced), new String[] {"uid"}, "left_anti").unionByName(upd);
    long n = prevKeys.count() - byStatus.get("WITHDRAWN") + byStatus.get("NEW");

    // 3. block the dirty records against everyone, compare, score with the previous model. The
    // keys of the unchanged records are read from the previous run's key table (only the new and
    // changed records' keys are computed); without one (a run of an earlier version), everyone's.
    String keyTablePath = storage.identified(BLOCK_KEYS);
    boolean keysKept = DeltaTables.exists(spark, keyTablePath);
    Dataset<Row> prevBlockKeys = keysKept ? pinned(spark, keyTablePath) : null;
    Dataset<Row> updKeys = IncrementalBlocker.keyTable(upd, cfg.blocking());
    // the current key table: the kept records' stored keys and the new and changed records' keys
    Dataset<Row> keyedNow = keysKept
        ? prevBlockKeys.join(broadcast(replaced), new String[] {"uid"}, "left_anti").unionByName(updKeys)
        : null;
    IncrementalBlocker.Delta blocked = stage.run("block", () -> keysKept
        ? IncrementalBlocker.block(prevBlockKeys, keyedNow, updKeys, upd, changed, goneNow, cfg.blocking(), cfg.linkType())
        : IncrementalBlocker.block(prevKeys, stdOut, changed, goneNow, cfg.blocking(), cfg.linkType()));
    Dataset<Row> pairs = stage.run("block", () -> LinkJob.boundary(spark, blocked.pairs(), work + "/pairs"));
    Dataset<Row> reblocked = LinkJob.boundary(spark, blocked.reblocked(), work + "/reblocked");
    blocked.close();
    Map<String, Long> byRule = new LinkedHashMap<>();
    for (var r : cfg.blocking().rules()) {
      byRule.put(r.name(), 0L);
    }
    for (Row r : pairs.groupBy("match_key").count().collectAsList()) {
      byRule.put(cfg.blocking().rules().get(r.getInt(0)).name(), r.getLong(1));
    }
    long candidatePairs = byRule.values().stream().mapToLong(Long::longValue).sum();
    long rescored = updated.where(col("_ssn_flipped")).count() + reblocked.count();
    LOG.info("incremental block: {} candidate pairs {}; {} unchanged records re-paired", candidatePairs, byRule, rescored);

    // the records the pairs touch (a few per cent of the population in a monthly run)
    Dataset<Row> sides = stage.run("compare", () -> LinkJob.boundary(spark, stdOut.join(broadcast(
        pairs.select(col("uid_l").as("uid")).union(pairs.select(col("uid_r").as("uid"))).distinct()),
        new String[] {"uid"}, "left_semi"), work + "/sides"));
    boolean bc = LinkJob.broadcastStd(cfg, sides.count());
    Dataset<Row> vectors = stage.run("compare", () ->
        LinkJob.boundary(spark, LinkJob.compare(pairs, sides, cfg, bc), work + "/vectors"));
    Dataset<Row> scored = stage.run("score", () -> LinkJob.boundary(spark,
        LinkJob.withoutCompared(model.score(TermFrequencies.adjustAll(vectors, stdOut, model, cfg.scoring().termFrequency()))),
        work + "/scored"));

    // 4. re-cluster the affected people: their kept old edges plus the new edges
    double threshold = cfg.clustering().threshold();
    Column evidence = LinkJob.identityEvidence(cfg.identityEvidence());
    long[] matched = new long[1];
    long[] affectedCount = new long[1];
    Dataset<Row> gone = LinkJob.boundary(spark, changed.union(reblocked).union(withdrawn).distinct(), work + "/gone");
    Dataset<Row> keptPairs = prevPairs
        .withColumn("_ul", xxhash64(col("source_l"), col("record_id_l")))
        .withColumn("_ur", xxhash64(col("source_r"), col("record_id_r")))
        .join(broadcast(gone.withColumnRenamed("uid", "_ul")), new String[] {"_ul"}, "left_anti")
        .join(broadcast(gone.withColumnRenamed("uid", "_ur")), new String[] {"_ur"}, "left_anti");
    Dataset<Row>[] affected = stageAffected(stage, spark, work, scored, keptPairs, gone, prevCw, status, evidence, threshold, matched,
        affectedCount);
    Dataset<Row> affectedPersons = affected[0];
    Dataset<Row> affectedRecords = affected[1];
    Dataset<Row> edges = affected[2];
    Dataset<Row> affectedCw = affected[3];
    ConnectedComponents.Result cc = stage.run("cluster", () ->
        ConnectedComponents.runWithStats(edges, affectedRecords, cfg.clustering().cc()));
    StableIds.StableIdResult ids = stage.run("cluster", () -> {
      // the re-clustered records' names: from the affected people's crosswalk rows and the new
      // and changed records (both small; no pass over the population)
      Dataset<Row> names = affectedCw.select("uid", "source", "record_id")
          .union(upd.select("uid", "source", "record_id")).dropDuplicates("uid");
      Dataset<Row> clusters = LinkJob.boundary(spark, cc.components().join(names, "uid"), work + "/clusters");
      Dataset<Row> prevAffected = affectedCw.select("source", "record_id", "person_id");
      StableIds.StableIdResult r = StableIds.assign(clusters, prevAffected, runId, cfg.clustering().personIdPrefix(),
          prevPerson.select("person_id")); // every previous id: one person row each
      Dataset<Row> cw = r.crosswalk().persist(StorageLevel.MEMORY_AND_DISK());
      cw.count();
      return new StableIds.StableIdResult(cw, r.history().persist(StorageLevel.MEMORY_AND_DISK()));
    });
    // the people after the update: the unaffected ones (every previous person holds a record, so
    // the person table counts them) and the re-clustered ones
    long persons = stage.run("cluster", () -> prevPerson.count() - affectedCount[0]
        + ids.crosswalk().select("person_id").distinct().count());

    // 5. publish
    Map<String, Long> versions = stage.run("publish", () -> {
      Map<String, AtomicPublisher.Table> t = new LinkedHashMap<>();
      // the re-clustered people's rows, from their records only (a broadcast lookup, not a join
      // of the whole population)
      Dataset<Row> cwKeys = broadcast(ids.crosswalk().select("source", "record_id"));
      Dataset<Row> newPersons = LinkJob.personTable(ids.crosswalk(),
          stdOut.join(cwKeys, new String[] {"source", "record_id"}, "left_semi"),
          raw.join(cwKeys, new String[] {"source", "record_id"}, "left_semi"), runId);
      // The linked tables (what researchers read) are rewritten with their kept rows, or with
      // incremental.publish = merge updated in place: the rows of the affected people and the
      // pairs with a dirty or withdrawn end deleted (deletion vectors), the new rows appended.
      // The identified key tables (read by the next run only) are updated in place by default
      // (incremental.publishKeys): a rewrite copies ~1M rows (record_keys 121 MB, block_keys
      // 196 MB of hashes at 1M records) to replace 2% of them. The largest tables go first:
      // AtomicPublisher writes a few at a time, in this order.
      Dataset<Row> newPairs = LinkJob.matchPairs(scored, sides, cfg, runId, LinkJob.byRuleNames(cfg.blocking()), bc);
      if (cfg.incrementalMerge()) {
        t.put("match_pairs", AtomicPublisher.Table.upsert(storage.linked("match_pairs"), newPairs,
            () -> DeltaTables.anyIsIn(gone, xxhash64(col("source_l"), col("record_id_l")),
                xxhash64(col("source_r"), col("record_id_r")))));
        t.put("person", AtomicPublisher.Table.upsert(storage.linked("person"), newPersons,
            () -> DeltaTables.isIn(col("person_id"), affectedPersons)));
      } else {
        t.put("match_pairs", new AtomicPublisher.Table(storage.linked("match_pairs"),
            keptPairs.drop("_ul", "_ur").unionByName(newPairs, true), AtomicPublisher.Mode.OVERWRITE));
        t.put("person", new AtomicPublisher.Table(storage.linked("person"),
            prevPerson.join(broadcast(affectedPersons), new String[] {"person_id"}, "left_anti")
                .unionByName(newPersons, true),
            AtomicPublisher.Mode.OVERWRITE));
      }
      if (cfg.incrementalKeysInPlace()) {
        t.put(RECORD_KEYS, AtomicPublisher.Table.upsert(storage.identified(RECORD_KEYS), upd,
            () -> DeltaTables.isIn(col("uid"), replaced)));
      } else {
        t.put(RECORD_KEYS, new AtomicPublisher.Table(storage.identified(RECORD_KEYS), stdOut, AtomicPublisher.Mode.OVERWRITE));
      }
      if (!keysKept) {
        // no key table yet (a run of an earlier version): everyone's keys
        t.put(BLOCK_KEYS, new AtomicPublisher.Table(keyTablePath, IncrementalBlocker.keyTable(stdOut, cfg.blocking()),
            AtomicPublisher.Mode.OVERWRITE));
      } else if (cfg.incrementalKeysInPlace()) {
        t.put(BLOCK_KEYS, AtomicPublisher.Table.upsert(keyTablePath, updKeys, () -> DeltaTables.isIn(col("uid"), replaced)));
      } else {
        t.put(BLOCK_KEYS, new AtomicPublisher.Table(keyTablePath, keyedNow, AtomicPublisher.Mode.OVERWRITE));
      }
      if (cfg.incrementalMerge()) {
        t.put("crosswalk", AtomicPublisher.Table.upsert(storage.linked("crosswalk"), ids.crosswalk(),
            () -> DeltaTables.isIn(col("person_id"), affectedPersons)));
      } else {
        t.put("crosswalk", new AtomicPublisher.Table(storage.linked("crosswalk"),
            prevCw.select("source", "record_id", "person_id", "run_id")
                .join(broadcast(affectedPersons), new String[] {"person_id"}, "left_anti").unionByName(ids.crosswalk()),
            AtomicPublisher.Mode.OVERWRITE));
      }
      ModelTraining.Result used = new ModelTraining.Result(model, Optional.of(prevModel.describe()), Optional.empty(),
          Optional.empty(), Optional.empty());
      t.put("model", new AtomicPublisher.Table(storage.linked("model"), LinkJob.modelRow(spark, model, used, runId),
          AtomicPublisher.Mode.APPEND));
      t.put("person_id_history", new AtomicPublisher.Table(storage.linked("person_id_history"), ids.history(),
          AtomicPublisher.Mode.APPEND));
      Map<String, Long> counts = LinkJob.runCounts(n, candidatePairs, matched[0], persons);
      counts.put("new_records", byStatus.get("NEW"));
      counts.put("changed_records", byStatus.get("CHANGED"));
      counts.put("withdrawn_records", byStatus.get("WITHDRAWN"));
      counts.put("rescored_records", rescored);
      counts.put("affected_persons", affectedCount[0]);
      t.put("runs", new AtomicPublisher.Table(storage.linked("runs"),
          LinkJob.succeededRunRow(spark, runId, "link_incremental", configHash, "person_records", inputVersion, counts,
              new LinkedHashMap<>(secs), started, cfg.linkType(), agreementId, "CLEAR"),
          AtomicPublisher.Mode.APPEND));
      return AtomicPublisher.publish(spark, storage.linked(), t);
    });
    updated.unpersist();
    ids.crosswalk().unpersist();
    ids.history().unpersist();
    LinkJob.deleteQuietly(spark, work);
    spark.catalog().clearCache();
    LinkJob.LinkResult link = new LinkJob.LinkResult(runId, n, candidatePairs, byRule, matched[0], persons, cc.iterations(),
        secs, versions, model, null);
    return new Result(link, true, byStatus.get("NEW"), byStatus.get("CHANGED"), byStatus.get("WITHDRAWN"), rescored,
        affectedCount[0]);
  }

  /**
   * Affected people ({@code person_id}), their current records plus the new ones ({@code uid}),
   * the edges, and the affected people's previous crosswalk rows ({@code uid, source, record_id,
   * person_id}).
   */
  @SuppressWarnings("unchecked")
  private static Dataset<Row>[] stageAffected(LinkJob.Stage stage, SparkSession spark, String work, Dataset<Row> scored,
      Dataset<Row> keptPairs, Dataset<Row> gone, Dataset<Row> prevCw, Dataset<Row> status, Column evidence,
      double threshold, long[] matched, long[] affectedCount) {
    return stage.run("cluster", () -> {
      Dataset<Row> newEdges = LinkJob.boundary(spark,
          Clustering.selectEdges(scored.filter(evidence), threshold).select("uid_l", "uid_r"), work + "/edges");
      matched[0] = newEdges.count();
      Dataset<Row> touched = gone.union(newEdges.select(col("uid_l").as("uid"))).union(newEdges.select(col("uid_r").as("uid")))
          .distinct();
      Dataset<Row> affectedPersons = LinkJob.boundary(spark,
          prevCw.join(broadcast(touched), "uid").select("person_id").distinct(), work + "/affected_persons");
      affectedCount[0] = affectedPersons.count();
      Dataset<Row> withdrawn = status.where(col("status").equalTo("WITHDRAWN")).select("uid");
      // the affected people's crosswalk rows (read once: the records to re-cluster and their previous ids)
      Dataset<Row> affectedCw = LinkJob.boundary(spark, prevCw.join(broadcast(affectedPersons), "person_id")
          .select("uid", "source", "record_id", "person_id"), work + "/affected_crosswalk");
      Dataset<Row> records = LinkJob.boundary(spark,
          affectedCw.select("uid")
              .join(broadcast(withdrawn), new String[] {"uid"}, "left_anti")
              .union(status.where(col("status").equalTo("NEW")).select("uid"))
              .distinct(),
          work + "/affected_records");
      Dataset<Row> oldEdges = Clustering.selectEdges(
              keptPairs.filter(evidence).withColumnRenamed("_ul", "uid_l").withColumnRenamed("_ur", "uid_r"), threshold)
          .join(broadcast(records.withColumnRenamed("uid", "uid_l")), new String[] {"uid_l"}, "left_semi");
      Dataset<Row> edges = LinkJob.boundary(spark, oldEdges.union(newEdges), work + "/cluster_edges");
      LOG.info("incremental cluster: {} new edges, {} affected people, {} records to re-cluster", matched[0],
          affectedCount[0], records.count());
      return (Dataset<Row>[]) new Dataset[] {affectedPersons, records, edges, affectedCw};
    });
  }

  /**
   * Recomputes SSN_SHARED (as the standardiser does: a valid SSN whose records show more distinct
   * people than allowed) for the SSNs in {@code touchedSsns}, from all records holding them, and
   * fixes {@code ssn_flag} and {@code flags}; records with another SSN keep their stored flag (their
   * SSN's records did not change). {@code _ssn_flipped} marks records whose flag changed. A
   * non-null {@code ssn} is structurally valid (the other SSN flags null it).
   */
  static Dataset<Row> withSharedSsn(Dataset<Row> std, Dataset<Row> touchedSsns, int maxDistinctPersons) {
    Dataset<Row> t = touchedSsns.select(col("ssn").as("_t_ssn"));
    Dataset<Row> status = std.join(broadcast(t), std.col("ssn").equalTo(t.col("_t_ssn")), "left_semi")
        .groupBy(col("ssn").as("_s_ssn"))
        .agg(size(collect_set(col("dob"))).as("_s_dobs"), size(collect_set(col("first_dm"))).as("_s_names"))
        .select(col("_s_ssn"), least(col("_s_dobs"), col("_s_names")).gt(maxDistinctPersons).as("_s_shared"));
    Dataset<Row> j = std.join(broadcast(status), std.col("ssn").equalTo(status.col("_s_ssn")), "left");
    Column flag = when(col("ssn").isNull().or(col("_s_ssn").isNull()), col("ssn_flag"))
        .otherwise(when(col("_s_shared"), lit(Ssn.SHARED)));
    Column flipped = not(col("ssn_flag").eqNullSafe(flag));
    List<Column> cols = new ArrayList<>();
    for (String c : j.columns()) {
      if (c.equals("ssn_flag")) {
        cols.add(flag.as("ssn_flag"));
      } else if (c.equals("flags")) {
        // the standardiser's order: dob_flag, ssn_flag, name flag
        cols.add(when(flipped, concat(array_compact(array(col("dob_flag"), flag)),
                array_except(col("flags"), array(col("dob_flag"), lit(Ssn.SHARED)))))
            .otherwise(col("flags")).as("flags"));
      } else if (!c.startsWith("_s_")) {
        cols.add(col(c));
      }
    }
    cols.add(flipped.as("_ssn_flipped"));
    return j.select(cols.toArray(new Column[0]));
  }

  /** The latest model of the linked zone's model table, and where it came from. */
  record PreviousModel(FellegiSunterModel model, String runId, String loadedFrom) {
    String describe() {
      return "model of link run " + runId + (loadedFrom == null ? "" : " (" + loadedFrom + ")");
    }
  }

  static PreviousModel previousModel(SparkSession spark, StorageConfig storage) {
    List<Row> rows = DeltaTables.read(spark, storage.linked("model"))
        .orderBy(col("created_at").desc(), col("run_id").desc())
        .select("run_id", "model_json", "loaded_from").limit(1).collectAsList();
    if (rows.isEmpty()) {
      throw new IllegalStateException("The model table in " + storage.linked() + " holds no model");
    }
    Row r = rows.get(0);
    return new PreviousModel(FellegiSunterModel.fromJson(r.getString(1)), r.getString(0), r.getString(2));
  }

  /** The config hash of the latest link run (full or incremental), null when unknown. */
  static String lastConfigHash(SparkSession spark, StorageConfig storage) {
    String p = storage.linked("runs");
    if (!DeltaTables.exists(spark, p)) {
      return null;
    }
    List<Row> rows = DeltaTables.read(spark, p).where(col("stage").isin("link", "link_incremental"))
        .orderBy(col("finished_at").desc()).select("config_hash").limit(1).collectAsList();
    return rows.isEmpty() ? null : rows.get(0).getString(0);
  }

  /** The table at its current version (later writes to it do not change what this reads). */
  static Dataset<Row> pinned(SparkSession spark, String path) {
    long v = DeltaTables.version(spark, path);
    return spark.read().format("delta").option("versionAsOf", v).load(path);
  }
}
