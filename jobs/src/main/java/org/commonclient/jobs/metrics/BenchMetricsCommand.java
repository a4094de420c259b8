package org.commonclient.jobs.metrics;

import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.metrics.MetricsBenchmark;
import org.commonclient.metrics.MetricsConfig;
import org.commonclient.metrics.SyntheticLinkedData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmark of the metrics stage on synthetic linked tables (scripts/bench-metrics.sh). */
@Command(name = "bench-metrics", mixinStandardHelpOptions = true,
    description = "Write synthetic linked tables of N records (unless --reuse) and time the metrics run on them.")
public final class BenchMetricsCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--records", defaultValue = "1000000", description = "Linked records (default 1,000,000).")
  long records;

  @Option(names = "--root", defaultValue = "work/bench-metrics", description = "Folder of the synthetic tables.")
  String root;

  @Option(names = "--reuse", description = "Reuse tables written by an earlier run.")
  boolean reuse;

  @Override
  public Integer call() {
    SparkSession spark = opts.spark();
    if (!reuse) {
      long t0 = System.nanoTime();
      SyntheticLinkedData.write(spark, root, records, 42L);
      System.out.printf("synthetic linked tables: %.1f s (not part of the metrics time)%n", (System.nanoTime() - t0) / 1e9);
    }
    System.out.println(MetricsBenchmark.run(spark, root, MetricsConfig.from(opts.config())));
    return ExitCodes.OK;
  }
}
