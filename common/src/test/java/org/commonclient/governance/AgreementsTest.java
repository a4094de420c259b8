package org.commonclient.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.commonclient.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** Parsing of agreements and the refusals of {@link Agreements#require}, without Spark. */
class AgreementsTest {
  static final LocalDate TODAY = LocalDate.parse("2026-11-22");

  static Config conf(String agreements, String selected) {
    return ConfigFactory.parseString("commonclient.agreement = \"" + selected + "\"\n"
        + "commonclient.agreements { " + agreements + " }");
  }

  static final String DHS = """
      dhs {
        parties {
          dhs { sources = [tanf, snap], receives = [birth_year, sex] }
          housing { sources = [housing], receives = [age] }
        }
        purposes = [linkage, metrics]
        metrics = [program_counts]
        start = "2026-01-01"
        end = "2027-12-31"
      }
      """;
  static final String OLD = """
      old {
        parties { dhs { sources = [tanf, snap, wic] } }
        purposes = [linkage, metrics, research]
        metrics = ["*"]
        start = "2019-01-01"
        end = "2020-12-31"
      }
      """;

  @Test
  void parsesPartiesSourcesPurposesAndDates() {
    Agreements all = Agreements.from(conf(DHS, ""));
    Agreement a = all.get("dhs").orElseThrow();
    assertEquals(Set.of("tanf", "snap", "housing"), a.sources());
    assertEquals(List.of("birth_year", "sex"), a.party("dhs").receives());
    assertEquals(LocalDate.parse("2027-12-31"), a.end());
    assertTrue(a.activeOn(TODAY));
    assertNull(all.selected(), "an empty selection means 'the unique covering one'");
  }

  @Test
  void picksTheUniqueActiveAgreementCoveringTheSources() {
    Agreements all = Agreements.from(conf(DHS + OLD, ""));
    assertEquals("dhs", all.require(Set.of("tanf", "housing"), Agreements.LINKAGE, TODAY).id());
  }

  @Test
  void refusesWithoutAnyAgreement() {
    Agreements none = Agreements.from(conf("", ""));
    var e = assertThrows(AgreementRefusedException.class, () -> none.require(Set.of("tanf"), Agreements.LINKAGE, TODAY));
    assertTrue(e.getMessage().contains("no data-use agreement is configured"), e.getMessage());
  }

  @Test
  void refusesAnExpiredAgreementNamingItsEndDate() {
    Agreements all = Agreements.from(conf(OLD, "old"));
    var e = assertThrows(AgreementRefusedException.class, () -> all.require(Set.of("tanf"), Agreements.LINKAGE, TODAY));
    assertTrue(e.getMessage().contains("'old' expired on 2020-12-31"), e.getMessage());
    var e2 = assertThrows(AgreementRefusedException.class,
        () -> Agreements.from(conf(OLD, "")).require(Set.of("tanf"), Agreements.LINKAGE, TODAY));
    assertTrue(e2.getMessage().contains("expired on 2020-12-31"), e2.getMessage());
  }

  @Test
  void refusesASourceTheAgreementDoesNotCover() {
    Agreements all = Agreements.from(conf(DHS, "dhs"));
    var e = assertThrows(AgreementRefusedException.class,
        () -> all.require(Set.of("tanf", "wic", "medicaid"), Agreements.LINKAGE, TODAY));
    assertTrue(e.getMessage().contains("does not cover source(s) [medicaid, wic]"), e.getMessage());
  }

  @Test
  void refusesAPurposeOrMetricNotPermitted() {
    Agreements all = Agreements.from(conf(DHS, ""));
    var e = assertThrows(AgreementRefusedException.class, () -> all.require(Set.of("tanf"), Agreements.RESEARCH, TODAY));
    assertTrue(e.getMessage().contains("does not permit purpose 'research'"), e.getMessage());
    Agreement a = all.get("dhs").orElseThrow();
    a.requireMetrics(List.of("program_counts"));
    var m = assertThrows(AgreementRefusedException.class, () -> a.requireMetrics(List.of("program_counts", "program_churn")));
    assertTrue(m.getMessage().contains("does not permit metric(s) [program_churn]"), m.getMessage());
  }

  @Test
  void refusesAnUnknownIdAndAmbiguousCoverage() {
    Agreements all = Agreements.from(conf(DHS + OLD.replace("old {", "other {").replace("2020-12-31", "2030-01-01"), ""));
    var e = assertThrows(AgreementRefusedException.class, () -> all.require(Set.of("tanf"), Agreements.LINKAGE, TODAY));
    assertTrue(e.getMessage().contains("several data-use agreements cover it [dhs, other]"), e.getMessage());
    var u = assertThrows(AgreementRefusedException.class,
        () -> all.require("nope", Set.of("tanf"), Agreements.LINKAGE, TODAY));
    assertTrue(u.getMessage().contains("no data-use agreement 'nope'"), u.getMessage());
  }

  @Test
  void rejectsIdentifiersAmongTheFieldsAPartyReceives() {
    String bad = DHS.replace("receives = [birth_year, sex]", "receives = [birth_year, last_name, shoe_size]");
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> Agreements.from(conf(bad, "")));
    assertTrue(e.getMessage().contains("lists 'last_name'"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field 'shoe_size'"), e.getMessage());
  }

  @Test
  void rejectsUnknownKeysBadDatesAndPurposes() {
    String bad = DHS.replace("purposes = [linkage, metrics]", "purposes = [linkage, marketing]\n colour = red")
        .replace("2027-12-31", "31/12/2027");
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> Agreements.from(conf(bad, "")));
    assertTrue(e.getMessage().contains("unknown purpose 'marketing'"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'commonclient.agreements.dhs.colour'"), e.getMessage());
    assertTrue(e.getMessage().contains("31/12/2027"), e.getMessage());
  }

  @Test
  void theBundledAgreementsLoadThroughTheConfigLoader() {
    java.nio.file.Path root = java.nio.file.Path.of("").toAbsolutePath();
    while (!java.nio.file.Files.exists(root.resolve("conf"))) {
      root = root.getParent();
    }
    Agreements sample = Agreements.from(ConfigLoader.load(root.resolve("conf/sample.conf")));
    assertEquals("sample", sample.require(Set.of("tanf", "school_cohort"), Agreements.METRICS, TODAY).id());
    Agreements febrl = Agreements.from(ConfigLoader.load(root.resolve("conf/examples/febrl4.conf")));
    assertEquals("febrl", febrl.require(Set.of("febrl4a", "febrl4b"), Agreements.LINKAGE, TODAY).id());
  }
}
