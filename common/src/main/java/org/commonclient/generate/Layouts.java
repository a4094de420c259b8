package org.commonclient.generate;

import java.util.Locale;
import org.commonclient.generate.Dates.Fmt;
import org.commonclient.generate.Model.Address;
import org.commonclient.generate.Model.Person;
import org.commonclient.generate.Noise.Rec;

/**
 * Each agency's own file layout: column names, name and address layout, date, sex, SSN and race
 * codes. The column lists here and the {@code columns} of conf/sources/*.conf must agree (tested).
 */
final class Layouts {
  private Layouts() {}

  static final String[] TANF = {
    "CASE_NO", "CLIENT_ID", "LAST_NM", "FIRST_NM", "MID_INIT", "SFX", "DOB", "SEX", "SSN",
    "HISP_IND", "RACE_CD", "REL_TO_HEAD", "ADDR_LINE1", "ADDR_LINE2", "CITY", "ST", "ZIP5",
    "PHONE", "BEN_BEGIN_DT", "BEN_END_DT"
  };
  static final String[] SNAP = {
    "HH_ID", "PARTICIPANT_ID", "CLIENT_NO", "PART_FIRST_NAME", "PART_MIDDLE_NAME", "PART_LAST_NAME",
    "NAME_SUFFIX", "BIRTH_DATE", "GENDER", "SSN_NUM", "ETHNICITY", "RACE", "RES_ADDRESS",
    "PHONE_NUM", "CERT_START_DATE", "CERT_END_DATE", "HOH_FLAG"
  };
  static final String[] WIC = {
    "FAMILY_ID", "WIC_ID", "PARTICIPANT_NAME", "DOB", "SEX", "CATEGORY", "SSN", "ETHNICITY", "RACE",
    "STREET", "APT", "CITY", "STATE", "ZIP", "PHONE", "CERT_START", "CERT_END", "CLINIC_ID"
  };
  static final String[] MEDICAID = {
    "SPAN_ID", "MEDICAID_ID", "CASE_NUMBER", "LAST_NAME", "FIRST_NAME", "MIDDLE_NAME", "SUFFIX",
    "BIRTH_DT", "SEX_CD", "SSN", "RACE_ETH_CD", "ADDRESS1", "ADDRESS2", "CITY", "STATE", "ZIP",
    "ELIG_START_DT", "ELIG_END_DT", "AID_CATEGORY"
  };
  static final String[] HOUSING = {
    "HOUSEHOLD_NO", "MEMBER_ID", "MBR_LAST", "MBR_FIRST", "MBR_MI", "REL_CODE", "BIRTHDATE", "SEX",
    "SSN", "ETHNICITY", "RACE", "UNIT_ADDRESS", "UNIT_NO", "CITY", "STATE", "ZIP", "PROGRAM_TYPE",
    "DEV_CODE", "MOVE_IN_DT", "MOVE_OUT_DT"
  };
  static final String[] HEADSTART = {
    "ENROLLMENT_ID", "CHILD_ID", "FAMILY_ID", "CHILD_FIRST_NAME", "CHILD_MIDDLE_NAME",
    "CHILD_LAST_NAME", "CHILD_DOB", "GENDER", "RACE_ETHNICITY", "HOME_ADDRESS", "CITY", "STATE",
    "ZIP", "PHONE", "CENTER_ID", "PROGRAM_YEAR", "ACCEPTED_DATE", "FIRST_SERVICE_DATE", "EXIT_DATE"
  };
  static final String[] STUDENTS = {
    "STUDENT_ID", "LEGAL_LAST_NAME", "LEGAL_FIRST_NAME", "LEGAL_MIDDLE_NAME", "GENERATION_CODE",
    "BIRTH_DATE", "GENDER_CODE", "SSN", "HISPANIC_LATINO_FLAG", "RACE_CODE", "ADDRESS_STREET",
    "ADDRESS_CITY", "ADDRESS_STATE", "ADDRESS_ZIP", "GUARDIAN_PHONE", "FIRST_ENTRY_DATE",
    "LAST_EXIT_DATE"
  };
  static final String[] ENROLLMENT = {
    "STUDENT_ID", "DISTRICT_CODE", "SCHOOL_CODE", "SCHOOL_YEAR", "GRADE_LEVEL", "ENTRY_DATE",
    "EXIT_DATE", "EXIT_CODE"
  };
  static final String[] ATTENDANCE = {
    "STUDENT_ID", "DISTRICT_CODE", "SCHOOL_CODE", "SCHOOL_YEAR", "DAYS_ENROLLED", "DAYS_ABSENT",
    "OSS_DAYS", "ISS_DAYS", "OSS_INCIDENTS", "ISS_INCIDENTS", "EXPULSIONS"
  };
  static final String[] ASSESSMENT = {
    "STUDENT_ID", "SCHOOL_CODE", "TEST_YEAR", "TESTED_GRADE", "SUBJECT", "PERF_LEVEL",
    "PROFICIENT", "ALTERNATE"
  };
  static final String[] COHORT = {
    "STUDENT_ID", "DISTRICT_CODE", "COHORT_YEAR", "OUTCOME", "OUTCOME_DATE"
  };
  static final String[] PERSONS = {
    "person_id", "household_id", "role", "first_name", "middle_name", "last_name",
    "former_last_name", "suffix", "sex", "dob", "ssn", "race_ethnicity", "twin"
  };

