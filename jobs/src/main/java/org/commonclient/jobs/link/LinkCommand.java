package org.commonclient.jobs.link;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.commonclient.blocking.LinkType;
import org.commonclient.blocking.RuleStats;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreement;
import org.commonclient.governance.Agreements;
import org.commonclient.jobs.governance.AgreementGate;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.linkage.LinkConfig;
import org.commonclient.linkage.LinkJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Links the ingested person records into people and publishes the linked tables. */
@Command(name = "link", mixinStandardHelpOptions = true,
    description = "Standardise, block, compare, score (Fellegi-Sunter, EM), cluster and assign stable "
        + "person ids; publishes crosswalk, person, match_pairs, model, person_id_history and runs "
        + "in the linked zone, all or none.")
public final class LinkCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--analyse-blocking", description = "Only count pairs per blocking rule and the largest blocks, before any pair is built.")
  boolean analyse;

  @Option(names = "--link-type", description = "dedupe, link or link_and_dedupe (default commonclient.linkage.linkType).")
  String linkType;

  @Option(names = "--agreement", paramLabel = "ID",
      description = "Data-use agreement to run under (default commonclient.agreement, else the one active "
          + "agreement covering every linked source).")
  String agreement;

  @Override
  public Integer call() {
    run(opts, analyse, linkType, agreement);
    return ExitCodes.OK;
  }

  public static LinkJob.LinkResult run(JobOptions opts, boolean analyseOnly, String linkType) {
    return run(opts, analyseOnly, linkType, null);
  }

  /**
   * Runs the link stage under a data-use agreement covering every linked source (configured
   * person sources and those present in person_records, restricted to linkage.sources).
   */
  public static LinkJob.LinkResult run(JobOptions opts, boolean analyseOnly, String linkType, String agreementId) {
    Config c = opts.config();
    LinkConfig cfg = LinkConfig.from(c);
    if (linkType != null) {
      cfg = cfg.withLinkType(LinkType.parse(linkType));
    }
    StorageConfig storage = StorageConfig.from(c);
    java.util.Set<String> sources = new java.util.TreeSet<>(AgreementGate.configured(c, true));
    if (!cfg.sources().isEmpty()) {
      sources.retainAll(cfg.sources());
      sources.addAll(cfg.sources());
    }
    // refuse before the session starts, then again with the sources the table really holds
    AgreementGate.require(c, agreementId, sources, Agreements.LINKAGE);
    java.util.Set<String> present = new java.util.TreeSet<>(
        AgreementGate.present(opts.spark(), storage.identified("person_records"), "source"));
    if (!cfg.sources().isEmpty()) {
      present.retainAll(cfg.sources());
    }
    sources.addAll(present);
    Agreement agreement = AgreementGate.require(c, agreementId, sources, Agreements.LINKAGE);
    if (analyseOnly) {
      List<RuleStats> stats = LinkJob.analyse(opts.spark(), storage, cfg);
      for (RuleStats s : stats) {
        System.out.println(s.describe(cfg.linkType()));
        s.largestBlocks().forEach(b -> System.out.printf("    block %-40s %,d records%n", b.key(), b.records()));
      }
      return null;
    }
    LinkJob.LinkResult r = LinkJob.run(opts.spark(), storage, cfg, JobOptions.newRunId(), hash(c), agreement.id());
    System.out.printf("link %s: %,d records, %,d candidate pairs, %,d matched pairs, %,d persons%n",
        r.runId(), r.records(), r.candidatePairs(), r.matchedPairs(), r.persons());
    r.pairsByRule().forEach((k, v) -> System.out.printf("  rule %-22s %,12d pairs%n", k, v));
    r.stageSeconds().forEach((k, v) -> System.out.printf("  stage %-12s %8.1f s%n", k, v));
    System.out.printf("  total        %8.1f s; linked tables in %s%n", r.totalSeconds(), storage.linked());
    return r;
  }

  /** SHA-256 of the resolved commonclient configuration, recorded in the runs table. */
  public static String hash(Config c) {
    try {
      String rendered = c.getConfig("commonclient").root().render(ConfigRenderOptions.concise());
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
