package org.commonclient.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The command line run in the test JVM, as every test here runs it: on the shared test session
 * with its 2 shuffle partitions. The profiles the tests use include conf/local.conf, whose 8
 * partitions (for local[*] on a workstation) would otherwise apply to the session; on the tests'
 * small data most of each extra task is overhead (the generated sample's pipeline: 88 -> 72 CPU-s).
 */
final class TestCli {
  /** The config key and value that keep the test session's shuffle partitions. */
  static final String PARTITIONS_KEY = "commonclient.spark.conf.\"spark.sql.shuffle.partitions\"";
  static final String PARTITIONS = "2";
  /** The same as a -D option of the command line. */
  static final String[] TEST_SPARK = {"-D", PARTITIONS_KEY + "=" + PARTITIONS};

  private TestCli() {}

  /** Runs {@code args} (a command and its options) with {@link #TEST_SPARK}; standard error to {@code err}. */
  static int execute(StringWriter err, String... args) {
    CommandLine cl = CommonClient.commandLine();
    cl.setErr(new PrintWriter(err));
    String[] all = Arrays.copyOf(args, args.length + TEST_SPARK.length);
    System.arraycopy(TEST_SPARK, 0, all, args.length, TEST_SPARK.length);
    return cl.execute(all);
  }
}
