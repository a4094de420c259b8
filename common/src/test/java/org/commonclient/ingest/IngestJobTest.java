package org.commonclient.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.ConfigLoader;
import org.commonclient.config.SourceConfig;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest end to end on real files, real Spark and real Delta tables: every kind of bad input ends
 * in a clear error before anything is written, or in a rejects row; read = accepted + rejected.
 */
@ExtendWith(SparkExtension.class)
class IngestJobTest {
  @TempDir Path dir;

  static final String HEADER = "CLIENT_ID,CASE_NO,LAST_NM,FIRST_NM,DOB,SSN,BEN_START,BEN_END,DAYS";
  static final String GOOD =
      HEADER + "\n"
          + "C1,K1,Smith,Anna,03/04/2010,123-45-6789,01/01/2024,06/30/2024,10\n"
          + "C2,K1,Smith,Bob,05/06/1980,,01/01/2024,,20\n";

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  private List<SourceConfig> sources(String name, Path file, String extra) throws IOException {
    String conf =
        "commonclient.storage.root = \"" + dir.resolve("tables") + "\"\n"
            + "commonclient.sources." + name + " {\n"
            + "  kind = person\n  program = TANF\n  format = csv\n"
            + "  path = \"" + file + "\"\n"
            + "  dateFormat = \"MM/dd/yyyy\"\n"
            + "  columns = [ {name = CLIENT_ID}, {name = CASE_NO}, {name = LAST_NM}, {name = FIRST_NM},"
            + " {name = DOB}, {name = SSN}, {name = BEN_START, type = date}, {name = BEN_END, type = date},"
            + " {name = DAYS, type = int} ]\n"
            + "  mapping { record_id = CLIENT_ID, household_id = CASE_NO, last_name = LAST_NM,"
            + " first_name = FIRST_NM, dob = DOB, ssn = SSN, enroll_start = BEN_START, enroll_end = BEN_END }\n"
            + extra
            + "}\n";
    Path c = write(name + ".conf", conf);
    return SourceConfig.all(ConfigLoader.load(c));
  }

  private StorageConfig storage() {
    String root = dir.resolve("tables").toString();
    return new StorageConfig(root + "/identified", root + "/linked", root + "/published");
  }

  private IngestJob.IngestResult ingest(SparkSession spark, String name, String text) throws IOException {
    Path f = write(name + ".csv", text);
    return IngestJob.run(spark, storage(), sources(name, f, ""), "run-" + name);
  }

  private List<Row> rejects(SparkSession spark, String source) {
    return DeltaTables.read(spark, storage().identified("rejects"))
        .filter("source = '" + source + "'").orderBy("line").collectAsList();
  }

  private static void assertBalanced(IngestJob.IngestResult r) {
    for (IngestJob.SourceCounts c : r.counts()) {
      assertEquals(c.read(), c.accepted() + c.rejected(), "read = accepted + rejected for " + c.source());
    }
  }

  @Test
  void goodFileIsMappedToCanonicalRecords(SparkSession spark) throws IOException {
    IngestJob.IngestResult r = ingest(spark, "good", GOOD);
    assertEquals(new IngestJob.SourceCounts("good", 2, 2, 0), r.counts().get(0));
    Row anna = DeltaTables.read(spark, storage().identified("person_records"))
        .filter("source = 'good' and record_id = 'C1'").head();
    assertEquals("Anna", anna.getAs("first_name"));
    assertEquals("2010-03-04", anna.getAs("dob").toString());
    assertEquals("03/04/2010", anna.getAs("dob_raw"));
    assertEquals("2024-06-30", anna.getAs("enroll_end").toString());
    assertEquals(2L, (long) anna.<Long>getAs("source_line"));
    assertEquals("TANF", anna.getAs("program"));
  }

  @Test
  void reingestingTheSameExtractDoesNotDuplicateRows(SparkSession spark) throws IOException {
    ingest(spark, "again", GOOD);
    ingest(spark, "again", GOOD);
    long n = DeltaTables.read(spark, storage().identified("person_records")).filter("source = 'again'").count();
    assertEquals(2, n, "rows after two ingests of the same extract");
  }

  @Test
  void wrongDelimiterFailsBeforeWriting(SparkSession spark) throws IOException {
    var e = assertThrows(IngestJob.IngestException.class,
        () -> ingest(spark, "semi", GOOD.replace(',', ';')));
    assertTrue(e.getMessage().contains("semi.csv") && e.getMessage().contains("delimiter"), e.getMessage());
    assertFalse(DeltaTables.exists(spark, storage().identified("person_records"))
        && DeltaTables.read(spark, storage().identified("person_records")).filter("source = 'semi'").count() > 0);
  }

