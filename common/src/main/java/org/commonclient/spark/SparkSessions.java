package org.commonclient.spark;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Builds the SparkSession every job and test uses, with Delta Lake enabled. */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * Returns the active session if one exists (spark-submit, notebooks, tests), else builds one.
   *
   * @param master master URL, or null/empty to leave it to spark-submit
   * @param appName application name shown in the Spark UI
   * @param conf extra Spark settings (spark.* keys)
   */
  public static SparkSession getOrCreate(String master, String appName, Map<String, String> conf) {
    SparkSession.Builder b =
        SparkSession.builder()
            .appName(appName)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    if (master != null && !master.isBlank() && System.getProperty("spark.master") == null) {
      b = b.master(master);
    }
    for (Map.Entry<String, String> e : conf.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    return b.getOrCreate();
  }

  /**
   * Runs {@code body} under a named Spark job group so the Spark UI reads like the pipeline. The
   * group that was set before (an enclosing stage) is restored afterwards, so nested groups do not
   * leave the rest of the outer stage without one.
   */
  public static <T> T withJobGroup(
      SparkSession spark, String group, String description, java.util.function.Supplier<T> body) {
    org.apache.spark.SparkContext sc = spark.sparkContext();
    String outerGroup = sc.getLocalProperty("spark.jobGroup.id");
    String outerDescription = sc.getLocalProperty("spark.job.description");
    sc.setJobGroup(group, description, false);
    try {
      return body.get();
    } finally {
      restoreJobGroup(spark, outerGroup, outerDescription);
    }
  }

  /**
   * Runs independent Spark actions (e.g. writes of different tables) on {@code threads} driver
   * threads, so the driver-side work of one (planning, Delta commits) overlaps the tasks of
   * another; on small data that driver work is most of a write. The threads are created by the
   * caller, so they inherit its job group. Rethrows the first failure after all have finished.
   */
  public static void runAll(String name, java.util.List<Runnable> tasks, int threads) {
    if (tasks.size() <= 1 || threads <= 1) {
      tasks.forEach(Runnable::run);
      return;
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(Math.min(threads, tasks.size()), r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
    try {
      java.util.List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
      for (Runnable r : tasks) {
        fs.add(pool.submit(r));
      }
      RuntimeException first = null;
      for (java.util.concurrent.Future<?> f : fs) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (first == null) {
            first = e.getCause() instanceof RuntimeException re ? re
                : new IllegalStateException(name + " failed", e.getCause());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(name + " interrupted", e);
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The current job group of this thread, or null. */
  public static String currentJobGroup(SparkSession spark) {
    return spark.sparkContext().getLocalProperty("spark.jobGroup.id");
  }

  /** Sets the job group back to {@code group} (null clears it). */
  public static void restoreJobGroup(SparkSession spark, String group, String description) {
    if (group == null) {
      spark.sparkContext().clearJobGroup();
    } else {
      spark.sparkContext().setJobGroup(group, description == null ? group : description, false);
    }
  }

  /**
   * Runs {@code body} with one SQL setting of the session changed, and restores it afterwards
   * (unset when it was not set). Settings read when a plan executes take effect for the jobs the
   * body runs; nothing else should run on the session meanwhile.
   */
  public static <T> T withSqlConf(SparkSession spark, String key, String value, java.util.function.Supplier<T> body) {
    String before = spark.conf().contains(key) ? spark.conf().get(key) : null;
    spark.conf().set(key, value);
    try {
      return body.get();
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }
}
