package org.commonclient.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;

/**
 * The linkage quality report of a link run: one self-contained HTML file (inline CSS, inline SVG
 * charts, a few lines of inline script that only checks the charts rendered; nothing is fetched
 * from the network) at {@code <linked>/reports/link-<runId>.html}.
 *
 * <p>The page's script writes {@code <pre id="render-check">charts=N rendered=M errors=E</pre>}
 * once loaded, so a headless browser can confirm every chart has a non-empty box and data marks.
 */
public final class LinkReport {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LinkReport.class);

  private LinkReport() {}

  /** Where the report of a run goes. */
  public static String path(StorageConfig storage, String runId) {
    return storage.linked("reports/link-" + runId + ".html");
  }

  /**
   * Collects, renders and writes the report of a link run after its tables are published; returns
   * its path, or null (logged) when the report failed: the published linkage stays valid.
   */
  public static String writeQuietly(SparkSession spark, StorageConfig storage, org.commonclient.linkage.LinkConfig cfg,
      LinkReportCollector.RunFacts run, org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> scored,
      org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> crosswalk,
      java.util.Optional<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> truth) {
    try {
      String where = write(spark, storage, LinkReportCollector.collect(spark, storage, cfg, run, scored, crosswalk, truth));
      LOG.info("link report of run {}: {}", run.runId(), where);
      return where;
    } catch (RuntimeException e) {
      LOG.error("Could not write the link report of run {} (the linked tables are published)", run.runId(), e);
      return null;
    }
  }

  /** Renders and writes the report (any Hadoop file system); returns its path. */
  public static String write(SparkSession spark, StorageConfig storage, LinkReportData data) {
    String where = path(storage, data.runId());
    Path p = new Path(where);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(p, true)) {
        out.write(render(data).getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the link report " + where, e);
    }
    return where;
  }

  private static final String CSS = """
      body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1440px;color:#222;padding:0 16px}
      h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:2em}
      table{border-collapse:collapse;margin:8px 0;font-size:.9em}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
      th{background:#f3f3f3}td.t,th.t{text-align:left}
      figure.chart{margin:12px 0;display:inline-block;vertical-align:top}figcaption{font-weight:600;font-size:.9em;margin-bottom:4px}
      svg{background:#fff;border:1px solid #eee}svg text{font-size:11px;fill:#333}svg text.lbl{font-size:11px}
      svg text.vert{writing-mode:vertical-rl;transform-box:fill-box;transform-origin:center;transform:rotate(180deg)}
      svg .axis{stroke:#555;stroke-width:1}svg .grid{stroke:#eee;stroke-width:1}svg .marker{stroke:#d62728;stroke-dasharray:4 3;stroke-width:1.5}
      svg .legend{stroke-width:3}svg rect.mark:hover{opacity:.75}
      .note{color:#555;font-size:.9em}.kpi{display:inline-block;margin:0 18px 8px 0}.kpi b{display:block;font-size:1.3em}
      #render-check{color:#999;font-size:.8em}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
      """;

  /**
   * Counts charts whose svg has a non-empty box and at least one data mark; logs console errors
   * for the others; records the outcome in #render-check.
   */
  private static final String CHECK_SCRIPT = """
      (function(){
        var errors=0;
        window.addEventListener('error',function(){errors++;});
        var consoleError=console.error;console.error=function(){errors++;consoleError.apply(console,arguments);};
        function check(){
          var figs=document.querySelectorAll('figure.chart');var ok=0;
          for(var i=0;i<figs.length;i++){
            var svg=figs[i].querySelector('svg');
            var box=svg?svg.getBoundingClientRect():null;
            var marks=svg?svg.querySelectorAll('.mark').length:0;
            if(box&&box.width>0&&box.height>0&&marks>0){ok++;}else{console.error('chart not rendered: '+figs[i].id);}
          }
          var out=document.getElementById('render-check');
          out.textContent='charts='+figs.length+' rendered='+ok+' errors='+errors;
          out.setAttribute('data-charts',figs.length);out.setAttribute('data-rendered',ok);out.setAttribute('data-errors',errors);
        }
        if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',check);}else{check();}
      })();
      """;

  /** The report as one HTML document. */
  public static String render(LinkReportData d) {
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">")
        .append("<title>Linkage quality report ").append(Svg.esc(d.runId())).append("</title><style>").append(CSS)
        .append("</style></head><body>\n");
    b.append("<h1>Linkage quality report</h1><p class=\"note\">Link run <b>").append(Svg.esc(d.runId()))
        .append("</b>, ").append(Svg.esc(d.linkType())).append(", written ").append(Svg.esc(d.createdAt())).append(".</p>\n");
    kpis(b, d);
    blocking(b, d);
    model(b, d);
    em(b, d);
    weights(b, d);
    clusters(b, d);
    explanations(b, d);
    accuracy(b, d);
    if (!d.notes().isEmpty()) {
      b.append("<h2>Notes</h2><ul>");
      d.notes().forEach(n -> b.append("<li>").append(Svg.esc(n)).append("</li>"));
      b.append("</ul>");
    }
    b.append("<pre id=\"render-check\">charts=? rendered=? errors=?</pre>\n<script>").append(CHECK_SCRIPT)
        .append("</script>\n</body></html>\n");
    return b.toString();
  }

  private static void kpis(StringBuilder b, LinkReportData d) {
    b.append("<div>");
    kpi(b, "records", Svg.num(d.records()));
    kpi(b, "candidate pairs", Svg.num(d.candidatePairs()));
    kpi(b, "pairs over threshold (clustered)", Svg.num(d.matchedPairs()));
    kpi(b, "persons", Svg.num(d.persons()));
    kpi(b, "threshold", "p ≥ " + Svg.num(d.threshold()) + " (weight " + fmt2(d.thresholdWeight()) + ")");
    kpi(b, "prior λ", Svg.num(d.lambda()) + " (weight " + fmt2(d.priorWeight()) + ")");
    b.append("</div>\n");
    if (!d.stageSeconds().isEmpty()) {
      b.append("<p class=\"note\">Stage seconds: ");
      List<String> parts = new ArrayList<>();
      d.stageSeconds().forEach((k, v) -> parts.add(Svg.esc(k) + " " + fmt1(v)));
      b.append(String.join(", ", parts)).append(".</p>\n");
    }
  }

  private static void kpi(StringBuilder b, String label, String value) {
    b.append("<span class=\"kpi\"><b>").append(Svg.esc(value)).append("</b>").append(Svg.esc(label)).append("</span>");
  }

  private static void blocking(StringBuilder b, LinkReportData d) {
    b.append("<h2>Blocking</h2>");
    List<String> names = d.rules().stream().map(LinkReportData.RuleSummary::name).toList();
    double[] pairs = d.rules().stream().mapToDouble(LinkReportData.RuleSummary::pairs).toArray();
    b.append(Svg.hbars("chart-rule-pairs", "Candidate pairs per blocking rule (after excluding earlier rules; log scale)",
        names, pairs, true, ""));
    b.append("<table><tr><th class=\"t\">rule</th><th>pairs</th><th>pairs on its own</th><th>blocks</th>")
        .append("<th>largest block</th><th class=\"t\">largest blocks (key: records)</th></tr>");
    for (LinkReportData.RuleSummary r : d.rules()) {
      b.append("<tr><td class=\"t\">").append(Svg.esc(r.name())).append("</td><td>").append(Svg.num(r.pairs()))
          .append("</td><td>").append(Svg.num(r.preExclusionPairs())).append("</td><td>").append(Svg.num(r.blocks()))
          .append("</td><td>").append(Svg.num(r.largestBlock())).append("</td><td class=\"t\">");
      List<String> top = new ArrayList<>();
      r.largestBlocks().stream().limit(5).forEach(x -> top.add(Svg.esc(x.key()) + ": " + Svg.num(x.records())));
      b.append(String.join("<br>", top)).append("</td></tr>");
    }
    b.append("</table>\n");
    List<String> blockLabels = new ArrayList<>();
    List<Double> blockSizes = new ArrayList<>();
    for (LinkReportData.RuleSummary r : d.rules()) {
      r.largestBlocks().stream().limit(3).forEach(x -> {
        blockLabels.add(r.name() + ": " + abbreviate(x.key(), 24));
        blockSizes.add((double) x.records());
      });
    }
    if (!blockLabels.isEmpty()) {
      b.append(Svg.hbars("chart-largest-blocks", "Largest blocks per rule (records)", blockLabels,
          blockSizes.stream().mapToDouble(Double::doubleValue).toArray(), false, ""));
    }
  }

  private static void model(StringBuilder b, LinkReportData d) {
    b.append("<h2>Model: m and u probabilities and match weights</h2>");
    b.append("<p class=\"note\">Partial match weight of a level = log2(m / u). The null level (a value missing on either side) weighs 0.</p>");
    for (LinkReportData.ComparisonSummary c : d.comparisons()) {
      b.append("<div class=\"row\"><table><tr><th class=\"t\">").append(Svg.esc(c.name()))
          .append("</th><th>gamma</th><th>m</th><th>u</th><th>weight</th></tr>");
      List<String> labels = new ArrayList<>();
      double[] w = new double[c.levels().size()];
      int i = 0;
      for (int g = c.levels().size() - 1; g >= 0; g--) {
        LinkReportData.LevelSummary l = c.levels().get(g);
        b.append("<tr><td class=\"t\">").append(Svg.esc(l.label())).append("</td><td>").append(l.gamma())
            .append("</td><td>").append(Svg.num(l.m())).append(l.fixedM() ? " (fixed)" : "").append("</td><td>")
            .append(Svg.num(l.u())).append(l.fixedU() ? " (fixed)" : "").append("</td><td>").append(fmt2(l.weight()))
            .append("</td></tr>");
        labels.add(abbreviate(l.label(), 34));
        w[i++] = l.weight();
      }
      b.append("</table>");
      b.append(Svg.hbars("chart-weights-" + c.name(), "Match weight per level: " + c.name(), labels, w, false, ""));
      b.append("</div>\n");
    }
  }

  private static void em(StringBuilder b, LinkReportData d) {
    b.append("<h2>EM iteration history</h2>");
    if (d.emSessions().isEmpty()) {
      b.append("<p class=\"note\">No EM in this run (the model was loaded).</p>");
      return;
    }
    for (LinkReportData.EmSession s : d.emSessions()) {
      b.append("<p class=\"note\">Session <b>").append(Svg.esc(s.name())).append("</b>: ").append(Svg.num(s.pairs()))
          .append(" training pairs, ").append(s.iterations().size()).append(" iterations, ")
          .append(s.converged() ? "converged" : "<b>not converged</b>").append(".</p>");
      double[] x = s.iterations().stream().mapToDouble(LinkReportData.EmIteration::iteration).toArray();
      double[] ll = s.iterations().stream().mapToDouble(LinkReportData.EmIteration::logLikelihood).toArray();
      double[] ch = s.iterations().stream().mapToDouble(LinkReportData.EmIteration::maxChange).toArray();
      double[] lambda = s.iterations().stream().mapToDouble(LinkReportData.EmIteration::lambda).toArray();
      b.append("<div class=\"row\">");
      b.append(Svg.lines("chart-em-ll-" + s.name(), s.name() + ": log-likelihood",
          List.of(new Svg.Series("log-likelihood", x, ll)), "iteration", "log-likelihood", false, null, null, null, null));
      b.append(Svg.lines("chart-em-change-" + s.name(), s.name() + ": largest parameter change and lambda",
          List.of(new Svg.Series("max change", x, ch), new Svg.Series("lambda", x, lambda)), "iteration", "value (log)",
          true, null, null, null, null));
      b.append("</div>");
    }
  }

  private static void weights(StringBuilder b, LinkReportData d) {
    b.append("<h2>Distribution of match weights</h2>");
    LinkReportData.Histogram h = d.weights();
    if (h.counts().length == 0) {
      b.append("<p class=\"note\">No scored pairs.</p>");
      return;
    }
    double[] starts = new double[h.counts().length];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = h.start() + i * h.width();
    }
    b.append(Svg.histogram("chart-weight-histogram", "Match weight of all " + Svg.num(h.total())
        + " scored candidate pairs (log scale; the dashed line is the threshold)", starts, h.width(), h.counts(), true,
        d.thresholdWeight(), "threshold", "match weight (bits)"));
  }

  private static void clusters(StringBuilder b, LinkReportData d) {
    b.append("<h2>Cluster sizes</h2>");
    if (d.clusterSizes().isEmpty()) {
      b.append("<p class=\"note\">No clusters.</p>");
      return;
    }
    List<String> labels = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    long maxSize = d.clusterSizes().lastKey();
    for (Map.Entry<Long, Long> e : d.clusterSizes().entrySet()) {
      labels.add(e.getKey() + (e.getKey() == 1 ? " record" : " records"));
      values.add((double) e.getValue());
    }
    b.append(Svg.hbars("chart-cluster-sizes", "Persons by number of records (log scale); largest cluster " + maxSize,
        labels, values.stream().mapToDouble(Double::doubleValue).toArray(), true, " persons"));
  }

  private static void explanations(StringBuilder b, LinkReportData d) {
    b.append("<h2>Sample pairs near the threshold</h2>");
    if (d.explanations().isEmpty()) {
      b.append("<p class=\"note\">No scored pairs.</p>");
      return;
    }
    b.append("<p class=\"note\">The pairs closest to the threshold on each side. Each bar adds one term to the match weight: ")
        .append("the prior, one partial weight per comparison (its level in the tooltip), and term-frequency adjustments.</p>");
    int i = 0;
    for (LinkReportData.PairExplanation p : d.explanations()) {
      String title = p.left() + " (" + p.leftName() + ") vs " + p.right() + " (" + p.rightName() + "): weight "
          + fmt2(p.matchWeight()) + ", p = " + Svg.num(p.matchProbability())
          + (p.matchWeight() >= d.thresholdWeight() ? ", above threshold" : ", below threshold");
      b.append(Svg.waterfall("chart-waterfall-" + (i++), title, p.terms(), p.matchWeight()));
    }
  }

  private static void accuracy(StringBuilder b, LinkReportData d) {
    b.append("<h2>Precision and recall against the threshold</h2>");
    if (d.accuracy().isEmpty()) {
      b.append("<p class=\"note\">No labels: pass ground truth to <code>link --truth</code> or import clerical labels ")
          .append("(<code>review import</code>) to see precision and recall here.</p>");
      return;
    }
    int i = 0;
    for (LinkReportData.AccuracyCurve c : d.accuracy()) {
      double[] x = c.points().stream().mapToDouble(LinkReportData.AccuracyPoint::weight).toArray();
      double[] p = c.points().stream().mapToDouble(LinkReportData.AccuracyPoint::precision).toArray();
      double[] r = c.points().stream().mapToDouble(LinkReportData.AccuracyPoint::recall).toArray();
      b.append("<p class=\"note\">").append(Svg.esc(c.source())).append(": ").append(Svg.esc(c.description())).append("</p>");
      b.append(Svg.lines("chart-accuracy-" + (i++), "Precision and recall by threshold (" + c.source() + ")",
          List.of(new Svg.Series("precision", x, p), new Svg.Series("recall", x, r)), "threshold (match weight)", "rate",
          false, 0.0, 1.0, d.thresholdWeight(), "threshold"));
      b.append("<table><tr><th>weight</th><th>probability</th><th>predicted</th><th>precision</th><th>recall</th></tr>");
      for (LinkReportData.AccuracyPoint pt : c.points()) {
        b.append("<tr><td>").append(fmt1(pt.weight())).append("</td><td>").append(Svg.num(pt.probability()))
            .append("</td><td>").append(Svg.num(pt.predicted())).append("</td><td>").append(fmt4(pt.precision()))
            .append("</td><td>").append(fmt4(pt.recall())).append("</td></tr>");
      }
      b.append("</table>");
    }
  }

  private static String abbreviate(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  private static String fmt1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String fmt2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt4(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
  }
}
