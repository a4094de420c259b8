package org.commonclient.review;

import static org.apache.spark.sql.functions.col;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.io.Schemas;
import org.commonclient.scoring.FellegiSunterModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code review import}: reads a labelled review file ({@link ReviewSampler}'s CSV with the
 * {@code label} column filled in), validates it, stores the labels in {@code linked/clerical_labels}
 * (a later label of the same pair replaces the earlier one) and estimates precision and recall
 * ({@link ClericalEstimates}).
 *
 * <p>Labels (case-insensitive): match = 1, y, yes, m, match, true; non-match = 0, n, no, nm,
 * non-match, nonmatch, false; unsure = ?, u, unsure (skipped, counted); empty = not reviewed.
 */
public final class ReviewLabels {
  private static final Logger LOG = LoggerFactory.getLogger(ReviewLabels.class);

  /** Problems listed in one error before the rest are summarised. */
  public static final int MAX_REPORTED = 20;

  static final List<String> REQUIRED = List.of("label", "sample", "stratum", "stratum_low", "stratum_high",
      "stratum_pairs", "match_weight", "match_probability", "source_l", "record_id_l", "source_r", "record_id_r",
      "run_id");

  private static final Set<String> MATCH = Set.of("1", "y", "yes", "m", "match", "true");
  private static final Set<String> NON_MATCH = Set.of("0", "n", "no", "nm", "non-match", "nonmatch", "non_match", "false");
  private static final Set<String> UNSURE = Set.of("?", "u", "unsure");

  private ReviewLabels() {}

  /** One labelled row of a review file. */
  public record LabelledPair(
      int line, String sourceL, String recordIdL, String sourceR, String recordIdR, boolean match, String sample,
      int stratum, double stratumLow, double stratumHigh, long stratumPairs, double matchWeight,
      double matchProbability, String runId) {
    ClericalEstimates.Label label() {
      return new ClericalEstimates.Label(stratum, stratumLow, stratumHigh, stratumPairs, match);
    }

    String key() {
      return sourceL + "\u0000" + recordIdL + "\u0000" + sourceR + "\u0000" + recordIdR;
    }
  }

  /**
   * A validated review file.
   *
   * @param strata every stratum with a row in the file (labelled or not), with its population
   */
  public record ParsedFile(String runId, List<LabelledPair> labelled, int rows, int unlabelled, int unsure,
      List<ClericalEstimates.Stratum> strata) {}

  /** Result of an import. */
  public record ImportResult(
      String table, String runId, ParsedFile file, long tableRows, List<ClericalEstimates.Stratum> strata,
      ClericalEstimates.Estimate atThreshold, List<ClericalEstimates.Estimate> byThreshold) {}

  /** Match (true), non-match (false), or null for unsure; throws for anything else. */
  static Boolean parseLabel(String raw) {
    String v = raw.trim().toLowerCase(Locale.ROOT);
    if (MATCH.contains(v)) {
      return true;
    }
    if (NON_MATCH.contains(v)) {
      return false;
    }
    if (UNSURE.contains(v)) {
      return null;
    }
    throw new IllegalArgumentException("'" + raw + "' is not a label: use 1/0, yes/no or match/non-match"
        + " (? = unsure, empty = not reviewed)");
  }

