package org.commonclient.standardise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.Schemas;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SparkExtension.class)
class StandardiserTest {

  /** A person_records row with the identifying fields set, the rest null. */
  static Row rec(
      String id, String first, String middle, String last, String suffix, Date dob, String dobRaw,
      String sex, String ssn, String addr, String zip, String phone, Date enrollStart) {
    return RowFactory.create(
        "src", id, "TANF", first, middle, last, suffix, dob, dobRaw, sex, ssn, addr, "Springfield",
        "IL", zip, phone, "H" + id, null, enrollStart, null, "f.csv", 1L, "hash", "run");
  }

  static Date d(String s) {
    return Date.valueOf(s);
  }

  @Test
  void standardisesRecordsAndRaisesFlags(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    rows.add(rec("1", "José", "Q.", "García-López Jr.", null, d("1980-05-17"), "05/17/1980", "Male",
        "123-45-6788", "123 Main Street Apt 4", "62704-1234", "(217) 555-0101", d("2020-01-01")));
    rows.add(rec("2", "Bob", null, "O'Brien", "Sr", null, "19560409", "1", "078-05-1120",
        "45 N. Oak Ave. #2", "2119", "12175550102", null));
    rows.add(rec("3", "BABY GIRL", null, "Smith", null, null, "00/00/0000", "F", "111111111",
        null, null, "000-000-0000", null));
    rows.add(rec("4", "Ann", null, "Lee", null, d("1900-01-01"), null, "2", "912-70-3456",
        null, null, null, null));
    rows.add(rec("5", "Tim", null, "Ray", null, d("2015-03-03"), null, "X", "1804974",
        null, null, null, d("2010-01-01")));
    // one SSN on three different persons (DOB and first name differ) -> SSN_SHARED
    rows.add(rec("6", "Amy", null, "Park", null, d("1990-01-02"), null, "F", "234-56-7890",
        null, null, null, null));
    rows.add(rec("7", "Ben", null, "Park", null, d("1991-02-03"), null, "M", "234-56-7890",
        null, null, null, null));
    rows.add(rec("8", "Cal", null, "Park", null, d("1992-03-04"), null, "M", "234-56-7890",
        null, null, null, null));
    // one person with two spellings on one SSN: not shared
    rows.add(rec("9", "Dana", null, "Wu", null, d("1985-07-08"), null, "F", "345-67-8901",
        null, null, null, null));
    rows.add(rec("10", "Dayna", null, "Wu", null, d("1985-07-08"), null, "F", "345-67-8901",
        null, null, null, null));
    // heaping: this source has many 1 January birthdays
    for (int i = 0; i < 4; i++) {
      rows.add(rec("j" + i, "Jan" + i, null, "Heap", null, d((1970 + i) + "-01-01"), null, null,
          null, null, null, null, null));
    }
    rows.add(rec("11", "Ed", null, "Nul", null, null, null, null, null, null, null, null, null));
    Dataset<Row> in = spark.createDataFrame(rows, Schemas.PERSON_RECORD);

    StandardiseConfig cfg = StandardiseConfig.defaults().withDobHeapingMinRecords(10);
    Dataset<Row> out = Standardiser.standardise(in, cfg);
    assertEquals(Standardiser.COLUMNS, Arrays.asList(out.columns()), "output columns");

    // carried input columns pass through unchanged after the standard ones, which are unaffected
    List<String> carriedCols = List.of("program", "row_hash", "enroll_start");
    Dataset<Row> carried = Standardiser.standardise(in, cfg, java.util.function.UnaryOperator.identity(), carriedCols);
    List<String> withCarried = new ArrayList<>(Standardiser.COLUMNS);
    withCarried.addAll(carriedCols);
    assertEquals(withCarried, Arrays.asList(carried.columns()), "output columns with carried ones");
    org.apache.spark.sql.Column[] standard = Standardiser.COLUMNS.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new);
    assertEquals(0, carried.select(standard).exceptAll(out).count() + out.exceptAll(carried.select(standard)).count());
    Map<String, Row> inById = new HashMap<>();
    for (Row r : in.collectAsList()) {
      inById.put(r.getAs("record_id"), r);
    }
    for (Row r : carried.collectAsList()) {
      Row src = inById.get(r.<String>getAs("record_id"));
      for (String c : carriedCols) {
        assertEquals((Object) src.getAs(c), r.getAs(c), c + " of record " + r.getAs("record_id"));
      }
    }

    Map<String, Row> byId = new HashMap<>();
    for (Row r : out.collectAsList()) {
      byId.put(r.getAs("record_id"), r);
    }
    assertEquals(rows.size(), byId.size(), "one row per input row");

