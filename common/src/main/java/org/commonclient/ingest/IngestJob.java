package org.commonclient.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.commonclient.config.SourceConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.io.Schemas;
import org.commonclient.spark.SparkSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest: reads each configured extract (CSV with a declared schema, Parquet, JDBC), maps it to
 * the canonical tables and writes them to the identified zone.
 *
 * <p>Inputs: the sources of {@code commonclient.sources}. Outputs (Delta, identified zone):
 * {@code person_records} (partitioned by source), one table per fact kind (partitioned by
 * fact_source), {@code rejects} (partitioned by source) and {@code ingest_runs}.
 *
 * <p>Algorithm: (1) pre-flight every source: files exist, are not empty, and their header (or
 * schema) equals the declared columns; any failure stops the run before anything is written.
 * (2) Parse every CSV file in one Spark task with a streaming RFC 4180 reader that keeps line
 * numbers; Parquet and JDBC rows go through the same mapper. (3) Rows that cannot be mapped, and
 * every repeat of a record id within a source, become rejects with file, line, field, value and
 * reason: read = accepted + rejected for every source. (4) Each table is replaced for the ingested
 * sources in one Delta commit, so re-ingesting the same extract never duplicates rows.
 */
public final class IngestJob {
  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /** Counts per source. */
  public record SourceCounts(String source, long read, long accepted, long rejected) {}

  public record IngestResult(String runId, List<SourceCounts> counts, double seconds) {
    public long totalRead() {
      return counts.stream().mapToLong(SourceCounts::read).sum();
    }

    public long totalRejected() {
      return counts.stream().mapToLong(SourceCounts::rejected).sum();
    }
  }

  /** A pre-flight failure: the run stops before writing, naming the file and the problem. */
  public static final class IngestException extends RuntimeException {
    public IngestException(String message) {
      super(message);
    }

    public IngestException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static final StructType REJECT_CORE =
      new StructType()
          .add("source", DataTypes.StringType)
          .add("file", DataTypes.StringType)
          .add("line", DataTypes.LongType)
          .add("field", DataTypes.StringType)
          .add("raw_value", DataTypes.StringType)
          .add("reason", DataTypes.StringType);

  static final StructType PARSED =
      new StructType()
          .add("kind", DataTypes.StringType)
          .add("source", DataTypes.StringType)
          .add("fact_table", DataTypes.StringType)
          .add("person", Schemas.PERSON_RECORD)
          .add("fact", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
          .add("rej", REJECT_CORE);

  /** Tables written at once. */
  static final int WRITER_THREADS = 3;

  private IngestJob() {}

  public static IngestResult run(
      SparkSession spark, StorageConfig storage, List<SourceConfig> sources, String runId) {
    long t0 = System.nanoTime();
    if (sources.isEmpty()) {
      throw new IngestException("No sources are configured (commonclient.sources is empty)");
    }
    Map<String, List<String>> files = new LinkedHashMap<>();
    SparkSessions.withJobGroup(spark, "ingest", "ingest: pre-flight", () -> {
      for (SourceConfig s : sources) {
        files.put(s.name(), preflight(spark, s));
      }
      return null;
    });
    Dataset<Row> parsed = parse(spark, sources, files, runId).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      return SparkSessions.withJobGroup(spark, "ingest", "ingest: map and write", () ->
          write(spark, storage, sources, parsed, runId, t0));
    } finally {
      parsed.unpersist();
    }
  }

  /**
   * The person records of the given sources as ingest maps them (pre-flight, parse, mapping, first
   * line wins for a repeated record id), without writing anything; rows ingest would reject are
   * left out. For jobs that must read an extract without storing it (tokenize).
   */
  public static Dataset<Row> personRecords(SparkSession spark, List<SourceConfig> sources, String runId) {
    Map<String, List<String>> files = new LinkedHashMap<>();
    for (SourceConfig s : sources) {
      if (s.kind() != SourceConfig.Kind.PERSON) {
        throw new IngestException("Source '" + s.name() + "' is not a person source");
      }
      files.put(s.name(), preflight(spark, s));
    }
    Dataset<Row> persons = parse(spark, sources, files, runId).filter(col("kind").equalTo("P")).select(col("person.*"));
    var w = Window.partitionBy("source", "record_id").orderBy(col("source_line"), col("source_file"));
    return persons.withColumn("_rn", row_number().over(w)).filter(col("_rn").equalTo(1)).drop("_rn");
  }