  @Test
  void missingColumnFailsNamingIt(SparkSession spark) throws IOException {
    String text = GOOD.replace(",DAYS", "").replace(",10\n", "\n").replace(",20\n", "\n");
    var e = assertThrows(IngestJob.IngestException.class, () -> ingest(spark, "missing", text));
    assertTrue(e.getMessage().contains("missing columns [DAYS]"), e.getMessage());
  }

  @Test
  void extraColumnFailsNamingIt(SparkSession spark) throws IOException {
    String text = GOOD.replace(",DAYS\n", ",DAYS,NOTE\n").replace(",10\n", ",10,x\n").replace(",20\n", ",20,y\n");
    var e = assertThrows(IngestJob.IngestException.class, () -> ingest(spark, "extra", text));
    assertTrue(e.getMessage().contains("unexpected columns [NOTE]"), e.getMessage());
  }

  @Test
  void emptyFileAndMissingFileFail(SparkSession spark) throws IOException {
    var e = assertThrows(IngestJob.IngestException.class, () -> ingest(spark, "empty", ""));
    assertTrue(e.getMessage().contains("empty.csv") && e.getMessage().contains("empty"), e.getMessage());
    var e2 = assertThrows(IngestJob.IngestException.class,
        () -> IngestJob.run(spark, storage(), sources("nofile", dir.resolve("nope.csv"), ""), "r"));
    assertTrue(e2.getMessage().contains("nope.csv") && e2.getMessage().contains("does not exist"), e2.getMessage());
  }

  @Test
  void badRowsGoToRejectsWithFileLineFieldAndReason(SparkSession spark) throws IOException {
    String text =
        HEADER + "\n"
            + "C1,K1,Smith,Anna,03/04/2010,,13/45/2024,,10\n" // line 2: bad date
            + "C2,K1,Smith,Bob,05/06/1980,,01/01/2024,,twenty\n" // line 3: not a number
            + "C3,K2,\"O'Neil, \"\"Jr\"\"\",\"Mary\nAnn\",01/02/2003,,01/01/2024,,1\n" // lines 4-5: quotes+newline
            + "C4,K3,Lee,Kim,01/02/2003,,01/01/2024,,2\n" // line 6
            + "C4,K3,Lee,Kim,01/02/2003,,01/01/2024,,2\n" // line 7: duplicate id
            + "C5,K4,Doe,Jo,01/02/2003,,01/01/2024,,3\n" // line 8
            + "C6,K5,Roe,Al,01/0"; // line 9: truncated last line
    IngestJob.IngestResult r = ingest(spark, "bad", text);
    assertBalanced(r);
    assertEquals(new IngestJob.SourceCounts("bad", 7, 3, 4), r.counts().get(0));
    List<Row> rej = rejects(spark, "bad");
    Map<Long, Row> byLine = rej.stream().collect(Collectors.toMap(x -> x.<Long>getAs("line"), x -> x));
    assertEquals("BEN_START", byLine.get(2L).getAs("field"));
    assertEquals("13/45/2024", byLine.get(2L).getAs("raw_value"));
    assertTrue(byLine.get(2L).<String>getAs("reason").contains("not a valid date"));
    assertEquals("DAYS", byLine.get(3L).getAs("field"));
    assertTrue(byLine.get(3L).<String>getAs("reason").contains("not a valid int"));
    assertTrue(byLine.get(7L).<String>getAs("reason").contains("duplicate record_id (first seen at line 6)"));
    assertTrue(byLine.get(9L).<String>getAs("reason").contains("truncated"), byLine.get(9L).toString());
    assertTrue(byLine.get(2L).<String>getAs("file").endsWith("bad.csv"));
    Row mary = DeltaTables.read(spark, storage().identified("person_records"))
        .filter("source = 'bad' and record_id = 'C3'").head();
    assertEquals("O'Neil, \"Jr\"", mary.getAs("last_name"));
    assertEquals("Mary\nAnn", mary.getAs("first_name"));
    assertEquals(4L, (long) mary.<Long>getAs("source_line"));
  }

