package org.commonclient.jobs;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.ConfigLoader;
import org.commonclient.spark.SparkSessions;
import picocli.CommandLine.Option;

/** Options every job shares: the config file and key overrides; builds config and session. */
public final class JobOptions {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Config file (HOCON); default: -Dconfig.file or conf/local.conf if present.")
  Path config;

  @Option(
      names = {"-D"},
      paramLabel = "KEY=VALUE",
      description = "Override a config key, e.g. -D commonclient.spark.master=local[2]")
  Map<String, String> overrides = new LinkedHashMap<>();

  private Config loaded;

  /** Loads (once) and validates the configuration. */
  public Config config() {
    if (loaded == null) {
      Path file = config;
      if (file == null && System.getProperty("config.file") == null && java.nio.file.Files.exists(Path.of("conf/local.conf"))) {
        file = Path.of("conf/local.conf");
      }
      loaded = ConfigLoader.load(file, overrides);
    }
    return loaded;
  }

  /** The active session, or a new one built from commonclient.spark. */
  public SparkSession spark() {
    Config c = config();
    Map<String, String> conf = new LinkedHashMap<>();
    for (var e : c.getConfig("commonclient.spark.conf").entrySet()) {
      conf.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
    }
    SparkSession spark = SparkSessions.getOrCreate(
        c.getString("commonclient.spark.master"), c.getString("commonclient.spark.appName"), conf);
    spark.sparkContext().setLogLevel("WARN");
    return spark;
  }

  public static String newRunId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC))
        + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