  private static IngestResult write(SparkSession spark, StorageConfig storage, List<SourceConfig> sources,
      Dataset<Row> parsed, String runId, long t0) {
    Set<String> names = new TreeSet<>();
    sources.forEach(s -> names.add(s.name()));
    Set<String> personSources = new TreeSet<>();
    sources.stream().filter(s -> s.kind() == SourceConfig.Kind.PERSON).forEach(s -> personSources.add(s.name()));

    // Duplicate record ids within a person source: the first line wins, the others are rejects.
    Dataset<Row> persons = parsed.filter(col("kind").equalTo("P")).select(col("person.*"));
    var w = Window.partitionBy("source", "record_id").orderBy(col("source_line"), col("source_file"));
    Dataset<Row> ranked = persons
        .withColumn("_rn", row_number().over(w))
        .withColumn("_first_line", first(col("source_line")).over(w))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> accepted = ranked.filter(col("_rn").equalTo(1)).drop("_rn", "_first_line");
    Dataset<Row> dupRejects = ranked.filter(col("_rn").gt(1)).select(
        col("source"), col("source_file").as("file"), col("source_line").as("line"),
        lit("record_id").as("field"), col("record_id").as("raw_value"),
        concat(lit("duplicate record_id (first seen at line "), col("_first_line").cast("string"), lit(")")).as("reason"));
    Dataset<Row> rejects = parsed.filter(col("kind").equalTo("R")).select(col("rej.*"))
        .unionByName(dupRejects)
        .withColumn("ingest_run_id", lit(runId))
        .withColumn("rejected_at", current_timestamp());

    // counts: read per source = mapped rows (person rows or first fact row) + parse rejects
    Map<String, long[]> counts = new LinkedHashMap<>();
    names.forEach(n -> counts.put(n, new long[3]));
    for (Row r : parsed.filter(col("kind").isin("P", "R").or(col("kind").equalTo("F").and(col("fact_first"))))
        .groupBy("source").count().collectAsList()) {
      counts.get(r.getString(0))[0] = r.getLong(1);
    }
    for (Row r : rejects.groupBy("source").count().collectAsList()) {
      counts.get(r.getString(0))[2] = r.getLong(1);
    }
    List<SourceCounts> out = new ArrayList<>();
    for (var e : counts.entrySet()) {
      long read = e.getValue()[0];
      long rej = e.getValue()[2];
      out.add(new SourceCounts(e.getKey(), read, read - rej, rej));
    }

    // the tables are independent: written side by side (on small extracts most of a write is
    // driver work: planning and the Delta commit)
    List<Runnable> writes = new ArrayList<>();
    if (!personSources.isEmpty()) {
      writes.add(() ->
          DeltaTables.replacePartitions(accepted, storage.identified("person_records"), "source", personSources));
    }
    Map<String, Set<String>> factSources = new LinkedHashMap<>();
    for (SourceConfig s : sources) {
      for (SourceConfig.FactsMapping fm : s.facts()) {
        factSources.computeIfAbsent(fm.table(), k -> new TreeSet<>()).add(s.name());
      }
    }
    for (var e : factSources.entrySet()) {
      StructType target = Schemas.FACT_TABLES.get(e.getKey());
      if (target == null) {
        throw new IngestException("Unknown fact table '" + e.getKey() + "' in source(s) " + e.getValue()
            + "; known: " + Schemas.FACT_TABLES.keySet());
      }
      Dataset<Row> f = parsed.filter(col("kind").equalTo("F").and(col("fact_table").equalTo(e.getKey())));
      List<Column> sel = new ArrayList<>();
      for (StructField sf : target.fields()) {
        Column c = switch (sf.name()) {
          case "fact_source" -> col("source");
          case "source_line" -> col("rej.line");
          case "ingest_run_id" -> lit(runId);
          default -> col("fact").getItem(sf.name());
        };
        sel.add(c.cast(sf.dataType()).as(sf.name(), sf.metadata()));
      }
      Dataset<Row> fact = f.select(sel.toArray(new Column[0]));
      writes.add(() -> DeltaTables.replacePartitions(fact, storage.identified(e.getKey()), "fact_source", e.getValue()));
    }
    writes.add(() -> DeltaTables.replacePartitions(rejects, storage.identified("rejects"), "source", names));
    try {
      SparkSessions.runAll("ingest-writer", writes, WRITER_THREADS);
    } finally {
      ranked.unpersist();
    }

    double secs = (System.nanoTime() - t0) / 1e9;
    List<Row> runRows = new ArrayList<>();
    for (SourceCounts c : out) {
      runRows.add(RowFactory.create(runId, c.source(), c.read(), c.accepted(), c.rejected(), secs,
          new java.sql.Timestamp(System.currentTimeMillis())));
    }
    StructType runSchema = new StructType()
        .add("run_id", DataTypes.StringType).add("source", DataTypes.StringType)
        .add("read", DataTypes.LongType).add("accepted", DataTypes.LongType).add("rejected", DataTypes.LongType)
        .add("seconds", DataTypes.DoubleType).add("finished_at", DataTypes.TimestampType);
    DeltaTables.append(spark.createDataFrame(runRows, runSchema), storage.identified("ingest_runs"));
    for (SourceCounts c : out) {
      LOG.info("ingest {}: read {}, accepted {}, rejected {}", c.source(), c.read(), c.accepted(), c.rejected());
    }
    return new IngestResult(runId, out, secs);
  }

