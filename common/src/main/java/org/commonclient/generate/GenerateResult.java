package org.commonclient.generate;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a generator run produced.
 *
 * @param people persons generated
 * @param households households generated
 * @param recordsPerSource rows written per source name (person and fact sources)
 * @param errors injected errors per kind
 * @param opportunities opportunities per kind (the denominator of the configured rate)
 * @param bytesPerFile bytes written per output file (relative to the output folder)
 * @param seconds wall time
 */
public record GenerateResult(
    long people,
    long households,
    Map<String, Long> recordsPerSource,
    Map<ErrorKind, Long> errors,
    Map<ErrorKind, Long> opportunities,
    Map<String, Long> bytesPerFile,
    double seconds) {

  public GenerateResult {
    recordsPerSource = Map.copyOf(recordsPerSource);
    errors = Map.copyOf(errors);
    opportunities = Map.copyOf(opportunities);
    bytesPerFile = Map.copyOf(bytesPerFile);
  }

  /** Rows of all sources. */
  public long totalRecords() {
    return recordsPerSource.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Observed rate of one kind (errors / opportunities, 0 when there was no opportunity). */
  public double observedRate(ErrorKind k) {
    long n = opportunities.getOrDefault(k, 0L);
    return n == 0 ? 0.0 : errors.getOrDefault(k, 0L) / (double) n;
  }

  /** A printable multi-line summary, as the CLI prints it. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("people=%d households=%d records=%d seconds=%.1f%n",
        people, households, totalRecords(), seconds));
    new TreeMap<>(recordsPerSource).forEach((s, n) -> sb.append(String.format("  records %-18s %,12d%n", s, n)));
    for (ErrorKind k : ErrorKind.values()) {
      sb.append(String.format("  error   %-22s %,10d / %,12d = %.4f%n",
          k.name(), errors.getOrDefault(k, 0L), opportunities.getOrDefault(k, 0L), observedRate(k)));
    }
    new TreeMap<>(bytesPerFile).forEach((f, b) -> sb.append(String.format("  file    %-34s %,14d bytes%n", f, b)));
    return sb.toString();
  }
}
