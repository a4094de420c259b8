package org.commonclient.jobs.tokenize;

import java.util.List;
import java.util.concurrent.Callable;
import org.commonclient.config.SourceConfig;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.privacy.PrivacyConfig;
import org.commonclient.privacy.Secret;
import org.commonclient.privacy.TokenizeJob;
import org.commonclient.standardise.StandardiseConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A data owner's step before sending an extract: identifiers to keyed tokens and Bloom filters. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Read person sources as ingest does, standardise their identifiers and write keyed "
        + "HMAC-SHA256 tokens and Bloom-filter encodings (CLK) instead of them, one folder per source. "
        + "The project secret is read from the file commonclient.privacy.secretFile or the environment "
        + "variable commonclient.privacy.secretEnv (default CC_LINK_SECRET).")
public final class TokenizeCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--source", split = ",", paramLabel = "NAME", description = "Only these sources (default: all person sources).")
  List<String> only;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default commonclient.privacy.tokenize.output).")
  String out;

  @Override
  public Integer call() {
    run(opts, only, out);
    return ExitCodes.OK;
  }

  public static TokenizeJob.TokenizeResult run(JobOptions opts, List<String> only, String out) {
    PrivacyConfig cfg = PrivacyConfig.from(opts.config());
    List<SourceConfig> sources = SourceConfig.all(opts.config()).stream()
        .filter(s -> s.kind() == SourceConfig.Kind.PERSON).toList();
    if (only != null && !only.isEmpty()) {
      for (String n : only) {
        if (sources.stream().noneMatch(s -> s.name().equals(n))) {
          throw new ExitCodes.BadInputException("Unknown person source '" + n + "'; configured: "
              + sources.stream().map(SourceConfig::name).toList());
        }
      }
      sources = sources.stream().filter(s -> only.contains(s.name())).toList();
    }
    Secret secret;
    try {
      secret = Secret.load(cfg);
    } catch (IllegalStateException e) {
      throw new ExitCodes.BadInputException(e.getMessage());
    }
    String output = out != null ? out : cfg.tokenizeOutput();
    TokenizeJob.TokenizeResult r = TokenizeJob.run(opts.spark(), sources, StandardiseConfig.from(opts.config()), cfg, secret,
        output, JobOptions.newRunId());
    System.out.printf("%-22s %10s  %s%n", "source", "records", "output");
    r.records().forEach((s, n) -> System.out.printf("%-22s %10d  %s%n", s, n, r.outputs().get(s)));
    System.out.printf("tokenize %s: %.1f s; encoding id %s%n", r.runId(), r.seconds(), r.encodingId());
    return r;
  }
}
