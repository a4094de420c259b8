package org.commonclient.metrics;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a metrics run produced. {@code restricted} tables hold raw aggregates (never leave the
 * restricted zone), {@code published} the same after disclosure control, {@code outreach} the
 * person ids of eligible-but-not-enrolled people (restricted zone only), {@code notes} metrics
 * skipped or failed and why, {@code millis} the run's wall time and {@code phaseMillis} its split
 * by phase (in order), {@code phaseCpuMillis} the CPU time of the JVM per phase (all threads; in
 * local mode that includes the executors).
 */
public record MetricsResult(
    List<MetricTable> restricted,
    List<MetricTable> published,
    Dataset<Row> outreach,
    List<String> notes,
    Map<String, String> parameters,
    Period headline,
    long millis,
    Map<String, Long> phaseMillis,
    Map<String, Long> phaseCpuMillis) {

  /** Without CPU times. */
  public MetricsResult(List<MetricTable> restricted, List<MetricTable> published, Dataset<Row> outreach,
      List<String> notes, Map<String, String> parameters, Period headline, long millis,
      Map<String, Long> phaseMillis) {
    this(restricted, published, outreach, notes, parameters, headline, millis, phaseMillis, Map.of());
  }

  public Optional<MetricTable> restrictedTable(String name) {
    return restricted.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  public Optional<MetricTable> publishedTable(String name) {
    return published.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /** The restricted table with this name, or an exception listing the notes. */
  public MetricTable raw(String name) {
    return restrictedTable(name)
        .orElseThrow(() -> new IllegalStateException("No restricted table " + name + "; notes: " + notes));
  }

  public MetricTable pub(String name) {
    return publishedTable(name)
        .orElseThrow(() -> new IllegalStateException("No published table " + name + "; notes: " + notes));
  }
}
