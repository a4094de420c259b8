package org.commonclient.report;

import java.util.List;
import java.util.Locale;

/**
 * Small inline-SVG charts for the self-contained HTML report: no script library, no network. Every
 * data mark carries {@code class="mark"} and a {@code <title>} (the browser's tooltip), so a
 * render check can count marks.
 */
final class Svg {
  static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
  private static final int W = 680;

  private Svg() {}

  /** A named line of (x, y) points; NaN y values are skipped. */
  record Series(String name, double[] x, double[] y) {}

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e6 ? "%.4g" : "%.3e", v);
  }

  /** Axis tick text: integers without decimals, else three significant digits without trailing zeros. */
  static String tick(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "";
    }
    if (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v != 0)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static StringBuilder open(String id, int h, String title) {
    StringBuilder b = new StringBuilder();
    b.append("<figure class=\"chart\" id=\"").append(esc(id)).append("\"><figcaption>").append(esc(title))
        .append("</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ').append(h)
        .append("\" width=\"").append(W).append("\" height=\"").append(h).append("\" role=\"img\">");
    return b;
  }

  private static String close(StringBuilder b) {
    return b.append("</svg></figure>\n").toString();
  }

  private static void text(StringBuilder b, double x, double y, String anchor, String cls, String s) {
    b.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"").append(anchor)
        .append("\" class=\"").append(cls).append("\">").append(esc(s)).append("</text>");
  }

  private static void line(StringBuilder b, double x1, double y1, double x2, double y2, String cls) {
    b.append("<line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"").append(f(x2))
        .append("\" y2=\"").append(f(y2)).append("\" class=\"").append(cls).append("\"/>");
  }

  private static void rect(StringBuilder b, double x, double y, double w, double h, String fill, String tip) {
    b.append("<rect class=\"mark\" x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" width=\"")
        .append(f(Math.max(w, 0.5))).append("\" height=\"").append(f(Math.max(h, 0.5))).append("\" fill=\"").append(fill)
        .append("\"><title>").append(esc(tip)).append("</title></rect>");
  }

  /**
   * Horizontal bars, one per label; negative values extend left of the zero line. With {@code
   * log}, values are drawn as log10(1 + v) (all values must be >= 0).
   */
  static String hbars(String id, String title, List<String> labels, double[] values, boolean log, String unit) {
    int rowH = 22;
    int left = 230;
    int right = 90;
    int h = 20 + rowH * Math.max(labels.size(), 1);
    double[] v = new double[values.length];
    double min = 0;
    double max = 0;
    for (int i = 0; i < values.length; i++) {
      v[i] = log ? Math.log10(1 + Math.max(values[i], 0)) : values[i];
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
    }
    double span = max - min == 0 ? 1 : max - min;
    double plotW = W - left - right;
    double zero = left + (-min) / span * plotW;
    StringBuilder b = open(id, h, title);
    for (int i = 0; i < labels.size(); i++) {
      double y = 10 + i * rowH;
      double x0 = zero;
      double x1 = left + (v[i] - min) / span * plotW;
      String fill = values[i] < 0 ? PALETTE[1] : PALETTE[0];
      text(b, left - 6, y + 15, "end", "lbl", labels.get(i));
      rect(b, Math.min(x0, x1), y + 3, Math.abs(x1 - x0), rowH - 6, fill, labels.get(i) + ": " + num(values[i]) + unit);
      text(b, Math.max(x0, x1) + 4, y + 15, "start", "val", num(values[i]) + unit);
    }
    line(b, zero, 6, zero, h - 4, "axis");
    return close(b);
  }

  /**
   * Vertical bars over consecutive bins (a histogram), optionally on a log10(1 + count) scale, with
   * an optional marker line at {@code markerX}.
   */
  static String histogram(String id, String title, double[] binStart, double binWidth, long[] counts, boolean log,
      Double markerX, String markerLabel, String xLabel) {
    int h = 260;
    int left = 50;
    int bottom = 40;
    int top = 15;
    double plotW = W - left - 15;
    double plotH = h - bottom - top;
    double x0 = binStart.length == 0 ? 0 : binStart[0];
    double x1 = binStart.length == 0 ? 1 : binStart[binStart.length - 1] + binWidth;
    if (markerX != null) {
      x0 = Math.min(x0, Math.floor(markerX) - 1);
      x1 = Math.max(x1, Math.ceil(markerX) + 1);
    }
    double max = 0;
    for (long c : counts) {
      max = Math.max(max, log ? Math.log10(1 + c) : c);
    }
    max = max == 0 ? 1 : max;
    StringBuilder b = open(id, h, title);
    double sx = plotW / (x1 - x0);
    for (int i = 0; i < counts.length; i++) {
      double v = log ? Math.log10(1 + counts[i]) : counts[i];
      double bh = v / max * plotH;
      rect(b, left + (binStart[i] - x0) * sx + 1, top + plotH - bh, binWidth * sx - 2, bh, PALETTE[0],
          "[" + num(binStart[i]) + ", " + num(binStart[i] + binWidth) + "): " + num(counts[i]));
    }
    line(b, left, top + plotH, W - 15, top + plotH, "axis");
    line(b, left, top, left, top + plotH, "axis");
    int step = Math.max(1, (int) Math.ceil((x1 - x0) / 16));
    for (double t = Math.ceil(x0); t <= x1; t += step) {
      double x = left + (t - x0) * sx;
      line(b, x, top + plotH, x, top + plotH + 4, "axis");
      text(b, x, top + plotH + 16, "middle", "tick", tick(t));
    }
    text(b, left + plotW / 2, h - 6, "middle", "lbl", xLabel);
    text(b, left - 6, top + 8, "end", "tick", log ? num(Math.pow(10, max) - 1) : num(max));
    text(b, left - 6, top + plotH, "end", "tick", "0");
    if (log) {
      text(b, left + 4, top + 10, "start", "tick", "(log scale)");
    }
    if (markerX != null) {
      double x = left + (markerX - x0) * sx;
      line(b, x, top, x, top + plotH, "marker");
      text(b, x + 4, top + 10, "start", "tick", markerLabel);
    }
    return close(b);
  }

  /** Lines over a shared x axis; y on a linear or log10 scale (log skips values <= 0). */
  static String lines(String id, String title, List<Series> series, String xLabel, String yLabel, boolean logY,
      Double yMin, Double yMax, Double markerX, String markerLabel) {
    int h = 240;
    int left = 92;
    int bottom = 40;
    int top = 15;
    int legendW = 150;
    double plotW = W - left - legendW;
    double plotH = h - bottom - top;
    double xa = Double.POSITIVE_INFINITY;
    double xb = Double.NEGATIVE_INFINITY;
    double ya = Double.POSITIVE_INFINITY;
    double yb = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        double y = ty(s.y()[i], logY);
        if (Double.isNaN(y)) {
          continue;
        }
        xa = Math.min(xa, s.x()[i]);
        xb = Math.max(xb, s.x()[i]);
        ya = Math.min(ya, y);
        yb = Math.max(yb, y);
      }
    }
    if (yMin != null) {
      ya = ty(yMin, logY);
    }
    if (yMax != null) {
      yb = ty(yMax, logY);
    }
    if (!(xb > xa)) {
      xa = Double.isFinite(xa) ? xa - 1 : 0;
      xb = xa + 2;
    }
    if (!(yb > ya)) {
      ya = Double.isFinite(ya) ? ya - 1 : 0;
      yb = ya + 2;
    }
    final double fxa = xa;
    final double fya = ya;
    double sx = plotW / (xb - xa);
    double sy = plotH / (yb - ya);
    StringBuilder b = open(id, h, title);
    line(b, left, top + plotH, left + plotW, top + plotH, "axis");
    line(b, left, top, left, top + plotH, "axis");
    for (int k = 0; k <= 4; k++) {
      double yv = ya + (yb - ya) * k / 4;
      double y = top + plotH - (yv - fya) * sy;
      line(b, left, y, left + plotW, y, "grid");
      text(b, left - 4, y + 4, "end", "tick", tick(logY ? Math.pow(10, yv) : yv));
      double xv = xa + (xb - xa) * k / 4;
      double x = left + (xv - fxa) * sx;
      text(b, x, top + plotH + 16, "middle", "tick", tick(Math.abs(xb - xa) >= 8 ? Math.rint(xv) : xv));
    }
    text(b, left + plotW / 2, h - 6, "middle", "lbl", xLabel);
    text(b, 12, top + plotH / 2, "middle", "lbl vert", yLabel);
    if (markerX != null && markerX >= xa && markerX <= xb) {
      double x = left + (markerX - fxa) * sx;
      line(b, x, top, x, top + plotH, "marker");
      text(b, x + 4, top + 10, "start", "tick", markerLabel);
    }
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      String color = PALETTE[si % PALETTE.length];
      StringBuilder pts = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        double y = ty(s.y()[i], logY);
        if (Double.isNaN(y)) {
          continue;
        }
        double px = left + (s.x()[i] - fxa) * sx;
        double py = top + plotH - (Math.max(Math.min(y, yb), ya) - fya) * sy;
        pts.append(f(px)).append(',').append(f(py)).append(' ');
        if (s.x().length <= 60) {
          dots.append("<circle class=\"dot\" cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"2.5\" fill=\"")
              .append(color).append("\"><title>").append(esc(s.name() + " at " + num(s.x()[i]) + ": " + num(s.y()[i])))
              .append("</title></circle>");
        }
      }
      if (pts.length() > 0) {
        b.append("<polyline class=\"mark\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
            .append(pts.toString().trim()).append("\"><title>").append(esc(s.name())).append("</title></polyline>");
        b.append(dots);
      }
      double ly = top + 12 + si * 18;
      line(b, W - legendW + 10, ly - 4, W - legendW + 30, ly - 4, "legend\" stroke=\"" + color);
      text(b, W - legendW + 35, ly, "start", "tick", s.name());
    }
    return close(b);
  }

  private static double ty(double y, boolean log) {
    if (Double.isNaN(y) || Double.isInfinite(y)) {
      return Double.NaN;
    }
    if (log) {
      return y > 0 ? Math.log10(y) : Double.NaN;
    }
    return y;
  }

  /**
   * A waterfall: each term a bar from the running total to the running total plus the term, then
   * the final total.
   */
  static String waterfall(String id, String title, List<LinkReportData.Term> terms, double total) {
    int rowH = 20;
    int left = 230;
    int right = 70;
    int h = 16 + rowH * (terms.size() + 1);
    double run = 0;
    double min = 0;
    double max = 0;
    for (LinkReportData.Term t : terms) {
      run += t.weight();
      min = Math.min(min, run);
      max = Math.max(max, run);
    }
    min = Math.min(min, total);
    max = Math.max(max, total);
    for (LinkReportData.Term t : terms) {
      min = Math.min(min, t.weight());
      max = Math.max(max, t.weight());
    }
    double span = max - min == 0 ? 1 : max - min;
    double plotW = W - left - right;
    StringBuilder b = open(id, h, title);
    double zero = left + (-min) / span * plotW;
    run = 0;
    for (int i = 0; i < terms.size(); i++) {
      LinkReportData.Term t = terms.get(i);
      double y = 8 + i * rowH;
      double a = left + (run - min) / span * plotW;
      double c = left + (run + t.weight() - min) / span * plotW;
      String fill = t.kind().equals("prior") ? "#7f7f7f" : t.weight() >= 0 ? PALETTE[2] : PALETTE[1];
      text(b, left - 6, y + 14, "end", "lbl", (t.kind().equals("tf") ? "tf " : "") + t.name());
      rect(b, Math.min(a, c), y + 3, Math.abs(c - a), rowH - 6, fill,
          t.name() + " " + String.format(Locale.ROOT, "%+.2f", t.weight()) + " (" + t.detail() + ")");
      text(b, Math.max(a, c) + 4, y + 14, "start", "val", String.format(Locale.ROOT, "%+.2f", t.weight()));
      run += t.weight();
    }
    double y = 8 + terms.size() * rowH;
    double c = left + (total - min) / span * plotW;
    text(b, left - 6, y + 14, "end", "lbl", "match weight");
    rect(b, Math.min(zero, c), y + 3, Math.abs(c - zero), rowH - 6, PALETTE[0], "match weight " + num(total));
    text(b, Math.max(zero, c) + 4, y + 14, "start", "val", String.format(Locale.ROOT, "%.2f", total));
    line(b, zero, 4, zero, h - 4, "axis");
    return close(b);
  }
}
