package org.commonclient.jobs.generate;

import java.util.concurrent.Callable;
import org.commonclient.generate.GenerateResult;
import org.commonclient.generate.Generator;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes the statewide sample: one extract per agency plus the ground truth, kept apart. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Generate a deterministic statewide sample: households, correlated program "
        + "participation, one extract per agency in its own layout with realistic record errors, "
        + "and the ground truth (truth/truth.csv) kept apart from the extracts (extracts/).")
public final class GenerateCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--people", paramLabel = "N", description = "People to generate (1,000 to 5,000,000; default commonclient.generate.people).")
  Long people;

  @Option(names = "--seed", description = "Random seed (default commonclient.generate.seed).")
  Long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default commonclient.generate.out).")
  String out;

  @Override
  public Integer call() {
    GenerateResult r = Generator.run(opts.config(), people, out, seed);
    System.out.println(r.summary());
    return ExitCodes.OK;
  }
}
