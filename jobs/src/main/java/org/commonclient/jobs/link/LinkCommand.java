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
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.jobs.RunGuard;
import org.commonclient.linkage.IncrementalLink;
import org.commonclient.linkage.LinkConfig;
import org.commonclient.linkage.LinkJob;
import org.commonclient.privacy.EncodedLinkJob;
import org.commonclient.privacy.LinkMode;
import org.commonclient.privacy.PrivacyConfig;
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

  @Option(names = "--truth", paramLabel = "FILE",
      description = "Ground truth for the quality report's precision/recall (same forms as evaluate --truth).")
  String truth;

  @Option(names = "--incremental", description = "Link only the records that are new or changed since the last link "
      + "run against its people (scored with its model), and update the linked tables in place; a full run when there "
      + "is no previous run to extend.")
  boolean incremental;

  @Option(names = "--agreement", paramLabel = "ID",
      description = "Data-use agreement to run under (default commonclient.agreement, else the one active "
          + "agreement covering every linked source).")
  String agreement;

  @Override
  public Integer call() {
    if (analyse) {
      run(opts, true, linkType, null, agreement); // read-only: no lock, no runs row
    } else if (incremental) {
      RunGuard.run(opts, "link", false, () -> runIncremental(opts, linkType, agreement));
    } else {
      RunGuard.run(opts, "link", false, () -> run(opts, false, linkType, truth, agreement));
    }
    return ExitCodes.OK;
  }

  /**
   * The data-use agreement covering every linked source (configured person sources and those
   * present in person_records, restricted to linkage.sources); refuses (AgreementRefusedException)
   * before the session starts, then again with the sources the table really holds.
   */
  static Agreement requireAgreement(JobOptions opts, LinkConfig cfg, StorageConfig storage, String agreementId) {
    Config c = opts.config();
    java.util.Set<String> sources = new java.util.TreeSet<>(AgreementGate.configured(c, true));
    if (!cfg.sources().isEmpty()) {
      sources.retainAll(cfg.sources());
      sources.addAll(cfg.sources());
    }
    AgreementGate.require(c, agreementId, sources, Agreements.LINKAGE);
    java.util.Set<String> present = new java.util.TreeSet<>(
        AgreementGate.present(opts.spark(), storage.identified("person_records"), "source"));
    if (!cfg.sources().isEmpty()) {
      present.retainAll(cfg.sources());
    }
    sources.addAll(present);
    return AgreementGate.require(c, agreementId, sources, Agreements.LINKAGE);
  }

  /** The incremental link run (IncrementalLink), printing what it did. */
  public static IncrementalLink.Result runIncremental(JobOptions opts, String linkType) {
    return runIncremental(opts, linkType, null);
  }

  public static IncrementalLink.Result runIncremental(JobOptions opts, String linkType, String agreementId) {
    Config c = opts.config();
    LinkConfig cfg = LinkConfig.from(c);
    if (linkType != null) {
      cfg = cfg.withLinkType(LinkType.parse(linkType));
    }
    StorageConfig storage = StorageConfig.from(c);
    Agreement agreement = requireAgreement(opts, cfg, storage, agreementId);
    IncrementalLink.Result ir = IncrementalLink.run(opts.spark(), storage, cfg, JobOptions.newRunId(), hash(c),
        agreement.id());
    LinkJob.LinkResult r = ir.link();
    if (ir.incremental()) {
      System.out.printf("link --incremental %s: %,d new, %,d changed, %,d withdrawn records, %,d unchanged re-paired, "
              + "%,d people re-clustered%n",
          r.runId(), ir.newRecords(), ir.changedRecords(), ir.withdrawnRecords(), ir.rescoredRecords(), ir.affectedPersons());
    } else {
      System.out.println("link --incremental: no previous link run to extend, ran a full link");
    }
    System.out.printf("link %s: %,d records, %,d candidate pairs, %,d matched pairs, %,d persons%n",
        r.runId(), r.records(), r.candidatePairs(), r.matchedPairs(), r.persons());
    r.stageSeconds().forEach((k, v) -> System.out.printf("  stage %-12s %8.1f s%n", k, v));
    System.out.printf("  total        %8.1f s; linked tables in %s%n", r.totalSeconds(), storage.linked());
    return ir;
  }

  public static LinkJob.LinkResult run(JobOptions opts, boolean analyseOnly, String linkType) {
    return run(opts, analyseOnly, linkType, null);
  }

  public static LinkJob.LinkResult run(JobOptions opts, boolean analyseOnly, String linkType, String truthFile) {
    return run(opts, analyseOnly, linkType, truthFile, null);
  }

  /** Runs the link stage under a data-use agreement covering every linked source. */
  public static LinkJob.LinkResult run(JobOptions opts, boolean analyseOnly, String linkType, String truthFile,
      String agreementId) {
    Config c = opts.config();
    LinkConfig cfg = LinkConfig.from(c);
    if (linkType != null) {
      cfg = cfg.withLinkType(LinkType.parse(linkType));
    }
    StorageConfig storage = StorageConfig.from(c);
    Agreement agreement = requireAgreement(opts, cfg, storage, agreementId);
    PrivacyConfig privacy = PrivacyConfig.from(c);
    if (privacy.mode() != LinkMode.CLEAR) {
      if (analyseOnly) {
        throw new ExitCodes.BadInputException("--analyse-blocking reads clear identifiers: it needs commonclient.linkage.mode = CLEAR");
      }
      return print(EncodedLinkJob.run(opts.spark(), storage, cfg, privacy, JobOptions.newRunId(), hash(c), agreement.id()), storage);
    }
    if (analyseOnly) {
      List<RuleStats> stats = LinkJob.analyse(opts.spark(), storage, cfg);
      for (RuleStats s : stats) {
        System.out.println(s.describe(cfg.linkType()));
        s.largestBlocks().forEach(b -> System.out.printf("    block %-40s %,d records%n", b.key(), b.records()));
      }
      return null;
    }
    java.util.Optional<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> truth = java.util.Optional.empty();
    if (truthFile != null) {
      // the truth's record keys come from person_records (there is no crosswalk yet on a first run)
      truth = java.util.Optional.of(EvaluateCommand.truthTable(opts.spark(),
          org.commonclient.io.DeltaTables.read(opts.spark(), storage.identified("person_records")).select("source", "record_id"),
          truthFile, null));
    }
    LinkConfig chosen = cfg;
    java.util.Optional<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> t = truth;
    return print(RunGuard.stage(opts.spark(), "link",
        () -> LinkJob.run(opts.spark(), storage, chosen, JobOptions.newRunId(), hash(c), t, agreement.id()),
        x -> counts(x)), storage);
  }

  private static LinkJob.LinkResult print(LinkJob.LinkResult r, StorageConfig storage) {
    System.out.printf("link %s: %,d records, %,d candidate pairs, %,d matched pairs, %,d persons%n",
        r.runId(), r.records(), r.candidatePairs(), r.matchedPairs(), r.persons());
    r.pairsByRule().forEach((k, v) -> System.out.printf("  rule %-22s %,12d pairs%n", k, v));
    r.stageSeconds().forEach((k, v) -> System.out.printf("  stage %-12s %8.1f s%n", k, v));
    System.out.printf("  total        %8.1f s; linked tables in %s%n", r.totalSeconds(), storage.linked());
    if (r.reportPath() != null) {
      System.out.printf("  quality report %s%n", r.reportPath());
    }
    return r;
  }

  static java.util.Map<String, Long> counts(LinkJob.LinkResult r) {
    java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put("records", r.records());
    m.put("candidate_pairs", r.candidatePairs());
    m.put("matched_pairs", r.matchedPairs());
    m.put("persons", r.persons());
    return m;
  }

  /**
   * SHA-256 of the resolved commonclient configuration, recorded in the runs table (an
   * incremental run whose hash differs from the last link run's links everyone again). How an
   * incremental run writes its tables ({@code linkage.incremental}) changes no result and is
   * left out.
   */
  public static String hash(Config c) {
    try {
      String rendered = c.getConfig("commonclient").withoutPath("linkage.incremental").root()
          .render(ConfigRenderOptions.concise());
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rendered.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
