package org.commonclient.jobs;

import org.commonclient.config.ConfigLoader;
import org.commonclient.ingest.IngestJob;
import picocli.CommandLine;

/**
 * Exit codes documented for schedulers: 0 ok, 1 failure, 2 bad input, 3 agreement refusal, 4
 * another run holds the pipeline's lock (nothing was done; retry later).
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int BAD_INPUT = 2;
  public static final int AGREEMENT_REFUSED = 3;
  public static final int LOCKED = 4;

  private ExitCodes() {}

  /** Maps exceptions to exit codes and prints one clear message instead of a stack trace. */
  static final class Handler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(
        Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
      int code = codeFor(ex);
      cl.getErr().println("commonclient: " + (code == BAD_INPUT ? "" : code == LOCKED ? "refused: " : "failed: ") + ex.getMessage());
      if (code == FAILURE) {
        ex.printStackTrace(cl.getErr());
      }
      return code;
    }
  }

  public static int codeFor(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof org.commonclient.io.RunLock.LockHeldException) {
        return LOCKED;
      }
      if (t instanceof ConfigLoader.ConfigError
          || t instanceof IngestJob.IngestException
          || t instanceof com.typesafe.config.ConfigException
          || t instanceof BadInputException) {
        return BAD_INPUT;
      }
      if (t.getClass().getSimpleName().equals("AgreementRefusedException")) {
        return AGREEMENT_REFUSED;
      }
    }
    return FAILURE;
  }

  /** Bad input detected by a command (a missing file, a wrong option value). */
  public static final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
      super(message);
    }
  }
}
