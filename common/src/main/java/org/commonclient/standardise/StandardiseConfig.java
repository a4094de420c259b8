package org.commonclient.standardise;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of identifier standardisation, read from {@code commonclient.linkage.standardise}
 * (defaults in {@code defaults/standardise.conf}).
 *
 * @param namePlaceholders normalised names that mean "no name" (become null)
 * @param nameSuffixes generational suffixes moved to {@code name_suffix}
 * @param nicknameTable "" for the bundled classpath table, else a file path
 * @param dobFormats Spark/java.time date patterns tried in order on {@code dob_raw}
 * @param dobMin earliest plausible date of birth
 * @param dobPlaceholders {@code yyyy-MM-dd} patterns with {@code *} wildcards flagged DOB_DEFAULT
 * @param dobHeapingRatio heaping factor over the expected share that flags 1 Jan / 1st of month
 * @param dobHeapingMinRecords minimum parsed DOBs in a source before heaping is tested
 * @param ssnBlacklist SSNs flagged SSN_KNOWN_BAD (9 digits)
 * @param ssnPlaceholders SSNs flagged SSN_PLACEHOLDER (9 digits)
 * @param ssnMaxDistinctPersons a valid SSN on more distinct persons is flagged SSN_SHARED
 * @param ssnZeroPadFrom digit count from which shorter values are left-padded to 9 (0 = never)
 * @param sexMale codes meaning male (uppercased)
 * @param sexFemale codes meaning female (uppercased)
 * @param addressAbbreviations address token replacements (STREET → ST, # → APT ...)
 * @param addressUnitMarkers tokens that start the unit part of an address line
 * @param phonePlaceholders 10-digit phone numbers that mean "no phone"
 * @param zipPlaceholders ZIP5 values that mean "no ZIP"
 */
public record StandardiseConfig(
    List<String> namePlaceholders,
    List<String> nameSuffixes,
    String nicknameTable,
    List<String> dobFormats,
    LocalDate dobMin,
    List<String> dobPlaceholders,
    double dobHeapingRatio,
    int dobHeapingMinRecords,
    List<String> ssnBlacklist,
    List<String> ssnPlaceholders,
    int ssnMaxDistinctPersons,
    int ssnZeroPadFrom,
    List<String> sexMale,
    List<String> sexFemale,
    Map<String, String> addressAbbreviations,
    List<String> addressUnitMarkers,
    List<String> phonePlaceholders,
    List<String> zipPlaceholders) {

  public static final String PATH = "commonclient.linkage.standardise";

  public StandardiseConfig {
    namePlaceholders = List.copyOf(namePlaceholders);
    nameSuffixes = List.copyOf(nameSuffixes);
    dobFormats = List.copyOf(dobFormats);
    dobPlaceholders = List.copyOf(dobPlaceholders);
    ssnBlacklist = List.copyOf(ssnBlacklist);
    ssnPlaceholders = List.copyOf(ssnPlaceholders);
    sexMale = List.copyOf(sexMale);
    sexFemale = List.copyOf(sexFemale);
    addressAbbreviations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(addressAbbreviations));
    addressUnitMarkers = List.copyOf(addressUnitMarkers);
    phonePlaceholders = List.copyOf(phonePlaceholders);
    zipPlaceholders = List.copyOf(zipPlaceholders);
    if (ssnMaxDistinctPersons < 1) {
      throw new IllegalArgumentException(
          "Cannot set ssn.maxDistinctPersons to " + ssnMaxDistinctPersons + ": must be >= 1");
    }
    if (dobHeapingRatio <= 1.0) {
      throw new IllegalArgumentException(
          "Cannot set dob.heapingRatio to " + dobHeapingRatio + ": must be > 1");
    }
    for (String p : dobPlaceholders) {
      if (!p.matches("[0-9*]{1,4}-[0-9*]{1,2}-[0-9*]{1,2}")) {
        throw new IllegalArgumentException(
            "Cannot use dob.placeholders entry '" + p + "': expected yyyy-MM-dd with * wildcards");
      }
    }
  }

  /** Reads {@code commonclient.linkage.standardise} of a resolved config; every key is required. */
  public static StandardiseConfig from(Config root) {
    Config c = root.getConfig(PATH);
    Map<String, String> abbrev = new LinkedHashMap<>();
    Config ab = c.getConfig("address.abbreviations");
    for (Map.Entry<String, ConfigValue> e : ab.root().entrySet()) {
      abbrev.put(e.getKey().toUpperCase(java.util.Locale.ROOT), ab.getString(quote(e.getKey())).toUpperCase(java.util.Locale.ROOT));
    }
    return new StandardiseConfig(
        c.getStringList("name.placeholders"),
        c.getStringList("name.suffixes"),
        c.getString("name.nicknameTable"),
        c.getStringList("dob.formats"),
        LocalDate.parse(c.getString("dob.min")),
        c.getStringList("dob.placeholders"),
        c.getDouble("dob.heapingRatio"),
        c.getInt("dob.heapingMinRecords"),
        c.getStringList("ssn.blacklist"),
        c.getStringList("ssn.placeholders"),
        c.getInt("ssn.maxDistinctPersons"),
        c.getInt("ssn.zeroPadFrom"),
        c.getStringList("sex.male"),
        c.getStringList("sex.female"),
        abbrev,
        c.getStringList("address.unitMarkers"),
        c.getStringList("phone.placeholders"),
        c.getStringList("zip.placeholders"));
  }

  private static String quote(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }

  /** The defaults of {@code defaults/standardise.conf}. */
  public static StandardiseConfig defaults() {
    return from(ConfigFactory.defaultReference().resolve());
  }

  /** A copy with another heaping minimum (tests with a handful of records). */
  public StandardiseConfig withDobHeapingMinRecords(int n) {
    return new StandardiseConfig(
        namePlaceholders, nameSuffixes, nicknameTable, dobFormats, dobMin, dobPlaceholders,
        dobHeapingRatio, n, ssnBlacklist, ssnPlaceholders, ssnMaxDistinctPersons, ssnZeroPadFrom,
        sexMale, sexFemale, addressAbbreviations, addressUnitMarkers, phonePlaceholders,
        zipPlaceholders);
  }
}
