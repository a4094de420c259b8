package org.commonclient.standardise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Plain-Java tests of every normaliser and flag rule (no Spark). */
class NormaliserTest {
  static final StandardiseConfig CFG = StandardiseConfig.defaults();
  static final Set<String> SUFFIXES = new HashSet<>(CFG.nameSuffixes());
  static final Set<String> NAME_PH = new HashSet<>(CFG.namePlaceholders());
  static final Set<String> SSN_PH = new HashSet<>(CFG.ssnPlaceholders());
  static final Set<String> SSN_BAD = new HashSet<>(CFG.ssnBlacklist());

  @ParameterizedTest(name = "normalise({0}) = {1}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "José | JOSE",
        "o'brien | OBRIEN",
        "Smith-Jones | SMITH JONES",
        "  de la  Cruz  | DE LA CRUZ",
        "Zoë Æsir | ZOE AESIR",
        "Łukasz | LUKASZ",
        "Mary-Ann. | MARY ANN",
        "--- | NULL",
        "'' | NULL",
        "NULL | NULL",
      })
  void normalisesNames(String raw, String expected) {
    assertEquals(expected, Names.normalise(raw), "normalise " + raw);
  }

  @ParameterizedTest(name = "splitSuffix({0}) = {1} + {2}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "SMITH JR | SMITH | JR",
        "SMITH III | SMITH | III",
        "SMITH 2ND | SMITH | II",
        "V | V | NULL",
        "GARCIA LOPEZ | GARCIA LOPEZ | NULL",
        "JOHN SR | JOHN | SR",
      })
  void movesSuffixes(String name, String expectedName, String expectedSuffix) {
    Names.Split s = Names.splitSuffix(name, SUFFIXES);
    assertEquals(expectedName, s.name(), "name part of " + name);
    assertEquals(expectedSuffix, s.suffix(), "suffix of " + name);
  }

  @Test
  void normalisesSuffixField() {
    assertEquals("JR", Names.normaliseSuffix("Jr."));
    assertEquals("III", Names.normaliseSuffix("3rd"));
    assertEquals("SR", Names.normaliseSuffix("Senior"));
    assertNull(Names.normaliseSuffix(" "));
  }

  @Test
  void dropsNamePlaceholders() {
    assertNull(Names.dropPlaceholder("BABY GIRL", "BABY GIRL", "SMITH", NAME_PH), "BABY GIRL");
    assertEquals("SMITH", Names.dropPlaceholder("SMITH", "BABY GIRL", "SMITH", NAME_PH), "surname kept");
    assertNull(Names.dropPlaceholder("FNU", "FNU", "LEE", NAME_PH), "FNU");
    assertNull(Names.dropPlaceholder("JOHN", "JOHN", "DOE", NAME_PH), "JOHN of JOHN DOE");
    assertNull(Names.dropPlaceholder("DOE", "JOHN", "DOE", NAME_PH), "DOE of JOHN DOE");
    assertEquals("DOE", Names.dropPlaceholder("DOE", "MARY", "DOE", NAME_PH), "a real Doe");
    assertEquals("JOHN", Names.dropPlaceholder("JOHN", "JOHN", "SMITH", NAME_PH), "real name");
  }

  @Test
  void splitsHyphenatedSurnamesIntoTokens() {
    assertEquals(List.of("GARCIA", "LOPEZ"), Names.tokens(Names.normalise("García-López")));
    assertEquals(List.of("SMITH"), Names.tokens("SMITH"));
  }

  @Test
  void nicknamesResolveToOneCanonicalName() {
    Nicknames n = Nicknames.load("");
    assertEquals("ROBERT", n.canonical("BOB"), "BOB");
    assertEquals("ROBERT", n.canonical("BOBBY"), "BOBBY");
    assertEquals("ROBERT", n.canonical("ROBERT"), "ROBERT");
    assertEquals("ELIZABETH", n.canonical("BETTY"), "BETTY");
    assertEquals("ELIZABETH", n.canonical("LIZ"), "LIZ");
    assertEquals("ELIZABETH", n.canonical("ELIZABETH"), "ELIZABETH");
    assertEquals("RONALD", n.canonical("RON"), "RON");
    assertEquals("MARGARET", n.canonical("PEGGY"), "PEGGY");
    assertTrue(n.equivalent("BILL", "WILLIAM"), "BILL~WILLIAM");
    assertTrue(n.equivalent("KATE", "KATHY"), "KATE~KATHY share KATHERINE");
    assertTrue(n.equivalent("JACK", "JOHN"), "JACK~JOHN");
    assertTrue(n.equivalent("BOB", "ROBERT"), "BOB~ROBERT");
    assertFalse(n.equivalent("ROBERT", "WILLIAM"), "ROBERT vs WILLIAM");
    assertFalse(n.equivalent("JOHN", "JAMES"), "JOHN vs JAMES");
    assertFalse(n.equivalent("BOB", null), "null");
    assertEquals("ZYXWV", n.canonical("ZYXWV"), "unknown name is itself");
    assertNull(n.canonical(null));
  }

  @ParameterizedTest(name = "ssn {0} -> {1} / {2}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "123-45-6788 | 123456788 | NULL | NULL",
        "078-05-1120 | NULL | SSN_KNOWN_BAD | NULL",
        "219-09-9999 | NULL | SSN_KNOWN_BAD | NULL",
        "987-65-4325 | NULL | SSN_KNOWN_BAD | NULL",
        "111-11-1111 | NULL | SSN_PLACEHOLDER | NULL",
        "123456789 | NULL | SSN_PLACEHOLDER | NULL",
        "000-12-3456 | NULL | SSN_INVALID | NULL",
        "666-12-3456 | NULL | SSN_INVALID | NULL",
        "912-70-3456 | NULL | SSN_INVALID | 912703456",
        "123-00-3456 | NULL | SSN_INVALID | NULL",
        "123-45-0000 | NULL | SSN_INVALID | NULL",
        "12345 | NULL | SSN_INVALID | NULL",
        "1234567890 | NULL | SSN_INVALID | NULL",
        "1804974 | 001804974 | NULL | NULL",
        "12345678 | 012345678 | NULL | NULL",
        "'' | NULL | NULL | NULL",
      })
  void classifiesSsn(String raw, String ssn, String flag, String itin) {
    Ssn.Result r = Ssn.classify(raw, CFG.ssnZeroPadFrom(), SSN_PH, SSN_BAD);
    assertEquals(ssn, r.ssn(), "ssn of " + raw);
    assertEquals(flag, r.flag(), "flag of " + raw);
    assertEquals(itin, r.itin(), "itin of " + raw);
  }

  @ParameterizedTest(name = "dob {0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "19560409 | 1956-04-09",
        "1956-04-09 | 1956-04-09",
        "04/09/1956 | 1956-04-09",
        "4/9/1956 | 1956-04-09",
        "09-Apr-1956 | 1956-04-09",
        "19561304 | NULL",
        "19560230 | NULL",
        "00/00/0000 | NULL",
        "unknown | NULL",
      })
  void parsesDobs(String raw, String expected) {
    LocalDate d = Dobs.parse(raw, CFG.dobFormats());
    assertEquals(expected == null ? null : LocalDate.parse(expected), d, "parse " + raw);
  }

  @ParameterizedTest(name = "dob flag {0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "1980-05-17 | NULL | NULL",
        "1900-01-01 | NULL | DOB_DEFAULT",
        "1901-01-01 | NULL | DOB_DEFAULT",
        "9999-12-31 | NULL | DOB_DEFAULT",
        "2001-09-09 | NULL | DOB_DEFAULT",
        "1899-12-31 | NULL | DOB_IMPOSSIBLE",
        "2031-01-02 | NULL | DOB_IMPOSSIBLE",
        "2010-05-01 | 2009-01-01 | DOB_IMPOSSIBLE",
        "2010-05-01 | 2012-01-01 | NULL",
      })
  void flagsDobs(String dob, String firstService, String expected) {
    LocalDate today = LocalDate.of(2026, 6, 1);
    String f =
        Dobs.flag(
            LocalDate.parse(dob),
            dob,
            firstService == null ? null : LocalDate.parse(firstService),
            today,
            CFG.dobMin(),
            CFG.dobPlaceholders());
    assertEquals(expected, f, "flag of " + dob);
  }

  @Test
  void flagsUnparseableDob() {
    assertEquals(Dobs.UNPARSEABLE, Dobs.flag(null, "19561304", null, LocalDate.now(), CFG.dobMin(), CFG.dobPlaceholders()));
    assertNull(Dobs.flag(null, null, null, LocalDate.now(), CFG.dobMin(), CFG.dobPlaceholders()));
  }

  @Test
  void heapingNeedsRatioAndVolume() {
    // 1 Jan expected 1/365.25 = 0.27%; ratio 3 flags above 0.82%
    assertTrue(Dobs.heaped(20, 1000, Dobs.JAN1_EXPECTED, 3.0, 200), "2% of 1000 on 1 Jan");
    assertFalse(Dobs.heaped(5, 1000, Dobs.JAN1_EXPECTED, 3.0, 200), "0.5% is normal");
    assertFalse(Dobs.heaped(20, 100, Dobs.JAN1_EXPECTED, 3.0, 200), "too few records");
    // 1st of month expected 3.3%; flag above 9.9%
    assertTrue(Dobs.heaped(150, 1000, Dobs.FIRST_OF_MONTH_EXPECTED, 3.0, 200), "15% on the 1st");
    assertFalse(Dobs.heaped(40, 1000, Dobs.FIRST_OF_MONTH_EXPECTED, 3.0, 200), "4% on the 1st");
  }

  @ParameterizedTest(name = "sex {0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {"m,M", "Male,M", "1,M", "f,F", "FEMALE,F", "2,F", "U,NULL", "X,NULL", "NULL,NULL"})
  void codesSex(String raw, String expected) {
    assertEquals(expected, Codes.sex(raw, new HashSet<>(CFG.sexMale()), new HashSet<>(CFG.sexFemale())));
  }

  @ParameterizedTest(name = "phone {0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "(555) 867-5309 | 5558675309",
        "1-555-867-5309 | 5558675309",
        "867-5309 | NULL",
        "000-000-0000 | NULL",
        "(123) 456-7890 | NULL",
        "NULL | NULL",
      })
  void normalisesPhones(String raw, String expected) {
    assertEquals(expected, Codes.phone(raw, new HashSet<>(CFG.phonePlaceholders())), "phone " + raw);
  }

  @ParameterizedTest(name = "zip {0} -> {1}")
  @CsvSource(
      nullValues = "NULL",
      value = {"02119,02119", "2119,02119", "30301-1234,30301", "303011234,30301", "00000,NULL", "12,NULL"})
  void normalisesZips(String raw, String expected) {
    assertEquals(expected, Codes.zip5(raw, new HashSet<>(CFG.zipPlaceholders())), "zip " + raw);
  }

  @ParameterizedTest(name = "address {0}")
  @CsvSource(
      nullValues = "NULL",
      delimiter = '|',
      value = {
        "123 Main Street Apt 4B | 123 MAIN ST APT 4B | 123 | MAIN ST",
        "123 main st. #4b | 123 MAIN ST APT 4B | 123 | MAIN ST",
        "45a North Oak Avenue, Unit 2 | 45A N OAK AVE APT 2 | 45A | N OAK AVE",
        "7 wallaby place delmar | 7 WALLABY PL DELMAR | 7 | WALLABY PL DELMAR",
        "Rue de l'Église 9 | RUE DE LEGLISE 9 | NULL | RUE DE LEGLISE 9",
        "PO Box 12 | PO BOX 12 | NULL | PO BOX 12",
      })
  void normalisesAddresses(String raw, String address, String number, String street) {
    String a = Addresses.normalise(raw, CFG.addressAbbreviations());
    assertEquals(address, a, "address " + raw);
    Addresses.Parts p = Addresses.parts(a, CFG.addressUnitMarkers());
    assertEquals(number, p.number(), "number of " + raw);
    assertEquals(street, p.street(), "street of " + raw);
  }

  @Test
  void doubleMetaphone() {
    assertEquals(Phonetics.doubleMetaphone("SMITH"), Phonetics.doubleMetaphone("SMYTH"));
    assertEquals(Phonetics.doubleMetaphone("CATHERINE"), Phonetics.doubleMetaphone("KATHRYN"));
    assertNull(Phonetics.doubleMetaphone((String) null));
  }
}
