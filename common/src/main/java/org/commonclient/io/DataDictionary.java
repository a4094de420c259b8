package org.commonclient.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The data dictionary: every Delta table the suite writes to the identified and linked zones, with
 * its columns, types and meanings, taken from the schemas in {@link Schemas} (each column's
 * {@code comment} metadata). {@link #markdown()} renders {@code docs/DATA_DICTIONARY.md}; a test
 * regenerates it and fails when the committed file differs, and the end-to-end test compares the
 * schemas with the tables a run actually writes.
 */
public final class DataDictionary {
  /** How the link runs write a table of one row per record. */
  private static final String BY_LINK_RUNS = "replaced by each full link run, rewritten by each incremental one "
      + "with its unchanged rows kept (updated in place with linkage.incremental.publish = merge).";

  private DataDictionary() {}

  /**
   * One table.
   *
   * @param key the columns that identify a row
   */
  public record Table(String zone, String name, String writtenBy, String key, String description, StructType schema) {}

  /** Every table, zone by zone. */
  public static List<Table> tables() {
    List<Table> t = new ArrayList<>();
    t.add(new Table("identified", "person_records", "ingest", "source, record_id",
        "One row per person record of an agency extract, values as the agency sent them (trimmed; empty = null).",
        Schemas.PERSON_RECORD));
    t.add(new Table("identified", "rejects", "ingest", "-",
        "Rows ingest could not read or map, with the reason; partitioned by source.", Schemas.REJECT));
    t.add(new Table("identified", "ingest_runs", "ingest", "run_id, source", "Counts of each ingest run per source.",
        Schemas.INGEST_RUN));
    for (Map.Entry<String, StructType> e : Schemas.FACT_TABLES.entrySet()) {
      t.add(new Table("identified", e.getKey(), "ingest (facts)", "record_source, record_id, ...",
          "Program facts; every row refers to a person record by (record_source, record_id).", e.getValue()));
    }
    t.add(new Table("identified", "record_keys", "link", "source, record_id",
        "Standardised identifiers of every linked record (and the attributes the person table aggregates), which "
            + "link --incremental compares new extracts with; " + BY_LINK_RUNS, Schemas.RECORD_KEYS));
    t.add(new Table("identified", "block_keys", "link", "uid",
        "Hashed blocking keys of every linked record, so that link --incremental computes only the new and changed "
            + "records' keys; " + BY_LINK_RUNS,
        Schemas.BLOCK_KEYS));
    t.add(new Table("linked", "crosswalk", "link", "source, record_id",
        "Source record to stable person id; " + BY_LINK_RUNS, Schemas.CROSSWALK));
    t.add(new Table("linked", "person", "link", "person_id",
        "One row per person with values summarised over the person's records; replaced by each full link run, "
            + "an incremental one replaces the rows of the affected people (rewriting the table, or in place with "
            + "linkage.incremental.publish = merge).",
        Schemas.PERSON));
    t.add(new Table("linked", "match_pairs", "link", "source_l, record_id_l, source_r, record_id_r",
        "Scored candidate pairs (match_probability at least linkage.matchPairsMinProbability); replaced by each full "
            + "link run; an incremental run replaces the pairs of its new, changed and withdrawn records.",
        Schemas.MATCH_PAIR));
    t.add(new Table("linked", "model", "link", "run_id", "The Fellegi-Sunter model of every link run (appended).",
        Schemas.MODEL));
    t.add(new Table("linked", "runs", "link, ingest, metrics, pipeline, research-extract", "run_id", "One row per run and its outcome (appended; a link run's success row is part of its atomic publish, every other row is written outside any publish).", Schemas.RUN));
    t.add(new Table("linked", "person_id_history", "link", "person_id, run_id",
        "How person ids were created, split, merged or retired between runs (appended).", Schemas.PERSON_ID_HISTORY));
    t.add(new Table("linked", "clerical_labels", "review import", "source_l, record_id_l, source_r, record_id_r",
        "Clerical decisions on reviewed pairs; a later label of the same pair replaces the earlier one.",
        Schemas.CLERICAL_LABEL));
    return t;
  }

  /** The comment of a column ("" when it has none). */
  public static String comment(StructField f) {
    return f.metadata().contains("comment") ? f.metadata().getString("comment") : "";
  }

  /** True when {@code column} is named by the dictionary column {@code declared} (patterns: {@code <x>}). */
  public static boolean matches(String declared, String column) {
    if (!declared.contains("<")) {
      return declared.equals(column);
    }
    String regex = Pattern.quote(declared).replaceAll("<[^>]+>", "\\\\E[a-z0-9_]+\\\\Q");
    return Pattern.matches(regex, column);
  }

  /** The dictionary as Markdown (the content of docs/DATA_DICTIONARY.md). */
  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Data dictionary\n\n")
        .append("Generated from the schemas in `common/src/main/java/org/commonclient/io/Schemas.java` by\n")
        .append("`org.commonclient.io.DataDictionary`; do not edit by hand. `DataDictionaryTest` fails when this\n")
        .append("file differs from the code; regenerate it with\n")
        .append("`mvn -q -B -o -pl common test -Dtest=DataDictionaryTest -Ddictionary.write=true`.\n\n")
        .append("Zones live under `commonclient.storage.*` (`identified`, `linked`, `published`). All tables are Delta\n")
        .append("tables. Column names with `<...>` stand for one column per configured comparison (`gamma_<comparison>`,\n")
        .append("`bf_<comparison>`) or term-frequency adjusted column (`bf_tf_adj_<column>`). Not covered yet: the\n")
        .append("metric tables of the published zone (their schemas are built per metric in `org.commonclient.metrics`).\n\n");
    b.append("| zone | table | written by | key | description |\n|---|---|---|---|---|\n");
    for (Table t : tables()) {
      b.append("| ").append(t.zone()).append(" | [`").append(t.name()).append("`](#").append(t.name()).append(") | ")
          .append(t.writtenBy()).append(" | ").append(t.key()).append(" | ").append(t.description()).append(" |\n");
    }
    for (Table t : tables()) {
      b.append("\n## ").append(t.name()).append("\n\n")
          .append("Zone `").append(t.zone()).append("`, written by ").append(t.writtenBy()).append(". ")
          .append(t.description()).append("\n\n")
          .append("| column | type | meaning |\n|---|---|---|\n");
      for (StructField f : t.schema().fields()) {
        b.append("| `").append(f.name()).append("` | ").append(f.dataType().simpleString()).append(" | ")
            .append(comment(f).replace("|", "\\|")).append(" |\n");
      }
    }
    b.append("\n## Files\n\n")
        .append("| path | written by | content |\n|---|---|---|\n")
        .append("| `<linked>/reports/link-<run id>.html` | link | linkage quality report (self-contained HTML) |\n")
        .append("| `<linked>/reviews/review-<run id>.csv` | review export | pairs to label, both records side by side |\n");
    return b.toString();
  }
}
