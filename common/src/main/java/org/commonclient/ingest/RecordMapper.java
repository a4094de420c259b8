package org.commonclient.ingest;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.commonclient.config.SourceConfig;
import org.commonclient.config.SourceConfig.ColumnSpec;

/**
 * Maps one extract row (its fields in declared column order) to a canonical person record and
 * fact rows, or to a reject naming the field, value and reason. Plain Java, run inside Spark
 * tasks.
 */
final class RecordMapper implements Serializable {

  /** Result of mapping one row: either person+facts, or a reject. */
  record Mapped(
      Map<String, Object> person,
      List<Map.Entry<String, Map<String, String>>> facts,
      Reject reject) {}

  record Reject(String field, String rawValue, String reason) {}

  private final SourceConfig src;
  private final String runId;
  private transient Map<String, DateTimeFormatter> formatters;

  RecordMapper(SourceConfig src, String runId) {
    this.src = src;
    this.runId = runId;
  }

  private DateTimeFormatter formatter(String pattern) {
    if (formatters == null) {
      formatters = new HashMap<>();
    }
    return formatters.computeIfAbsent(
        pattern,
        p -> DateTimeFormatter.ofPattern(p.replace("yyyy", "uuuu"), Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT));
  }

  /** Parses a date with a pattern; null if blank; throws DateTimeParseException if bad. */
  LocalDate parseDate(String value, String pattern) {
    if (value == null || value.isBlank()) {
      return null;
    }
    return LocalDate.parse(value.trim(), formatter(pattern));
  }

  Mapped map(List<String> fields, String file, Long line) {
    List<ColumnSpec> cols = src.columns();
    if (fields.size() != cols.size()) {
      return reject(
          null,
          String.join(",", fields.stream().map(f -> f == null ? "" : f).toList()),
          "row has " + fields.size() + " fields but the declared schema has " + cols.size()
              + (fields.size() < cols.size() ? " (truncated or missing fields)" : " (extra fields or wrong delimiter)"));
    }
    // type check every declared column; values kept as normalised strings / objects
    Map<String, Object> typed = new HashMap<>();
    for (int i = 0; i < cols.size(); i++) {
      ColumnSpec c = cols.get(i);
      String v = fields.get(i);
      if (v == null) {
        typed.put(c.name(), null);
        continue;
      }
      try {
        Object o =
            switch (c.type()) {
              case "int" -> Integer.parseInt(v.trim());
              case "long" -> Long.parseLong(v.trim());
              case "double" -> Double.parseDouble(v.trim());
              case "boolean" -> parseBoolean(v);
              case "date" -> parseDate(v, c.format() != null ? c.format() : src.dateFormat());
              default -> v;
            };
        typed.put(c.name(), o);
      } catch (NumberFormatException e) {
        return reject(c.name(), v, "not a valid " + c.type() + " in column " + c.name());
      } catch (DateTimeParseException e) {
        return reject(c.name(), v, "not a valid date in column " + c.name() + " (expected format "
            + (c.format() != null ? c.format() : src.dateFormat()) + ")");
      } catch (IllegalArgumentException e) {
        return reject(c.name(), v, e.getMessage());
      }
    }
    Map<String, Object> person = null;
    List<Map.Entry<String, Map<String, String>>> facts = new ArrayList<>();
    String recordId = joined(src.mapping().get("record_id"), typed);
    if (recordId == null) {
      return reject(String.join("+", src.mapping().get("record_id")), null, "record_id is empty");
    }
    if (src.kind() == SourceConfig.Kind.PERSON) {
      person = new LinkedHashMap<>();
      person.put("source", src.name());
      person.put("record_id", recordId);
      String program = src.mapping().containsKey("program") ? joined(src.mapping().get("program"), typed) : null;
      person.put("program", program != null ? program : src.program());
      String first = joined(src.mapping().get("first_name"), typed);
      String middle = joined(src.mapping().get("middle_name"), typed);
      String last = joined(src.mapping().get("last_name"), typed);
      String full = joined(src.mapping().get("full_name"), typed);
      if (full != null && first == null && last == null) {
        String[] parts = splitFullName(full);
        first = parts[0];
        middle = middle != null ? middle : parts[1];
        last = parts[2];
      }
      person.put("first_name", first);
      person.put("middle_name", middle);
      person.put("last_name", last);
      person.put("name_suffix", joined(src.mapping().get("name_suffix"), typed));
      List<String> dobCols = src.mapping().get("dob");
      Object dobValue = dobCols != null && dobCols.size() == 1 ? typed.get(dobCols.get(0)) : joined(dobCols, typed);
      LocalDate dob = null;
      String dobRaw = null;
      if (dobValue instanceof LocalDate d) {
        dob = d;
        dobRaw = fields.get(src.columnIndex(dobCols.get(0)));
      } else if (dobValue != null) {
        dobRaw = dobValue.toString();
        try {
          dob = parseDate(dobRaw, src.dobFormat());
        } catch (DateTimeParseException e) {
          dob = null; // kept raw: the standardiser flags it, the record is still linkable
        }
      }
      person.put("dob", dob);
      person.put("dob_raw", dobRaw);
      for (String k : List.of("sex", "ssn", "address_line", "city", "state", "zip", "phone", "household_id", "race_ethnicity")) {
        person.put(k, joined(src.mapping().get(k), typed));
      }
      String fullAddress = joined(src.mapping().get("full_address"), typed);
      if (fullAddress != null) {
        String[] a = splitFullAddress(fullAddress);
        String[] keys = {"address_line", "city", "state", "zip"};
        for (int i = 0; i < keys.length; i++) {
          if (person.get(keys[i]) == null) {
            person.put(keys[i], a[i]);
          }
        }
      }
      for (String k : List.of("enroll_start", "enroll_end")) {
        List<String> cs = src.mapping().get(k);
        Object v = cs == null ? null : typed.get(cs.get(0));
        if (v instanceof String s) {
          try {
            v = parseDate(s, src.dateFormat());
          } catch (DateTimeParseException e) {
            return reject(cs.get(0), s, "not a valid date in column " + cs.get(0) + " (expected format " + src.dateFormat() + ")");
          }
        }
        person.put(k, v);
      }
      LocalDate start = (LocalDate) person.get("enroll_start");
      LocalDate end = (LocalDate) person.get("enroll_end");
      if (start != null && end != null && end.isBefore(start)) {
        return reject(src.mapping().get("enroll_end").get(0), end.toString(),
            "enrolment end " + end + " is before its start " + start);
      }
      person.put("source_file", file);
      person.put("source_line", line);
      person.put("row_hash", hash(person));
      person.put("ingest_run_id", runId);
    }
    for (SourceConfig.FactsMapping fm : src.facts()) {
      Map<String, String> row = new LinkedHashMap<>();
      row.put("record_source", src.kind() == SourceConfig.Kind.PERSON ? src.name() : src.recordSource());
      row.put("record_id", recordId);
      for (Map.Entry<String, List<String>> e : fm.mapping().entrySet()) {
        if (e.getKey().equals("record_id")) {
          continue;
        }
        Object v = e.getValue().size() == 1 ? typed.get(e.getValue().get(0)) : joined(e.getValue(), typed);
        row.put(e.getKey(), v == null ? null : v.toString());
      }
      facts.add(Map.entry(fm.table(), row));
    }
    return new Mapped(person, facts, null);
  }

