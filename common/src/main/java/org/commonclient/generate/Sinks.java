package org.commonclient.generate;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The output files of one run: the agency extracts and, apart from them, the ground truth. */
final class Sinks implements AutoCloseable {
  final CsvSink tanf;
  final CsvSink snap;
  final CsvSink wic;
  final CsvSink medicaid;
  final CsvSink housing;
  final CsvSink headstart;
  final CsvSink students;
  final CsvSink enrollment;
  final CsvSink attendance;
  final CsvSink assessment;
  final CsvSink cohort;
  final CsvSink truth;
  final CsvSink persons;
  private final CsvSink[] all;

  /** Extract file names by source name (also used by conf/sources/*.conf). */
  static final Map<String, String> FILES = new LinkedHashMap<>();

  static {
    FILES.put("tanf", "tanf_recipients.csv");
    FILES.put("snap", "snap_participants.csv");
    FILES.put("wic", "wic_participants.csv");
    FILES.put("medicaid", "medicaid_eligibility.csv");
    FILES.put("housing", "pha_household_members.csv");
    FILES.put("headstart", "headstart_enrollment.csv");
    FILES.put("school_students", "sis_students.csv");
    FILES.put("school_enrollment", "sis_enrollment.csv");
    FILES.put("school_attendance", "sis_attendance.csv");
    FILES.put("school_assessment", "state_assessment.csv");
    FILES.put("school_cohort", "grad_cohort.csv");
  }

  Sinks(Path out) {
    Path x = out.resolve("extracts");
    Path t = out.resolve("truth");
    tanf = new CsvSink("tanf", x.resolve(FILES.get("tanf")), Layouts.TANF);
    snap = new CsvSink("snap", x.resolve(FILES.get("snap")), Layouts.SNAP);
    wic = new CsvSink("wic", x.resolve(FILES.get("wic")), Layouts.WIC);
    medicaid = new CsvSink("medicaid", x.resolve(FILES.get("medicaid")), Layouts.MEDICAID);
    housing = new CsvSink("housing", x.resolve(FILES.get("housing")), Layouts.HOUSING);
    headstart = new CsvSink("headstart", x.resolve(FILES.get("headstart")), Layouts.HEADSTART);
    students = new CsvSink("school_students", x.resolve(FILES.get("school_students")), Layouts.STUDENTS);
    enrollment = new CsvSink("school_enrollment", x.resolve(FILES.get("school_enrollment")), Layouts.ENROLLMENT);
    attendance = new CsvSink("school_attendance", x.resolve(FILES.get("school_attendance")), Layouts.ATTENDANCE);
    assessment = new CsvSink("school_assessment", x.resolve(FILES.get("school_assessment")), Layouts.ASSESSMENT);
    cohort = new CsvSink("school_cohort", x.resolve(FILES.get("school_cohort")), Layouts.COHORT);
    truth = new CsvSink("truth", t.resolve("truth.csv"), "source", "record_id", "person_id");
    persons = new CsvSink("persons", t.resolve("persons.csv"), Layouts.PERSONS);
    all = new CsvSink[] {tanf, snap, wic, medicaid, housing, headstart, students, enrollment,
        attendance, assessment, cohort, truth, persons};
  }

  /** Rows per extract source. */
  Map<String, Long> recordsPerSource() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (CsvSink s : all) {
      if (s != truth && s != persons) {
        m.put(s.name, s.rows);
      }
    }
    return m;
  }

  Map<String, Long> bytesPerFile(Path out) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (CsvSink s : all) {
      m.put(out.relativize(s.path).toString(), s.path.toFile().length());
    }
    return m;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (CsvSink s : all) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
