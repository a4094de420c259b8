package org.commonclient.jobs.pipeline;

import java.util.concurrent.Callable;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreements;
import org.commonclient.jobs.governance.AgreementGate;
import org.commonclient.ingest.IngestJob;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.jobs.ingest.IngestCommand;
import org.commonclient.jobs.link.LinkCommand;
import org.commonclient.jobs.metrics.MetricsCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** ingest → link → metrics. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
    description = "Run ingest, link and metrics in order. Metrics are skipped when the sources "
        + "carry no program data the metrics use (e.g. FEBRL).")
public final class PipelineCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--agreement", paramLabel = "ID",
      description = "Data-use agreement to run under (default commonclient.agreement, else the one active "
          + "agreement covering every configured source).")
  String agreement;

  @Override
  public Integer call() {
    long t0 = System.nanoTime();
    // nothing is read before an agreement covering every configured source permits linkage
    String id = AgreementGate.require(opts.config(), agreement, AgreementGate.configured(opts.config(), false),
        Agreements.LINKAGE).id();
    IngestJob.IngestResult ing = IngestCommand.run(opts, null);
    LinkCommand.run(opts, false, null, id);
    StorageConfig storage = StorageConfig.from(opts.config());
    long programRecords = DeltaTables.read(opts.spark(), storage.identified("person_records"))
        .filter("program IN ('TANF','SNAP','WIC','MEDICAID','HOUSING','HEAD_START','SCHOOL','CHILD_WELFARE')")
        .limit(1).count();
    if (programRecords == 0) {
      System.out.println("metrics: skipped (the sources carry no program data)");
    } else {
      MetricsCommand.run(opts, null, id);
    }
    System.out.printf("pipeline done in %.1f s (%d records read). Tables:%n  identified %s%n  linked     %s%n  published  %s%n",
        (System.nanoTime() - t0) / 1e9, ing.totalRead(), storage.identified(), storage.linked(), storage.published());
    return ExitCodes.OK;
  }
}
