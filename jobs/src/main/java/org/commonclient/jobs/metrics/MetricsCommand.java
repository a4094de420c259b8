package org.commonclient.jobs.metrics;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreement;
import org.commonclient.governance.Agreements;
import org.commonclient.governance.RunLog;
import org.commonclient.io.Schemas;
import org.commonclient.jobs.governance.AgreementGate;
import org.commonclient.jobs.link.LinkCommand;
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

  @Option(names = "--agreement", paramLabel = "ID",
      description = "Data-use agreement to run under (default commonclient.agreement, else the one active "
          + "agreement covering every source).")
  String agreement;

  /** The metric tables a run produces; a data-use agreement must permit each of them. */
  public static final List<String> METRICS = List.of("program_counts", "program_combinations", "program_breadth",
      "program_overlap", "program_churn", "eligible_not_enrolled", "education_outcomes", "eligible_outreach");

  @Override
  public Integer call() {
    // the run writes its own runs row (with its agreement): the guard records failures only
    RunGuard.run(opts, "metrics", false, () -> run(opts, truth, agreement));
    return ExitCodes.OK;
  }

  public static MetricsResult run(JobOptions opts, String truthFile) {
    return run(opts, truthFile, null);
  }

  /**
   * Computes and writes the metrics under a data-use agreement that covers every configured
   * source and every source present in person_records and the fact tables, permits the purpose
   * metrics and every metric table the run writes.
   */
  public static MetricsResult run(JobOptions opts, String truthFile, String agreementId) {
    return RunGuard.stage(opts.spark(), "metrics", () -> compute(opts, truthFile, agreementId),
        r -> {
          java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
          m.put("restricted_tables", (long) r.restricted().size());
          m.put("published_tables", (long) r.published().size());
          m.put("notes", (long) r.notes().size());
          return m;
        });
  }

  private static MetricsResult compute(JobOptions opts, String truthFile, String agreementId) {
    long started = System.currentTimeMillis();
    StorageConfig storage = StorageConfig.from(opts.config());
    java.util.Set<String> sources = new java.util.TreeSet<>(AgreementGate.configured(opts.config(), false));
    AgreementGate.require(opts.config(), agreementId, sources, Agreements.METRICS).requireMetrics(METRICS);
    SparkSession spark = opts.spark();
    sources.addAll(AgreementGate.present(spark, storage.identified("person_records"), "source"));
    for (String f : Schemas.FACT_TABLES.keySet()) {
      sources.addAll(AgreementGate.present(spark, storage.identified(f), "fact_source"));
    }
    Agreement agreement = AgreementGate.require(opts.config(), agreementId, sources, Agreements.METRICS);
    agreement.requireMetrics(METRICS);
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
    List<String> produced = new java.util.ArrayList<>();
    r.restricted().forEach(t -> produced.add(t.name()));
    r.published().forEach(t -> produced.add(t.name()));
    agreement.requireMetrics(produced);
    MetricsWriter.write(spark, r, restricted, published);
    java.util.Map<String, Long> counts = new java.util.LinkedHashMap<>();
    counts.put("restricted_tables", (long) r.restricted().size());
    counts.put("published_tables", (long) r.published().size());
    RunLog.append(spark, storage.linked("runs"), JobOptions.newRunId(), truthFile == null ? "metrics" : "metrics_truth",
        LinkCommand.hash(opts.config()), agreement.id(),
        java.util.Map.of("crosswalk", DeltaTables.version(spark, storage.linked("crosswalk")),
            "person_records", DeltaTables.version(spark, storage.identified("person_records"))),
        counts, java.util.Map.of("metrics", (System.currentTimeMillis() - started) / 1e3), started);
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
