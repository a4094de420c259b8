package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.evaluate.EvaluateCommand;
import org.commonclient.jobs.review.ReviewCommand;
import org.commonclient.linkage.Evaluation;
import org.commonclient.review.Csv;
import org.commonclient.review.ReviewLabels;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The link quality report and the clerical review end to end on a generated sample of 1,500
 * people (the shared SampleRun): its {@code pipeline --truth} wrote the report, which renders in headless Chromium with every
 * chart drawn and a silent console; {@code review export} / {@code review import} round-trip labels
 * taken from the ground truth. (Scoring with labels: ClericalScoringTest in common.)
 */
@ExtendWith(SparkExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LinkReportReviewTest {
  @TempDir static Path dir;
  static String[] common;
  static String tables;
  static String truth;
  static Path report;

  record Cli(int code, String out, String err) {}

  static Cli cli(String... args) {
    StringWriter err = new StringWriter();
    java.io.PrintStream old = System.out;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = TestCli.execute(err, args);
    } finally {
      System.setOut(old);
    }
    String o = out.toString(StandardCharsets.UTF_8);
    System.out.print(o);
    if (code != 0) {
      System.err.println(err);
    }
    return new Cli(code, o, err.toString());
  }

  static String[] with(String[] a, String... b) {
    return SamplePipelineTest.concat(a, b);
  }

  @BeforeAll
  static void linkGeneratedSample(SparkSession spark) throws java.io.IOException {
    long t0 = System.nanoTime();
    // the shared sample run (its pipeline linked with --truth), copied into this class's own
    // tables so that review import leaves the other classes' tables as they were
    SampleRun sample = SampleRun.get();
    Path root = SparkExtension.repoRoot();
    tables = dir.resolve("tables").toString();
    truth = sample.out + "/truth/truth.csv";
    copyTree(Path.of(sample.tables), Path.of(tables));
    common = new String[] {"--config", root.resolve("conf/sample.conf").toString(),
        "-D", "commonclient.storage.root=" + tables, "-D", "commonclient.data.extracts=" + sample.out + "/extracts"};
    try (Stream<Path> s = Files.list(Path.of(tables, "linked", "reports"))) {
      List<Path> reports = s.filter(p -> p.getFileName().toString().startsWith("link-")).toList();
      assertEquals(1, reports.size(), "one link report of the sample pipeline: " + reports);
      report = reports.get(0);
    }
    System.out.printf("sample run and copy: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  static void copyTree(Path from, Path to) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  @Test
  @Order(1)
  void linkWritesASelfContainedReportThatRendersInChromium() throws Exception {
    assertTrue(Files.isRegularFile(report), "report at " + report);
    assertTrue(report.toString().startsWith(tables + "/linked/reports/link-") && report.toString().endsWith(".html"),
        "report under <linked>/reports: " + report);
    String html = Files.readString(report);
    for (String id : List.of("chart-rule-pairs", "chart-largest-blocks", "chart-weights-first_name", "chart-em-ll-",
        "chart-em-change-", "chart-weight-histogram", "chart-cluster-sizes", "chart-waterfall-0", "chart-accuracy-0")) {
      assertTrue(html.contains("id=\"" + id), "report has a chart " + id);
    }
    assertTrue(html.contains("ground truth"), "precision/recall against the truth passed to link");
    assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"?(https?:)?//").matcher(html).find(), "no network references");
    int charts = count(html, "<figure class=\"chart\"");

    var chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(),
        "chromium not found on PATH: install it (apt-get install -y chromium) to check the report renders");
    long t0 = System.nanoTime();
    HeadlessChromium.Load load = chromium.get().dumpDom(report);
    Matcher m = Pattern.compile("charts=(\\d+) rendered=(\\d+) errors=(\\d+)").matcher(load.dom());
    assertTrue(m.find(), "the page's render check ran: " + load.stderr());
    assertEquals(charts, Integer.parseInt(m.group(1)), "charts seen by the browser");
    assertEquals(charts, Integer.parseInt(m.group(2)), "every chart rendered with data marks");
    assertEquals(0, Integer.parseInt(m.group(3)), "no script errors");
    assertEquals(List.of(), load.consoleMessages(), "console messages");
    Path png = Path.of("target", "link-report.png").toAbsolutePath();
    Files.createDirectories(png.getParent());
    chromium.get().screenshot(report, png, 1280, 6000);
    byte[] head = Files.readAllBytes(png);
    assertTrue(head.length > 10_000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG screenshot");
    System.out.printf("report %s: %d charts rendered in Chromium (%.1f s); screenshot %s%n", report, charts,
        (System.nanoTime() - t0) / 1e9, png);
  }

  @Test
  @Order(2)
  void reviewExportAndImportEstimatePrecisionAndRecall(SparkSession spark) throws Exception {
    Path csv = dir.resolve("review.csv");
    assertEquals(0, cli(with(new String[] {"review", "export", "--out", csv.toString()}, common)).code());
    List<Csv.Record> rows = Csv.parse(new StringReader(Files.readString(csv)), csv.toString());
    List<String> header = rows.get(0).fields();
    assertEquals("label", header.get(0));
    assertTrue(header.containsAll(List.of("first_name_l", "first_name_r", "dob_l", "dob_r", "stratum", "stratum_pairs")),
        "both records side by side: " + header);
    assertTrue(rows.size() > 40, "sampled pairs: " + (rows.size() - 1));
    assertTrue(rows.stream().skip(1).allMatch(r -> r.fields().get(0).isEmpty()), "label column empty");

    Map<String, String> entity = new HashMap<>();
    try (Stream<String> lines = Files.lines(Path.of(truth))) {
      lines.skip(1).forEach(l -> {
        String[] f = l.split(",");
        entity.put(f[0] + "|" + f[1], f[2]);
      });
    }
    int sl = header.indexOf("source_l");
    int rl = header.indexOf("record_id_l");
    int sr = header.indexOf("source_r");
    int rr = header.indexOf("record_id_r");
    StringWriter labelled = new StringWriter();
    int i = 0;
    for (Csv.Record r : rows) {
      List<String> f = new ArrayList<>(r.fields());
      if (i > 0 && i % 10 != 0) {
        String a = entity.get(f.get(sl) + "|" + f.get(rl));
        String b = entity.get(f.get(sr) + "|" + f.get(rr));
        assertNotNull(a, "truth of " + f.get(sl) + ":" + f.get(rl));
        f.set(0, i % 10 == 5 ? (a.equals(b) ? "yes" : "no") : a.equals(b) ? "1" : "0");
      } else if (i == 10) {
        f.set(0, "?");
      }
      Csv.writeRow(labelled, f);
      i++;
    }
    Path done = dir.resolve("review-labelled.csv");
    Files.writeString(done, labelled.toString());
    Cli imp = cli(with(new String[] {"review", "import", "--file", done.toString()}, common));
    assertEquals(0, imp.code(), "import exit code");
    assertTrue(imp.out().contains("estimated precision"), imp.out());

    ReviewLabels.ImportResult r = ReviewLabels.importFile(spark,
        org.commonclient.config.StorageConfig.from(config()), 0.99, done.toString());
    long expectedLabels = rows.size() - 1 - r.file().unlabelled() - r.file().unsure();
    assertEquals(expectedLabels, r.file().labelled().size());
    assertEquals(1, r.file().unsure(), "one unsure label");
    assertEquals(expectedLabels, DeltaTables.read(spark, tables + "/linked/clerical_labels").count(),
        "re-importing the same file replaces its labels");
    var est = r.atThreshold();
    for (var iv : List.of(est.inSamplePrecision(), est.precision(), est.recall())) {
      assertTrue(iv.low() <= iv.value() && iv.value() <= iv.high() && iv.low() >= 0 && iv.high() <= 1, "interval " + iv);
    }
    Dataset<Row> cw = DeltaTables.read(spark, tables + "/linked/crosswalk");
    Evaluation.ThresholdPoint tp = Evaluation.thresholds(DeltaTables.read(spark, tables + "/linked/match_pairs"),
        EvaluateCommand.truthTable(spark, cw, truth, null), new double[] {0.99}).get(0);
    System.out.printf("precision at p >= 0.99: true %.4f, estimated %s (in-sample %s)%n", tp.precision(), est.precision(),
        est.inSamplePrecision());
    assertTrue(Math.abs(tp.precision() - est.precision().value()) < 0.1, "estimate near the true precision " + tp.precision());

    // a broken file: a bad label, a short row; errors name file, line and field, exit code 2
    List<String> lines = new ArrayList<>(Files.readAllLines(done));
    lines.set(2, "maybe" + lines.get(2).substring(lines.get(2).indexOf(',')));
    lines.set(3, "1,band,3");
    Path bad = dir.resolve("review-bad.csv");
    Files.write(bad, lines);
    Cli fail = cli(with(new String[] {"review", "import", "--file", bad.toString()}, common));
    assertEquals(ExitCodes.BAD_INPUT, fail.code());
    assertTrue(fail.err().contains(bad + ":3: field 'label': 'maybe' is not a label"), fail.err());
    assertTrue(fail.err().contains(bad + ":4: expected " + header.size() + " fields, found 3"), fail.err());
  }

  @Test
  @Order(3)
  void writtenTablesMatchTheDataDictionary(SparkSession spark) {
    List<String> problems = new ArrayList<>();
    for (org.commonclient.io.DataDictionary.Table t : org.commonclient.io.DataDictionary.tables()) {
      String path = tables + "/" + t.zone() + "/" + t.name();
      if (!DeltaTables.exists(spark, path)) {
        problems.add(t.name() + ": no table at " + path);
        continue;
      }
      var actual = DeltaTables.read(spark, path).schema().fields();
      for (var f : actual) {
        boolean ok = false;
        for (var d : t.schema().fields()) {
          if (org.commonclient.io.DataDictionary.matches(d.name(), f.name())
              && d.dataType().simpleString().equals(f.dataType().simpleString())) {
            ok = true;
            break;
          }
        }
        if (!ok) {
          problems.add(t.name() + "." + f.name() + " " + f.dataType().simpleString() + " is not in the dictionary");
        }
      }
      for (var d : t.schema().fields()) {
        if (!d.name().contains("<") && java.util.Arrays.stream(actual).noneMatch(f -> f.name().equals(d.name()))) {
          problems.add(t.name() + "." + d.name() + " is in the dictionary but not in the table");
        }
      }
    }
    assertEquals(List.of(), problems, "tables written by ingest, link and review import against docs/DATA_DICTIONARY.md");
  }

  private static int count(String s, String needle) {
    int n = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /** The config the CLI builds from {@link #common}. */
  static com.typesafe.config.Config config() {
    JobOptions opts = new JobOptions();
    opts.config = Path.of(common[1]);
    for (int i = 2; i + 1 < common.length; i += 2) {
      String[] kv = common[i + 1].split("=", 2);
      opts.overrides.put(kv[0], kv[1]);
    }
    return opts.config();
  }
}
