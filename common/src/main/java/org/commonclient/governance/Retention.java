package org.commonclient.governance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.linkage.LinkJob;
import org.commonclient.standardise.StandardiseConfig;
import org.commonclient.standardise.Standardiser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Destroys one source's records and identifiers from every table that holds them, then removes
 * the files so time travel cannot bring them back.
 *
 * <p>Tables: every Delta table directly under the identified zone, the linked zone and the
 * restricted metrics folder is inspected. Rows are deleted where a source column names the source
 * ({@code source}, {@code fact_source}, {@code record_source}, {@code source_l}, {@code
 * source_r}): person_records, rejects, fact tables, crosswalk, match_pairs, and any later table
 * keyed the same way (tokens, CLKs). Person-level tables derived from the records are then fixed:
 * {@code person} rows of the affected persons are recomputed from their remaining records
 * (persons left with none are deleted), {@code person_id_history} loses the persons that no longer
 * exist, and other person-level tables (the restricted {@code eligible_outreach}) lose every
 * affected person. Audit tables ({@link #KEEP}) hold no identifiers and are kept.
 *
 * <p>Physical removal: deletion vectors are purged ({@code REORG ... APPLY (PURGE)}) and each
 * changed table, and every table with deletion vectors (rows deleted earlier stay in their files
 * until purged), is vacuumed with a retention of 0 hours, with Delta's retention safety check
 * switched off for that call only. Earlier versions then fail to read (their files are gone).
 * One audit row per changed table goes to the destruction audit.
 */
public final class Retention {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  /** Columns naming the source a row came from. */
  static final List<String> SOURCE_COLUMNS = List.of("source", "fact_source", "record_source", "source_l", "source_r");

  /** Tables never touched: run and audit logs without identifiers. */
  static final Set<String> KEEP = Set.of("runs", "ingest_runs", "model", "destruction_audit", "extract_log");

  static final String RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";

  /** What to destroy and why. */
  public record Request(String source, String reason, String agreementId) {}

  /** Rows removed from one table. */
  public record TableResult(String table, String path, long rows, String action) {}

  /** What a destruction did. */
  public record Result(String destructionId, String source, List<TableResult> tables, Timestamp at,
      Map<String, Double> stepSeconds) {
    public long totalRows() {
      return tables.stream().mapToLong(TableResult::rows).sum();
    }
  }

  public static final StructType AUDIT_SCHEMA = new StructType()
      .add("destruction_id", DataTypes.StringType).add("source", DataTypes.StringType)
      .add("table_name", DataTypes.StringType).add("table_path", DataTypes.StringType)
      .add("rows", DataTypes.LongType).add("action", DataTypes.StringType)
      .add("reason", DataTypes.StringType).add("agreement_id", DataTypes.StringType)
      .add("destroyed_at", DataTypes.TimestampType);

  private Retention() {}

  /**
   * Destroys the source and appends the audit rows.
   *
   * @param restrictedMetrics folder of the restricted metric tables (may be null)
   * @param std standardisation settings, to recompute person attributes as the link job does
   * @param auditPath Delta table of the destruction audit
   */
  public static Result destroySource(SparkSession spark, StorageConfig storage, String restrictedMetrics,
      StandardiseConfig std, String auditPath, Request req, String destructionId) {
    String src = req.source();
    Timestamp at = new Timestamp(System.currentTimeMillis());
    Map<String, Double> secs = new LinkedHashMap<>();
    long t = System.nanoTime();
    String work = storage.linked("_retention/" + destructionId);
    List<TableResult> out = new ArrayList<>();
    Map<String, Boolean> changed = new LinkedHashMap<>(); // table -> deletion vectors written
    List<String> paths = new ArrayList<>();
    paths.addAll(deltaTablesUnder(spark, storage.identified()));
    paths.addAll(deltaTablesUnder(spark, storage.linked()));
    if (restrictedMetrics != null) {
      paths.addAll(deltaTablesUnder(spark, restrictedMetrics));
    }
    Map<String, List<String>> columns = new LinkedHashMap<>();
    for (String p : paths) {
      if (!KEEP.contains(new Path(p).getName())) {
        columns.put(p, List.of(DeltaTables.read(spark, p).columns()));
      }
    }
    String crosswalk = storage.linked("crosswalk");
    String person = storage.linked("person");
    t = lap(secs, "find tables", t);
    try {
      // 1. the persons whose records come from the source, kept before the crosswalk loses them
      Dataset<Row> affected = null;
      if (columns.containsKey(crosswalk)) {
        DeltaTables.read(spark, crosswalk).filter(col("source").equalTo(src)).select("person_id").distinct()
            .write().mode(SaveMode.Overwrite).parquet(work + "/affected");
        affected = spark.read().parquet(work + "/affected");
      }
      t = lap(secs, "affected persons", t);
      // 2. rows keyed by the source
      for (var e : columns.entrySet()) {
        String name = new Path(e.getKey()).getName();
        Column cond = sourceCondition(e.getValue(), src);
        if (cond == null || name.equals("person")) {
          continue;
        }
        Change c = delete(spark, e.getKey(), cond);
        if (c.rows() > 0) {
          out.add(new TableResult(name, e.getKey(), c.rows(), "deleted rows of the source"));
          changed.merge(e.getKey(), c.deletionVectors(), Boolean::logicalOr);
        }
      }
      t = lap(secs, "delete source rows", t);
      // 3. person-level tables derived from the records
      long nAffected = affected == null ? 0 : affected.count();
      if (nAffected > 0) {
        Dataset<Row> removed = affected;
        if (columns.containsKey(person)) {
          Dataset<Row> remaining = DeltaTables.read(spark, crosswalk).join(affected, "person_id");
          Dataset<Row> raw = DeltaTables.read(spark, storage.identified("person_records"))
              .join(remaining.select("source", "record_id"), new String[] {"source", "record_id"}, "left_semi");
          String runId = DeltaTables.read(spark, person).select("run_id").limit(1).collectAsList().stream()
              .map(r -> r.getString(0)).findFirst().orElse(null);
          Dataset<Row> rebuilt = LinkJob.personTable(remaining, Standardiser.standardise(raw, std), raw, runId);
          rebuilt.write().mode(SaveMode.Overwrite).parquet(work + "/person");
          rebuilt = spark.read().parquet(work + "/person");
          Change deleted = mergeDelete(person, affected);
          DeltaTables.append(rebuilt, person);
          long kept = rebuilt.count();
          out.add(new TableResult("person", person, deleted.rows(),
              "deleted affected persons; " + kept + " recomputed from their remaining records"));
          changed.merge(person, deleted.deletionVectors(), Boolean::logicalOr);
          removed = affected.join(rebuilt.select("person_id"), new String[] {"person_id"}, "left_anti");
          t = lap(secs, "recompute person", t);
        }
        for (var e : columns.entrySet()) {
          String name = new Path(e.getKey()).getName();
          if (name.equals("person") || !e.getValue().contains("person_id") || sourceCondition(e.getValue(), src) != null) {
            continue;
          }
          boolean history = name.equals("person_id_history");
          Change c = mergeDelete(e.getKey(), history ? removed : affected);
          if (c.rows() > 0) {
            out.add(new TableResult(name, e.getKey(), c.rows(), history ? "deleted persons that no longer exist"
                : "deleted affected persons (re-run metrics)"));
            changed.merge(e.getKey(), c.deletionVectors(), Boolean::logicalOr);
          }
        }
        t = lap(secs, "person-level tables", t);
      }
    } finally {
      deleteDir(spark, work);
    }
    // 4. leftovers of interrupted link runs hold standardised identifiers of every source
    deleteDir(spark, storage.linked("_work"));
    // 5. physical removal. A table with deletion vectors (a site may turn them on for new tables,
    // spark.databricks.delta.properties.defaults.enableDeletionVectors) may hold the source's
    // rows masked by an earlier delete in its files even when nothing visible was deleted now: it
    // is purged and vacuumed too.
    for (String p : columns.keySet()) {
      if (DeltaTables.deletionVectorsEnabled(spark, p)) {
        changed.put(p, true);
      }
    }
    purgeAll(spark, changed);
    t = lap(secs, "purge + vacuum", t);
    audit(spark, auditPath, destructionId, req, out, at);
    lap(secs, "audit", t);
    return new Result(destructionId, src, List.copyOf(out), at, secs);
  }

  private static long lap(Map<String, Double> secs, String step, long t0) {
    long now = System.nanoTime();
    secs.merge(step, (now - t0) / 1e9, Double::sum);
    LOG.info("retention: {} took {} s", step, String.format("%.1f", (now - t0) / 1e9));
    return now;
  }

  /** OR of {@code column = source} over the source columns the table has, or null. */
  static Column sourceCondition(List<String> columns, String source) {
    Column c = null;
    for (String s : SOURCE_COLUMNS) {
      if (columns.contains(s)) {
        Column one = col(s).equalTo(lit(source));
        c = c == null ? one : c.or(one);
      }
    }
    return c;
  }

  /** Rows removed by one DELETE or MERGE, and whether it wrote deletion vectors. */
  record Change(long rows, boolean deletionVectors) {}

  private static Change delete(SparkSession spark, String path, Column cond) {
    DeltaTable dt = DeltaTable.forPath(spark, path);
    long t0 = System.currentTimeMillis();
    dt.delete(cond);
    Change c = lastCommit(dt, t0, "DELETE", "numDeletedRows");
    if (c.rows() < 0) { // a metadata-only delete without row counts: count in the version before
      long v = dt.history(1).select("version").head().getLong(0);
      c = new Change(spark.read().format("delta").option("versionAsOf", v - 1).load(path).filter(cond).count(),
          c.deletionVectors());
    }
    LOG.info("retention: deleted {} rows from {}", c.rows(), path);
    return c;
  }

  /** Deletes the rows whose person_id is in {@code ids}. */
  private static Change mergeDelete(String path, Dataset<Row> ids) {
    DeltaTable dt = DeltaTable.forPath(ids.sparkSession(), path);
    long t0 = System.currentTimeMillis();
    dt.as("t")
        .merge(ids.select(col("person_id").as("_pid")).as("a"), col("t.person_id").equalTo(col("a._pid")))
        .whenMatched().delete()
        .execute();
    Change c = lastCommit(dt, t0, "MERGE", "numTargetRowsDeleted");
    return new Change(Math.max(0, c.rows()), c.deletionVectors());
  }

  /**
   * Rows counted by {@code metric} in the table's last commit if it is the {@code operation} just
   * run (at or after {@code sinceMillis}); 0 when nothing was committed, -1 when not counted.
   */
  private static Change lastCommit(DeltaTable dt, long sinceMillis, String operation, String metric) {
    Row h = dt.history(1).select("operation", "timestamp", "operationMetrics").head();
    if (!operation.equals(h.getString(0)) || h.getTimestamp(1).getTime() < sinceMillis - 1000) {
      return new Change(0, false);
    }
    Map<String, String> m = h.getJavaMap(2);
    String v = m == null ? null : m.get(metric);
    boolean dv = m != null && (Long.parseLong(m.getOrDefault("numDeletionVectorsAdded", "0")) > 0
        || Long.parseLong(m.getOrDefault("numDeletionVectorsUpdated", "0")) > 0);
    return new Change(v == null ? -1 : Long.parseLong(v), dv);
  }

  /**
   * Purges every given table ({@code path -> has deletion vectors}): rewrites files carrying
   * deletion vectors, then VACUUMs with a 0-hour retention so no file of an earlier version
   * survives. The retention check is off for these calls only (set once around all of them: the
   * tables are purged side by side, four at a time, and a session setting is shared by the threads).
   */
  static void purgeAll(SparkSession spark, Map<String, Boolean> tables) {
    // VACUUM lists the table's files with up to parallelPartitionDiscovery.parallelism (10,000)
    // tasks; a table here is small, so the session's parallelism is plenty
    Map<String, String> forThisCall = new LinkedHashMap<>();
    forThisCall.put(RETENTION_CHECK, "false");
    forThisCall.put("spark.sql.sources.parallelPartitionDiscovery.parallelism",
        String.valueOf(spark.sparkContext().defaultParallelism()));
    Map<String, scala.Option<String>> prev = new LinkedHashMap<>();
    forThisCall.forEach((k, v) -> {
      prev.put(k, spark.conf().getOption(k));
      spark.conf().set(k, v);
    });
    try {
      List<Runnable> purges = new ArrayList<>();
      // each table's VACUUM is mostly driver work (listing, the Delta commit) on small tables
      tables.forEach((path, dv) -> purges.add(() -> purge(spark, path, dv)));
      org.commonclient.spark.SparkSessions.runAll("retention-purge", purges, 4);
    } finally {
      prev.forEach((k, v) -> {
        if (v.isDefined()) {
          spark.conf().set(k, v.get());
        } else {
          spark.conf().unset(k);
        }
      });
    }
  }

  private static void purge(SparkSession spark, String path, boolean deletionVectors) {
    if (deletionVectors) { // rows marked deleted in a vector still sit in the old files
      spark.sql("REORG TABLE delta.`" + path.replace("`", "``") + "` APPLY (PURGE)");
    }
    DeltaTable.forPath(spark, path).vacuum(0.0);
    LOG.info("retention: vacuumed {} with retention 0", path);
  }

  private static void audit(SparkSession spark, String auditPath, String id, Request req, List<TableResult> out,
      Timestamp at) {
    List<Row> rows = new ArrayList<>();
    for (TableResult t : out) {
      rows.add(RowFactory.create(id, req.source(), t.table(), t.path(), t.rows(), t.action(), req.reason(),
          req.agreementId(), at));
    }
    if (rows.isEmpty()) {
      rows.add(RowFactory.create(id, req.source(), null, null, 0L, "nothing held", req.reason(), req.agreementId(), at));
    }
    DeltaTables.append(spark.createDataFrame(rows, AUDIT_SCHEMA), auditPath);
  }

  /** Delta tables directly under {@code dir} (sorted). */
  static List<String> deltaTablesUnder(SparkSession spark, String dir) {
    Path p = new Path(dir);
    List<String> out = new ArrayList<>();
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        return out;
      }
      for (FileStatus st : fs.listStatus(p)) {
        if (st.isDirectory() && fs.exists(new Path(st.getPath(), "_delta_log"))) {
          out.add(dir.endsWith("/") ? dir + st.getPath().getName() : dir + "/" + st.getPath().getName());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list the tables under " + dir, e);
    }
    out.sort(String::compareTo);
    return out;
  }

  static void deleteDir(SparkSession spark, String dir) {
    Path p = new Path(dir);
    try {
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot delete " + dir, e);
    }
  }
}
