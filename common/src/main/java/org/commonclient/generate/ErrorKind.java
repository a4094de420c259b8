package org.commonclient.generate;

/**
 * The record errors the generator injects (DOMAIN.md section 1). Each kind has a configured rate
 * ({@code commonclient.generate.errors.<key>}) applied per opportunity; the generator counts both.
 */
public enum ErrorKind {
  TYPO("typo"),
  NICKNAME("nickname"),
  SURNAME_CHANGE("surnameChange"),
  DOUBLE_SURNAME_PARTIAL("doubleSurnamePartial"),
  NAME_SWAP("nameSwap"),
  DOB_DAY_MONTH_SWAP("dobDayMonthSwap"),
  DOB_TYPO("dobTypo"),
  DOB_DEFAULT("dobDefault"),
  SSN_MISSING("ssnMissing"),
  SSN_INVALID("ssnInvalid"),
  SSN_PLACEHOLDER("ssnPlaceholder"),
  SSN_KNOWN_BAD("ssnKnownBad"),
  SSN_TYPO("ssnTypo"),
  TWINS("twins"),
  MOVE("move"),
  STALE_ADDRESS("staleAddress"),
  DUPLICATE("duplicate"),
  CASE_NOISE("caseNoise"),
  PUNCTUATION_NOISE("punctuationNoise"),
  BABY_NAME("babyName"),
  MIDDLE_MISSING("middleMissing"),
  NULL_FIELD("nullField");

  private final String key;

  ErrorKind(String key) {
    this.key = key;
  }

  /** The key under {@code commonclient.generate.errors}. */
  public String key() {
    return key;
  }
}