  @Test
  void wrongEncodingIsRejectedNotLost(SparkSession spark) throws IOException {
    Path f = dir.resolve("latin.csv");
    byte[] head = (HEADER + "\nC1,K1,Smith,Anna,03/04/2010,,01/01/2024,,1\n").getBytes(StandardCharsets.UTF_8);
    byte[] bad = "C2,K1,M\u00fcller,Jos\u00e9,03/04/2010,,01/01/2024,,1\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + bad.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(bad, 0, all, head.length, bad.length);
    Files.write(f, all);
    IngestJob.IngestResult r = IngestJob.run(spark, storage(), sources("latin", f, ""), "r");
    assertEquals(new IngestJob.SourceCounts("latin", 2, 1, 1), r.counts().get(0));
    Row rej = rejects(spark, "latin").get(0);
    assertEquals(3L, (long) rej.<Long>getAs("line"));
    assertTrue(rej.<String>getAs("reason").contains("encoding"), rej.toString());
  }

  @Test
  void unterminatedQuoteAtEndIsRejected(SparkSession spark) throws IOException {
    IngestJob.IngestResult r = ingest(spark, "openq", GOOD + "C9,K9,\"Smi");
    assertBalanced(r);
    assertEquals(1, r.counts().get(0).rejected());
    assertTrue(rejects(spark, "openq").get(0).<String>getAs("reason").contains("unterminated"));
  }

  @Test
  void parquetSourceIsIngested(SparkSession spark) throws IOException {
    Path csv = write("forparquet.csv", GOOD);
    Path pq = dir.resolve("pq");
    spark.read().option("header", "true").csv(csv.toString()).write().parquet(pq.toString());
    List<SourceConfig> s = sources("pqsrc", pq, "").stream()
        .map(x -> new SourceConfig(x.name(), x.kind(), x.program(), "parquet", x.path(), x.csv(), x.jdbc(),
            x.dateFormat(), x.dobFormat(), x.columns(), x.mapping(), x.facts(), x.recordSource()))
        .toList();
    // dates in this parquet file are strings in the source format: declare them as strings
    s = s.stream().map(x -> new SourceConfig(x.name(), x.kind(), x.program(), x.format(), x.path(), x.csv(), x.jdbc(),
        x.dateFormat(), x.dobFormat(),
        x.columns().stream().map(c -> c.type().equals("date") ? new SourceConfig.ColumnSpec(c.name(), "string", null) : c).toList(),
        x.mapping(), x.facts(), x.recordSource())).toList();
    IngestJob.IngestResult r = IngestJob.run(spark, storage(), s, "r");
    assertEquals(new IngestJob.SourceCounts("pqsrc", 2, 2, 0), r.counts().get(0));
    Row bob = DeltaTables.read(spark, storage().identified("person_records"))
        .filter("source = 'pqsrc' and record_id = 'C2'").head();
    assertEquals("1980-05-06", bob.getAs("dob").toString());
    assertEquals("2024-01-01", bob.getAs("enroll_start").toString());
  }

  @Test
  void jdbcSourceIsIngested(SparkSession spark) throws Exception {
    String url = "jdbc:h2:mem:cc" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (var con = java.sql.DriverManager.getConnection(url); var st = con.createStatement()) {
      st.execute("CREATE TABLE CLIENTS (CLIENT_ID VARCHAR(10), CASE_NO VARCHAR(10), LAST_NM VARCHAR(40),"
          + " FIRST_NM VARCHAR(40), DOB VARCHAR(10), SSN VARCHAR(11), BEN_START DATE, BEN_END DATE, DAYS INT)");
      st.execute("INSERT INTO CLIENTS VALUES ('J1','K1','Ortiz','Luz','07/08/2015',NULL,DATE '2024-02-01',NULL,5),"
          + " ('J2','K1','Ortiz','Ana','07/08/1990','123456789',DATE '2024-02-01',DATE '2024-03-01',6)");
      String extra = "  jdbc { url = \"" + url + "\", table = CLIENTS, driver = org.h2.Driver }\n";
      List<SourceConfig> s = sources("h2src", dir.resolve("unused"), extra).stream()
          .map(x -> new SourceConfig(x.name(), x.kind(), x.program(), "jdbc", x.path(), x.csv(), x.jdbc(),
              x.dateFormat(), x.dobFormat(), x.columns(), x.mapping(), x.facts(), x.recordSource()))
          .toList();
      IngestJob.IngestResult r = IngestJob.run(spark, storage(), s, "r");
      assertEquals(new IngestJob.SourceCounts("h2src", 2, 2, 0), r.counts().get(0));
      Row luz = DeltaTables.read(spark, storage().identified("person_records"))
          .filter("source = 'h2src' and record_id = 'J1'").head();
      assertEquals("2015-07-08", luz.getAs("dob").toString());
      assertEquals("2024-02-01", luz.getAs("enroll_start").toString());
    }
  }
}
