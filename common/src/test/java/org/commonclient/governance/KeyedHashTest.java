package org.commonclient.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.commonclient.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HMAC-SHA256 study ids and reading the secret, without Spark. */
class KeyedHashTest {
  @TempDir Path dir;

  @Test
  void hmacMatchesRfc4231TestCase1() {
    byte[] key = new byte[20];
    Arrays.fill(key, (byte) 0x0b);
    assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        HexFormat.of().formatHex(KeyedHash.hmac(key, "Hi There".getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void studyIdsDifferPerExtractAndNeverShowTheKey() throws Exception {
    byte[] secret = "a sufficiently long test secret".getBytes(StandardCharsets.UTF_8);
    KeyedHash a = KeyedHash.forExtract(secret, "x1");
    KeyedHash b = KeyedHash.forExtract(secret, "x2");
    assertEquals(a.call("P-000001"), KeyedHash.forExtract(secret, "x1").call("P-000001"), "deterministic");
    assertNotEquals(a.call("P-000001"), b.call("P-000001"), "re-keyed per extract");
    assertEquals(KeyedHash.HEX_CHARS, a.call("P-000001").length());
    assertTrue(!a.toString().contains("secret"), a.toString());
  }

  @Test
  void readsTheSecretFromTheEnvironmentThenTheFile() throws Exception {
    Path f = dir.resolve("secret");
    Files.writeString(f, "file-secret-0123456789\n");
    assertEquals("env-secret-0123456789",
        new String(Secrets.read(Map.of("CC_S", "env-secret-0123456789"), "CC_S", f.toString()), StandardCharsets.UTF_8));
    assertEquals("file-secret-0123456789", new String(Secrets.read(Map.of(), "CC_S", f.toString()), StandardCharsets.UTF_8));
    var none = assertThrows(ConfigLoader.ConfigError.class, () -> Secrets.read(Map.of(), "CC_S", ""));
    assertTrue(none.getMessage().contains("CC_S"), none.getMessage());
    var shortOne = assertThrows(ConfigLoader.ConfigError.class, () -> Secrets.read(Map.of("CC_S", "short"), "CC_S", null));
    assertTrue(!shortOne.getMessage().contains("short'") && shortOne.getMessage().contains("too short"), shortOne.getMessage());
  }
}