    Row r1 = byId.get("1");
    assertEquals("JOSE", r1.getAs("first_name"));
    assertEquals("Q", r1.getAs("middle_name"));
    assertEquals("GARCIA LOPEZ", r1.getAs("last_name"));
    assertEquals("JR", r1.getAs("name_suffix"));
    assertEquals(List.of("GARCIA", "LOPEZ"), r1.getList(r1.fieldIndex("last_tokens")));
    assertEquals(d("1980-05-17"), r1.getAs("dob"));
    assertEquals(1980, (int) r1.getAs("dob_year"));
    assertEquals(5, (int) r1.getAs("dob_month"));
    assertEquals(17, (int) r1.getAs("dob_day"));
    assertNull(r1.getAs("dob_flag"));
    assertEquals("123456788", r1.getAs("ssn"));
    assertNull(r1.getAs("ssn_flag"));
    assertEquals("M", r1.getAs("sex"));
    assertEquals("123 MAIN ST APT 4", r1.getAs("address"));
    assertEquals("123", r1.getAs("addr_number"));
    assertEquals("MAIN ST", r1.getAs("street"));
    assertEquals("62704", r1.getAs("zip5"));
    assertEquals("SPRINGFIELD", r1.getAs("city"));
    assertEquals("2175550101", r1.getAs("phone"));
    assertEquals(Phonetics.doubleMetaphone("GARCIA LOPEZ"), r1.getAs("last_dm"));
    assertTrue(r1.getList(r1.fieldIndex("flags")).isEmpty(), "no flags on record 1");
    assertEquals((Long) spark.sql("select xxhash64('src', '1')").first().getLong(0), r1.getAs("uid"));

    Row r2 = byId.get("2");
    assertEquals("ROBERT", r2.getAs("first_nick"), "BOB -> ROBERT");
    assertTrue(r2.getList(r2.fieldIndex("first_nicks")).contains("ROBERT"), "BOB related to ROBERT");
    assertEquals("OBRIEN", r2.getAs("last_name"));
    assertEquals("SR", r2.getAs("name_suffix"));
    assertEquals(d("1956-04-09"), r2.getAs("dob"), "dob parsed from dob_raw");
    assertNull(r2.getAs("ssn"));
    assertEquals(Ssn.KNOWN_BAD, r2.getAs("ssn_flag"));
    assertEquals("45 N OAK AVE APT 2", r2.getAs("address"));
    assertEquals("02119", r2.getAs("zip5"));
    assertEquals("2175550102", r2.getAs("phone"));

    Row r3 = byId.get("3");
    assertNull(r3.getAs("first_name"), "BABY GIRL is a placeholder");
    assertEquals("SMITH", r3.getAs("last_name"));
    assertEquals(Dobs.UNPARSEABLE, r3.getAs("dob_flag"));
    assertEquals(Ssn.PLACEHOLDER, r3.getAs("ssn_flag"));
    assertNull(r3.getAs("phone"));
    assertEquals(
        new HashSet<>(List.of(Dobs.UNPARSEABLE, Ssn.PLACEHOLDER, Standardiser.NAME_PLACEHOLDER)),
        new HashSet<>(r3.getList(r3.fieldIndex("flags"))));

    Row r4 = byId.get("4");
    assertEquals(Dobs.DEFAULT, r4.getAs("dob_flag"));
    assertNull(r4.getAs("dob"));
    assertNull(r4.getAs("dob_year"));
    assertEquals("F", r4.getAs("sex"));
    assertEquals(Ssn.INVALID, r4.getAs("ssn_flag"));
    assertEquals("912703456", r4.getAs("itin"));

    Row r5 = byId.get("5");
    assertEquals(Dobs.IMPOSSIBLE, r5.getAs("dob_flag"), "born after first service");
    assertEquals("001804974", r5.getAs("ssn"), "7-digit value zero-padded");
    assertNull(r5.getAs("sex"));

    for (String id : List.of("6", "7", "8")) {
      Row r = byId.get(id);
      assertEquals("234567890", r.getAs("ssn"), "shared SSN kept as evidence " + id);
      assertEquals(Ssn.SHARED, r.getAs("ssn_flag"), "shared SSN " + id);
    }
    for (String id : List.of("9", "10")) {
      assertNull(byId.get(id).getAs("ssn_flag"), "two spellings of one person are not shared " + id);
    }

