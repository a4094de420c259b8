package org.commonclient.review;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.scoring.FellegiSunterModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code review export}: a sample of the latest link run's scored pairs for clerical review,
 * written as one CSV (one row per pair, both records side by side, an empty {@code label} column).
 *
 * <p>The population is {@code linked/match_pairs}. Strata by match weight: {@link
 * ReviewConfig#strata()} equal-width strata across threshold ± band (ids 1..K), everything below the
 * band (0) and above it (K + 1). The band sample takes {@code perStratum} pairs per band stratum; the
 * audit sample {@code audit} pairs from the whole population. Both are chosen by a seeded hash of
 * the pair's keys (a deterministic simple random sample). Each row carries its stratum, the
 * stratum's bounds and population, so {@link ClericalEstimates} can expand the labels.
 */
public final class ReviewSampler {
  private static final Logger LOG = LoggerFactory.getLogger(ReviewSampler.class);

  /** person_records columns shown for both records, side by side. */
  public static final List<String> DISPLAY = List.of("program", "first_name", "middle_name", "last_name",
      "name_suffix", "dob", "sex", "ssn", "address_line", "city", "state", "zip", "phone", "household_id");

  /** Columns before the side-by-side record columns, in file order. */
  public static final List<String> LEADING = List.of("label", "sample", "stratum", "stratum_low", "stratum_high",
      "stratum_pairs", "match_weight", "match_probability", "match_rule", "source_l", "record_id_l", "source_r",
      "record_id_r");

  private ReviewSampler() {}

  /** What was exported. */
  public record ExportResult(String path, String runId, long bandPairs, long auditPairs, long rows,
      List<ClericalEstimates.Stratum> strata) {}

  /** Stratum id of a match weight: 0 below the band, 1..K across it, K + 1 above. */
  static Column stratum(Column weight, double[] edges) {
    int k = edges.length - 1;
    double width = edges[1] - edges[0];
    Column inner = floor(weight.minus(edges[0]).divide(width)).cast("int").plus(1);
    return when(weight.lt(edges[0]), lit(0))
        .when(weight.geq(edges[k]), lit(k + 1))
        .otherwise(org.apache.spark.sql.functions.least(inner, lit(k)));
  }

  static double low(int stratum, double[] edges) {
    return stratum == 0 ? Double.NEGATIVE_INFINITY : edges[stratum - 1];
  }

  static double high(int stratum, double[] edges) {
    return stratum == edges.length ? Double.POSITIVE_INFINITY : edges[stratum];
  }

  /**
   * @param threshold clustering threshold (probability)
   * @param out CSV path (any Hadoop file system); null = {@code <linked>/reviews/review-<runId>.csv}
   */
  public static ExportResult export(SparkSession spark, StorageConfig storage, double threshold, ReviewConfig cfg, String out) {
    String mpPath = storage.linked("match_pairs");
    if (!DeltaTables.exists(spark, mpPath)) {
      throw new IllegalStateException("No match_pairs table at " + mpPath + ": run link first");
    }
    Dataset<Row> mp = DeltaTables.read(spark, mpPath);
    List<Row> runs = mp.select("run_id").distinct().limit(2).collectAsList();
    if (runs.isEmpty()) {
      throw new IllegalStateException("match_pairs at " + mpPath + " is empty: nothing to review");
    }
    String runId = runs.get(0).getString(0);
    if (runs.size() > 1) {
      throw new IllegalStateException("match_pairs at " + mpPath + " holds several runs; expected the latest run only");
    }
    double[] edges = cfg.edges(FellegiSunterModel.weightFromProbability(threshold));
    int k = cfg.strata();
    Column[] keys = {col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r")};
    Dataset<Row> s = mp.withColumn("stratum", stratum(col("match_weight"), edges))
        .withColumn("_h1", xxhash64(col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r"), lit(cfg.seed())))
        .withColumn("_h2", xxhash64(col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r"), lit(cfg.seed() + 1)));

    Map<Integer, Long> population = new TreeMap<>();
    for (Row r : s.groupBy("stratum").count().collectAsList()) {
      population.put(r.getInt(0), r.getLong(1));
    }
    Dataset<Row> band = s.filter(col("stratum").between(1, k))
        .withColumn("_rn", row_number().over(Window.partitionBy("stratum").orderBy(col("_h1"))))
        .filter(col("_rn").leq(cfg.perStratum()))
        .select(col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r"), lit(true).as("_band"));
    Dataset<Row> audit;
    if (cfg.audit() > 0) {
      List<Row> cut = s.select("_h2").orderBy(col("_h2")).limit(cfg.audit()).collectAsList();
      long cutoff = cut.get(cut.size() - 1).getLong(0);
      audit = s.filter(col("_h2").leq(cutoff))
          .select(col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r"), lit(true).as("_audit"));
    } else {
      audit = band.limit(0).select(keys).withColumn("_audit", lit(true));
    }
    String[] keyNames = {"source_l", "record_id_l", "source_r", "record_id_r"};
    Dataset<Row> chosen = band.join(audit, scala.jdk.javaapi.CollectionConverters.asScala(List.of(keyNames)).toSeq(), "full_outer")
        .withColumn("sample", when(col("_band").isNotNull().and(col("_audit").isNotNull()), lit("band+audit"))
            .when(col("_band").isNotNull(), lit("band")).otherwise(lit("audit")));
    Dataset<Row> pr = DeltaTables.read(spark, storage.identified("person_records"));
    List<Column> l = new ArrayList<>(List.of(col("source").as("source_l"), col("record_id").as("record_id_l")));
    List<Column> r = new ArrayList<>(List.of(col("source").as("source_r"), col("record_id").as("record_id_r")));
    for (String c : DISPLAY) {
      l.add(col(c).cast("string").as(c + "_l"));
      r.add(col(c).cast("string").as(c + "_r"));
    }
    Dataset<Row> rows = chosen.join(s, keyNames)
        .join(pr.select(l.toArray(Column[]::new)), new String[] {"source_l", "record_id_l"}, "left")
        .join(pr.select(r.toArray(Column[]::new)), new String[] {"source_r", "record_id_r"}, "left")
        .orderBy(col("stratum"), col("match_weight"), col("source_l"), col("record_id_l"), col("source_r"), col("record_id_r"));
    List<String> header = header(mp.columns());
    List<Row> collected = rows.collectAsList();
    String where = out != null ? out : storage.linked("reviews/review-" + runId + ".csv");
    long nBand = 0;
    long nAudit = 0;
    Path p = new Path(where);
    try {
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (Writer w = new OutputStreamWriter(fs.create(p, true), StandardCharsets.UTF_8)) {
        Csv.writeRow(w, header);
        for (Row row : collected) {
          int st = row.getInt(row.fieldIndex("stratum"));
          List<String> v = new ArrayList<>();
          for (String h : header) {
            switch (h) {
              case "label" -> v.add("");
              case "stratum_low" -> v.add(Double.toString(low(st, edges)));
              case "stratum_high" -> v.add(Double.toString(high(st, edges)));
              case "stratum_pairs" -> v.add(Long.toString(population.getOrDefault(st, 0L)));
              default -> {
                Object o = row.get(row.fieldIndex(h));
                v.add(o == null ? "" : o.toString());
              }
            }
          }
          String sample = row.getString(row.fieldIndex("sample"));
          nBand += sample.contains("band") ? 1 : 0;
          nAudit += sample.contains("audit") ? 1 : 0;
          Csv.writeRow(w, v);
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the review sample " + where, e);
    }
    List<ClericalEstimates.Stratum> strata = new ArrayList<>();
    for (int st = 0; st <= k + 1; st++) {
      strata.add(new ClericalEstimates.Stratum(st, low(st, edges), high(st, edges), population.getOrDefault(st, 0L), 0, 0));
    }
    LOG.info("review export of run {}: {} pairs ({} band, {} audit) to {}", runId, collected.size(), nBand, nAudit, where);
    return new ExportResult(where, runId, nBand, nAudit, collected.size(), strata);
  }

  /** The CSV header: leading columns, the two records side by side, the gammas, the run id. */
  static List<String> header(String[] matchPairColumns) {
    List<String> h = new ArrayList<>(LEADING);
    for (String c : DISPLAY) {
      h.add(c + "_l");
      h.add(c + "_r");
    }
    for (String c : matchPairColumns) {
      if (c.startsWith("gamma_")) {
        h.add(c);
      }
    }
    h.add("run_id");
    return h;
  }
}