  /** Reads and validates a review file; every problem is reported with its line and field. */
  public static ParsedFile parse(Reader in, String file) throws IOException {
    List<Csv.Record> records = Csv.parse(in instanceof BufferedReader b ? b : new BufferedReader(in), file);
    if (records.isEmpty()) {
      throw new ReviewFileException(file, 0, null, "the file is empty (expected a header line)");
    }
    List<String> header = records.get(0).fields().stream().map(String::trim).toList();
    Map<String, Integer> idx = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      if (idx.put(header.get(i), i) != null) {
        problems.add(ReviewFileException.where(file, 1, header.get(i)) + "appears twice in the header");
      }
    }
    List<String> missing = REQUIRED.stream().filter(c -> !idx.containsKey(c)).toList();
    if (!missing.isEmpty()) {
      problems.add(ReviewFileException.where(file, 1, null) + "the header lacks " + missing
          + " (is this a file written by review export?)");
    }
    if (!problems.isEmpty()) {
      throw new ReviewFileException(problems);
    }
    List<LabelledPair> out = new ArrayList<>();
    Map<String, LabelledPair> seen = new HashMap<>();
    Map<Integer, ClericalEstimates.Stratum> strata = new TreeMap<>();
    Set<String> runIds = new TreeSet<>();
    int unlabelled = 0;
    int unsure = 0;
    int suppressed = 0;
    for (Csv.Record r : records.subList(1, records.size())) {
      List<String> row = r.fields();
      List<String> rowProblems = new ArrayList<>();
      if (row.size() != header.size()) {
        rowProblems.add(ReviewFileException.where(file, r.line(), null) + "expected " + header.size() + " fields, found "
            + row.size() + " (an unquoted comma in a value?)");
      } else {
        Field f = new Field(file, r.line(), row, idx, rowProblems);
        String sl = f.text("source_l");
        String rl = f.text("record_id_l");
        String sr = f.text("source_r");
        String rr = f.text("record_id_r");
        String runId = f.text("run_id");
        String sample = f.text("sample");
        int stratum = (int) f.integer("stratum", 0);
        double low = f.number("stratum_low", true);
        double high = f.number("stratum_high", true);
        long pairs = f.integer("stratum_pairs", 1);
        double weight = f.number("match_weight", false);
        double prob = f.number("match_probability", false);
        if (!Double.isNaN(prob) && (prob < 0 || prob > 1)) {
          rowProblems.add(ReviewFileException.where(file, r.line(), "match_probability") + prob + " is not in [0, 1]");
        }
        if (!(low < high)) {
          rowProblems.add(ReviewFileException.where(file, r.line(), "stratum_low") + "stratum bounds [" + low + ", "
              + high + ") are empty");
        }
        String rawLabel = row.get(idx.get("label"));
        Boolean label = null;
        boolean isUnsure = false;
        boolean empty = rawLabel.isBlank();
        if (!empty) {
          try {
            label = parseLabel(rawLabel);
            isUnsure = label == null;
          } catch (IllegalArgumentException e) {
            rowProblems.add(ReviewFileException.where(file, r.line(), "label") + e.getMessage());
          }
        }
        if (rowProblems.isEmpty()) {
          runIds.add(runId);
          ClericalEstimates.Stratum prev = strata.putIfAbsent(stratum,
              new ClericalEstimates.Stratum(stratum, low, high, pairs, 0, 0));
          if (prev != null && (prev.pairs() != pairs || prev.low() != low || prev.high() != high)) {
            rowProblems.add(ReviewFileException.where(file, r.line(), "stratum_pairs") + "stratum " + stratum
                + " was [" + prev.low() + ", " + prev.high() + ") with " + prev.pairs()
                + " pairs on an earlier line; the file mixes exports");
          }
          if (empty) {
            unlabelled++;
          } else if (isUnsure) {
            unsure++;
          } else {
            LabelledPair p = new LabelledPair(r.line(), sl, rl, sr, rr, label, sample, stratum, low, high, pairs, weight,
                prob, runId);
            LabelledPair before = seen.putIfAbsent(p.key(), p);
            if (before == null) {
              out.add(p);
            } else if (before.match() != p.match()) {
              rowProblems.add(ReviewFileException.where(file, r.line(), "label") + "the same pair is labelled "
                  + (before.match() ? "match" : "non-match") + " on line " + before.line());
            }
          }
        }
      }
      for (String p : rowProblems) {
        if (problems.size() < MAX_REPORTED) {
          problems.add(p);
        } else {
          suppressed++;
        }
      }
    }
    if (runIds.size() > 1) {
      problems.add(ReviewFileException.where(file, 0, "run_id") + "rows of several link runs " + runIds
          + ": import one export at a time");
    }
    if (suppressed > 0) {
      problems.add("... and " + suppressed + " more");
    }
    if (!problems.isEmpty()) {
      throw new ReviewFileException(problems);
    }
    if (runIds.isEmpty()) {
      throw new ReviewFileException(file, 0, null, "no data rows after the header");
    }
    return new ParsedFile(runIds.iterator().next(), out, records.size() - 1, unlabelled, unsure,
        List.copyOf(strata.values()));
  }

  /** Typed access to one row's fields, collecting problems. */
  private record Field(String file, int line, List<String> row, Map<String, Integer> idx, List<String> problems) {
    String text(String name) {
      String v = row.get(idx.get(name)).trim();
      if (v.isEmpty()) {
        problems.add(ReviewFileException.where(file, line, name) + "is empty");
      }
      return v;
    }

    long integer(String name, long min) {
      String v = row.get(idx.get(name)).trim();
      try {
        long x = Long.parseLong(v);
        if (x < min) {
          problems.add(ReviewFileException.where(file, line, name) + x + " is below " + min);
        }
        return x;
      } catch (NumberFormatException e) {
        problems.add(ReviewFileException.where(file, line, name) + "'" + v + "' is not a whole number");
        return min;
      }
    }

    double number(String name, boolean infinityAllowed) {
      String v = row.get(idx.get(name)).trim();
      try {
        double x = Double.parseDouble(v);
        if (Double.isNaN(x) || (!infinityAllowed && Double.isInfinite(x))) {
          problems.add(ReviewFileException.where(file, line, name) + "'" + v + "' is not a finite number");
        }
        return x;
      } catch (NumberFormatException e) {
        problems.add(ReviewFileException.where(file, line, name) + "'" + v + "' is not a number");
        return Double.NaN;
      }
    }
  }

  /**
   * Imports a review file: validates it, merges its labels into {@code linked/clerical_labels} and
   * estimates precision/recall at the clustering threshold and at each stratum edge.
   *
   * @param threshold clustering threshold (probability)
   */
  public static ImportResult importFile(SparkSession spark, StorageConfig storage, double threshold, String file) {
    Path p = new Path(file);
    ParsedFile parsed;
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p)) {
        throw new ReviewFileException(file, 0, null, "no such file");
      }
      try (Reader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
        parsed = parse(in, file);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot read the review file " + file, e);
    }
    String table = storage.linked("clerical_labels");
    java.sql.Timestamp now = new java.sql.Timestamp(System.currentTimeMillis());
    String importId = java.util.UUID.randomUUID().toString();
    Map<String, Row> merged = new LinkedHashMap<>();
    if (DeltaTables.exists(spark, table)) {
      for (Row r : DeltaTables.read(spark, table).collectAsList()) {
        merged.put(key(r), r);
      }
    }
    for (LabelledPair l : parsed.labelled()) {
      merged.put(l.key(), new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(new Object[] {
          l.sourceL(), l.recordIdL(), l.sourceR(), l.recordIdR(), l.match(), l.sample(), l.stratum(), l.stratumLow(),
          l.stratumHigh(), l.stratumPairs(), l.matchWeight(), l.matchProbability(), l.runId(), file, l.line(), importId,
          now}, Schemas.CLERICAL_LABEL));
    }
    DeltaTables.overwrite(spark.createDataFrame(new ArrayList<>(merged.values()), Schemas.CLERICAL_LABEL), table);
    // estimates over every label of this export's run (earlier partial imports included)
    List<ClericalEstimates.Label> labels = new ArrayList<>();
    for (Row r : merged.values()) {
      if (parsed.runId().equals(r.getString(r.fieldIndex("review_run_id")))) {
        labels.add(new ClericalEstimates.Label(r.getInt(r.fieldIndex("stratum")), r.getDouble(r.fieldIndex("stratum_low")),
            r.getDouble(r.fieldIndex("stratum_high")), r.getLong(r.fieldIndex("stratum_pairs")),
            r.getBoolean(r.fieldIndex("is_match"))));
      }
    }
    List<ClericalEstimates.Stratum> strata = ClericalEstimates.strata(labels);
    double tw = FellegiSunterModel.weightFromProbability(threshold);
    List<ClericalEstimates.Estimate> by = new ArrayList<>();
    ClericalEstimates.Estimate at = null;
    Set<Double> edges = new TreeSet<>();
    parsed.strata().forEach(s -> {
      if (Double.isFinite(s.low())) {
        edges.add(s.low());
      }
    });
    for (double e : edges) {
      ClericalEstimates.Estimate est = ClericalEstimates.estimate(strata, parsed.strata(), e);
      by.add(est);
      if (Math.abs(e - tw) < 1e-9) {
        at = est;
      }
    }
    if (at == null) {
      at = ClericalEstimates.estimate(strata, parsed.strata(), tw);
    }
    LOG.info("review import {}: {} labels ({} unlabelled, {} unsure); precision {}, recall {} at weight {}", file,
        parsed.labelled().size(), parsed.unlabelled(), parsed.unsure(), at.precision(), at.recall(), tw);
    return new ImportResult(table, parsed.runId(), parsed, merged.size(), strata, at, by);
  }

  private static String key(Row r) {
    return r.getString(0) + "\u0000" + r.getString(1) + "\u0000" + r.getString(2) + "\u0000" + r.getString(3);
  }

  /** The labels table with the pair's record uids (as the link stage computes them). */
  public static Dataset<Row> labelsWithUids(SparkSession spark, StorageConfig storage) {
    Dataset<Row> t = DeltaTables.read(spark, storage.linked("clerical_labels"));
    return t.withColumn("uid_l", org.apache.spark.sql.functions.xxhash64(col("source_l"), col("record_id_l")))
        .withColumn("uid_r", org.apache.spark.sql.functions.xxhash64(col("source_r"), col("record_id_r")));
  }
}
