package org.commonclient.jobs.governance;

import com.typesafe.config.Config;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.governance.Agreement;
import org.commonclient.governance.Agreements;
import org.commonclient.governance.ResearchExtract;
import org.commonclient.governance.RunLog;
import org.commonclient.governance.Secrets;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.jobs.link.LinkCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A de-identified person-level extract for one party of a data-use agreement. */
@Command(name = "research-extract", mixinStandardHelpOptions = true,
    description = "Write a de-identified person-level extract for a party of a data-use agreement: only the "
        + "fields the agreement lists for the party, person ids re-keyed per extract with HMAC-SHA256 (secret "
        + "from the environment or a file), date of birth as year or age, no names, SSNs, addresses, phones "
        + "or record ids.")
public final class ResearchExtractCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--agreement", required = true, paramLabel = "ID", description = "The data-use agreement.")
  String agreement;

  @Option(names = "--party", required = true, paramLabel = "NAME", description = "The receiving party.")
  String party;

  @Option(names = "--as-of", paramLabel = "yyyy-MM-dd", description = "Reference day of age (default today).")
  LocalDate asOf;

  @Option(names = "--format", description = "parquet or csv (default commonclient.governance.extract.format).")
  String format;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Base folder (default commonclient.governance.extract.path); the extract goes to "
          + "DIR/<agreement>/<party>/<extract id>.")
  String out;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "File holding the keyed-hash secret (default: the environment variable named by "
          + "commonclient.governance.extract.secretEnv, else commonclient.governance.extract.secretFile).")
  String secretFile;

  @Override
  public Integer call() {
    long started = System.currentTimeMillis();
    Config c = opts.config();
    Agreement a = Agreements.from(c).get(agreement).orElse(null);
    // the extract reads the records of the agreement's own sources only
    Agreement ok = AgreementGate.require(c, agreement, a == null ? java.util.Set.of() : a.sources(), Agreements.RESEARCH);
    ok.party(party);
    String file = secretFile != null ? secretFile : c.getString("commonclient.governance.extract.secretFile");
    byte[] secret = Secrets.read(c.getString("commonclient.governance.extract.secretEnv"), file);
    SparkSession spark = opts.spark();
    StorageConfig storage = StorageConfig.from(c);
    String crosswalk = storage.linked("crosswalk");
    if (!DeltaTables.exists(spark, crosswalk)) {
      throw new ExitCodes.BadInputException("No crosswalk at " + crosswalk + ": run link first");
    }
    String extractId = JobOptions.newRunId();
    ResearchExtract.Result r = ResearchExtract.write(spark,
        DeltaTables.read(spark, storage.identified("person_records")), DeltaTables.read(spark, crosswalk),
        ok, party, secret, extractId, asOf != null ? asOf : AgreementGate.today(),
        out != null ? out : c.getString("commonclient.governance.extract.path"),
        format != null ? format : c.getString("commonclient.governance.extract.format"),
        c.getString("commonclient.governance.extractLog"));
    java.util.Arrays.fill(secret, (byte) 0);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("rows", r.rows());
    RunLog.append(spark, storage.linked("runs"), extractId, "research_extract", LinkCommand.hash(c), ok.id(),
        Map.of("crosswalk", DeltaTables.version(spark, crosswalk)), counts,
        Map.of("research_extract", (System.currentTimeMillis() - started) / 1e3), started);
    System.out.printf("research-extract %s: %,d persons, columns %s, for party %s of agreement %s in %s%n",
        r.extractId(), r.rows(), r.columns(), party, ok.id(), r.path());
    return ExitCodes.OK;
  }
}
