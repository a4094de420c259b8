package org.commonclient.metrics.disclosure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Top and bottom coding of whole-number percentages by group size (DOMAIN 4.2, NCES 2011-603): a
 * rate in a group of size {@code n} is published as "&gt;=top%" or "&lt;=bottom%" when it reaches
 * the band's limits.
 */
public final class PercentCoding {
  /** A band: groups of at least {@code minN} code rates at or above {@code top} and at or below {@code bottom}. */
  public record Band(int minN, int top, int bottom) {}

  /** A coded percentage: {@code pct} is null when coded or suppressed. */
  public record Coded(Integer pct, String display, String coding) {}

  public static final String SUPPRESSED = "*";

  private final List<Band> bands;

  public PercentCoding(List<Band> bands) {
    List<Band> sorted = new ArrayList<>(bands);
    sorted.sort(Comparator.comparingInt(Band::minN).reversed());
    this.bands = List.copyOf(sorted);
  }

  /** The NCES bands plus the project's two lower bands. */
  public static PercentCoding defaults() {
    return new PercentCoding(
        List.of(
            new Band(300, 99, 1),
            new Band(100, 98, 2),
            new Band(40, 95, 5),
            new Band(20, 90, 10),
            new Band(11, 80, 20)));
  }

  public List<Band> bands() {
    return bands;
  }

  /**
   * Codes {@code num/n}. Groups smaller than the smallest band are not coded here (the suppression
   * step handles them).
   */
  public Coded code(long num, long n) {
    if (n <= 0) {
      return new Coded(null, SUPPRESSED, "NO_DENOMINATOR");
    }
    double pct = 100.0 * num / n;
    int whole = (int) Math.round(pct);
    for (Band b : bands) {
      if (n >= b.minN()) {
        if (pct >= b.top()) {
          return new Coded(null, ">=" + b.top() + "%", "TOP");
        }
        if (pct <= b.bottom()) {
          return new Coded(null, "<=" + b.bottom() + "%", "BOTTOM");
        }
        return new Coded(whole, whole + "%", null);
      }
    }
    return new Coded(whole, whole + "%", null);
  }

  /** Human-readable rule text for footnotes. */
  public String describe() {
    StringBuilder sb = new StringBuilder("percentages coded by group size n:");
    for (Band b : bands) {
      sb.append(" n>=").append(b.minN()).append(": >=").append(b.top()).append("%/<=")
          .append(b.bottom()).append("%;");
    }
    return sb.toString();
  }
}