    for (int i = 0; i < 4; i++) {
      Row r = byId.get("j" + i);
      assertEquals(Dobs.PARTIAL_SUSPECT, r.getAs("dob_flag"), "heaped 1 Jan " + i);
      assertNull(r.getAs("dob"));
      assertEquals(1970 + i, (int) r.getAs("dob_year"), "year kept");
      assertNull(r.getAs("dob_month"));
    }
    Row r11 = byId.get("11");
    assertNull(r11.getAs("dob_flag"));
    assertNull(r11.getAs("ssn_flag"));
    assertNotNull(r11.getAs("first_nicks"));
  }

  /** The Column forms of the normalisers give the same results as the plain Java ones. */
  @Test
  void columnFormsAgreeWithJava(SparkSession spark) {
    StandardiseConfig cfg = StandardiseConfig.defaults();
    String[] samples = {
      "José", "o'brien", "Smith-Jones Jr", "  de la  Cruz ", "Zoë Æsir", "Łukasz", "---", "",
      "123 Main Street Apt 4B", "45a North Oak Avenue, Unit 2", "7 wallaby place delmar",
      "123 main st. #4b", "PO Box 12", "19560409", "04/09/1956", "4/9/1956", "09-Apr-1956",
      "1956-04-09", "19561304", "123-45-6789", "1804974", "(555) 867-5309", "1-555-867-5309",
      "2119", "30301-1234", "Male", "f", "O'Brien-Smith", "d`Arcy", "Mc\u2019Donald", "12#B Elm", "##4", "Apt#",
      " # ", "a\tb", "\u00d1u\u00f1ez", "Stra\u00dfe", "J\ud83d\ude00N", "'", null
    };
    List<Row> rows = new ArrayList<>();
    for (String s : samples) {
      rows.add(RowFactory.create(s));
    }
    Dataset<Row> df =
        spark.createDataFrame(
            rows, new org.apache.spark.sql.types.StructType().add("v", "string"));
    var v = org.apache.spark.sql.functions.col("v");
    var norm = Addresses.normalise(v, cfg.addressAbbreviations());
    List<Row> got =
        df.select(
                v,
                Names.normalise(v),
                norm,
                Addresses.number(norm),
                Addresses.street(norm, cfg.addressUnitMarkers()),
                Dobs.parse(v, cfg.dobFormats()),
                Ssn.digits(v, cfg.ssnZeroPadFrom()),
                Codes.phone(v, new HashSet<>(cfg.phonePlaceholders())),
                Codes.zip5(v, new HashSet<>(cfg.zipPlaceholders())),
                Codes.sex(v, new HashSet<>(cfg.sexMale()), new HashSet<>(cfg.sexFemale())))
            .collectAsList();
    for (Row r : got) {
      String s = r.getString(0);
      String a = Addresses.normalise(s, cfg.addressAbbreviations());
      Addresses.Parts p = Addresses.parts(a, cfg.addressUnitMarkers());
      var date = Dobs.parse(s, cfg.dobFormats());
      assertEquals(Names.normalise(s), r.get(1), "name " + s);
      assertEquals(a, r.get(2), "address " + s);
      assertEquals(p.number(), r.get(3), "number " + s);
      assertEquals(p.street(), r.get(4), "street " + s);
      assertEquals(date == null ? null : Date.valueOf(date), r.get(5), "dob " + s);
      assertEquals(Ssn.digits(s, cfg.ssnZeroPadFrom()), r.get(6), "ssn digits " + s);
      assertEquals(Codes.phone(s, new HashSet<>(cfg.phonePlaceholders())), r.get(7), "phone " + s);
      assertEquals(Codes.zip5(s, new HashSet<>(cfg.zipPlaceholders())), r.get(8), "zip " + s);
      assertEquals(
          Codes.sex(s, new HashSet<>(cfg.sexMale()), new HashSet<>(cfg.sexFemale())), r.get(9), "sex " + s);
    }
  }

  /**
   * The one-pass Java normalisers of names and addresses against their Column forms (regular
   * expressions) on random text of the characters they treat differently.
   */
  @Test
  void tokenNormalisersAgreeWithColumnFormsOnRandomText(SparkSession spark) {
    StandardiseConfig cfg = StandardiseConfig.defaults();
    String alphabet = "aZm09 '`\u2019#-.,\t\u00e9\u00c6\u00df\u00f1";
    java.util.Random rnd = new java.util.Random(7);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = rnd.nextInt(12); n > 0; n--) {
        b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      rows.add(RowFactory.create(b.toString()));
    }
    var v = org.apache.spark.sql.functions.col("v");
    List<Row> got = spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType().add("v", "string"))
        .select(v, Names.normalise(v), Addresses.normalise(v, cfg.addressAbbreviations()))
        .collectAsList();
    for (Row r : got) {
      String s = r.getString(0);
      assertEquals(r.get(1), Names.normalise(s), "name [" + s + "]");
      assertEquals(r.get(2), Addresses.normalise(s, cfg.addressAbbreviations()), "address [" + s + "]");
    }
  }
}
