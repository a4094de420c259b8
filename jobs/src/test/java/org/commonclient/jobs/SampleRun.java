package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.commonclient.testing.SparkExtension;

/**
 * One generated sample run per test JVM, shared by the test classes that need one (the sample
 * pipeline's checks, the notebooks, the quality report and review): generate 1,500 people (seed 7),
 * then {@code pipeline --truth} with conf/sample.conf, in process on the shared SparkSession of the
 * JVM that builds it, into this build's fixtures folder ({@link SharedFixture}). Producing it once
 * keeps the suite's time: it is the most expensive fixture.
 */
final class SampleRun {
  static final int PEOPLE = 1500;
  private static SampleRun instance;

  final Path root;
  final Path dir;
  /** The generator's output (extracts/, truth/). */
  final String out;
  /** commonclient.storage.root of the run. */
  final String tables;
  /** --config and -D options every command of the run takes. */
  final String[] common;

  private SampleRun(Path dir) {
    this.root = SparkExtension.repoRoot();
    this.dir = dir;
    this.out = dir.resolve("sample").toString();
    this.tables = dir.resolve("tables").toString();
    this.common = new String[] {"--config", root.resolve("conf/sample.conf").toString(),
        "-D", "commonclient.storage.root=" + tables, "-D", "commonclient.data.extracts=" + out + "/extracts"};
  }

  /**
   * The run, produced once per build (generate, then pipeline; both must exit 0) and shared by the
   * test JVMs ({@link SharedFixture}).
   */
  static synchronized SampleRun get() throws IOException {
    if (instance == null) {
      Path dir = SharedFixture.get("sample-run", d -> {
        SampleRun r = new SampleRun(d);
        assertEquals(0, FebrlAccuracyTest.run(SamplePipelineTest.concat(
            new String[] {"generate", "--people", Integer.toString(PEOPLE), "--seed", "7", "--out", r.out}, r.common)),
            "generate exit status");
        // --truth: the link's quality report carries precision/recall (LinkReportReviewTest reads it)
        assertEquals(0, FebrlAccuracyTest.run(SamplePipelineTest.concat(
            new String[] {"pipeline", "--truth", r.out + "/truth/truth.csv"}, r.common)),
            "pipeline exit status");
      });
      instance = new SampleRun(dir);
    }
    return instance;
  }
}
