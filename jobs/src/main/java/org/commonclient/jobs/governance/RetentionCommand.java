package org.commonclient.jobs.governance;

import com.typesafe.config.Config;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreement;
import org.commonclient.governance.Agreements;
import org.commonclient.governance.Retention;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.metrics.MetricsConfig;
import org.commonclient.standardise.StandardiseConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Destroys the data of ended agreements, or of one source on request. */
@Command(name = "retention", mixinStandardHelpOptions = true,
    description = "Destroy a source's records and identifiers from every table that holds them (identified "
        + "records, rejects, facts, crosswalk, match_pairs, person attributes derived from them), VACUUM with "
        + "retention 0 so time travel cannot bring them back, and record what was destroyed in the "
        + "destruction audit.")
public final class RetentionCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  static final class What {
    @Option(names = "--expired", description = "Destroy the sources of every agreement that has ended (unless "
        + "another agreement in force still covers them).")
    boolean expired;

    @Option(names = "--source", paramLabel = "NAME", description = "Destroy this source now.")
    String source;
  }

  @Option(names = "--agreement", paramLabel = "ID", description = "Agreement recorded with a --source request.")
  String agreement;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Reason recorded in the audit (--source).")
  String reason;

  @Override
  public Integer call() {
    Config c = opts.config();
    Agreements agreements = Agreements.from(c);
    if (what.source != null) {
      if (agreement != null && agreements.get(agreement).isEmpty()) {
        throw new ExitCodes.BadInputException("Unknown agreement '" + agreement + "'; configured: "
            + agreements.all().stream().map(Agreement::id).toList());
      }
      destroy(c, what.source, reason != null ? reason : "requested", agreement);
      return ExitCodes.OK;
    }
    var today = AgreementGate.today();
    List<Agreement> ended = agreements.endedBefore(today);
    if (ended.isEmpty()) {
      System.out.println("retention: no agreement has ended");
      return ExitCodes.OK;
    }
    Set<String> done = alreadyDestroyed(c);
    for (Agreement a : ended) {
      for (String s : a.sources()) {
        List<Agreement> still = agreements.activeCovering(s, today, a.id());
        if (!still.isEmpty()) {
          System.out.printf("retention: %s kept: agreement %s ended on %s, but %s still covers it%n", s, a.id(), a.end(),
              still.stream().map(Agreement::id).toList());
        } else if (done.contains(s + "\u0000" + a.id())) {
          System.out.printf("retention: %s of agreement %s was already destroyed%n", s, a.id());
        } else {
          destroy(c, s, "agreement " + a.id() + " ended on " + a.end(), a.id());
        }
      }
    }
    return ExitCodes.OK;
  }

  private Set<String> alreadyDestroyed(Config c) {
    String audit = c.getString("commonclient.governance.destructionAudit");
    SparkSession spark = opts.spark();
    Set<String> out = new HashSet<>();
    if (DeltaTables.exists(spark, audit)) {
      for (Row r : DeltaTables.read(spark, audit).where("agreement_id IS NOT NULL").select("source", "agreement_id")
          .distinct().collectAsList()) {
        out.add(r.getString(0) + "\u0000" + r.getString(1));
      }
    }
    return out;
  }

  private void destroy(Config c, String source, String why, String agreementId) {
    Retention.Result r = Retention.destroySource(opts.spark(), StorageConfig.from(c),
        MetricsConfig.from(c).restrictedPath(), StandardiseConfig.from(c),
        c.getString("commonclient.governance.destructionAudit"),
        new Retention.Request(source, why, agreementId), JobOptions.newRunId());
    System.out.printf("retention %s: source %s destroyed (%s), %,d rows%n", r.destructionId(), source, why, r.totalRows());
    r.tables().forEach(t -> System.out.printf("  %-22s %,10d rows  %s%n", t.table(), t.rows(), t.action()));
    r.stepSeconds().forEach((k, v) -> System.out.printf("  step %-20s %8.1f s%n", k, v));
  }
}
