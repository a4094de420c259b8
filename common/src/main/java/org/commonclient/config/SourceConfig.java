package org.commonclient.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One configured agency extract ({@code commonclient.sources.<name>}), see docs/DESIGN.md.
 *
 * @param name source name (the key under commonclient.sources)
 * @param kind PERSON (identifiers, written to person_records) or FACTS (fact table only)
 * @param program program code for person sources, null for facts
 * @param format csv, parquet or jdbc
 * @param path file, directory or glob (csv/parquet); for jdbc the table or a query in jdbc.table
 * @param csv CSV reading options
 * @param jdbc JDBC options (url, table, user, passwordEnv, driver), empty for files
 * @param dateFormat default pattern of date columns
 * @param dobFormat pattern used to parse the mapped dob column
 * @param columns declared schema in file order
 * @param mapping canonical column -> list of extract columns (joined by a space)
 * @param facts fact tables carried on the same rows (person sources), or the single fact table
 * @param recordSource for facts sources: the person source whose record ids the rows refer to
 */
public record SourceConfig(
    String name,
    Kind kind,
    String program,
    String format,
    String path,
    CsvOptions csv,
    Map<String, String> jdbc,
    String dateFormat,
    String dobFormat,
    List<ColumnSpec> columns,
    Map<String, List<String>> mapping,
    List<FactsMapping> facts,
    String recordSource)
    implements Serializable {

  public enum Kind {
    PERSON,
    FACTS
  }

  /** A declared extract column. */
  public record ColumnSpec(String name, String type, String format) implements Serializable {
    static final Set<String> TYPES = Set.of("string", "int", "long", "double", "boolean", "date");
  }

  /** CSV options. */
  public record CsvOptions(
      String delimiter,
      boolean header,
      String quote,
      String escape,
      String encoding,
      boolean ignoreLeadingWhiteSpace)
      implements Serializable {
    public static CsvOptions defaults() {
      return new CsvOptions(",", true, "\"", "\"", "UTF-8", false);
    }
  }

  /** A fact table filled from an extract: canonical column -> extract columns. */
  public record FactsMapping(String table, Map<String, List<String>> mapping) implements Serializable {}

  /** Canonical person-record columns a mapping may fill. */
  public static final Set<String> PERSON_TARGETS =
      Set.of(
          "record_id", "first_name", "middle_name", "last_name", "name_suffix", "full_name", "full_address",
          "dob", "sex", "ssn", "address_line", "city", "state", "zip", "phone", "household_id",
          "race_ethnicity", "enroll_start", "enroll_end", "program");

  static final Set<String> KEYS =
      Set.of(
          "kind", "program", "format", "path", "csv", "jdbc", "dateFormat", "dobFormat", "columns",
          "mapping", "facts", "table", "recordSource", "nameFormat");
  static final Set<String> CSV_KEYS =
      Set.of("delimiter", "header", "quote", "escape", "encoding", "ignoreLeadingWhiteSpace");
  static final Set<String> JDBC_KEYS = Set.of("url", "table", "user", "passwordEnv", "driver", "fetchSize");

  /** Reads every source under {@code commonclient.sources}. */
  public static List<SourceConfig> all(Config root) {
    List<SourceConfig> out = new ArrayList<>();
    Config sources = root.getConfig("commonclient.sources");
    for (String name : sources.root().keySet()) {
      out.add(from(name, sources.getConfig(quote(name))));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  private static String quote(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
  }

  /** Parses and validates one source block; errors name the key and the file/line. */
  public static SourceConfig from(String name, Config c) {
    String prefix = "commonclient.sources." + name;
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> e : c.root().entrySet()) {
      if (!KEYS.contains(e.getKey())) {
        problems.add("unknown key '" + prefix + "." + e.getKey() + "' (" + ConfigLoader.describe(e.getValue()) + "); known: " + KEYS);
      }
    }
    try {
      Kind kind = Kind.valueOf(c.hasPath("kind") ? c.getString("kind").toUpperCase(Locale.ROOT) : "PERSON");
      String format = c.getString("format").toLowerCase(Locale.ROOT);
      if (!Set.of("csv", "parquet", "jdbc").contains(format)) {
        problems.add("key '" + prefix + ".format' must be csv, parquet or jdbc but is '" + format + "' (" + ConfigLoader.describe(c.getValue("format")) + ")");
      }
      String program = c.hasPath("program") ? c.getString("program") : null;
      if (kind == Kind.PERSON && program == null) {
        problems.add("missing key '" + prefix + ".program' (person sources need a program code)");
      }
      String path = c.hasPath("path") ? c.getString("path") : null;
      if (path == null && !format.equals("jdbc")) {
        problems.add("missing key '" + prefix + ".path'");
      }
      CsvOptions csv = CsvOptions.defaults();
      if (c.hasPath("csv")) {
        Config cc = c.getConfig("csv");
        for (Map.Entry<String, ConfigValue> e : cc.root().entrySet()) {
          if (!CSV_KEYS.contains(e.getKey())) {
            problems.add("unknown key '" + prefix + ".csv." + e.getKey() + "' (" + ConfigLoader.describe(e.getValue()) + "); known: " + CSV_KEYS);
          }
        }
        csv =
            new CsvOptions(
                cc.hasPath("delimiter") ? cc.getString("delimiter") : ",",
                !cc.hasPath("header") || cc.getBoolean("header"),
                cc.hasPath("quote") ? cc.getString("quote") : "\"",
                cc.hasPath("escape") ? cc.getString("escape") : "\"",
                cc.hasPath("encoding") ? cc.getString("encoding") : "UTF-8",
                cc.hasPath("ignoreLeadingWhiteSpace") && cc.getBoolean("ignoreLeadingWhiteSpace"));
        if (csv.delimiter().length() != 1 && !csv.delimiter().equals("\\t")) {
          problems.add("key '" + prefix + ".csv.delimiter' must be one character but is '" + csv.delimiter() + "'");
        }
        try {
          java.nio.charset.Charset.forName(csv.encoding());
        } catch (RuntimeException ex) {
          problems.add("key '" + prefix + ".csv.encoding' names an unknown charset '" + csv.encoding() + "'");
        }
      }
      Map<String, String> jdbc = new LinkedHashMap<>();
      if (c.hasPath("jdbc")) {
        for (Map.Entry<String, ConfigValue> e : c.getConfig("jdbc").root().entrySet()) {
          if (!JDBC_KEYS.contains(e.getKey())) {
            problems.add("unknown key '" + prefix + ".jdbc." + e.getKey() + "'; known: " + JDBC_KEYS);
          }
          jdbc.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
        }
      }
      if (format.equals("jdbc") && (!jdbc.containsKey("url") || !jdbc.containsKey("table"))) {
        problems.add("jdbc source '" + name + "' needs jdbc.url and jdbc.table");
      }
      String dateFormat = c.hasPath("dateFormat") ? c.getString("dateFormat") : "yyyy-MM-dd";
      String dobFormat = c.hasPath("dobFormat") ? c.getString("dobFormat") : dateFormat;
      List<ColumnSpec> columns = new ArrayList<>();
      for (Config col : c.getConfigList("columns")) {
        String cname = col.getString("name");
        String type = col.hasPath("type") ? col.getString("type").toLowerCase(Locale.ROOT) : "string";
        if (!ColumnSpec.TYPES.contains(type)) {
          problems.add("column '" + cname + "' of '" + prefix + ".columns' has unknown type '" + type + "' (" + col.origin().description() + "); types: " + ColumnSpec.TYPES);
        }
        columns.add(new ColumnSpec(cname, type, col.hasPath("format") ? col.getString("format") : null));
      }
      Set<String> declared = new java.util.HashSet<>();
      columns.forEach(cs -> declared.add(cs.name()));
      Map<String, List<String>> mapping = readMapping(c.getConfig("mapping"), prefix + ".mapping", declared, problems);
      if (!mapping.containsKey("record_id")) {
        problems.add("missing key '" + prefix + ".mapping.record_id'");
      }
      List<FactsMapping> facts = new ArrayList<>();
      String recordSource = null;
      if (kind == Kind.PERSON) {
        for (String k : mapping.keySet()) {
          if (!PERSON_TARGETS.contains(k)) {
            problems.add("key '" + prefix + ".mapping." + k + "' is not a person-record column; known: " + PERSON_TARGETS);
          }
        }
        if (c.hasPath("facts")) {
          int i = 0;
          for (Config f : c.getConfigList("facts")) {
            facts.add(new FactsMapping(f.getString("table"), readMapping(f.getConfig("mapping"), prefix + ".facts[" + i + "].mapping", declared, problems)));
            i++;
          }
        }
      } else {
        if (!c.hasPath("table")) {
          problems.add("missing key '" + prefix + ".table' (facts sources name their fact table)");
        } else {
          facts.add(new FactsMapping(c.getString("table"), mapping));
        }
        recordSource = c.hasPath("recordSource") ? c.getString("recordSource") : null;
        if (recordSource == null) {
          problems.add("missing key '" + prefix + ".recordSource' (the person source these facts refer to)");
        }
      }
      if (!problems.isEmpty()) {
        throw new ConfigLoader.ConfigError("Invalid source '" + name + "' (" + c.origin().description() + "):\n  - " + String.join("\n  - ", problems));
      }
      return new SourceConfig(name, kind, program, format, path, csv, jdbc, dateFormat, dobFormat, columns, mapping, facts, recordSource);
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      throw new ConfigLoader.ConfigError("Invalid source '" + name + "':\n  - " + String.join("\n  - ", problems), e);
    }
  }

  private static Map<String, List<String>> readMapping(Config m, String prefix, Set<String> declared, List<String> problems) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : m.root().entrySet()) {
      List<String> cols = new ArrayList<>();
      if (e.getValue().valueType() == ConfigValueType.LIST) {
        for (Object o : (List<?>) e.getValue().unwrapped()) {
          cols.add(String.valueOf(o));
        }
      } else {
        cols.add(String.valueOf(e.getValue().unwrapped()));
      }
      for (String col : cols) {
        if (!declared.contains(col)) {
          problems.add("key '" + prefix + "." + e.getKey() + "' refers to column '" + col + "' that is not declared in columns (" + ConfigLoader.describe(e.getValue()) + ")");
        }
      }
      out.put(e.getKey(), List.copyOf(cols));
    }
    return out;
  }

  /** Index of a declared column, -1 if absent. */
  public int columnIndex(String col) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(col)) {
        return i;
      }
    }
    return -1;
  }
}
