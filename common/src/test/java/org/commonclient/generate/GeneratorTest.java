package org.commonclient.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.commonclient.config.ConfigLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the generator once on 3,000 people and checks the files against the truth and the confs. */
class GeneratorTest {
  static final long PEOPLE = 3000;
  static final List<String> PERSON_SOURCES =
      List.of("tanf", "snap", "wic", "medicaid", "housing", "headstart", "school_students");
  static final Map<String, List<String>> FACT_COLUMNS = new LinkedHashMap<>();

  static {
    FACT_COLUMNS.put("edu_enrollment", List.of("record_id", "district_id", "school_id",
        "school_year", "grade", "entry_date", "exit_date", "exit_code"));
    FACT_COLUMNS.put("edu_attendance", List.of("record_id", "district_id", "school_id",
        "school_year", "days_enrolled", "days_absent", "oss_days", "iss_days", "oss_events",
        "iss_events", "expulsions"));
    FACT_COLUMNS.put("edu_assessment", List.of("record_id", "school_id", "school_year", "grade",
        "subject", "performance_level", "proficient", "alternate"));
    FACT_COLUMNS.put("edu_cohort", List.of("record_id", "district_id", "cohort_year", "outcome",
        "outcome_date"));
    FACT_COLUMNS.put("housing_residence", List.of("development_id", "program_type", "move_in",
        "move_out"));
    FACT_COLUMNS.put("headstart_service", List.of("center_id", "program_year", "accepted_date",
        "first_service_date"));
  }

  @TempDir static Path tmp;
  static GenerateResult result;
  static Path out;
  static Config sources;
  static Map<String, List<Map<String, String>>> rows = new HashMap<>();
  static Map<String, Map<String, String>> truth = new HashMap<>(); // source -> record_id -> person
  static Map<String, Map<String, String>> persons = new HashMap<>(); // person_id -> truth row

  @BeforeAll
  static void generate() throws IOException {
    out = tmp.resolve("a");
    result = Generator.run(GenerateConfig.defaults().withPeople(PEOPLE).withOut(out.toString()));
    sources = loadSources(out.resolve("extracts"));
    for (String s : sources.getConfig("commonclient.sources").root().keySet()) {
      rows.put(s, Csv.read(Path.of(sources.getString("commonclient.sources." + s + ".path"))));
    }
    for (Map<String, String> t : Csv.read(out.resolve("truth/truth.csv"))) {
      String prev = truth.computeIfAbsent(t.get("source"), x -> new HashMap<>())
          .put(t.get("record_id"), t.get("person_id"));
      assertEquals(null, prev, "truth row twice: " + t);
    }
    for (Map<String, String> p : Csv.read(out.resolve("truth/persons.csv"))) {
      persons.put(p.get("person_id"), p);
    }
  }

