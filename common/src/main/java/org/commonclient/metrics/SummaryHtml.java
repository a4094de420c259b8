package org.commonclient.metrics;

import java.util.List;
import org.apache.spark.sql.Row;

/** The readable summary of the headline period, built from published tables only. */
final class SummaryHtml {
  private SummaryHtml() {}

  static String esc(Object o) {
    String s = o == null ? "*" : o.toString();
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String render(MetricsResult r) {
    String period = r.headline().label();
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Common-client metrics ")
        .append(esc(period)).append("</title><style>body{font-family:sans-serif;max-width:60em}"
            + "table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style>"
            + "</head><body>");
    sb.append("<h1>Common-client metrics, ").append(esc(period)).append("</h1>");
    sb.append("<p>").append(esc(r.headline().start())).append(" to ").append(esc(r.headline().end()))
        .append(". * = suppressed.</p>");
    r.publishedTable("program_counts").ifPresent(t -> section(sb, "Distinct people and cases per program",
        t.where("period", period), t, List.of("level", "program", "n")));
    r.publishedTable("program_combinations").ifPresent(t -> section(sb, "Exclusive program combinations (persons)",
        t.where("period", period, "level", "PERSON"), t, List.of("combination", "n")));
    r.publishedTable("program_overlap").ifPresent(t -> section(sb, "Pairwise overlap (persons)",
        t.where("period", period, "level", "PERSON"), t,
        List.of("definition", "program_a", "program_b", "n_ab", "share_of_a", "share_of_b", "jaccard")));
    r.publishedTable("program_churn").ifPresent(t -> section(sb, "Churn",
        t.where("period", period), t, List.of("level", "program", "ever_enrolled", "churned", "churn_rate")));
    r.publishedTable("eligible_not_enrolled").ifPresent(t -> section(sb, "Eligible but not enrolled",
        t.where("period", period), t, List.of("rule", "eligible", "enrolled", "not_enrolled", "potential_not_enrolled")));
    r.publishedTable("education_outcomes").ifPresent(t -> section(sb, "Education outcomes (all students, by population)",
        t.where("dim", "ALL"), t, List.of("school_year", "population", "metric", "n", "rate_display")));
    sb.append("<h2>Notes</h2><ul>");
    for (String n : r.notes()) {
      sb.append("<li>").append(esc(n)).append("</li>");
    }
    sb.append("</ul><h2>Rules and parameters</h2><p>")
        .append(esc(r.published().isEmpty() ? "" : r.published().get(0).footnote())).append("</p><ul>");
    r.parameters().forEach((k, v) -> sb.append("<li>").append(esc(k)).append(" = ").append(esc(v)).append("</li>"));
    sb.append("</ul></body></html>\n");
    return sb.toString();
  }

  private static void section(StringBuilder sb, String title, List<Row> rows, MetricTable t, List<String> cols) {
    sb.append("<h2>").append(esc(title)).append("</h2><table><tr>");
    cols.forEach(c -> sb.append("<th>").append(esc(c)).append("</th>"));
    sb.append("</tr>");
    for (Row row : rows) {
      sb.append("<tr>");
      for (String c : cols) {
        sb.append("<td>").append(esc(row.get(t.schema().fieldIndex(c)))).append("</td>");
      }
      sb.append("</tr>");
    }
    sb.append("</table>");
  }
}
