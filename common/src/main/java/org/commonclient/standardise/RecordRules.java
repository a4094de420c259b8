package org.commonclient.standardise;

import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF10;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The record-local rules of {@link Standardiser} (names, suffixes, placeholders, Double Metaphone,
 * SSN, sex, address, ZIP, city, phone) as one static Java function applied once per record through
 * a struct-valued UDF.
 *
 * <p>Why not Column expressions: the Column forms of these rules nest the same sub-expressions
 * (normalise inside suffix splitting inside placeholder checks; the padded SSN digits inside every
 * flag test), and Catalyst inlines them into each other and into pushed-down filters. On the link
 * stage's plan the generated code grew beyond the JVM's 64 KB method limit, whole-stage codegen
 * was disabled and the expressions ran interpreted (200k records: 125 s). The plain Java forms
 * are the reference the Column forms are tested against ({@code StandardiserTest}), so the output
 * is the same; each rule is evaluated once per record.
 */
final class RecordRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The fields of the UDF's struct, in order. */
  static final List<String> FIELDS =
      List.of(
          "first_name", "middle_name", "last_name", "name_suffix", "name_flag",
          "first_dm", "last_dm",
          "ssn", "ssn_flag", "itin",
          "sex", "address", "addr_number", "street", "zip5", "city", "phone");

  static final StructType SCHEMA;

  static {
    StructType s = new StructType();
    for (String f : FIELDS) {
      s = s.add(f, DataTypes.StringType, true);
    }
    SCHEMA = s;
  }

  private final HashSet<String> suffixes;
  private final HashSet<String> namePlaceholders;
  private final HashSet<String> ssnPlaceholders;
  private final HashSet<String> ssnBlacklist;
  private final int ssnZeroPadFrom;
  private final HashSet<String> male;
  private final HashSet<String> female;
  private final HashMap<String, String> abbreviations;
  private final Pattern unit;
  private final HashSet<String> zipPlaceholders;
  private final HashSet<String> phonePlaceholders;

  RecordRules(StandardiseConfig cfg) {
    this.suffixes = new HashSet<>(cfg.nameSuffixes());
    this.namePlaceholders = new HashSet<>(cfg.namePlaceholders());
    this.ssnPlaceholders = new HashSet<>(cfg.ssnPlaceholders());
    this.ssnBlacklist = new HashSet<>(cfg.ssnBlacklist());
    this.ssnZeroPadFrom = cfg.ssnZeroPadFrom();
    this.male = new HashSet<>(cfg.sexMale());
    this.female = new HashSet<>(cfg.sexFemale());
    this.abbreviations = new HashMap<>(cfg.addressAbbreviations());
    this.unit = Addresses.unitPattern(cfg.addressUnitMarkers());
    this.zipPlaceholders = new HashSet<>(cfg.zipPlaceholders());
    this.phonePlaceholders = new HashSet<>(cfg.phonePlaceholders());
  }

  /** The standardised record-local fields, in {@link #FIELDS} order. */
  Object[] apply(
      String firstRaw,
      String middleRaw,
      String lastRaw,
      String suffixRaw,
      String ssnRaw,
      String sexRaw,
      String addressRaw,
      String cityRaw,
      String zipRaw,
      String phoneRaw) {
    // names: normalise, move suffixes, drop placeholders
    String fn = Names.normalise(firstRaw);
    String mn = Names.normalise(middleRaw);
    String ln = Names.normalise(lastRaw);
    String sfx = Names.normaliseSuffix(suffixRaw);
    Names.Split fs = Names.splitSuffix(fn, suffixes);
    Names.Split ls = Names.splitSuffix(ln, suffixes);
    String fn2 = fs.name();
    String ln2 = ls.name();
    String suffix = sfx != null ? sfx : ls.suffix() != null ? ls.suffix() : fs.suffix();
    String first = Names.dropPlaceholder(fn2, fn2, ln2, namePlaceholders);
    String middle = Names.dropPlaceholder(mn, null, null, namePlaceholders);
    String last = Names.dropPlaceholder(ln2, fn2, ln2, namePlaceholders);
    boolean dropped =
        (fn2 != null && first == null) || (ln2 != null && last == null) || (mn != null && middle == null);

    Ssn.Result ssn = Ssn.classify(ssnRaw, ssnZeroPadFrom, ssnPlaceholders, ssnBlacklist);

    String address = Addresses.normalise(addressRaw, abbreviations);
    Addresses.Parts parts = Addresses.parts(address, unit);
    return new Object[] {
      first, middle, last, suffix, dropped ? Standardiser.NAME_PLACEHOLDER : null,
      Phonetics.doubleMetaphone(first), Phonetics.doubleMetaphone(last),
      ssn.ssn(), ssn.flag(), ssn.itin(),
      Codes.sex(sexRaw, male, female),
      address, parts.number(), parts.street(),
      Codes.zip5(zipRaw, zipPlaceholders),
      Names.normalise(cityRaw),
      Codes.phone(phoneRaw, phonePlaceholders)
    };
  }

  /** The rules as a UDF over the ten raw columns of {@link #apply}, returning a struct. */
  Column column(
      Column first, Column middle, Column last, Column suffix, Column ssn, Column sex,
      Column address, Column city, Column zip, Column phone) {
    RecordRules rules = this;
    UserDefinedFunction udf =
        functions
            .udf(
                (UDF10<String, String, String, String, String, String, String, String, String, String, Row>)
                    (a, b, c, d, e, f, g, h, i, j) ->
                        RowFactory.create(rules.apply(a, b, c, d, e, f, g, h, i, j)),
                SCHEMA)
            .withName("standardise_record");
    return udf.apply(first, middle, last, suffix, ssn, sex, address, city, zip, phone);
  }
}
