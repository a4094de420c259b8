package org.commonclient.jobs.metrics;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.jobs.RunGuard;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.metrics.MetricsConfig;
import org.commonclient.metrics.MetricsInputs;
import org.commonclient.metrics.MetricsJob;
import org.commonclient.metrics.MetricsResult;
import org.commonclient.metrics.MetricsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Common-client metrics over the linked tables, with disclosure control before publishing. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = "Compute multi-program use, eligible-but-not-enrolled and education outcomes over "
        + "the linked tables; raw aggregates stay restricted, published tables are suppressed and coded.")
public final class MetricsCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--crosswalk-from-truth", paramLabel = "FILE",
      description = "Use a ground-truth file (source,record_id,person_id) as the crosswalk instead of the "
          + "linked one, to compare metrics on true and linked person ids.")
  String truth;

  @Override
  public Integer call() {
    RunGuard.run(opts, "metrics", true, () -> run(opts, truth));
    return ExitCodes.OK;
  }

  public static MetricsResult run(JobOptions opts, String truthFile) {
    return RunGuard.stage(opts.spark(), "metrics", () -> compute(opts, truthFile),
        r -> {
          java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
          m.put("restricted_tables", (long) r.restricted().size());
          m.put("published_tables", (long) r.published().size());
          m.put("notes", (long) r.notes().size());
          return m;
        });
  }

  private static MetricsResult compute(JobOptions opts, String truthFile) {
    SparkSession spark = opts.spark();
    StorageConfig storage = StorageConfig.from(opts.config());
    MetricsConfig cfg = MetricsConfig.from(opts.config());
    Dataset<Row> crosswalk = DeltaTables.read(spark, storage.linked("crosswalk"));
    if (truthFile != null) {
      crosswalk = EvaluateCommand.truthTable(spark, crosswalk, truthFile, null).withColumnRenamed("entity_id", "person_id");
    }
    MetricsInputs in = new MetricsInputs(
        DeltaTables.read(spark, storage.identified("person_records")), crosswalk,
        fact(spark, storage, "edu_enrollment"), fact(spark, storage, "edu_attendance"),
        fact(spark, storage, "edu_assessment"), fact(spark, storage, "edu_cohort"),
        fact(spark, storage, "housing_residence"), fact(spark, storage, "headstart_service"));
    long t0 = System.nanoTime();
    MetricsResult r = MetricsJob.run(spark, cfg, in);
    String restricted = cfg.restrictedPath();
    String published = cfg.publishedPath();
    if (truthFile != null) {
      restricted = restricted + "_truth";
      published = published + "_truth";
    }
    MetricsWriter.write(spark, r, restricted, published);
    r.notes().forEach(n -> System.out.println("metrics note: " + n));
    System.out.printf("metrics: %.1f s; restricted aggregates in %s, published tables (Delta, csv/, summary.html) in %s%n",
        (System.nanoTime() - t0) / 1e9, restricted, published);
    return r;
  }

  private static Dataset<Row> fact(SparkSession spark, StorageConfig s, String table) {
    String p = s.identified(table);
    return DeltaTables.exists(spark, p) ? DeltaTables.read(spark, p) : null;
  }
}