  private static Mapped reject(String field, String raw, String reason) {
    return new Mapped(null, List.of(), new Reject(field, raw, reason));
  }

  static Boolean parseBoolean(String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "t", "yes", "y", "1" -> true;
      case "false", "f", "no", "n", "0" -> false;
      default -> throw new IllegalArgumentException("not a valid boolean '" + v + "'");
    };
  }

  private static String joined(List<String> cols, Map<String, Object> typed) {
    if (cols == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (String c : cols) {
      Object v = typed.get(c);
      if (v != null && !v.toString().isBlank()) {
        if (sb.length() > 0) {
          sb.append(' ');
        }
        sb.append(v.toString().trim());
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** "LAST, FIRST MIDDLE" or "FIRST [MIDDLE] LAST" into {first, middle, last}. */
  static String[] splitFullName(String full) {
    String s = full.trim().replaceAll("\\s+", " ");
    String first;
    String middle = null;
    String last;
    int comma = s.indexOf(',');
    if (comma >= 0) {
      last = s.substring(0, comma).trim();
      String rest = s.substring(comma + 1).trim();
      int sp = rest.indexOf(' ');
      first = sp < 0 ? rest : rest.substring(0, sp);
      middle = sp < 0 ? null : rest.substring(sp + 1).trim();
    } else {
      String[] t = s.split(" ");
      first = t[0];
      last = t.length > 1 ? t[t.length - 1] : null;
      if (t.length > 2) {
        middle = String.join(" ", java.util.Arrays.copyOfRange(t, 1, t.length - 1));
      }
    }
    return new String[] {emptyToNull(first), emptyToNull(middle), emptyToNull(last)};
  }

  private static final java.util.regex.Pattern STATE_ZIP =
      java.util.regex.Pattern.compile("^(.*?)[ ,]+([A-Za-z]{2})\\.?[ ,]+(\\d{5})(?:-?\\d{4})?$");

  /**
   * "123 MAIN ST APT 4, SPRINGFIELD, IL 62701" into {street line, city, state, zip}. Parts that
   * cannot be recognised stay in the street line; nothing is dropped.
   */
  static String[] splitFullAddress(String full) {
    String s = full.trim().replaceAll("\\s+", " ");
    String state = null;
    String zip = null;
    var m = STATE_ZIP.matcher(s);
    if (m.matches()) {
      s = m.group(1).trim();
      state = m.group(2).toUpperCase(Locale.ROOT);
      zip = m.group(3);
    }
    String city = null;
    int comma = s.lastIndexOf(',');
    if (comma > 0 && (state != null || zip != null)) {
      city = s.substring(comma + 1).trim();
      s = s.substring(0, comma).trim();
    }
    return new String[] {emptyToNull(s.replaceAll(",$", "")), emptyToNull(city), state, zip};
  }

  private static String emptyToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static String hash(Map<String, Object> person) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, Object> e : person.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(String.valueOf(e.getValue()).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 1);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
