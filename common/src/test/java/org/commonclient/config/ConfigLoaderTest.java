package org.commonclient.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation: missing, mistyped and unknown keys fail naming the key and the file. */
class ConfigLoaderTest {
  @TempDir Path dir;

  @AfterEach
  void clear() {
    System.clearProperty("commonclient.spark.appName");
    System.clearProperty("commonclient.storage.bogus");
    com.typesafe.config.ConfigFactory.invalidateCaches();
  }

  private Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void defaultsLoadWithoutAFile() {
    Config c = ConfigLoader.load(null);
    assertEquals("local[*]", c.getString("commonclient.spark.master"));
    assertEquals("work/tables/identified", c.getString("commonclient.storage.identified"));
  }

  @Test
  void commandLineOverridesReadQuotedStringsAndListsAsHocon() {
    Config c = ConfigLoader.load(null, java.util.Map.of(
        "commonclient.spark.appName", "\"my app\"",
        "commonclient.spark.master", "local[2]",
        "commonclient.storage.root", "hdfs://nn:8020/cc",
        "commonclient.linkage.sources", "[tanf, \"snap\"]"));
    assertEquals("my app", c.getString("commonclient.spark.appName"), "quotes read, not kept");
    assertEquals("local[2]", c.getString("commonclient.spark.master"), "plain text as written");
    assertEquals("hdfs://nn:8020/cc/linked", c.getString("commonclient.storage.linked"), "a URI is not cut at //");
    assertEquals(java.util.List.of("tanf", "snap"), c.getStringList("commonclient.linkage.sources"), "a list");
    var e = assertThrows(ConfigLoader.ConfigError.class,
        () -> ConfigLoader.load(null, java.util.Map.of("commonclient.spark.master", "\"local[2]")));
    assertTrue(e.getMessage().contains("-D commonclient.spark.master"), e.getMessage());
  }

  @Test
  void fileOverridesDefaultsAndSubstitutionsFollow() throws IOException {
    Config c = ConfigLoader.load(file("a.conf", "commonclient.storage.root = \"/data/cc\"\n"));
    assertEquals("/data/cc/linked", c.getString("commonclient.storage.linked"));
  }

  @Test
  void unknownKeyNamesKeyAndFile() throws IOException {
    Path f = file("typo.conf", "commonclient {\n  spark {\n    mastr = \"local[2]\"\n  }\n}\n");
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> ConfigLoader.load(f));
    assertTrue(e.getMessage().contains("commonclient.spark.mastr"), e.getMessage());
    assertTrue(e.getMessage().contains("typo.conf:3"), e.getMessage());
  }

  @Test
  void mistypedKeyNamesKeyTypeAndFile() throws IOException {
    Path f = file("bad.conf", "commonclient.spark.conf = \"x\"\n");
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> ConfigLoader.load(f));
    assertTrue(e.getMessage().contains("commonclient.spark.conf") && e.getMessage().contains("bad.conf"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> ConfigLoader.load(dir.resolve("none.conf")));
    assertTrue(e.getMessage().contains("none.conf"), e.getMessage());
  }

  @Test
  void systemPropertiesOverrideTheFileAndAreValidatedToo() throws IOException {
    System.setProperty("commonclient.spark.appName", "from-sysprop");
    Config c = ConfigLoader.load(file("b.conf", "commonclient.spark.appName = \"from-file\"\n"));
    assertEquals("from-sysprop", c.getString("commonclient.spark.appName"));
    System.setProperty("commonclient.storage.bogus", "1");
    com.typesafe.config.ConfigFactory.invalidateCaches();
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> ConfigLoader.load(null));
    assertTrue(e.getMessage().contains("commonclient.storage.bogus") && e.getMessage().contains("system properties"), e.getMessage());
  }

  @Test
  void sourceErrorsNameKeyAndFile() throws IOException {
    Path f = file("src.conf",
        "commonclient.sources.tanf {\n  format = csv\n  program = TANF\n  path = x.csv\n  colums = []\n"
            + "  columns = [ {name = A, type = integr} ]\n  mapping { record_id = B }\n}\n");
    Config c = ConfigLoader.load(f);
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> SourceConfig.all(c));
    String m = e.getMessage();
    assertTrue(m.contains("commonclient.sources.tanf.colums") && m.contains("src.conf:5"), m);
    assertTrue(m.contains("unknown type 'integr'"), m);
    assertTrue(m.contains("refers to column 'B'"), m);
  }

  @Test
  void missingRequiredSourceKeyIsNamed() throws IOException {
    Path f = file("src2.conf", "commonclient.sources.snap {\n  program = SNAP\n  path = x.csv\n  columns = []\n  mapping {}\n}\n");
    Config c = ConfigLoader.load(f);
    var e = assertThrows(ConfigLoader.ConfigError.class, () -> SourceConfig.all(c));
    assertTrue(e.getMessage().contains("format"), e.getMessage());
  }
}
