package org.commonclient.comparison;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.standardise.Names;
import org.commonclient.standardise.Nicknames;
import org.commonclient.standardise.Phonetics;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven level tests: each row is (comparison, left value, right value, expected gamma) for
 * the default person comparisons. All rows go through Spark in one DataFrame and one collect (on
 * first use); each parameterized case then checks its own row.
 */
@ExtendWith(SparkExtension.class)
class ComparisonLevelsTest {
  static final Nicknames NICK = Nicknames.load("");

  /** Columns of a standardised record used by the comparisons, with their types. */
  static final Map<String, DataType> COLS = new LinkedHashMap<>();

  static {
    for (String s :
        List.of("first_name", "middle_name", "last_name", "first_nick", "first_dm", "last_dm",
            "ssn", "ssn_flag", "sex", "address", "addr_number", "zip5", "city", "phone")) {
      COLS.put(s, DataTypes.StringType);
    }
    COLS.put("first_nicks", DataTypes.createArrayType(DataTypes.StringType));
    COLS.put("last_tokens", DataTypes.createArrayType(DataTypes.StringType));
    COLS.put("dob", DataTypes.DateType);
    COLS.put("dob_year", DataTypes.IntegerType);
    COLS.put("dob_month", DataTypes.IntegerType);
    COLS.put("dob_day", DataTypes.IntegerType);
  }

  /** A record side given as "field=value;field=value"; names and dates fill their derived fields. */
  static Map<String, Object> side(String spec) {
    Map<String, Object> m = new HashMap<>();
    if (spec == null || spec.isEmpty()) {
      return m;
    }
    for (String kv : spec.split(";")) {
      String[] p = kv.split("=", 2);
      String k = p[0].trim();
      String v = p[1].trim();
      switch (k) {
        case "first" -> {
          m.put("first_name", v);
          m.put("first_nick", NICK.canonical(v));
          m.put("first_nicks", NICK.related(v));
          m.put("first_dm", Phonetics.doubleMetaphone(v));
        }
        case "last" -> {
          m.put("last_name", v);
          m.put("last_dm", Phonetics.doubleMetaphone(v));
          m.put("last_tokens", Names.tokens(v));
        }
        case "middle" -> m.put("middle_name", v);
        case "dob" -> {
          Date d = Date.valueOf(v);
          m.put("dob", d);
          m.put("dob_year", d.toLocalDate().getYear());
          m.put("dob_month", d.toLocalDate().getMonthValue());
          m.put("dob_day", d.toLocalDate().getDayOfMonth());
        }
        case "dob_year" -> m.put("dob_year", Integer.parseInt(v));
        case "addr" -> {
          m.put("address", v);
          m.put("addr_number", v.split(" ")[0]);
        }
        default -> m.put(k, v);
      }
    }
    return m;
  }

  record Case(String comparison, String left, String right, int gamma) {}

