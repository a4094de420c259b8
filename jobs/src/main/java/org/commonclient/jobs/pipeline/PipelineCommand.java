package org.commonclient.jobs.pipeline;

import java.util.concurrent.Callable;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreements;
import org.commonclient.jobs.governance.AgreementGate;
import org.commonclient.ingest.IngestJob;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.jobs.RunGuard;
import org.commonclient.jobs.ingest.IngestCommand;
import org.commonclient.jobs.link.LinkCommand;
import org.commonclient.jobs.metrics.MetricsCommand;
import org.commonclient.privacy.LinkMode;
import org.commonclient.privacy.PrivacyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** ingest → link → metrics. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Run ingest, link and metrics in order. Metrics are skipped when the sources "
        + "carry no program data the metrics use (e.g. FEBRL).")
public final class PipelineCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--incremental", description = "Link incrementally (link --incremental): only new and changed "
      + "records are linked against the existing people.")
  boolean incremental;

  @Option(names = "--truth", paramLabel = "FILE",
      description = "Ground truth for the link quality report's precision/recall (as link --truth; full links only).")
  String truth;

  @Option(names = "--agreement", paramLabel = "ID",
      description = "Data-use agreement to run under (default commonclient.agreement, else the one active "
          + "agreement covering every configured source).")
  String agreement;

  @Override
  public Integer call() {
    return RunGuard.run(opts, "pipeline", true, this::pipeline);
  }

  private Integer pipeline() {
    long t0 = System.nanoTime();
    // nothing is read before an agreement covering every configured source permits linkage
    String id = AgreementGate.require(opts.config(), agreement, AgreementGate.configured(opts.config(), false),
        Agreements.LINKAGE).id();
    // encoded modes: the linkage unit holds tokenized files only (commonclient.privacy.tokenInputs),
    // never the clear extracts, so there is nothing to ingest
    boolean clear = PrivacyConfig.from(opts.config()).mode() == LinkMode.CLEAR;
    IngestJob.IngestResult ing = clear ? IngestCommand.run(opts, null) : null;
    if (incremental && clear) {
      LinkCommand.runIncremental(opts, null, id);
    } else {
      LinkCommand.run(opts, false, null, truth, id);
    }
    StorageConfig storage = StorageConfig.from(opts.config());
    long programRecords = !DeltaTables.exists(opts.spark(), storage.identified("person_records")) ? 0 : DeltaTables.read(opts.spark(), storage.identified("person_records"))
        .filter("program IN ('TANF','SNAP','WIC','MEDICAID','HOUSING','HEAD_START','SCHOOL','CHILD_WELFARE')")
        .limit(1).count();
    if (programRecords == 0) {
      System.out.println("metrics: skipped (the sources carry no program data)");
      org.slf4j.LoggerFactory.getLogger(PipelineCommand.class).info("stage metrics skipped: the sources carry no program data");
    } else {
      MetricsCommand.run(opts, null, id);
    }
    System.out.printf("pipeline done in %.1f s (%d records read). Tables:%n  identified %s%n  linked     %s%n  published  %s%n",
        (System.nanoTime() - t0) / 1e9, ing == null ? 0 : ing.totalRead(), storage.identified(), storage.linked(), storage.published());
    return ExitCodes.OK;
  }
}
