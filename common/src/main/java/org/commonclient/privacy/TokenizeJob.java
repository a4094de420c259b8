package org.commonclient.privacy;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.config.SourceConfig;
import org.commonclient.ingest.IngestJob;
import org.commonclient.spark.SparkSessions;
import org.commonclient.standardise.StandardiseConfig;
import org.commonclient.standardise.Standardiser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokenize: what a data owner runs on its own extract before sending it to the linkage unit.
 *
 * <p>Input: person sources ({@code commonclient.sources}), read and mapped exactly as ingest does.
 * Output: per source, {@code <output>/<source>} (Parquet or JSON) with the columns of
 * {@link Encodings#BASE_COLUMNS} (record id, program, enrollment dates, keyed household token,
 * keyed encoding id) and the encodings {@code tok_*}, {@code blk_*}, {@code clk_*}. No clear name,
 * date of birth, SSN, address or phone leaves in it.
 *
 * <p>Algorithm: map the extract (ingest's mapper), standardise it (the link stage's Standardiser:
 * flagged values become null, so they never make a token), then encode ({@link Encodings}) with
 * keys derived from the project secret.
 */
public final class TokenizeJob {
  private static final Logger LOG = LoggerFactory.getLogger(TokenizeJob.class);

  /** What a tokenize run wrote: records and output folder per source. */
  public record TokenizeResult(String runId, Map<String, Long> records, Map<String, String> outputs, String encodingId, double seconds) {}

  private TokenizeJob() {}

  /** Standardises and encodes person records (person_records schema). */
  public static Dataset<Row> encode(Dataset<Row> personRecords, StandardiseConfig std, PrivacyConfig cfg, Secret secret, String runId) {
    Dataset<Row> s = Standardiser.standardise(personRecords, std);
    Dataset<Row> program = personRecords.select(col("source").as("_p_source"), col("record_id").as("_p_record_id"),
        col("program"), col("enroll_start"), col("enroll_end"));
    Dataset<Row> joined = s.join(program,
            s.col("source").equalTo(program.col("_p_source")).and(s.col("record_id").equalTo(program.col("_p_record_id"))))
        .drop("_p_source", "_p_record_id");
    return Encodings.encode(joined, cfg, secret, runId);
  }

  /**
   * Tokenizes each source into {@code output/<source>} (replacing what is there).
   *
   * @param output the output folder (the tokenize.output setting or the command's option)
   */
  public static TokenizeResult run(SparkSession spark, List<SourceConfig> sources, StandardiseConfig std,
      PrivacyConfig cfg, Secret secret, String output, String runId) {
    long t0 = System.nanoTime();
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("No person sources to tokenize (commonclient.sources is empty)");
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    Map<String, String> outputs = new LinkedHashMap<>();
    String encodingId = secret.encodingId(cfg.encodingDescription());
    SparkSessions.withJobGroup(spark, "tokenize", "tokenize: read, standardise, encode", () -> {
      // one standardisation of all sources (its per-source aggregates stay per source), then one
      // file set per source
      Dataset<Row> all = encode(IngestJob.personRecords(spark, sources, runId), std, cfg, secret, runId)
          .persist(StorageLevel.MEMORY_AND_DISK());
      try {
        for (SourceConfig s : sources) {
          String path = output.endsWith("/") ? output + s.name() : output + "/" + s.name();
          all.filter(col("source").equalTo(s.name())).coalesce(1).write().mode(SaveMode.Overwrite).format(cfg.tokenizeFormat()).save(path);
          long n = spark.read().format(cfg.tokenizeFormat()).load(path).count();
          counts.put(s.name(), n);
          outputs.put(s.name(), path);
          LOG.info("tokenize {}: {} records encoded to {}", s.name(), n, path);
        }
      } finally {
        all.unpersist();
      }
      return null;
    });
    return new TokenizeResult(runId, counts, outputs, encodingId, (System.nanoTime() - t0) / 1e9);
  }
}
