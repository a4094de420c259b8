package org.commonclient.governance;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One data-use agreement ({@code commonclient.agreements.<id>}): who contributes which sources,
 * for which purposes, which metrics may be computed, which extract fields each party may receive,
 * and the days (inclusive) it is in force.
 *
 * @param id the key under commonclient.agreements
 * @param parties party name -> its sources and extract fields, in file order
 * @param purposes permitted purposes ({@link Agreements#LINKAGE}, {@link Agreements#METRICS},
 *     {@link Agreements#RESEARCH})
 * @param metrics permitted metric tables; "*" permits all
 * @param start first day in force
 * @param end last day in force
 */
public record Agreement(
    String id,
    Map<String, Party> parties,
    Set<String> purposes,
    Set<String> metrics,
    LocalDate start,
    LocalDate end) {

  /** A party: the sources it contributes and the research-extract fields it may receive. */
  public record Party(String name, List<String> sources, List<String> receives) {
    public Party {
      sources = List.copyOf(sources);
      receives = List.copyOf(receives);
    }
  }

  public Agreement {
    if (end.isBefore(start)) {
      throw new IllegalArgumentException(
          "Cannot end agreement " + id + " on " + end + ": before its start " + start);
    }
    parties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parties));
    purposes = Set.copyOf(purposes);
    metrics = Set.copyOf(metrics);
  }

  /** Every source any party contributes (sorted). */
  public Set<String> sources() {
    Set<String> s = new TreeSet<>();
    parties.values().forEach(p -> s.addAll(p.sources()));
    return s;
  }

  public boolean activeOn(LocalDate day) {
    return !day.isBefore(start) && !day.isAfter(end);
  }

  public boolean endedBefore(LocalDate day) {
    return end.isBefore(day);
  }

  /** The sources of {@code touched} this agreement does not cover (sorted; empty = all covered). */
  public Set<String> uncovered(Collection<String> touched) {
    Set<String> out = new TreeSet<>(touched);
    out.removeAll(sources());
    return out;
  }

  public boolean permitsMetric(String metric) {
    return metrics.contains("*") || metrics.contains(metric);
  }

  /** Throws naming the metrics this agreement does not permit. */
  public void requireMetrics(Collection<String> wanted) {
    List<String> missing = new ArrayList<>();
    for (String m : new TreeSet<>(wanted)) {
      if (!permitsMetric(m)) {
        missing.add(m);
      }
    }
    if (!missing.isEmpty()) {
      throw new AgreementRefusedException("Data-use agreement '" + id + "' does not permit metric(s) " + missing
          + "; it permits " + new TreeSet<>(metrics));
    }
  }

  /** The party, or a refusal naming the parties there are. */
  public Party party(String name) {
    Party p = parties.get(name);
    if (p == null) {
      throw new AgreementRefusedException("Data-use agreement '" + id + "' has no party '" + name
          + "'; parties: " + parties.keySet());
    }
    return p;
  }

  /**
   * Why this agreement does not permit the run on {@code today}, or null when it does. Checks, in
   * order: in force, purpose, sources.
   */
  public String refusal(Collection<String> touched, String purpose, LocalDate today) {
    if (today.isAfter(end)) {
      return "data-use agreement '" + id + "' expired on " + end + " (today is " + today + ")";
    }
    if (today.isBefore(start)) {
      return "data-use agreement '" + id + "' is not in force before " + start + " (today is " + today + ")";
    }
    if (!purposes.contains(purpose)) {
      return "data-use agreement '" + id + "' does not permit purpose '" + purpose + "'; it permits "
          + new TreeSet<>(purposes);
    }
    Set<String> missing = uncovered(touched);
    if (!missing.isEmpty()) {
      return "data-use agreement '" + id + "' does not cover source(s) " + missing + "; it covers " + sources();
    }
    return null;
  }
}
