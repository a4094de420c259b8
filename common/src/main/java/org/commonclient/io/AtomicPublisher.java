package org.commonclient.io;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes several Delta tables as one unit: either every table moves to its new version, or
 * every table is left at (or restored to) the version it had before.
 *
 * <p>Delta commits are atomic per table only. Before writing, a journal recording each table's
 * current version is written to {@code <zone>/_publish/journal}. Each table is then replaced or
 * appended to. On failure the tables already written are restored ({@code RESTORE ... TO VERSION})
 * and the journal removed. If the process dies in the middle (killed driver), the journal survives
 * and the next publish, or {@link #recover}, restores every table first. Readers that need a
 * consistent snapshot while a publish is under way read the versions recorded in the {@code runs}
 * table.
 */
public final class AtomicPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicPublisher.class);

  /** How a table is written. */
  public enum Mode {
    OVERWRITE,
    APPEND,
    /**
     * In place ({@link DeltaTables#deleteAndAppend}): the rows matching a condition removed, the
     * new rows added, others kept.
     */
    UPSERT,
    /**
     * The whole content replaced by the Parquet files of a folder, moved in ({@link
     * DeltaTables#adoptOverwrite}); written after the other tables, which may still read them.
     */
    ADOPT
  }

  /**
   * One table to publish.
   *
   * @param remove for {@link Mode#UPSERT}: the stored rows to remove, computed when the table is
   *     written (it may collect keys to the driver)
   */
  public record Table(String path, Dataset<Row> data, Mode mode,
      java.util.function.Supplier<org.apache.spark.sql.Column> remove, String files) {
    public Table(String path, Dataset<Row> data, Mode mode) {
      this(path, data, mode, null, null);
      if (mode == Mode.UPSERT || mode == Mode.ADOPT) {
        throw new IllegalArgumentException("An " + mode + " of " + path + " needs its own factory");
      }
    }

    /**
     * The table's content replaced by the Parquet files in {@code parquetDir}, moved into the
     * table (nothing may read that folder after the publish).
     */
    public static Table adopt(String path, String parquetDir) {
      return new Table(path, null, Mode.ADOPT, null, parquetDir);
    }

    /**
     * {@code rows} added to the table after the stored rows matching {@code remove} are removed
     * ({@code remove} must match every stored row a new row replaces).
     */
    public static Table upsert(String path, Dataset<Row> rows,
        java.util.function.Supplier<org.apache.spark.sql.Column> remove) {
      return new Table(path, rows, Mode.UPSERT, remove, null);
    }
  }

  private AtomicPublisher() {}

  static Path journal(String zone) {
    return new Path(zone + "/_publish/journal");
  }

  /**
   * Publishes the tables and returns their new versions: all but the last side by side (up to
   * {@value #PARALLEL_WRITES} at once), then the last.
   *
   * @param zone root of the zone, where the journal lives
   * @param tables name -> table; the last one is written after all the others
   */
  public static Map<String, Long> publish(SparkSession spark, String zone, Map<String, Table> tables) {
    recover(spark, zone);
    Map<String, Long> before = new LinkedHashMap<>();
    for (var e : tables.entrySet()) {
      before.put(e.getValue().path(), DeltaTables.version(spark, e.getValue().path()));
    }
    writeJournal(spark, zone, before);
    Map<String, Long> written = new java.util.concurrent.ConcurrentHashMap<>();
    try {
      // every table but the last side by side (their Spark jobs and Delta commits overlap: a
      // whole-table rewrite leaves a core idle while it plans, commits or writes its last file),
      // then the last one (the run record: it is written once everything else is)
      java.util.List<Runnable> writes = new java.util.ArrayList<>();
      String last = null;
      for (var e : tables.entrySet()) {
        last = e.getKey();
      }
      for (var e : tables.entrySet()) {
        if (!e.getKey().equals(last) && e.getValue().mode() != Mode.ADOPT) {
          writes.add(() -> write(spark, e.getKey(), e.getValue(), written));
        }
      }
      org.commonclient.spark.SparkSessions.runAll("publish", writes, PARALLEL_WRITES);
      // tables made of existing files: once nothing written above can still read those files
      for (var e : tables.entrySet()) {
        if (!e.getKey().equals(last) && e.getValue().mode() == Mode.ADOPT) {
          write(spark, e.getKey(), e.getValue(), written);
        }
      }
      if (last != null) {
        write(spark, last, tables.get(last), written);
      }
    } catch (Exception ex) { // Spark throws checked SparkException from Scala code
      LOG.error("publish failed, restoring {} tables to their previous versions", before.size());
      restore(spark, before);
      deleteJournal(spark, zone);
      throw ex;
    }
    deleteJournal(spark, zone);
    Map<String, Long> after = new LinkedHashMap<>();
    for (String name : tables.keySet()) {
      after.put(name, written.get(name));
    }
    return after;
  }

  /** Tables written at once by {@link #publish} (all but the last). */
  static final int PARALLEL_WRITES = 3;

  private static void write(SparkSession spark, String name, Table t, Map<String, Long> written) {
    long t0 = System.nanoTime();
    if (t.mode() == Mode.APPEND) {
      DeltaTables.append(t.data(), t.path());
    } else if (t.mode() == Mode.UPSERT) {
      DeltaTables.deleteAndAppend(t.data(), t.path(), t.remove().get());
    } else if (t.mode() == Mode.ADOPT) {
      DeltaTables.adoptOverwrite(spark, t.files(), t.path());
    } else {
      DeltaTables.overwrite(t.data(), t.path());
    }
    written.put(name, DeltaTables.version(spark, t.path()));
    LOG.info("published {} ({}) as version {} in {} s", name, t.mode().name().toLowerCase(java.util.Locale.ROOT),
        written.get(name), String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
    failpoint("after:" + name);
  }

  /** Test hook: {@code -Dcc.failpoint=after:crosswalk} kills the JVM at that point. */
  private static void failpoint(String point) {
    String fp = System.getProperty("cc.failpoint");
    if (point.equals(fp)) {
      LOG.error("failpoint {} reached: halting the JVM", point);
      Runtime.getRuntime().halt(137);
    }
  }

  /** Restores the tables of an interrupted publish, if its journal is there. Idempotent. */
  public static boolean recover(SparkSession spark, String zone) {
    Map<String, Long> before = readJournal(spark, zone);
    if (before == null) {
      return false;
    }
    LOG.warn("found an interrupted publish in {}: restoring {} tables", zone, before.size());
    restore(spark, before);
    deleteJournal(spark, zone);
    return true;
  }

  private static void restore(SparkSession spark, Map<String, Long> before) {
    for (var e : before.entrySet()) {
      String path = e.getKey();
      long v = e.getValue();
      long now = DeltaTables.version(spark, path);
      if (now == v) {
        continue;
      }
      if (v < 0) {
        delete(spark, path);
      } else {
        DeltaTable.forPath(spark, path).restoreToVersion(v);
      }
    }
  }

  private static FileSystem fs(SparkSession spark, Path p) {
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot reach the file system of " + p, e);
    }
  }

  private static void delete(SparkSession spark, String path) {
    Path p = new Path(path);
    try {
      fs(spark, p).delete(p, true);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot delete " + path, e);
    }
  }

  private static void writeJournal(SparkSession spark, String zone, Map<String, Long> before) {
    Path j = journal(zone);
    Path tmp = new Path(j.getParent(), "journal.tmp");
    FileSystem fs = fs(spark, j);
    StringBuilder sb = new StringBuilder();
    before.forEach((k, v) -> sb.append(v).append('\t').append(k).append('\n'));
    try {
      fs.mkdirs(j.getParent());
      try (FSDataOutputStream out = fs.create(tmp, true)) {
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      }
      if (!fs.rename(tmp, j)) {
        throw new IOException("rename of " + tmp + " to " + j + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write the publish journal " + j, e);
    }
  }

  private static Map<String, Long> readJournal(SparkSession spark, String zone) {
    Path j = journal(zone);
    FileSystem fs = fs(spark, j);
    try {
      if (!fs.exists(j)) {
        return null;
      }
      String text;
      try (FSDataInputStream in = fs.open(j)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Map<String, Long> m = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank()) {
          int t = line.indexOf('\t');
          m.put(line.substring(t + 1), Long.parseLong(line.substring(0, t)));
        }
      }
      return m;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the publish journal " + j, e);
    }
  }

  private static void deleteJournal(SparkSession spark, String zone) {
    Path j = journal(zone);
    try {
      fs(spark, j).delete(j, false);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot delete the publish journal " + j, e);
    }
  }
}
