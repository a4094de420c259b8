package org.commonclient.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Table locations are URIs of any Hadoop file system, or local paths. */
class StorageConfigTest {
  @Test
  void tablePathsJoinWithOneSlashForEveryScheme() {
    // the zones are ${commonclient.storage.root}"/linked" etc.: a root with a trailing slash gives '//'
    Map<String, String> roots = Map.of(
        "hdfs://namenode:8020/commonclient/", "hdfs://namenode:8020/commonclient/linked/crosswalk",
        "s3a://agency-bucket/cc", "s3a://agency-bucket/cc/linked/crosswalk",
        "abfss://data@account.dfs.core.windows.net/cc//", "abfss://data@account.dfs.core.windows.net/cc/linked/crosswalk",
        "file:///var/cc", "file:///var/cc/linked/crosswalk",
        "work/tables", "work/tables/linked/crosswalk",
        "/data/cc/", "/data/cc/linked/crosswalk",
        "gs://bucket", "gs://bucket/linked/crosswalk");
    roots.forEach((root, expected) -> {
      StorageConfig s = StorageConfig.from(ConfigFactory.parseString(
          "commonclient.storage { root = \"" + root + "\", identified = ${commonclient.storage.root}\"/identified\", "
              + "linked = ${commonclient.storage.root}\"/linked\", published = ${commonclient.storage.root}\"/published\" }")
          .resolve());
      assertEquals(expected, s.linked("crosswalk"), "root " + root);
      assertEquals(expected.replace("/linked/crosswalk", "/published/metrics"), s.published("metrics"), "root " + root);
    });
  }

  @Test
  void bareRootsKeepTheirSlash() {
    assertEquals("s3a://bucket/", StorageConfig.normalise("s3a://bucket/", "root"));
    assertEquals("s3a://bucket/linked", new StorageConfig("s3a://bucket/", "s3a://bucket/", "s3a://bucket/").linked("linked"));
    assertEquals("/", StorageConfig.normalise("/", "root"));
    assertEquals("hdfs://nn:8020/cc", StorageConfig.normalise("  hdfs://nn:8020/cc/ ", "root"));
  }

  @Test
  void schemes() {
    assertEquals("hdfs", StorageConfig.scheme("hdfs://nn/x"));
    assertEquals("s3a", StorageConfig.scheme("S3A://bucket/x"));
    assertEquals("abfss", StorageConfig.scheme("abfss://c@a.dfs.core.windows.net/x"));
    assertEquals("file", StorageConfig.scheme("file:/tmp/x"));
    assertEquals("file", StorageConfig.scheme("relative/path with space"));
    assertEquals("file", StorageConfig.scheme("/abs/path"));
  }

  @Test
  void unusableLocationsAreRefusedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> new StorageConfig("hdfs://nn/x?y=1", "b", "c"));
    assertTrue(e.getMessage().contains("commonclient.storage.identified") && e.getMessage().contains("query"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new StorageConfig("a", "s3a:bucket", "c"));
    assertTrue(e.getMessage().contains("commonclient.storage.linked") && e.getMessage().contains("hierarchical"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new StorageConfig("a", "b", " "));
    assertTrue(e.getMessage().contains("commonclient.storage.published"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new StorageConfig("hdfs://nn/a#frag", "b", "c"));
    assertTrue(e.getMessage().contains("fragment"), e.getMessage());
  }
}