  static final List<Case> CASES =
      List.of(
          // first_name: exact 5, nickname 4, JW>=0.92 3, JW>=0.88 or phonetic 2, swap 1
          new Case("first_name", "first=ROBERT", "first=ROBERT", 5),
          new Case("first_name", "first=ROBERT", "first=BOB", 4),
          new Case("first_name", "first=BETTY", "first=ELIZABETH", 4),
          new Case("first_name", "first=KATE", "first=KATHY", 4),
          new Case("first_name", "first=JONATHAN", "first=JONATHEN", 3),
          new Case("first_name", "first=MARTHA", "first=MARHTA", 3),
          new Case("first_name", "first=STEVEN", "first=STEPHEN", 2),
          new Case("first_name", "first=CATHERINE", "first=KATHRYN", 2),
          new Case("first_name", "first=JOHN;last=SMITH", "first=SMITH;last=JOHN", 1),
          new Case("first_name", "first=JOHN", "first=MARY", 0),
          new Case("first_name", "first=JOHN", "", -1),
          // last_name: exact 5, JW>=0.92 4, token overlap 3, JW>=0.88 or phonetic 2, swap 1
          new Case("last_name", "last=GARCIA LOPEZ", "last=GARCIA LOPEZ", 5),
          new Case("last_name", "last=JOHNSON", "last=JOHNSTON", 4),
          new Case("last_name", "last=GARCIA LOPEZ", "last=LOPEZ", 3),
          new Case("last_name", "last=SMITH JONES", "last=JONES", 3),
          new Case("last_name", "last=DE LA CRUZ", "last=DE SOTO", 0),
          // more tokens than are compared one by one: the general path (shared token of >= 3 chars)
          new Case("last_name", "last=DE LA CRUZ Y MENDEZ", "last=CRUZ", 3),
          new Case("last_name", "last=CRUZ", "last=DE LA CRUZ Y MENDEZ", 3),
          new Case("last_name", "last=LI DE LA O MA", "last=MA LI", 0),
          new Case("last_name", "last=LA PAZ DE LA O", "last=VON PAZ", 3),
          new Case("last_name", "last=SMITH", "last=SMYTHE", 2),
          new Case("last_name", "first=ANNA;last=LEE", "first=LEE;last=ANNA", 1),
          new Case("last_name", "last=SMITH", "last=NGUYEN", 0),
          new Case("last_name", "", "last=SMITH", -1),
          // middle_name: exact 2, initial 1
          new Case("middle_name", "middle=QUINN", "middle=QUINN", 2),
          new Case("middle_name", "middle=Q", "middle=QUINN", 1),
          new Case("middle_name", "middle=A", "middle=QUINN", 0),
          // dob: exact 5, day/month swapped 4, one digit or year +-1 3, year+month 2, year 1
          new Case("dob", "dob=1980-05-07", "dob=1980-05-07", 5),
          new Case("dob", "dob=1980-05-07", "dob=1980-07-05", 4),
          new Case("dob", "dob=1980-05-07", "dob=1980-05-08", 3),
          new Case("dob", "dob=1980-05-07", "dob=1981-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=1979-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=1930-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=1980-05-21", 2),
          new Case("dob", "dob=1980-05-07", "dob=1980-03-07", 3),
          new Case("dob", "dob=1980-05-17", "dob=1980-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=2980-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=1986-05-07", 3),
          new Case("dob", "dob=1980-05-07", "dob=1980-11-07", 1),
          new Case("dob", "dob=1980-05-07", "dob=1890-05-07", 0),
          new Case("dob", "dob=1980-05-07", "dob=1980-06-08", 1),
          new Case("dob", "dob=1980-05-07", "dob_year=1980", 1),
          new Case("dob", "dob=1980-05-07", "dob=1982-05-27", 0),
          new Case("dob", "dob=1980-05-07", "", -1),
          // ssn: exact unshared 4, one digit 3, adjacent transposition 2, exact shared 1
          new Case("ssn", "ssn=123456788", "ssn=123456788", 4),
          new Case("ssn", "ssn=123456788", "ssn=123456788;ssn_flag=SSN_SHARED", 1),
          new Case("ssn", "ssn=123456788", "ssn=123456780", 3),
          new Case("ssn", "ssn=123456788", "ssn=124356788", 2),
          new Case("ssn", "ssn=123456788", "ssn=123456887", 0),
          new Case("ssn", "ssn=123456788", "ssn=987654312", 0),
          new Case("ssn", "", "ssn=123456788", -1),
          // sex
          new Case("sex", "sex=F", "sex=F", 1),
          new Case("sex", "sex=F", "sex=M", 0),
          new Case("sex", "sex=F", "", -1),
          // address (household location, one comparison): exact 6, same phone 5, JW>=0.9 4,
          // same number and zip 3, same zip 2, same city 1
          new Case("address", "addr=123 MAIN ST APT 4", "addr=123 MAIN ST APT 4", 6),
          new Case("address", "addr=123 MAIN ST APT 4;phone=2175550101", "addr=9 ELM ST;phone=2175550101", 5),
          new Case("address", "addr=123 MAIN ST APT 4", "addr=123 MAIN ST", 4),
          new Case("address", "addr=12 OAK AVE;zip5=62704", "addr=12 ELM ST;zip5=62704", 3),
          new Case("address", "addr=12 OAK AVE;zip5=62704", "addr=40 ELM ST;zip5=62704", 2),
          new Case("address", "addr=12 OAK AVE;zip5=62704;city=SPRINGFIELD", "addr=40 ELM ST;zip5=62701;city=SPRINGFIELD", 1),
          new Case("address", "addr=12 OAK AVE;zip5=62704;phone=2175550101", "addr=12 ELM ST;zip5=62701;phone=2175550102", 0),
          new Case("address", "phone=2175550101", "addr=12 ELM ST;phone=2175550101", -1),
          // twins guard (gamma 1 = true): same DOB and surname, different given names
          new Case("twin_guard", "first=JAMES;last=LEE;dob=2010-03-04", "first=JOHN;last=LEE;dob=2010-03-04", 1),
          new Case("twin_guard", "first=JAMES;last=LEE;dob=2010-03-04;ssn=123456788", "first=JOHN;last=LEE;dob=2010-03-04;ssn=123456788", 0),
          new Case("twin_guard", "first=JAMES;last=LEE;dob=2010-03-04;ssn=123456788", "first=JOHN;last=LEE;dob=2010-03-04;ssn=123456788;ssn_flag=SSN_SHARED", 1),
          new Case("twin_guard", "first=ROBERT;last=LEE;dob=2010-03-04", "first=BOB;last=LEE;dob=2010-03-04", 0),
          new Case("twin_guard", "first=JONATHAN;last=LEE;dob=2010-03-04", "first=JONATHEN;last=LEE;dob=2010-03-04", 0),
          new Case("twin_guard", "first=DANIEL;last=LEE;dob=2010-03-04;sex=M", "first=DANIELLE;last=LEE;dob=2010-03-04;sex=F", 1),
          new Case("twin_guard", "first=JAMES;middle=JOHN;last=LEE;dob=2010-03-04", "first=JOHN;last=LEE;dob=2010-03-04", 0),
          new Case("twin_guard", "first=JAMES;last=LEE;dob=2010-03-04", "first=JOHN;last=LEE;dob=2011-03-04", 0),
          new Case("twin_guard", "first=JAMES;last=LEE;dob=2010-03-04", "last=LEE;dob=2010-03-04", 0));

