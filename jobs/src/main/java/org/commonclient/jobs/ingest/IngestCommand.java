package org.commonclient.jobs.ingest;

import java.util.List;
import java.util.concurrent.Callable;
import org.commonclient.config.SourceConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.ingest.IngestJob;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.jobs.RunGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Reads every configured extract into the identified zone. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Read each configured source extract (CSV, Parquet, JDBC), map it to the canonical "
        + "tables and write Delta tables in the identified zone; bad rows go to the rejects table.")
public final class IngestCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--source", split = ",", paramLabel = "NAME",
      description = "Only these sources (default: all configured).")
  List<String> only;

  @Override
  public Integer call() {
    RunGuard.run(opts, "ingest", true, () -> run(opts, only));
    return ExitCodes.OK;
  }

  public static IngestJob.IngestResult run(JobOptions opts, List<String> only) {
    List<SourceConfig> sources = SourceConfig.all(opts.config());
    if (only != null && !only.isEmpty()) {
      for (String n : only) {
        if (sources.stream().noneMatch(s -> s.name().equals(n))) {
          throw new ExitCodes.BadInputException("Unknown source '" + n + "'; configured: "
              + sources.stream().map(SourceConfig::name).toList());
        }
      }
      sources = sources.stream().filter(s -> only.contains(s.name())).toList();
    }
    StorageConfig storage = StorageConfig.from(opts.config());
    List<SourceConfig> chosen = sources;
    IngestJob.IngestResult r = RunGuard.stage(opts.spark(), "ingest",
        () -> IngestJob.run(opts.spark(), storage, chosen, JobOptions.newRunId()),
        x -> {
          java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
          m.put("read", x.totalRead());
          m.put("accepted", x.totalRead() - x.totalRejected());
          m.put("rejected", x.totalRejected());
          return m;
        });
    System.out.printf("%-22s %10s %10s %10s%n", "source", "read", "accepted", "rejected");
    for (IngestJob.SourceCounts c : r.counts()) {
      System.out.printf("%-22s %10d %10d %10d%n", c.source(), c.read(), c.accepted(), c.rejected());
    }
    System.out.printf("ingest %s: %.1f s; tables in %s (rejects: %s)%n", r.runId(), r.seconds(),
        storage.identified(), storage.identified("rejects"));
    return r;
  }
}
