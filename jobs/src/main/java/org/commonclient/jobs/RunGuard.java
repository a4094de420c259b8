package org.commonclient.jobs;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.OperationsConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.AtomicPublisher;
import org.commonclient.io.RunLock;
import org.commonclient.io.RunLog;
import org.commonclient.jobs.link.LinkCommand;
import org.commonclient.spark.SparkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every writing command does around its work: take the run lock (another run holding it →
 * {@link ExitCodes#LOCKED}), start the session, roll back a publish a killed run left half done,
 * run the stages under the command's job group, and record the outcome in the {@code runs} table
 * (failures always, outside any atomic publish; successes of ingest, metrics and pipeline — the
 * link stage's success row is part of its own publish). The lock is released on every exit.
 */
public final class RunGuard {
  private static final Logger LOG = LoggerFactory.getLogger(RunGuard.class);
  private static final ThreadLocal<RunGuard> CURRENT = new ThreadLocal<>();

  private final String runId;
  private final String command;
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private String failedStage;

  private RunGuard(String runId, String command) {
    this.runId = runId;
    this.command = command;
  }

  /** The guard of the command running on this thread, if any. */
  static RunGuard current() {
    return CURRENT.get();
  }

  public String runId() {
    return runId;
  }

  /**
   * Runs a command's body under the lock and records its outcome.
   *
   * @param command the command name, the {@code stage} of its runs row
   * @param recordSuccess whether a success writes a runs row (false for link: its publish does)
   */
  public static <T> T run(JobOptions opts, String command, boolean recordSuccess, Supplier<T> body) {
    Config c = opts.config(); // a bad config fails here, before the lock: exit code 2, nothing to record
    StorageConfig storage = StorageConfig.from(c);
    OperationsConfig ops = OperationsConfig.from(c);
    RunGuard g = new RunGuard(JobOptions.newRunId(), command);
    long started = System.currentTimeMillis();
    RunLock lock = ops.lockEnabled()
        ? RunLock.acquire(hadoopConf(c), ops.lockPath(), RunLock.Owner.self(g.runId, "commonclient " + command), ops.lockStaleAfter())
        : null;
    SparkSession spark = null;
    CURRENT.set(g);
    try {
      spark = opts.spark();
      SparkSession s = spark;
      T result = SparkSessions.withJobGroup(spark, command, command + " " + g.runId, () -> {
        g.recoverInterruptedPublishes(s, storage, started, c);
        return body.get();
      });
      if (recordSuccess) {
        g.record(spark, storage, c, RunLog.SUCCEEDED, started, null);
      }
      return result;
    } catch (RuntimeException | Error e) {
      if (spark != null) {
        String where = g.failedStage == null ? "" : g.failedStage + ": ";
        try {
          g.record(spark, storage, c, RunLog.FAILED, started, where + describe(e));
        } catch (RuntimeException re) {
          LOG.error("could not record the failed run {} in the runs table: {}", g.runId, re.getMessage());
        }
      }
      throw e;
    } finally {
      CURRENT.remove();
      if (lock != null) {
        lock.close();
      }
    }
  }

  /**
   * Runs one stage: a start line, the body under the stage's job group, an end line with the
   * stage's counts and seconds (or a failure line).
   */
  public static <T> T stage(SparkSession spark, String name, Supplier<T> body, java.util.function.Function<T, Map<String, Long>> countsOf) {
    RunGuard g = current();
    LOG.info(startLine(name, g == null ? null : g.runId));
    long t0 = System.nanoTime();
    try {
      T r = SparkSessions.withJobGroup(spark, name, name + (g == null ? "" : " " + g.runId), body);
      double secs = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> counts = r == null ? Map.of() : countsOf.apply(r);
      LOG.info(doneLine(name, secs, counts));
      if (g != null) {
        g.stageSeconds.merge(name, secs, Double::sum);
        counts.forEach((k, v) -> g.counts.put(name + "." + k, v));
      }
      return r;
    } catch (RuntimeException | Error e) {
      double secs = (System.nanoTime() - t0) / 1e9;
      LOG.error(String.format("stage %s failed after %.1f s: %s", name, secs, describe(e)));
      if (g != null && g.failedStage == null) {
        g.failedStage = name;
      }
      throw e;
    }
  }

  /** {@code stage link started (run ...)}. */
  public static String startLine(String stage, String runId) {
    return "stage " + stage + " started" + (runId == null ? "" : " (run " + runId + ")");
  }

  /** {@code stage link done in 12.3 s: records=1200 persons=800}. */
  public static String doneLine(String stage, double seconds, Map<String, Long> counts) {
    StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "stage %s done in %.1f s", stage, seconds));
    if (!counts.isEmpty()) {
      sb.append(':');
      counts.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
    }
    return sb.toString();
  }

  private void recoverInterruptedPublishes(SparkSession spark, StorageConfig storage, long started, Config c) {
    for (String zone : new String[] {storage.identified(), storage.linked(), storage.published()}) {
      if (AtomicPublisher.recover(spark, zone)) {
        String msg = "an earlier run died while publishing to " + zone + "; run " + runId
            + " restored its tables to their previous versions";
        LOG.warn(msg);
        RunLog.append(spark, storage.linked("runs"), new RunLog.Entry(runId + "-recovered", "publish", RunLog.FAILED,
            LinkCommand.hash(c), Map.of(), Map.of(), Map.of(), started, System.currentTimeMillis(), msg));
      }
    }
  }

  private void record(SparkSession spark, StorageConfig storage, Config c, String outcome, long started, String error) {
    // a failure must not inherit the job group of the stage that failed
    SparkSessions.withJobGroup(spark, command, command + " " + runId + ": runs row", () -> {
      RunLog.append(spark, storage.linked("runs"), new RunLog.Entry(runId, command, outcome, LinkCommand.hash(c),
          Map.of(), counts, stageSeconds, started, System.currentTimeMillis(), error));
      return null;
    });
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    String first = m == null ? "" : m.lines().findFirst().orElse("");
    return e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
  }

  /** Hadoop settings for the lock: the spark.hadoop.* keys of commonclient.spark.conf. */
  static Configuration hadoopConf(Config c) {
    Configuration conf = new Configuration();
    for (var e : c.getConfig("commonclient.spark.conf").entrySet()) {
      String k = e.getKey().replace("\"", "");
      if (k.startsWith("spark.hadoop.")) {
        conf.set(k.substring("spark.hadoop.".length()), String.valueOf(e.getValue().unwrapped()));
      }
    }
    return conf;
  }
}