  /** Checks files and header/schema of one source; returns the files to read. */
  static List<String> preflight(SparkSession spark, SourceConfig s) {
    if (s.format().equals("jdbc")) {
      Dataset<Row> d = readJdbc(spark, s);
      checkColumns(s, s.jdbc().get("table"), List.of(d.schema().fieldNames()));
      return List.of(s.jdbc().get("table"));
    }
    Configuration hconf = spark.sparkContext().hadoopConfiguration();
    List<String> out = new ArrayList<>();
    try {
      Path p = new Path(s.path());
      FileSystem fs = p.getFileSystem(hconf);
      FileStatus[] st = fs.globStatus(p);
      if (st == null || st.length == 0) {
        throw new IngestException("Source '" + s.name() + "': file " + s.path() + " does not exist");
      }
      for (FileStatus f : st) {
        if (f.isDirectory()) {
          for (FileStatus c : fs.listStatus(f.getPath())) {
            String n = c.getPath().getName();
            if (c.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
              out.add(c.getPath().toString());
            }
          }
        } else {
          out.add(f.getPath().toString());
        }
      }
      if (out.isEmpty()) {
        throw new IngestException("Source '" + s.name() + "': " + s.path() + " holds no files");
      }
      for (String file : out) {
        if (s.format().equals("csv")) {
          checkCsvHeader(s, file, fs);
        } else if (s.format().equals("parquet")) {
          Dataset<Row> d = spark.read().parquet(file);
          checkColumns(s, file, List.of(d.schema().fieldNames()));
        }
      }
    } catch (IOException e) {
      throw new IngestException("Source '" + s.name() + "': cannot read " + s.path() + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static void checkCsvHeader(SourceConfig s, String file, FileSystem fs) throws IOException {
    if (fs.getFileStatus(new Path(file)).getLen() == 0) {
      throw new IngestException("Source '" + s.name() + "': file " + file + " is empty (no header, no rows)");
    }
    if (!s.csv().header()) {
      return;
    }
    try (CsvRecordReader r = reader(s, fs.open(new Path(file)))) {
      CsvRecordReader.CsvRecord header = r.next();
      if (header == null) {
        throw new IngestException("Source '" + s.name() + "': file " + file + " is empty (no header, no rows)");
      }
      if (header.error() != null) {
        throw new IngestException("Source '" + s.name() + "': file " + file + " has an unreadable header: " + header.error());
      }
      List<String> names = header.fields().stream().map(h -> h == null ? "" : h.replace("\uFEFF", "").trim()).toList();
      checkColumns(s, file, names);
    }
  }

  static void checkColumns(SourceConfig s, String file, List<String> actual) {
    List<String> declared = s.columns().stream().map(SourceConfig.ColumnSpec::name).toList();
    boolean ordered = s.format().equals("csv");
    if (ordered ? !declared.equals(actual) : !new TreeSet<>(declared).equals(new TreeSet<>(actual))) {
      List<String> missing = new ArrayList<>(declared);
      missing.removeAll(actual);
      List<String> extra = new ArrayList<>(actual);
      extra.removeAll(declared);
      StringBuilder sb = new StringBuilder("Source '" + s.name() + "': the header of " + file
          + " does not match the declared schema:");
      if (!missing.isEmpty()) {
        sb.append(" missing columns ").append(missing).append(';');
      }
      if (!extra.isEmpty()) {
        sb.append(" unexpected columns ").append(extra).append(';');
      }
      if (missing.isEmpty() && extra.isEmpty()) {
        sb.append(" columns are in a different order;");
      }
      if (actual.size() == 1 && declared.size() > 1) {
        sb.append(" the header has a single column: is the delimiter '").append(s.csv().delimiter()).append("' right?");
      }
      sb.append(" declared ").append(declared).append(", found ").append(actual);
      throw new IngestException(sb.toString());
    }
  }

  static CsvRecordReader reader(SourceConfig s, InputStream in) {
    var dec = Charset.forName(s.csv().encoding()).newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    char delim = s.csv().delimiter().equals("\\t") ? '\t' : s.csv().delimiter().charAt(0);
    return new CsvRecordReader(new BufferedReader(new InputStreamReader(in, dec), 1 << 16), delim,
        s.csv().quote().charAt(0), s.csv().escape().charAt(0), s.csv().ignoreLeadingWhiteSpace());
  }

  private static Dataset<Row> readJdbc(SparkSession spark, SourceConfig s) {
    java.util.Properties props = new java.util.Properties();
    Map<String, String> j = s.jdbc();
    if (j.containsKey("user")) {
      props.setProperty("user", j.get("user"));
    }
    if (j.containsKey("passwordEnv")) {
      String pw = System.getenv(j.get("passwordEnv"));
      if (pw == null) {
        throw new IngestException("Source '" + s.name() + "': environment variable " + j.get("passwordEnv") + " (jdbc.passwordEnv) is not set");
      }
      props.setProperty("password", pw);
    }
    if (j.containsKey("driver")) {
      props.setProperty("driver", j.get("driver"));
    }
    props.setProperty("fetchsize", j.getOrDefault("fetchSize", "10000"));
    try {
      return spark.read().jdbc(j.get("url"), j.get("table"), props);
    } catch (RuntimeException e) {
      throw new IngestException("Source '" + s.name() + "': cannot read JDBC table " + j.get("table") + ": " + e.getMessage(), e);
    }
  }

  /** One unit of parse work. */
  record Task(SourceConfig source, String file) implements Serializable {}

  static Dataset<Row> parse(SparkSession spark, List<SourceConfig> sources, Map<String, List<String>> files, String runId) {
    List<Task> csvTasks = new ArrayList<>();
    Dataset<Row> result = null;
    for (SourceConfig s : sources) {
      if (s.format().equals("csv")) {
        files.get(s.name()).forEach(f -> csvTasks.add(new Task(s, f)));
      } else {
        Dataset<Row> d = s.format().equals("jdbc") ? readJdbc(spark, s) : spark.read().parquet(files.get(s.name()).toArray(new String[0]));
        Column[] cols = s.columns().stream().map(c -> col(c.name()).cast("string").as(c.name())).toArray(Column[]::new);
        String label = s.format().equals("jdbc") ? s.jdbc().get("table") : s.path();
        SourceConfig typedIso = withIsoDates(s);
        JavaRDD<Row> rows = d.select(cols).toJavaRDD().mapPartitions(it -> mapRows(typedIso, label, it, runId));
        Dataset<Row> df = spark.createDataFrame(rows, PARSED);
        result = result == null ? df : result.unionByName(df);
      }
    }
    if (!csvTasks.isEmpty()) {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      var conf = new org.apache.spark.util.SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
      JavaRDD<Row> rows = jsc.parallelize(csvTasks, csvTasks.size()).flatMap(t -> parseCsv(t, conf.value(), runId));
      Dataset<Row> df = spark.createDataFrame(rows, PARSED);
      result = result == null ? df : result.unionByName(df);
    }
    return result.withColumn("fact_first", when(col("kind").equalTo("F"), col("fact").getItem("_first").equalTo("1")).otherwise(lit(false)));
  }

  private static SourceConfig withIsoDates(SourceConfig s) {
    List<SourceConfig.ColumnSpec> cols = s.columns().stream()
        .map(c -> c.type().equals("date") ? new SourceConfig.ColumnSpec(c.name(), c.type(), "yyyy-MM-dd") : c).toList();
    return new SourceConfig(s.name(), s.kind(), s.program(), s.format(), s.path(), s.csv(), s.jdbc(), s.dateFormat(),
        s.dobFormat(), cols, s.mapping(), s.facts(), s.recordSource());
  }

  private static Iterator<Row> mapRows(SourceConfig s, String label, Iterator<Row> it, String runId) {
    RecordMapper mapper = new RecordMapper(s, runId);
    List<Row> out = new ArrayList<>();
    while (it.hasNext()) {
      Row r = it.next();
      List<String> fields = new ArrayList<>(r.length());
      for (int i = 0; i < r.length(); i++) {
        fields.add(r.isNullAt(i) || r.getString(i).isBlank() ? null : r.getString(i));
      }
      emit(s, mapper.map(fields, label, null), label, null, out);
    }
    return out.iterator();
  }

  static Iterator<Row> parseCsv(Task t, Configuration conf, String runId) throws IOException {
    SourceConfig s = t.source();
    RecordMapper mapper = new RecordMapper(s, runId);
    Path p = new Path(t.file());
    FileSystem fs = p.getFileSystem(conf);
    List<Row> out = new ArrayList<>();
    try (CsvRecordReader r = reader(s, fs.open(p))) {
      if (s.csv().header()) {
        r.next();
      }
      CsvRecordReader.CsvRecord rec;
      while ((rec = r.next()) != null) {
        if (rec.error() != null) {
          out.add(rejectRow(s.name(), t.file(), rec.line(), null, rec.raw(), rec.error()));
          continue;
        }
        emit(s, mapper.map(rec.fields(), t.file(), rec.line()), t.file(), rec.line(), out);
      }
    }
    return out.iterator();
  }

  private static void emit(SourceConfig s, RecordMapper.Mapped m, String file, Long line, List<Row> out) {
    if (m.reject() != null) {
      out.add(rejectRow(s.name(), file, line, m.reject().field(), m.reject().rawValue(), m.reject().reason()));
      return;
    }
    if (m.person() != null) {
      Object[] vals = new Object[Schemas.PERSON_RECORD.size()];
      int i = 0;
      for (StructField f : Schemas.PERSON_RECORD.fields()) {
        Object v = m.person().get(f.name());
        vals[i++] = v instanceof LocalDate d ? java.sql.Date.valueOf(d) : v;
      }
      out.add(RowFactory.create("P", s.name(), null, RowFactory.create(vals), null, null));
    }
    boolean firstFact = m.person() == null;
    for (var f : m.facts()) {
      Map<String, String> fact = new LinkedHashMap<>(f.getValue());
      if (firstFact) {
        fact.put("_first", "1");
        firstFact = false;
      }
      out.add(RowFactory.create("F", s.name(), f.getKey(), null, scala.jdk.javaapi.CollectionConverters.asScala(fact),
          RowFactory.create(s.name(), file, line, null, null, null)));
    }
  }

  private static Row rejectRow(String source, String file, Long line, String field, String raw, String reason) {
    return RowFactory.create("R", source, null, null, null, RowFactory.create(source, file, line, field, raw, reason));
  }
}