  static Map<Integer, Integer> results;

  static synchronized Map<Integer, Integer> results(SparkSession spark) {
    if (results != null) {
      return results;
    }
    StructType schema = new StructType().add("case_id", DataTypes.IntegerType);
    for (String suffix : List.of("_l", "_r")) {
      for (Map.Entry<String, DataType> e : COLS.entrySet()) {
        schema = schema.add(e.getKey() + suffix, e.getValue());
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) {
      Map<String, Object> l = side(CASES.get(i).left());
      Map<String, Object> r = side(CASES.get(i).right());
      List<Object> vals = new ArrayList<>();
      vals.add(i);
      for (Map<String, Object> s : List.of(l, r)) {
        for (String c : COLS.keySet()) {
          Object v = s.get(c);
          vals.add(v instanceof List<?> list ? scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq() : v);
        }
      }
      rows.add(RowFactory.create(vals.toArray()));
    }
    Dataset<Row> pairs = spark.createDataFrame(rows, schema);
    ComparisonConfig cfg = ComparisonConfig.defaults();
    Dataset<Row> out = ComparisonVectors.compute(pairs, cfg);
    Map<Integer, Integer> res = new HashMap<>();
    for (Row row : out.collectAsList()) {
      int id = row.getInt(row.fieldIndex("case_id"));
      String comp = CASES.get(id).comparison();
      int g =
          comp.equals("twin_guard")
              ? (row.getBoolean(row.fieldIndex("twin_guard")) ? 1 : 0)
              : row.getInt(row.fieldIndex("gamma_" + comp));
      res.put(id, g);
    }
    results = res;
    return res;
  }

  static Stream<Arguments> cases() {
    List<Arguments> a = new ArrayList<>();
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      a.add(Arguments.of(i, c.comparison(), c.left(), c.right(), c.gamma()));
    }
    return a.stream();
  }

  @ParameterizedTest(name = "{1}: [{2}] vs [{3}] -> {4}")
  @MethodSource("cases")
  void level(int id, String comparison, String left, String right, int expected, SparkSession spark) {
    assertEquals(
        expected,
        (int) results(spark).get(id),
        comparison + " of [" + left + "] vs [" + right + "]");
  }
}
