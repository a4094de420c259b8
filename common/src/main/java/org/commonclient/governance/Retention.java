package org.commonclient.governance;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashSet;
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
 * changed table is vacuumed with a retention of 0 hours, with Delta's retention safety check
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
  public record Result(String destructionId, String source, List<TableResult> tables, Timestamp at) {
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
    String work = storage.linked("_retention/" + destructionId);
    List<TableResult> out = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    tables.addAll(deltaTablesUnder(spark, storage.identified()));
    tables.addAll(deltaTablesUnder(spark, storage.linked()));
    if (restrictedMetrics != null) {
      tables.addAll(deltaTablesUnder(spark, restrictedMetrics));
    }
    String crosswalk = storage.linked("crosswalk");
    String person = storage.linked("person");
    try {
      // 1. the persons whose records come from the source, kept before the crosswalk loses them
      Dataset<Row> affected = null;
      if (DeltaTables.exists(spark, crosswalk)) {
        DeltaTables.read(spark, crosswalk).filter(col("source").equalTo(src)).select("person_id").distinct()
            .write().mode(SaveMode.Overwrite).parquet(work + "/affected");
        affected = spark.read().parquet(work + "/affected");
      }
      // 2. rows keyed by the source
      for (String path : tables) {
        String name = new Path(path).getName();
        if (KEEP.contains(name) || name.equals("person")) {
          continue;
        }
        Column cond = sourceCondition(DeltaTables.read(spark, path).columns(), src);
        if (cond == null) {
          continue;
        }
        long n = delete(spark, path, cond);
        if (n > 0) {
          out.add(new TableResult(name, path, n, "deleted rows of the source"));
          changed.add(path);
        }
      }
      // 3. person-level tables derived from the records
      if (affected != null) {
        long nAffected = affected.count();
        Dataset<Row> removed = affected;
        if (nAffected > 0 && DeltaTables.exists(spark, person)) {
          Dataset<Row> remaining = DeltaTables.read(spark, crosswalk).join(affected, "person_id");
          Dataset<Row> raw = DeltaTables.read(spark, storage.identified("person_records"))
              .join(remaining.select("source", "record_id"), new String[] {"source", "record_id"}, "left_semi");
          String runId = DeltaTables.read(spark, person).select("run_id").limit(1).collectAsList().stream()
              .map(r -> r.getString(0)).findFirst().orElse(null);
          Dataset<Row> rebuilt = LinkJob.personTable(remaining, Standardiser.standardise(raw, std), raw, runId);
          rebuilt.write().mode(SaveMode.Overwrite).parquet(work + "/person");
          rebuilt = spark.read().parquet(work + "/person");
          long deleted = mergeDelete(spark, person, affected);
          DeltaTables.append(rebuilt, person);
          long kept = rebuilt.count();
          out.add(new TableResult("person", person, deleted,
              "deleted affected persons; " + kept + " recomputed from their remaining records"));
          changed.add(person);
          removed = affected.join(rebuilt.select("person_id"), new String[] {"person_id"}, "left_anti");
        }
        for (String path : tables) {
          String name = new Path(path).getName();
          if (KEEP.contains(name) || name.equals("person") || name.equals("crosswalk") || nAffected == 0) {
            continue;
          }
          String[] cols = DeltaTables.read(spark, path).columns();
          if (!List.of(cols).contains("person_id") || sourceCondition(cols, src) != null) {
            continue;
          }
          boolean history = name.equals("person_id_history");
          long n = mergeDelete(spark, path, history ? removed : affected);
          if (n > 0) {
            out.add(new TableResult(name, path, n, history ? "deleted persons that no longer exist"
                : "deleted affected persons (re-run metrics)"));
            changed.add(path);
          }
        }
      }
    } finally {
      deleteDir(spark, work);
    }
    // 4. leftovers of interrupted link runs hold standardised identifiers of every source
    deleteDir(spark, storage.linked("_work"));
    // 5. physical removal
    for (String path : new LinkedHashSet<>(changed)) {
      purge(spark, path);
    }
    audit(spark, auditPath, destructionId, req, out, at);
    return new Result(destructionId, src, List.copyOf(out), at);
  }

  /** OR of {@code column = source} over the source columns the table has, or null. */
  static Column sourceCondition(String[] columns, String source) {
    Column c = null;
    for (String s : SOURCE_COLUMNS) {
      if (List.of(columns).contains(s)) {
        Column one = col(s).equalTo(lit(source));
        c = c == null ? one : c.or(one);
      }
    }
    return c;
  }

  private static long delete(SparkSession spark, String path, Column cond) {
    long n = DeltaTables.read(spark, path).filter(cond).count();
    if (n > 0) {
      DeltaTable.forPath(spark, path).delete(cond);
      LOG.info("retention: deleted {} rows from {}", n, path);
    }
    return n;
  }

  /** Deletes the rows whose person_id is in {@code ids}; returns their number. */
  private static long mergeDelete(SparkSession spark, String path, Dataset<Row> ids) {
    long n = DeltaTables.read(spark, path).join(ids, new String[] {"person_id"}, "left_semi").count();
    if (n > 0) {
      DeltaTable.forPath(spark, path).as("t")
          .merge(ids.select(col("person_id").as("_pid")).as("a"), col("t.person_id").equalTo(col("a._pid")))
          .whenMatched().delete()
          .execute();
    }
    return n;
  }

  /**
   * Rewrites files carrying deletion vectors, then VACUUMs with a 0-hour retention so no file of an
   * earlier version survives. The retention check is off for this call only.
   */
  static void purge(SparkSession spark, String path) {
    spark.sql("REORG TABLE delta.`" + path.replace("`", "``") + "` APPLY (PURGE)");
    scala.Option<String> prev = spark.conf().getOption(RETENTION_CHECK);
    spark.conf().set(RETENTION_CHECK, "false");
    try {
      DeltaTable.forPath(spark, path).vacuum(0.0);
    } finally {
      if (prev.isDefined()) {
        spark.conf().set(RETENTION_CHECK, prev.get());
      } else {
        spark.conf().unset(RETENTION_CHECK);
      }
    }
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
