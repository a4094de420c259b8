package org.commonclient.jobs.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.Map;
import org.commonclient.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** The config hash an incremental run compares with the last link run's (plain Java). */
class ConfigHashTest {
  static Config sample() {
    Path root = Path.of("").toAbsolutePath();
    Path conf = root.resolve("conf/sample.conf");
    if (!conf.toFile().exists()) {
      conf = root.getParent().resolve("conf/sample.conf");
    }
    return ConfigLoader.load(conf, Map.of());
  }

  @Test
  void publishModeIsLeftOutAndLinkSettingsAreNot() {
    Config c = sample();
    String h = LinkCommand.hash(c);
    assertEquals(64, h.length(), "SHA-256 in hex");
    assertEquals(h, LinkCommand.hash(c.withValue("commonclient.linkage.incremental.publish",
        ConfigValueFactory.fromAnyRef("merge"))), "how an incremental run writes its tables changes no result");
    assertNotEquals(h, LinkCommand.hash(c.withValue("commonclient.linkage.matchPairsMinProbability",
        ConfigValueFactory.fromAnyRef(0.02))), "a link setting changes the hash");
  }
}
