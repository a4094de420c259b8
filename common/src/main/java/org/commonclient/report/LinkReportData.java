package org.commonclient.report;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.commonclient.blocking.BlockSize;

/**
 * Everything the linkage quality report shows, as plain values (no Dataset): filled by {@link
 * LinkReportCollector} from a link run's outputs and rendered by {@link LinkReport#render}. Small by
 * construction: per-rule and per-level figures, bounded histograms and a handful of sample pairs.
 *
 * @param threshold clustering threshold on the probability scale
 * @param thresholdWeight the same on the match-weight scale
 * @param rules one entry per blocking rule, in rule order
 * @param comparisons m, u and weight per comparison level
 * @param emSessions EM iteration history per training session (empty for a loaded model)
 * @param weights distribution of match weights of all scored candidate pairs
 * @param clusterSizes persons by number of records: cluster size -> persons
 * @param explanations sample pairs just above and just below the threshold, with their weights
 * @param accuracy precision and recall against the threshold, one curve per label source
 * @param notes facts a reader needs (model loaded from, lambda scope, warnings)
 */
public record LinkReportData(
    String runId,
    String createdAt,
    String linkType,
    long records,
    long candidatePairs,
    long matchedPairs,
    long persons,
    double threshold,
    double thresholdWeight,
    double lambda,
    double priorWeight,
    Map<String, Double> stageSeconds,
    List<RuleSummary> rules,
    List<ComparisonSummary> comparisons,
    List<EmSession> emSessions,
    Histogram weights,
    SortedMap<Long, Long> clusterSizes,
    List<PairExplanation> explanations,
    List<AccuracyCurve> accuracy,
    List<String> notes) {

  public LinkReportData {
    stageSeconds = Map.copyOf(stageSeconds);
    rules = List.copyOf(rules);
    comparisons = List.copyOf(comparisons);
    emSessions = List.copyOf(emSessions);
    clusterSizes = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(clusterSizes));
    explanations = List.copyOf(explanations);
    accuracy = List.copyOf(accuracy);
    notes = List.copyOf(notes);
  }

  /**
   * One blocking rule.
   *
   * @param pairs candidate pairs the rule contributed (post-exclusion)
   * @param preExclusionPairs pairs it would generate on its own (upper bound)
   * @param largestBlocks its largest blocks, biggest first
   */
  public record RuleSummary(
      String name, long pairs, long preExclusionPairs, long blocks, long largestBlock, List<BlockSize> largestBlocks) {
    public RuleSummary {
      largestBlocks = List.copyOf(largestBlocks);
    }
  }

  /** One comparison of the model with its levels, gamma 0 (else) first. */
  public record ComparisonSummary(String name, List<LevelSummary> levels) {
    public ComparisonSummary {
      levels = List.copyOf(levels);
    }
  }

  /** One level: m, u and its partial match weight log2(m/u). */
  public record LevelSummary(int gamma, String label, double m, double u, double weight, boolean fixedM, boolean fixedU) {}

  /** The iteration history of one EM training session. */
  public record EmSession(String name, long pairs, boolean converged, List<EmIteration> iterations, List<String> warnings) {
    public EmSession {
      iterations = List.copyOf(iterations);
      warnings = List.copyOf(warnings);
    }
  }

  /** One EM iteration: lambda after it, log-likelihood before it, largest parameter change. */
  public record EmIteration(int iteration, double lambda, double logLikelihood, double maxChange) {}

  /**
   * Counts of match weights in bins {@code [start + i*width, start + (i+1)*width)}; the first and
   * last bins also hold everything beyond them.
   */
  public record Histogram(double start, double width, long[] counts) {
    public Histogram {
      counts = counts.clone();
    }

    public long total() {
      long t = 0;
      for (long c : counts) {
        t += c;
      }
      return t;
    }
  }

  /**
   * Why a pair got its weight: prior + one term per comparison + term-frequency adjustments =
   * {@code matchWeight}.
   */
  public record PairExplanation(
      String left, String right, String leftName, String rightName, double matchWeight, double matchProbability,
      List<Term> terms) {
    public PairExplanation {
      terms = List.copyOf(terms);
    }

    /** The sum of the terms (equals matchWeight up to rounding). */
    public double sumOfTerms() {
      return terms.stream().mapToDouble(Term::weight).sum();
    }
  }

  /**
   * One contribution to a pair's weight.
   *
   * @param kind prior, comparison or tf
   */
  public record Term(String kind, String name, String detail, double weight) {}

  /**
   * Precision and recall of {@code match_probability >= threshold} against labels.
   *
   * @param source where the labels come from (ground truth file, clerical labels)
   * @param description how the figures were computed
   */
  public record AccuracyCurve(String source, String description, List<AccuracyPoint> points) {
    public AccuracyCurve {
      points = List.copyOf(points);
    }
  }

  /** One threshold (match weight and probability) with pairs predicted and the two rates. */
  public record AccuracyPoint(double weight, double probability, long predicted, double precision, double recall) {}
}
