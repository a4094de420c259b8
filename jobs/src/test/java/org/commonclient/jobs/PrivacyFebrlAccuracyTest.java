package org.commonclient.jobs;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Privacy-preserving linkage of FEBRL 4 end to end through the command line: the data owners'
 * {@code tokenize} (once, with a distinctive secret from a file), then {@code link} in
 * BLOOM_CLK and in KEYED_TOKENS mode from the tokenized files, and the clear {@code pipeline} for
 * comparison ({@link FebrlRuns}, shared with FebrlAccuracyTest). One run per mode, shared by the
 * tests.
 */
@ExtendWith(SparkExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyFebrlAccuracyTest {
  static final String SECRET = "cc-test-Secret-7f3a9d2e-Kq81-never-in-output";

  Path dir;
  Path tokens;
  final Map<String, Evaluation.Scores> scores = new LinkedHashMap<>();
  final Map<String, Double> seconds = new LinkedHashMap<>();
  final StringWriter captured = new StringWriter();
  WriterAppender appender;
  String consoleOut;

  /** The example config with the token inputs in the temp folder (a list cannot be set by -D). */
  private String conf(String example) throws IOException {
    Path f = dir.resolve(Path.of(example).getFileName());
    Files.writeString(f, "include file(\"" + SparkExtension.repoRoot().resolve(example) + "\")\n"
        + "commonclient.privacy.tokenInputs = [\"" + tokens + "/*\"]\n");
    return f.toString();
  }

  private String[] args(String command, String conf, String storage, String... extra) {
    List<String> a = new ArrayList<>(List.of(command, "--config", conf,
        "-D", "commonclient.storage.root=" + storage,
        "-D", "commonclient.data.benchmarks=" + SparkExtension.sharedData(),
        "-D", "commonclient.privacy.secretFile=" + dir.resolve("secret.txt"),
        "-D", "commonclient.privacy.tokenize.output=" + tokens));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private void run(String label, String... args) {
    StringWriter err = new StringWriter();
    long t0 = System.nanoTime();
    int code = TestCli.execute(err, args);
    seconds.put(label, (System.nanoTime() - t0) / 1e9);
    captured.append(err.toString());
    assertEquals(0, code, label + " exit code; " + err);
  }

  private Evaluation.Scores evaluate(SparkSession spark, String label, String storage) {
    Dataset<Row> cw = DeltaTables.read(spark, storage + "/linked/crosswalk");
    Evaluation.Scores s = Evaluation.clusters(cw, EvaluateCommand.truthTable(spark, cw, null, "rec-(\\d+)-"));
    System.out.printf("%s (%.1f s):%n%s%n", label, seconds.get(label), s);
    return s;
  }

  @BeforeAll
  void runAllModes(SparkSession spark) throws IOException {
    dir = Files.createTempDirectory("cc-privacy-febrl");
    tokens = dir.resolve("tokens");
    Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
    startCapture();
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(new TeeStream(console, out), true, StandardCharsets.UTF_8);
    System.setOut(tee);
    System.setErr(new PrintStream(new TeeStream(console, err), true, StandardCharsets.UTF_8));
    try {
      run("tokenize", args("tokenize", conf("conf/examples/febrl4-bloom.conf"), dir.resolve("owner").toString()));
      String bloom = dir.resolve("bloom").toString();
      run("BLOOM_CLK", args("link", conf("conf/examples/febrl4-bloom.conf"), bloom));
      scores.put("BLOOM_CLK", evaluate(spark, "BLOOM_CLK", bloom));
      String keyed = dir.resolve("keyed").toString();
      run("KEYED_TOKENS", args("link", conf("conf/examples/febrl4-tokens.conf"), keyed));
      scores.put("KEYED_TOKENS", evaluate(spark, "KEYED_TOKENS", keyed));
      // the clear run is shared with FebrlAccuracyTest (once per test JVM)
      scores.put("CLEAR", FebrlRuns.febrl4Clear(spark));
      seconds.put("CLEAR", FebrlRuns.febrl4ClearSeconds());
    } finally {
      System.setOut(out);
      System.setErr(err);
      stopCapture();
      consoleOut = console.toString(StandardCharsets.UTF_8);
    }
    System.out.println("seconds per run: " + seconds);
  }

  private void startCapture() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration conf = ctx.getConfiguration();
    appender = WriterAppender.createAppender(PatternLayout.newBuilder().withPattern("%p %c: %m%n").build(), null,
        captured, "privacy-capture", false, true);
    appender.start();
    conf.addAppender(appender);
    conf.getRootLogger().addAppender(appender, Level.ALL, null);
    LoggerConfig ours = new LoggerConfig("org.commonclient", Level.DEBUG, true);
    conf.addLogger("org.commonclient", ours);
    ours.addAppender(appender, Level.ALL, null);
    ctx.updateLoggers();
  }

  private void stopCapture() {
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    Configuration conf = ctx.getConfiguration();
    conf.getRootLogger().removeAppender("privacy-capture");
    conf.removeLogger("org.commonclient");
    ctx.updateLoggers();
    appender.stop();
  }

  @AfterAll
  void cleanUp() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void bloomClkReachesF1Of098AndStaysWithin0015OfClear() {
    double bloom = scores.get("BLOOM_CLK").f1();
    double clear = scores.get("CLEAR").f1();
    assertEquals(10000, scores.get("BLOOM_CLK").records());
    assertTrue(bloom >= 0.98, "BLOOM_CLK pairwise F1 " + bloom);
    assertTrue(clear - bloom <= 0.015, "BLOOM_CLK F1 " + bloom + " vs CLEAR " + clear);
  }

  @Test
  void keyedTokensLinkWithHighPrecision() {
    Evaluation.Scores k = scores.get("KEYED_TOKENS");
    assertEquals(10000, k.records());
    // exact tokens do not tolerate typos: precision stays high, recall is what typos leave
    assertTrue(k.precision() >= 0.99, "KEYED_TOKENS precision " + k.precision());
    assertTrue(k.recall() >= 0.5, "KEYED_TOKENS recall " + k.recall());
  }

  @Test
  void tokenizedFilesHoldNoClearIdentifier(SparkSession spark) throws IOException {
    Set<String> clear = clearIdentifiers();
    Dataset<Row> t = spark.read().parquet(tokens.resolve("febrl4a").toString(), tokens.resolve("febrl4b").toString());
    assertEquals(10000, t.count());
    List<String> stringCols = new ArrayList<>();
    for (StructField f : t.schema().fields()) {
      if (f.dataType() == DataTypes.StringType) {
        stringCols.add(f.name());
      } else if (f.dataType() instanceof ArrayType a && a.elementType() == DataTypes.StringType) {
        stringCols.add(f.name());
      } else {
        // the only other columns: dates of enrollment and the Bloom filters as 64-bit words
        assertTrue(f.dataType() == DataTypes.DateType
                || (f.dataType() instanceof ArrayType a2 && a2.elementType() == DataTypes.LongType),
            "unexpected column type " + f);
      }
    }
    List<String> problems = new ArrayList<>();
    for (Row r : t.select(stringCols.stream().map(c -> col(c).cast("string")).toArray(org.apache.spark.sql.Column[]::new)).collectAsList()) {
      for (int i = 0; i < r.length(); i++) {
        String v = r.isNullAt(i) ? null : r.getString(i);
        if (v == null || stringCols.get(i).equals("record_id") || stringCols.get(i).equals("source")) {
          continue;
        }
        for (String part : v.replace("[", "").replace("]", "").split(", ")) {
          if (clear.contains(part) || clear.contains(part.toLowerCase(Locale.ROOT))) {
            problems.add(stringCols.get(i) + "=" + part);
          }
        }
        if (problems.size() > 10) {
          break;
        }
      }
    }
    assertTrue(problems.isEmpty(), "clear identifiers in the tokenized files: " + problems);
    for (String c : t.columns()) {
      assertFalse(clear.contains(c.toLowerCase(Locale.ROOT)), "column name " + c);
    }
  }

  /** Names, DOBs, SSNs and address parts of the FEBRL 4 files, lower-case and upper-case. */
  private static Set<String> clearIdentifiers() throws IOException {
    Set<String> out = new HashSet<>();
    for (String f : List.of("febrl4a.csv", "febrl4b.csv")) {
      List<String> lines = Files.readAllLines(SparkExtension.sharedData().resolve("febrl").resolve(f));
      for (String line : lines.subList(1, lines.size())) {
        String[] v = line.split(",\\s*", -1);
        for (int i = 1; i < v.length; i++) {
          String s = v[i].trim();
          if (s.length() >= 3) {
            out.add(s.toLowerCase(Locale.ROOT));
            out.add(s.toUpperCase(Locale.ROOT));
          }
        }
        if (v.length > 9 && v[9].trim().length() == 8) {
          String d = v[9].trim();
          out.add(d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6));
        }
      }
    }
    out.remove("");
    return out;
  }

  @Test
  void secretNeverLeavesTheSecretFile() throws IOException {
    assertFalse(captured.toString().contains(SECRET), "secret in the log output");
    assertFalse(consoleOut.contains(SECRET), "secret on stdout/stderr");
    assertTrue(captured.toString().contains("tokenize"), "the capture saw the tokenize log lines");
    byte[] needle = SECRET.getBytes(StandardCharsets.UTF_8);
    List<Path> leaking = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("secret.txt")).toList()) {
        if (indexOf(Files.readAllBytes(p), needle) >= 0) {
          leaking.add(p);
        }
      }
    }
    assertTrue(leaking.isEmpty(), "files holding the secret: " + leaking);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Writes to two streams. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
