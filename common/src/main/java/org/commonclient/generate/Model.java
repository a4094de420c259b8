package org.commonclient.generate;

import java.util.ArrayList;
import java.util.List;

/** The true (error-free) population of one household while it is being written. */
final class Model {
  private Model() {}

  /** Federal race categories (used with a separate Hispanic flag). */
  static final String[] RACES = {"WHITE", "BLACK", "ASIAN", "AIAN", "NHPI", "MULTI"};

  static final int WHITE = 0;
  static final int BLACK = 1;
  static final int ASIAN = 2;

  enum Role {
    HEAD,
    SPOUSE,
    PARTNER,
    CHILD,
    GRANDCHILD,
    PARENT,
    OTHER
  }

  static final class Address {
    final int houseNo;
    final String street;
    final int streetType;
    final String unit; // "APT 4B" or null
    final int city;
    final String zip;
    final String zip4;
    final String developmentId; // public-housing development, else null

    Address(int houseNo, String street, int streetType, String unit, int city, String zip,
        String zip4, String developmentId) {
      this.houseNo = houseNo;
      this.street = street;
      this.streetType = streetType;
      this.unit = unit;
      this.city = city;
      this.zip = zip;
      this.zip4 = zip4;
      this.developmentId = developmentId;
    }

    String line(boolean longType) {
      String t = longType ? NameTables.STREET_TYPES_LONG[streetType] : NameTables.STREET_TYPES[streetType];
      return houseNo + " " + street + " " + t;
    }

    String cityName() {
      return NameTables.CITIES[city];
    }

    boolean sameAs(Address o) {
      return o != null && houseNo == o.houseNo && street.equals(o.street) && city == o.city
          && java.util.Objects.equals(unit, o.unit);
    }
  }

  static final class Person {
    long index;
    String id;
    Role role;
    String first;
    String middle;
    String last;
    String suffix;
    String formerLast; // maiden name of a married person, else null
    boolean female;
    int dob;
    String ssn; // nine digits, or null when the person has none
    boolean hispanic;
    int race;
    int nameGroup;
    Person mother;
    boolean twin;
    // school latents
    int gradeOffset;
    boolean publicSchool;
    boolean chronicTendency;
    double ability;

    String raceEthnicity() {
      return hispanic ? "HISPANIC" : RACES[race];
    }
  }

  static final class Household {
    long index;
    String id;
    double poverty;
    Address first;
    Address second; // after the move, or null
    int moveDay = Dates.OPEN;
    String phone;
    int neighborhood;
    boolean kinCare; // grandparents raising grandchildren
    final List<Person> members = new ArrayList<>(8);
    // housing assistance, decided with the addresses
    boolean assisted;
    boolean publicHousing;
    String developmentId;
    int housingIn;
    int housingOut = Dates.OPEN;

    Address addressAt(int day) {
      return second != null && day >= moveDay ? second : first;
    }

    Address current() {
      return second != null ? second : first;
    }

    boolean hasChildren() {
      for (Person p : members) {
        if (p.role == Role.CHILD || p.role == Role.GRANDCHILD) {
          return true;
        }
      }
      return false;
    }
  }
}