  static Config loadSources(Path extracts) throws IOException {
    Path dir = repoRoot().resolve("conf/sources");
    Config c = ConfigFactory.empty();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        c = c.withFallback(ConfigFactory.parseFile(f.toFile()));
      }
    }
    return c.withFallback(ConfigFactory.empty()
            .withValue("commonclient.data.extracts", ConfigValueFactory.fromAnyRef(extracts.toString())))
        .resolve();
  }

  static Path repoRoot() {
    String p = System.getProperty("commonclient.repo.root");
    Path root = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    return Files.isDirectory(root.resolve("conf/sources")) ? root : root.getParent();
  }

  static Config src(String name) {
    return sources.getConfig("commonclient.sources." + name);
  }

  static String recordIdColumn(String name) {
    return src(name).getString("mapping.record_id");
  }

  @Test
  void sizeAndSummary() {
    assertEquals(PEOPLE, result.people(), "people");
    assertEquals(PEOPLE, persons.size(), "persons.csv rows");
    assertTrue(result.households() > PEOPLE / 5 && result.households() < PEOPLE / 2,
        "households " + result.households());
    for (String s : Sinks.FILES.keySet()) {
      assertTrue(result.recordsPerSource().get(s) > 0, "no records in " + s);
      assertEquals(rows.get(s).size(), result.recordsPerSource().get(s).intValue(), "rows of " + s);
    }
    assertTrue(result.summary().contains("SNAP") || result.summary().contains("snap"), result.summary());
  }

  @Test
  void sameSeedAndSizeGiveIdenticalFilesAndAnotherSeedDoesNot() throws IOException {
    Path b = tmp.resolve("b");
    GenerateResult again = Generator.run(GenerateConfig.defaults().withPeople(PEOPLE).withOut(b.toString()));
    assertEquals(result.recordsPerSource(), again.recordsPerSource(), "record counts");
    assertEquals(result.errors(), again.errors(), "error counts");
    for (String f : result.bytesPerFile().keySet()) {
      assertArrayEquals(Files.readAllBytes(out.resolve(f)), Files.readAllBytes(b.resolve(f)),
          "file differs between two runs with the same seed: " + f);
    }
    Path c = tmp.resolve("c");
    Generator.run(GenerateConfig.defaults().withPeople(PEOPLE).withSeed(7).withOut(c.toString()));
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(out.resolve("extracts/snap_participants.csv")),
        Files.readAllBytes(c.resolve("extracts/snap_participants.csv"))), "seed has no effect");
  }

  @Test
  void everyErrorKindAppearsAtItsConfiguredRate() {
    GenerateConfig cfg = GenerateConfig.defaults();
    for (ErrorKind k : ErrorKind.values()) {
      long n = result.opportunities().get(k);
      long e = result.errors().get(k);
      double p = cfg.rate(k);
      assertTrue(e > 0, k + " never injected (" + n + " opportunities)");
      double tol = 4.5 * Math.sqrt(p * (1 - p) / n) + 0.001;
      assertTrue(Math.abs(e / (double) n - p) <= tol,
          k + ": observed " + e + "/" + n + " = " + e / (double) n + ", configured " + p);
    }
  }

  @Test
  void injectedSsnPlaceholdersKnownBadAndBabyNamesAreInTheFiles() {
    Map<String, String> ssnCol = Map.of("tanf", "SSN", "snap", "SSN_NUM", "wic", "SSN",
        "medicaid", "SSN", "housing", "SSN", "school_students", "SSN");
    Set<String> placeholders = Set.of(Noise.PLACEHOLDERS);
    Set<String> knownBad = new HashSet<>(List.of(Noise.KNOWN_BAD));
    long ph = 0;
    long bad = 0;
    long invalidArea = 0;
    for (var e : ssnCol.entrySet()) {
      for (Map<String, String> r : rows.get(e.getKey())) {
        String s = r.get(e.getValue()).replace("-", "");
        if (placeholders.contains(s)) {
          ph++;
        }
        if (knownBad.contains(s)) {
          bad++;
        }
        if (s.length() == 9 && (s.startsWith("000") || s.startsWith("666") || s.startsWith("9"))
            && !placeholders.contains(s)) {
          invalidArea++;
        }
      }
    }
    assertEquals(result.errors().get(ErrorKind.SSN_PLACEHOLDER), ph, "placeholder SSNs in files");
    assertEquals(result.errors().get(ErrorKind.SSN_KNOWN_BAD), bad, "known-bad SSNs in files");
    long inv = result.errors().get(ErrorKind.SSN_INVALID);
    assertTrue(invalidArea >= inv && invalidArea <= inv + result.errors().get(ErrorKind.SSN_TYPO),
        "invalid-area SSNs in files " + invalidArea + " vs injected " + inv);
    long babies = rows.get("medicaid").stream()
        .filter(r -> r.get("FIRST_NAME").toUpperCase().startsWith("BABY ")).count();
    assertEquals(result.errors().get(ErrorKind.BABY_NAME), babies, "BABY GIRL/BOY names in Medicaid");
  }

  @Test
  void recordsDisagreeWithTheTruthAboutAsOftenAsInjected() {
    // Medicaid (separate name columns, yyyyMMdd) against the true attributes
    long n = 0;
    long dobWrong = 0;
    long swapped = 0;
    long ssnWrong = 0;
    long ssnPresent = 0;
    for (Map<String, String> r : rows.get("medicaid")) {
      Map<String, String> p = persons.get(truth.get("medicaid").get(r.get("SPAN_ID")));
      n++;
      if (!r.get("BIRTH_DT").equals(p.get("dob").replace("-", ""))) {
        dobWrong++;
      }
      if (r.get("FIRST_NAME").equals(p.get("last_name")) && r.get("LAST_NAME").equals(p.get("first_name"))) {
        swapped++;
      }
      if (!r.get("SSN").isEmpty()) {
        ssnPresent++;
        if (!r.get("SSN").equals(p.get("ssn"))) {
          ssnWrong++;
        }
      }
    }
    GenerateConfig c = GenerateConfig.defaults();
    double dobExpected = c.rate(ErrorKind.DOB_DEFAULT) + c.rate(ErrorKind.DOB_TYPO)
        + 0.35 * c.rate(ErrorKind.DOB_DAY_MONTH_SWAP);
    assertTrue(dobWrong > 0.4 * dobExpected * n && dobWrong < 1.8 * dobExpected * n,
        "wrong DOBs " + dobWrong + " of " + n + ", expected about " + dobExpected * n);
    assertTrue(swapped > 0 && swapped < 3 * c.rate(ErrorKind.NAME_SWAP) * n, "swapped names " + swapped);
    double ssnExpected = c.rate(ErrorKind.SSN_INVALID) + c.rate(ErrorKind.SSN_PLACEHOLDER)
        + c.rate(ErrorKind.SSN_KNOWN_BAD) + c.rate(ErrorKind.SSN_TYPO);
    assertTrue(ssnWrong > 0.3 * ssnExpected * ssnPresent && ssnWrong < 2 * ssnExpected * ssnPresent,
        "wrong SSNs " + ssnWrong + " of " + ssnPresent);
    // twins: same DOB and surname, different first names, in the same household
    long twins = persons.values().stream().filter(p -> p.get("twin").equals("true")).count();
    assertEquals(2 * result.errors().get(ErrorKind.TWINS), twins, "twin persons in truth");
  }

  @Test
  void truthHasEveryPersonRecordOnceAndNothingElse() {
    assertEquals(new HashSet<>(PERSON_SOURCES), truth.keySet(), "sources in truth");
    for (String s : PERSON_SOURCES) {
      assertEquals("person", src(s).getString("kind"), s);
      String col = recordIdColumn(s);
      Set<String> ids = new HashSet<>();
      for (Map<String, String> r : rows.get(s)) {
        assertTrue(ids.add(r.get(col)), "record id twice in " + s + ": " + r.get(col));
      }
      assertEquals(ids, truth.get(s).keySet(), "truth ids of " + s);
      for (String pid : truth.get(s).values()) {
        assertNotNull(persons.get(pid), "truth person missing from persons.csv: " + pid);
      }
    }
  }

  @Test
  void factsReferToExistingRecords() {
    for (String s : sources.getConfig("commonclient.sources").root().keySet()) {
      if (!src(s).getString("kind").equals("facts")) {
        continue;
      }
      String target = src(s).getString("recordSource");
      Set<String> ids = truth.get(target).keySet();
      String col = recordIdColumn(s);
      for (Map<String, String> r : rows.get(s)) {
        assertTrue(ids.contains(r.get(col)), s + " refers to unknown " + target + " id " + r.get(col));
      }
    }
  }

  @Test
  void confsDescribeTheFilesAndMapEveryCanonicalFactColumn() throws IOException {
    assertEquals(new HashSet<>(Sinks.FILES.keySet()),
        sources.getConfig("commonclient.sources").root().keySet(), "one conf per extract");
    for (String s : Sinks.FILES.keySet()) {
      Config c = src(s);
      Path file = Path.of(c.getString("path"));
      assertEquals(Sinks.FILES.get(s), file.getFileName().toString(), "file of " + s);
      List<String> header = Csv.header(file);
      List<String> declared = new ArrayList<>();
      Map<String, Config> byName = new HashMap<>();
      for (Config col : c.getConfigList("columns")) {
        declared.add(col.getString("name"));
        byName.put(col.getString("name"), col);
      }
      assertEquals(header, declared, "columns of " + s);
      List<Config> mappings = new ArrayList<>();
      mappings.add(c.getConfig("mapping"));
      if (c.getString("kind").equals("facts")) {
        assertEquals(new HashSet<>(FACT_COLUMNS.get(c.getString("table"))),
            c.getConfig("mapping").root().keySet(), "canonical columns of " + s);
      }
      if (c.hasPath("facts")) {
        for (Config f : c.getConfigList("facts")) {
          assertEquals(new HashSet<>(FACT_COLUMNS.get(f.getString("table"))),
              f.getConfig("mapping").root().keySet(), "canonical columns of " + s + " facts");
          mappings.add(f.getConfig("mapping"));
        }
      }
      for (Config m : mappings) {
        for (var e : m.root().entrySet()) {
          Object v = e.getValue().unwrapped();
          for (Object col : v instanceof List<?> l ? l : List.of(v)) {
            assertTrue(header.contains(col.toString()), s + ": mapped column " + col + " not in file");
          }
        }
      }
      // every non-empty value parses with its declared type
      for (Map<String, String> r : rows.get(s)) {
        for (var e : r.entrySet()) {
          String v = e.getValue();
          if (v.isEmpty()) {
            continue;
          }
          Config col = byName.get(e.getKey());
          switch (col.getString("type")) {
            case "int" -> Integer.parseInt(v);
            case "long" -> Long.parseLong(v);
            case "double" -> Double.parseDouble(v);
            case "boolean" -> assertTrue(v.equals("true") || v.equals("false"), s + " boolean " + v);
            case "date" -> LocalDate.parse(v, DateTimeFormatter.ofPattern(col.getString("format")
                .replace("yyyy", "uuuu")).withResolverStyle(ResolverStyle.STRICT));
            default -> { }
          }
        }
      }
    }
  }

  @Test
  void programsOverlapLikeLowIncomeFamilies() {
    Map<String, Set<String>> people = new HashMap<>();
    truth.forEach((s, m) -> people.put(s, new HashSet<>(m.values())));
    LocalDate ref = LocalDate.of(2021, 1, 1);
    Set<String> snapKids = new HashSet<>();
    for (String pid : people.get("snap")) {
      if (LocalDate.parse(persons.get(pid).get("dob")).isAfter(ref.minusYears(18))) {
        snapKids.add(pid);
      }
    }
    double kidsInMedicaid = share(snapKids, people.get("medicaid"));
    assertTrue(kidsInMedicaid > 0.75, "SNAP children also in Medicaid: " + kidsInMedicaid);
    double tanfInSnap = share(people.get("tanf"), people.get("snap"));
    assertTrue(tanfInSnap > 0.75, "TANF persons also in SNAP: " + tanfInSnap);
    double wicInMedicaid = share(people.get("wic"), people.get("medicaid"));
    assertTrue(wicInMedicaid > 0.6, "WIC persons also in Medicaid: " + wicInMedicaid);
    double housingInSnap = share(people.get("housing"), people.get("snap"));
    assertTrue(housingInSnap > 0.6, "housing residents also in SNAP: " + housingInSnap);
    double snapOfPeople = people.get("snap").size() / (double) PEOPLE;
    assertTrue(snapOfPeople > 0.5 && snapOfPeople < 0.9, "SNAP share " + snapOfPeople);
  }

  @Test
  void spansSchoolCareersAndHousingLookReal() {
    assertTrue(rows.get("snap").stream().anyMatch(r -> r.get("CERT_END_DATE").isEmpty()), "open SNAP spans");
    assertTrue(rows.get("medicaid").stream().anyMatch(r -> !r.get("ELIG_END_DT").isEmpty()),
        "closed Medicaid spans");
    // churn: same SNAP client re-enters within 120 days
    Map<String, List<LocalDate[]>> byClient = new HashMap<>();
    for (Map<String, String> r : rows.get("snap")) {
      LocalDate s = LocalDate.parse(r.get("CERT_START_DATE"));
      LocalDate e = r.get("CERT_END_DATE").isEmpty() ? null : LocalDate.parse(r.get("CERT_END_DATE"));
      byClient.computeIfAbsent(r.get("CLIENT_NO"), x -> new ArrayList<>()).add(new LocalDate[] {s, e});
    }
    long churners = byClient.values().stream().filter(l -> {
      for (int i = 1; i < l.size(); i++) {
        LocalDate prevEnd = l.get(i - 1)[1];
        if (prevEnd != null && !l.get(i)[0].isAfter(prevEnd.plusDays(120))) {
          return true;
        }
      }
      return false;
    }).count();
    assertTrue(churners > 10, "SNAP churners " + churners);
    // spans reach into the window
    for (Map<String, String> r : rows.get("snap")) {
      String e = r.get("CERT_END_DATE");
      assertTrue(e.isEmpty() || !LocalDate.parse(e).isBefore(LocalDate.of(2021, 1, 1)), "span before window " + r);
    }
    // two schools in one year
    Map<String, Integer> perStudentYear = new HashMap<>();
    for (Map<String, String> r : rows.get("school_enrollment")) {
      perStudentYear.merge(r.get("STUDENT_ID") + "/" + r.get("SCHOOL_YEAR"), 1, Integer::sum);
    }
    assertTrue(perStudentYear.values().stream().anyMatch(v -> v >= 2), "student in two schools in a year");
    Set<String> outcomes = new HashSet<>();
    rows.get("school_cohort").forEach(r -> outcomes.add(r.get("OUTCOME")));
    assertTrue(outcomes.containsAll(Set.of("DIPLOMA", "DROPOUT", "STILL_ENROLLED")), "outcomes " + outcomes);
    assertTrue(rows.get("headstart").stream().anyMatch(r -> r.get("FIRST_SERVICE_DATE").isEmpty()),
        "accepted Head Start children who never attended");
    assertTrue(rows.get("housing").stream().anyMatch(r -> r.get("PROGRAM_TYPE").equals("PH") && !r.get("DEV_CODE").isEmpty()),
        "public housing with development ids");
    assertTrue(rows.get("housing").stream().anyMatch(r -> r.get("PROGRAM_TYPE").equals("HCV") && r.get("DEV_CODE").isEmpty()),
        "vouchers without development");
    // chronic absence, more often among children in assisted housing
    Set<String> housingPeople = new HashSet<>(truth.get("housing").values());
    int[] chronic = new int[2];
    int[] total = new int[2];
    for (Map<String, String> r : rows.get("school_attendance")) {
      int g = housingPeople.contains(truth.get("school_students").get(r.get("STUDENT_ID"))) ? 1 : 0;
      total[g]++;
      if (Double.parseDouble(r.get("DAYS_ABSENT")) >= 0.1 * Integer.parseInt(r.get("DAYS_ENROLLED"))) {
        chronic[g]++;
      }
    }
    double other = chronic[0] / (double) total[0];
    double housed = chronic[1] / (double) total[1];
    assertTrue(other > 0.1 && other < 0.5, "chronic absence rate " + other);
    assertTrue(housed > other, "housing children chronic " + housed + " vs others " + other);
  }

  @Test
  void configComesFromReferenceAndRejectsMissingKeys() {
    Config root = ConfigLoader.load(null);
    GenerateConfig c = GenerateConfig.from(root);
    assertEquals(42, c.seed());
    assertEquals(5000, c.people());
    assertEquals("work/sample/extracts", root.getString("commonclient.data.extracts"));
    assertEquals(GenerateConfig.defaults(), c, "defaults() equals the reference");
    Config broken = root.withoutPath("commonclient.generate.errors.twins");
    ConfigException e = assertThrows(ConfigException.class, () -> GenerateConfig.from(broken));
    assertTrue(e.getMessage().contains("twins"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> c.withPeople(0));
  }

  static double share(Set<String> a, Set<String> b) {
    long n = a.stream().filter(b::contains).count();
    return a.isEmpty() ? 0 : n / (double) a.size();
  }
}
