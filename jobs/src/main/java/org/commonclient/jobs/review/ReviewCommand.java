package org.commonclient.jobs.review;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.commonclient.config.StorageConfig;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.linkage.LinkConfig;
import org.commonclient.review.ClericalEstimates;
import org.commonclient.review.ReviewConfig;
import org.commonclient.review.ReviewFileException;
import org.commonclient.review.ReviewLabels;
import org.commonclient.review.ReviewSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Clerical review of the latest link run: export a sample of pairs, import the labels. */
@Command(name = "review", mixinStandardHelpOptions = true,
    description = "Clerical review: 'export' writes pairs around the threshold (stratified by match weight) and a "
        + "random audit sample as a CSV to label; 'import' stores the labels in linked/clerical_labels and estimates "
        + "precision and recall.",
    subcommands = {ReviewCommand.Export.class, ReviewCommand.Import.class})
public final class ReviewCommand implements Runnable {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "Missing subcommand: export or import");
  }

  /** {@code review export}. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Writes the review sample of the latest link run (one row per pair, label column empty).")
  public static final class Export implements Callable<Integer> {
    @Mixin JobOptions opts;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV to write (default <linked>/reviews/review-<run>.csv).")
    String out;

    @Override
    public Integer call() {
      ReviewSampler.ExportResult r = export(opts, out);
      System.out.printf("review export of run %s: %d pairs (%d band, %d audit) written to %s%n", r.runId(), r.rows(),
          r.bandPairs(), r.auditPairs(), r.path());
      System.out.println("Fill the label column (1/0, yes/no, match/non-match; ? = unsure), then: review import --file FILE");
      return ExitCodes.OK;
    }
  }

  public static ReviewSampler.ExportResult export(JobOptions opts, String out) {
    LinkConfig link = LinkConfig.from(opts.config());
    return ReviewSampler.export(opts.spark(), StorageConfig.from(opts.config()), link.clustering().threshold(),
        ReviewConfig.from(opts.config()), out);
  }

  /** {@code review import}. */
  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Validates a labelled review file, stores its labels and estimates precision and recall.")
  public static final class Import implements Callable<Integer> {
    @Mixin JobOptions opts;

    @Option(names = "--file", paramLabel = "FILE", required = true, description = "The labelled CSV.")
    String file;

    @Override
    public Integer call() {
      ReviewLabels.ImportResult r = importFile(opts, file);
      System.out.print(describe(r));
      return ExitCodes.OK;
    }
  }

  public static ReviewLabels.ImportResult importFile(JobOptions opts, String file) {
    LinkConfig link = LinkConfig.from(opts.config());
    try {
      return ReviewLabels.importFile(opts.spark(), StorageConfig.from(opts.config()), link.clustering().threshold(), file);
    } catch (ReviewFileException e) {
      throw new ExitCodes.BadInputException(e.getMessage());
    }
  }

  /** The import outcome as text: counts, strata, estimates at the threshold and at each stratum edge. */
  public static String describe(ReviewLabels.ImportResult r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "review import of run %s: %d labelled, %d not reviewed, %d unsure; %d labels in %s%n",
        r.runId(), r.file().labelled().size(), r.file().unlabelled(), r.file().unsure(), r.tableRows(), r.table()));
    b.append(String.format(Locale.ROOT, "%8s %22s %10s %9s %8s %8s%n", "stratum", "match weight", "pairs", "labelled", "matches", "rate"));
    for (ClericalEstimates.Stratum s : r.strata()) {
      b.append(String.format(Locale.ROOT, "%8d %10.2f ..%9.2f %10d %9d %8d %8.3f%n", s.id(), s.low(), s.high(), s.pairs(),
          s.labelled(), s.matches(), s.matchRate()));
    }
    ClericalEstimates.Estimate a = r.atThreshold();
    b.append(String.format(Locale.ROOT, "at the clustering threshold (weight %.2f):%n", a.thresholdWeight()));
    b.append("  in-sample precision (Wilson 95%): ").append(a.inSamplePrecision()).append(" of ").append(a.labelledAbove())
        .append(" labelled pairs\n");
    b.append("  estimated precision (strata expanded, 95%): ").append(a.precision()).append('\n');
    b.append("  estimated recall among scored pairs (95%): ").append(a.recall()).append('\n');
    b.append(String.format(Locale.ROOT, "  estimated matches among scored pairs: %.1f; pairs in unlabelled strata: %d%n",
        a.estimatedMatches(), a.unlabelledPairs()));
    b.append(String.format(Locale.ROOT, "%10s %26s %26s%n", "threshold", "precision [95%]", "recall [95%]"));
    for (ClericalEstimates.Estimate e : r.byThreshold()) {
      b.append(String.format(Locale.ROOT, "%10.2f %26s %26s%n", e.thresholdWeight(), e.precision(), e.recall()));
    }
    b.append("Assumptions: labels are correct; labelled pairs are a random sample of their stratum; the population is "
        + "this run's match_pairs, so recall ignores matches never scored.\n");
    return b.toString();
  }
}
