package org.commonclient.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.commonclient.blocking.BlockSize;
import org.junit.jupiter.api.Test;

/** Rendering of hand-built report data (the browser check is in jobs' LinkReportReviewTest). */
class LinkReportRenderTest {
  static LinkReportData data() {
    var terms = List.of(
        new LinkReportData.Term("prior", "prior", "lambda", -10.0),
        new LinkReportData.Term("comparison", "first_name", "gamma 3: exact", 7.5),
        new LinkReportData.Term("comparison", "dob", "gamma 0: else", -4.25),
        new LinkReportData.Term("tf", "first_name", "factor 0.5", -1.0));
    var pair = new LinkReportData.PairExplanation("tanf:1", "snap:<2>", "ANN", "ANNE", -7.75, 0.0046, terms);
    var curve = new LinkReportData.AccuracyCurve("ground truth", "pairwise", List.of(
        new LinkReportData.AccuracyPoint(0, 0.5, 100, 0.9, 1.0),
        new LinkReportData.AccuracyPoint(5, 0.97, 80, 1.0, 0.85)));
    var em = new LinkReportData.EmSession("train_dob", 1000, true, List.of(
        new LinkReportData.EmIteration(1, 0.2, -5000, 0.1), new LinkReportData.EmIteration(2, 0.25, -4800, 0.001)), List.of());
    var level = List.of(new LinkReportData.LevelSummary(0, "else", 0.1, 0.9, -3.17, false, true),
        new LinkReportData.LevelSummary(1, "exact", 0.9, 0.1, 3.17, false, true));
    return new LinkReportData("run-1", "2026-01-01T00:00:00Z", "link_and_dedupe", 1000, 5000, 400, 700, 0.99,
        6.63, 0.001, -9.96, Map.of("block", 1.5),
        List.of(new LinkReportData.RuleSummary("dob & <initial>", 4000, 4500, 300, 12, List.of(new BlockSize("2001-01-01 | A", 12)))),
        List.of(new LinkReportData.ComparisonSummary("first_name", level)), List.of(em),
        new LinkReportData.Histogram(-20, 1, new long[] {5, 0, 100, 7}), new TreeMap<>(Map.of(1L, 600L, 2L, 90L, 5L, 10L)),
        List.of(pair), List.of(curve), List.of("a note with <markup>"));
  }

  @Test
  void everySectionIsAChartWithDataMarks() {
    String html = LinkReport.render(data());
    for (String id : List.of("chart-rule-pairs", "chart-largest-blocks", "chart-weights-first_name", "chart-em-ll-train_dob",
        "chart-em-change-train_dob", "chart-weight-histogram", "chart-cluster-sizes", "chart-waterfall-0", "chart-accuracy-0")) {
      int at = html.indexOf("id=\"" + id + "\"");
      assertTrue(at >= 0, "chart " + id);
      int end = html.indexOf("</figure>", at);
      assertTrue(html.substring(at, end).contains("class=\"mark\""), "chart " + id + " has data marks");
    }
    assertEquals(9, html.split("<figure class=\"chart\"", -1).length - 1, "one figure per chart");
    assertTrue(html.contains("id=\"render-check\""), "render check placeholder");
  }

  @Test
  void textIsEscapedAndNothingIsFetched() {
    String html = LinkReport.render(data());
    assertTrue(html.contains("dob &amp; &lt;initial&gt;"), "rule name escaped");
    assertTrue(html.contains("snap:&lt;2&gt;"), "record id escaped");
    assertTrue(html.contains("a note with &lt;markup&gt;"));
    assertFalse(Pattern.compile("(src|href)\\s*=").matcher(html).find(), "no external resources");
    assertTrue(html.contains("default-src 'none'"), "the content security policy forbids fetching anything");
  }

  @Test
  void waterfallTermsAddUpToTheWeight() {
    LinkReportData.PairExplanation p = data().explanations().get(0);
    assertEquals(p.matchWeight(), p.sumOfTerms(), 1e-12);
    String html = LinkReport.render(data());
    int at = html.indexOf("id=\"chart-waterfall-0\"");
    String chart = html.substring(at, html.indexOf("</figure>", at));
    assertEquals(5, chart.split("class=\"mark\"", -1).length - 1, "prior, 2 comparisons, 1 tf term and the total");
    assertTrue(chart.contains("+7.50") && chart.contains("-4.25") && chart.contains("-7.75"), chart);
  }

  @Test
  void missingLabelsAndModelTrainingAreExplained() {
    LinkReportData d = data();
    LinkReportData none = new LinkReportData(d.runId(), d.createdAt(), d.linkType(), d.records(), d.candidatePairs(),
        d.matchedPairs(), d.persons(), d.threshold(), d.thresholdWeight(), d.lambda(), d.priorWeight(), d.stageSeconds(),
        d.rules(), d.comparisons(), List.of(), d.weights(), d.clusterSizes(), d.explanations(), List.of(), d.notes());
    String html = LinkReport.render(none);
    assertTrue(html.contains("No labels: pass ground truth to <code>link --truth</code>"));
    assertTrue(html.contains("No EM in this run"));
    assertFalse(html.contains("chart-accuracy-0"));
  }

  @Test
  void axisTicksAreShort() {
    assertEquals("2.5", Svg.tick(2.5));
    assertEquals("4", Svg.tick(4.0));
    assertEquals("-12300", Svg.tick(-12345.6));
    assertEquals("1.23e+06", Svg.tick(1234567));
    assertEquals("0.0581", Svg.tick(0.058071));
    assertEquals("-7200", Svg.tick(-7198.2));
  }
}
