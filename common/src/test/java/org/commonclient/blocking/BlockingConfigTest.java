package org.commonclient.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class BlockingConfigTest {

  private static Config shipped() {
    return ConfigFactory.defaultReference().resolve().getConfig(BlockingConfig.PATH);
  }

  @Test
  void defaultsLoadEveryKey() {
    BlockingConfig cfg = BlockingConfig.defaults();
    assertEquals("ssn_1edit", cfg.rules().get(0).name(), "first default rule");
    assertTrue(cfg.rules().size() >= 6, "default rules: " + cfg.rules());
    assertEquals(5000, cfg.maxBlockSize(), "maxBlockSize default");
    assertEquals(1000, cfg.saltThreshold(), "saltThreshold default");
    assertTrue(cfg.maxPairsPerRule() <= cfg.maxPairs(), "per-rule budget within total");
  }

  @Test
  void missingKeyIsNamed() {
    ConfigException e =
        assertThrows(
            ConfigException.Missing.class,
            () -> BlockingConfig.from(shipped().withoutPath("maxBlockSize")));
    assertTrue(e.getMessage().contains("maxBlockSize"), e.getMessage());
  }

  @Test
  void mistypedKeyIsNamed() {
    Config bad = ConfigFactory.parseString("saltThreshold = lots").withFallback(shipped());
    ConfigException e =
        assertThrows(ConfigException.WrongType.class, () -> BlockingConfig.from(bad));
    assertTrue(e.getMessage().contains("saltThreshold"), e.getMessage());
  }

  @Test
  void unknownKeyIsRejected() {
    Config bad = ConfigFactory.parseString("maxBlokSize = 3").withFallback(shipped());
    ConfigException e = assertThrows(ConfigException.class, () -> BlockingConfig.from(bad));
    assertTrue(e.getMessage().contains("maxBlokSize"), e.getMessage());
  }

  @Test
  void ruleWithoutKeysIsRejected() {
    Config bad =
        ConfigFactory.parseString("rules = [{ name = x, keys = [] }]").withFallback(shipped());
    ConfigException e = assertThrows(ConfigException.class, () -> BlockingConfig.from(bad));
    assertTrue(e.getMessage().contains("keys must not be empty"), e.getMessage());
  }

  @Test
  void residualIsOptional() {
    Config c =
        ConfigFactory.parseString(
                "rules = [{ name = a, keys = [ssn] }, { name = b, keys = [dob], residual = \"l.sex = r.sex\" }]")
            .withFallback(shipped());
    BlockingConfig cfg = BlockingConfig.from(c);
    assertEquals("", cfg.rules().get(0).residual(), "no residual");
    assertEquals("l.sex = r.sex", cfg.rules().get(1).residual(), "residual");
  }

  @Test
  void negativeLimitIsRejected() {
    Config bad = ConfigFactory.parseString("maxBlockSize = -1").withFallback(shipped());
    ConfigException e = assertThrows(ConfigException.BadValue.class, () -> BlockingConfig.from(bad));
    assertTrue(e.getMessage().contains("maxBlockSize"), e.getMessage());
  }

  @Test
  void linkTypesParse() {
    assertEquals(LinkType.LINK_AND_DEDUPE, LinkType.parse("link_and_dedupe"));
    assertEquals(LinkType.DEDUPE, LinkType.parse("Dedupe"));
    assertThrows(IllegalArgumentException.class, () -> LinkType.parse("merge"));
  }
}
