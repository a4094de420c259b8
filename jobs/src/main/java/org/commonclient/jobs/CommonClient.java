package org.commonclient.jobs;

import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.jobs.export.ExportCommand;
import org.commonclient.jobs.generate.GenerateCommand;
import org.commonclient.jobs.governance.ResearchExtractCommand;
import org.commonclient.jobs.governance.RetentionCommand;
import org.commonclient.jobs.ingest.IngestCommand;
import org.commonclient.jobs.link.LinkCommand;
import org.commonclient.jobs.link.SimulateMonthCommand;
import org.commonclient.jobs.metrics.BenchMetricsCommand;
import org.commonclient.jobs.metrics.MetricsCommand;
import org.commonclient.jobs.pipeline.PipelineCommand;
import org.commonclient.jobs.review.ReviewCommand;
import org.commonclient.jobs.tokenize.TokenizeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code commonclient <command> [options]}: the one entry point of the suite. */
@Command(
    name = "commonclient",
    mixinStandardHelpOptions = true,
    version = "commonclient 0.1.0",
    description = "Links people across agencies' records and measures common clients.",
    subcommands = {
      GenerateCommand.class,
      IngestCommand.class,
      TokenizeCommand.class,
      LinkCommand.class,
      EvaluateCommand.class,
      ReviewCommand.class,
      MetricsCommand.class,
      BenchMetricsCommand.class,
      ExportCommand.class,
      PipelineCommand.class,
      SimulateMonthCommand.class,
      ResearchExtractCommand.class,
      RetentionCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 failure, 2 bad configuration or bad input, 3 refused by a data-use agreement,",
      "4 another run holds the pipeline lock."
    })
public final class CommonClient implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CommonClient());
    cl.setExecutionExceptionHandler(new ExitCodes.Handler());
    return cl;
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    System.exit(code);
  }
}
