package org.commonclient.jobs.link;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.linkage.MonthlyChanges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Benchmark helper (scripts/bench-incremental.sh): turns person_records into a simulated next month. */
@Command(name = "simulate-month", mixinStandardHelpOptions = true, hidden = true,
    description = "Rewrite identified/person_records as a simulated next month: shares of new, changed and "
        + "withdrawn records (basis points), chosen deterministically by --seed. For benchmarks and tests only.")
public final class SimulateMonthCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--new-bp", defaultValue = "100", description = "New records per 10,000 (default 100 = 1%%).")
  int newBp;

  @Option(names = "--changed-bp", defaultValue = "100", description = "Changed records per 10,000 (default 100).")
  int changedBp;

  @Option(names = "--withdrawn-bp", defaultValue = "0", description = "Withdrawn records per 10,000 (default 0).")
  int withdrawnBp;

  @Option(names = "--seed", description = "Which records are changed, and the suffix of the new records' ids "
      + "(default: v<version of person_records>, so a second simulated month gets new ids, not last month's again).")
  String seed;

  @Override
  public Integer call() {
    SparkSession spark = opts.spark();
    StorageConfig storage = StorageConfig.from(opts.config());
    String pr = storage.identified("person_records");
    String staged = storage.identified("_simulate_month");
    Dataset<Row> before = DeltaTables.read(spark, pr);
    long n0 = before.count();
    String s = seed != null ? seed : "v" + DeltaTables.version(spark, pr);
    MonthlyChanges.apply(before, newBp, changedBp, withdrawnBp, s).write().mode(SaveMode.Overwrite).parquet(staged);
    Dataset<Row> month = spark.read().parquet(staged);
    month.write().format("delta").mode(SaveMode.Overwrite).partitionBy("source").save(pr);
    System.out.printf("simulate-month: %,d person records -> %,d%n", n0, DeltaTables.read(spark, pr).count());
    try {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(staged);
      p.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(p, true);
    } catch (java.io.IOException e) {
      System.err.println("could not delete " + staged + ": " + e.getMessage());
    }
    return ExitCodes.OK;
  }
}
