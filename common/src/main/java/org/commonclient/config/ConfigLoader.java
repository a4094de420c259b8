package org.commonclient.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads and validates the suite's configuration.
 *
 * <p>Order of precedence, strongest first: environment variables {@code CONFIG_FORCE_...} (Typesafe
 * convention: {@code CONFIG_FORCE_commonclient_spark_master}), system properties
 * ({@code -Dcommonclient.spark.master=...}), the config file ({@code --config FILE} or
 * {@code -Dconfig.file}), and last the defaults in {@code reference.conf}.
 *
 * <p>Validation happens here, before any job starts: every key the user set must exist in
 * reference.conf (except below the open sections listed in {@link #OPEN_SECTIONS}), with a value
 * of the same type; the message names the key and the file and line it came from.
 */
public final class ConfigLoader {
  public static final String ROOT = "commonclient";

  /** Sections whose children are user-defined names; they are validated by their own readers. */
  static final Set<String> OPEN_SECTIONS =
      Set.of(
          "commonclient.spark.conf",
          "commonclient.sources",
          "commonclient.agreements",
          "commonclient.linkage.comparison.comparisons",
          "commonclient.linkage.training.rules",
          "commonclient.linkage.blocking.rules",
          "commonclient.metrics.rules");

  private ConfigLoader() {}

  /** Loads with the given file (may be null: defaults and overrides only). */
  public static Config load(Path file) {
    return load(file, Map.of());
  }

  /**
   * The {@code -D key=value} overrides as a config. A value written as HOCON — a quoted string
   * ({@code "a b"}), a list ({@code [tanf, snap]}) or an object ({@code {a = 1}}) — is read as
   * one, so its quotes are not kept as characters and lists can be given; any other value is the
   * literal text (so {@code local[2]} or a URI with {@code //} is taken as written, not parsed).
   */
  static Config overrides(Map<String, String> overrides) {
    Map<String, Object> plain = new java.util.LinkedHashMap<>();
    Map<String, ConfigValue> parsed = new java.util.LinkedHashMap<>();
    for (var e : overrides.entrySet()) {
      String v = e.getValue() == null ? "" : e.getValue().trim();
      if (v.startsWith("\"") || v.startsWith("[") || v.startsWith("{")) {
        try {
          parsed.put(e.getKey(), ConfigFactory.parseString("v = " + v, ConfigParseOptions.defaults()
              .setOriginDescription("command-line -D " + e.getKey())).getValue("v"));
          continue;
        } catch (ConfigException ex) {
          throw new ConfigError("Cannot read the value of -D " + e.getKey() + "=" + e.getValue() + " (a value starting with "
              + v.charAt(0) + " is read as HOCON): " + ex.getMessage(), ex);
        }
      }
      plain.put(e.getKey(), e.getValue());
    }
    Config cli = ConfigFactory.parseMap(plain, "command-line -D overrides");
    for (var e : parsed.entrySet()) {
      cli = cli.withValue(e.getKey(), e.getValue());
    }
    return cli;
  }

  /**
   * Loads with the given file and key overrides ({@code -D key=value} of the command line), which
   * rank below environment variables and above system properties and the file.
   */
  public static Config load(Path file, Map<String, String> overrides) {
    ConfigFactory.invalidateCaches(); // system properties may have changed since the last load
    Config referenceRaw = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf");
    Config reference = referenceRaw.resolve();
    Config user = ConfigFactory.empty();
    String origin = "defaults";
    if (file == null && System.getProperty("config.file") != null) {
      file = Path.of(System.getProperty("config.file"));
    }
    if (file != null) {
      if (!Files.isRegularFile(file)) {
        throw new ConfigError("Config file " + file + " does not exist or is not a file");
      }
      try {
        user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new ConfigError("Cannot parse config file " + file + ": " + e.getMessage(), e);
      }
      origin = file.toString();
    }
    Config sysProps = ConfigFactory.systemProperties().withOnlyPath(ROOT);
    Config env = envOverrides();
    Config cli = overrides(overrides);
    Config userAll = env.withFallback(cli).withFallback(sysProps).withFallback(user);
    Config merged;
    try {
      merged = userAll.withFallback(referenceRaw).resolve();
    } catch (ConfigException e) {
      throw new ConfigError("Cannot resolve configuration from " + origin + ": " + e.getMessage(), e);
    }
    validate(userAll.resolveWith(merged), reference, merged);
    return merged;
  }

  private static Config envOverrides() {
    try {
      Config c = ConfigFactory.systemEnvironmentOverrides();
      return c.hasPath(ROOT) ? c.withOnlyPath(ROOT) : ConfigFactory.empty();
    } catch (ConfigException e) {
      throw new ConfigError("Bad CONFIG_FORCE_ environment override: " + e.getMessage(), e);
    }
  }

  /** Fails on unknown keys and type mismatches of user-set keys under {@code commonclient}. */
  static void validate(Config user, Config reference, Config merged) {
    List<String> problems = new ArrayList<>();
    if (user.hasPath(ROOT)) {
      for (Map.Entry<String, ConfigValue> e : user.getConfig(ROOT).entrySet()) {
        String key = ROOT + "." + e.getKey();
        if (isUnderOpenSection(key)) {
          continue;
        }
        String where = describe(e.getValue());
        if (!reference.hasPathOrNull(key)) {
          problems.add("unknown key '" + key + "' (" + where + ")" + suggest(key, reference));
          continue;
        }
        ConfigValue ref = reference.getValue(key);
        ConfigValue val = merged.getValue(key);
        if (!compatible(ref.valueType(), val)) {
          problems.add(
              "key '"
                  + key
                  + "' must be "
                  + ref.valueType().name().toLowerCase()
                  + " but is "
                  + val.valueType().name().toLowerCase()
                  + " '"
                  + val.unwrapped()
                  + "' ("
                  + where
                  + ")");
        }
      }
    }
    try {
      merged.checkValid(reference, ROOT);
    } catch (ConfigException.ValidationFailed e) {
      problems.add(e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new ConfigError("Invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
  }

  private static boolean compatible(ConfigValueType refType, ConfigValue val) {
    ConfigValueType t = val.valueType();
    if (refType == t || refType == ConfigValueType.NULL || t == ConfigValueType.NULL) {
      return true;
    }
    Object raw = val.unwrapped();
    switch (refType) {
      case NUMBER:
        if (t == ConfigValueType.STRING) {
          try {
            Double.parseDouble(raw.toString());
            return true;
          } catch (NumberFormatException ex) {
            return false;
          }
        }
        return false;
      case BOOLEAN:
        return t == ConfigValueType.STRING
            && Set.of("true", "false", "yes", "no", "on", "off").contains(raw.toString().toLowerCase());
      case STRING:
        return t == ConfigValueType.NUMBER || t == ConfigValueType.BOOLEAN;
      default:
        return false;
    }
  }

  static boolean isUnderOpenSection(String key) {
    for (String s : OPEN_SECTIONS) {
      if (key.equals(s) || key.startsWith(s + ".")) {
        return true;
      }
    }
    return false;
  }

  static String describe(ConfigValue v) {
    var o = v.origin();
    if (o.filename() != null) {
      return o.filename() + (o.lineNumber() > 0 ? ":" + o.lineNumber() : "");
    }
    return o.description();
  }

  private static String suggest(String key, Config reference) {
    String parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.')) : key;
    if (reference.hasPath(parent) && reference.getValue(parent).valueType() == ConfigValueType.OBJECT) {
      return "; known keys there: " + reference.getConfig(parent).root().keySet();
    }
    return "";
  }

  /** A configuration problem; its message names the key and the file. */
  public static final class ConfigError extends RuntimeException {
    public ConfigError(String message) {
      super(message);
    }

    public ConfigError(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