  static final Fmt TANF_DATES = Fmt.MDY_SLASH;
  static final Fmt SNAP_DATES = Fmt.ISO;
  static final Fmt WIC_DATES = Fmt.COMPACT;
  static final Fmt MEDICAID_DATES = Fmt.COMPACT;
  static final Fmt HOUSING_DATES = Fmt.MDY_SLASH;
  static final Fmt HEADSTART_DATES = Fmt.MDY_SLASH;
  static final Fmt SCHOOL_DATES = Fmt.ISO;
  static final Fmt SCHOOL_FACT_DATES = Fmt.MDY_SLASH;

  // ---- value formatting -------------------------------------------------------------------

  /** Upper-case agency: names as recorded, case noise gives mixed or lower case. */
  static String upper(String s, Rec r) {
    if (s == null) {
      return null;
    }
    return r.caseNoise ? ((s.length() & 1) == 0 ? proper(s) : s.toLowerCase(Locale.ROOT)) : s;
  }

  /** Mixed-case agency (typed by staff): case noise gives all capitals. */
  static String mixed(String s, Rec r) {
    if (s == null) {
      return null;
    }
    return r.caseNoise ? s : proper(s);
  }

  static String proper(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean start = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
      start = c == ' ' || c == '-' || c == '\'';
    }
    return sb.toString();
  }

  static String initial(String middle) {
    return middle == null || middle.isEmpty() ? null : middle.substring(0, 1);
  }

  static String dob(Rec r, Fmt f) {
    StringBuilder sb = new StringBuilder(10);
    Dates.append(sb, r.y, r.m, r.d, f);
    return sb.toString();
  }

  static String sexMF(Rec r) {
    return r.sex == 0 ? null : String.valueOf(r.sex);
  }

  static String sex12(Rec r) {
    return r.sex == 0 ? null : r.sex == 'M' ? "1" : "2";
  }

  static String sexWord(Rec r) {
    return r.sex == 0 ? null : r.sex == 'M' ? "Male" : "Female";
  }

  static String ssnDashed(String s) {
    if (s == null) {
      return null;
    }
    return s.substring(0, 3) + "-" + s.substring(3, 5) + "-" + s.substring(5);
  }

  static String phoneDashed(String p) {
    if (p == null) {
      return null;
    }
    return "(" + p.substring(0, 3) + ") " + p.substring(3, 6) + "-" + p.substring(6);
  }

  static String street(Rec r, boolean longType) {
    return r.addr == null ? null : r.addr.line(longType);
  }

  static String unit(Rec r) {
    return r.addr == null ? null : r.addr.unit;
  }

  static String city(Rec r) {
    return r.addr == null ? null : r.addr.cityName();
  }

  static String state(Rec r, String state) {
    return r.addr == null ? null : state;
  }

  static String zip(Rec r) {
    return r.addr == null || r.zipMissing ? null : r.addr.zip;
  }

  /** "123 MAIN ST APT 4, RIVERTON, IL 60100" in one column. */
  static String fullAddress(Rec r, String state) {
    Address a = r.addr;
    if (a == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(48);
    sb.append(a.line(false));
    if (a.unit != null) {
      sb.append(' ').append(a.unit);
    }
    sb.append(", ").append(a.cityName()).append(", ").append(state);
    if (!r.zipMissing) {
      sb.append(' ').append(a.zip);
    }
    return sb.toString();
  }

  /** "LAST, FIRST M" in one column. */
  static String lastCommaFirst(Rec r) {
    StringBuilder sb = new StringBuilder(32);
    sb.append(upper(r.last, r)).append(", ").append(upper(r.first, r));
    if (r.middle != null) {
      sb.append(' ').append(upper(initial(r.middle), r));
    }
    if (r.suffix != null) {
      sb.append(' ').append(r.suffix);
    }
    return sb.toString();
  }

  /** TANF race code: 1 White, 2 Black, 3 Asian, 4 AIAN, 5 NHPI, 6 more than one race. */
  static String tanfRace(Person p) {
    return String.valueOf(p.race + 1);
  }

  static final String[] SNAP_RACE = {"W", "B", "A", "I", "P", "M"};
  static final String[] WIC_RACE = {
    "WHITE", "BLACK OR AFRICAN AMERICAN", "ASIAN", "AMERICAN INDIAN OR ALASKA NATIVE",
    "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER", "TWO OR MORE RACES"
  };
  /** HUD race codes: 1 White, 2 Black, 3 AIAN, 4 Asian, 5 NHPI; several races as "1,2". */
  static final String[] HUD_RACE = {"1", "2", "4", "3", "5", "1,2"};
  static final String[] HS_RACE = {
    "White", "Black or African American", "Asian", "American Indian or Alaska Native",
    "Native Hawaiian or Pacific Islander", "Biracial/Multi-racial"
  };
  static final String[] SCHOOL_RACE = {"WH", "BL", "AS", "AM", "PI", "TR"};

  /** Medicaid combined race/ethnicity code: 1-6 non-Hispanic race, 7 Hispanic (any race). */
  static String medicaidRace(Person p) {
    return p.hispanic ? "7" : String.valueOf(p.race + 1);
  }

  static String grade(int g) {
    return g < 0 ? "PK" : g == 0 ? "K" : String.valueOf(g);
  }
}
