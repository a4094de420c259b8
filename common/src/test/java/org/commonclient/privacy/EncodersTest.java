package org.commonclient.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keyed tokens, Bloom filters, the secret and the privacy settings, without Spark. */
class EncodersTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final String SECRET = "test-secret-ABCDEFGH-12345678";

  @Test
  void hmacTokenMatchesRfc4231TestCase2() {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    byte[] h = Hmac.sha256("Jefe".getBytes(StandardCharsets.UTF_8), "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8));
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", java.util.HexFormat.of().formatHex(h));
    assertEquals(43, Hmac.token(KEY, "123456789").length(), "base64url without padding of 32 bytes");
  }

  @Test
  void tokensDependOnKeyAndValueOnly() {
    assertEquals(Hmac.token(KEY, "SMITH|JOHN|1980-01-02"), Hmac.token(KEY, "SMITH|JOHN|1980-01-02"));
    assertNotEquals(Hmac.token(KEY, "SMITH|JOHN|1980-01-02"), Hmac.token(KEY, "SMITH|JON|1980-01-02"));
    byte[] other = KEY.clone();
    other[0] ^= 1;
    assertNotEquals(Hmac.token(KEY, "123456789"), Hmac.token(other, "123456789"), "another key, another token");
  }

  @Test
  void derivedKeysDifferByPurposeAndSecret() {
    Secret s = Secret.of(SECRET.getBytes(StandardCharsets.UTF_8), 16);
    assertFalse(Arrays.equals(s.derive("token/ssn"), s.derive("token/first_last_dob")));
    assertTrue(Arrays.equals(s.derive("token/ssn"), Secret.of(SECRET.getBytes(StandardCharsets.UTF_8), 16).derive("token/ssn")));
    assertEquals("Secret[redacted]", s.toString());
    assertEquals(16, s.encodingId("x").length());
    assertNotEquals(s.encodingId("x"), s.encodingId("y"));
  }

  @Test
  void qgramsHaveNoPadding() {
    assertEquals(List.of("JO", "OH", "HN"), List.copyOf(BloomEncoder.qgrams("JOHN", 2)));
    assertEquals(List.of("A"), List.copyOf(BloomEncoder.qgrams("A", 2)));
    assertTrue(BloomEncoder.qgrams(null, 2).isEmpty());
    assertEquals(List.of("AN", "NN", "NA"), List.copyOf(BloomEncoder.qgrams("ANNAN", 2)), "distinct grams");
  }

  private static BloomEncoder encoder(String secret) {
    Secret s = Secret.of(secret.getBytes(StandardCharsets.UTF_8), 16);
    PrivacyConfig.ClkFilter f = new PrivacyConfig.ClkFilter("person", List.of(
        new PrivacyConfig.ClkField("first", "first_name", 20),
        new PrivacyConfig.ClkField("last", "last_name", 20),
        new PrivacyConfig.ClkField("dob", "dob", 20)));
    return BloomEncoder.of(s, new PrivacyConfig.ClkSettings(1024, 2, 3, "", List.of(f)), f);
  }

  @Test
  void diceIsHighForTyposAndLowForOtherPeople() {
    BloomEncoder e = encoder(SECRET);
    long[] a = e.encode(List.of("MICHAELA", "NEUMANN", "19151111"), null);
    long[] typo = e.encode(List.of("MICHAELA", "NEUMAN", "19151111"), null);
    long[] other = e.encode(List.of("COURTNEY", "PAINTER", "19161214"), null);
    assertEquals(1.0, BloomEncoder.dice(a, a.clone()), 1e-12);
    double dTypo = BloomEncoder.dice(a, typo);
    double dOther = BloomEncoder.dice(a, other);
    assertTrue(dTypo > 0.9, "one deleted letter: dice " + dTypo);
    assertTrue(dOther < 0.4, "another person: dice " + dOther);
    int bits = Arrays.stream(a).map(Long::bitCount).mapToInt(x -> (int) x).sum();
    assertTrue(bits > 150 && bits < 400, "about 19 grams x 20 positions, minus collisions: " + bits);
    assertTrue(Double.isNaN(BloomEncoder.dice(new long[16], new long[16])), "two empty filters: no evidence");
  }

  @Test
  void filtersDependOnTheSecretAndTheSalt() {
    List<String> v = List.of("MICHAELA", "NEUMANN", "19151111");
    long[] a = encoder(SECRET).encode(v, null);
    long[] otherSecret = encoder(SECRET + "x").encode(v, null);
    assertTrue(BloomEncoder.dice(a, otherSecret) < 0.5, "another project secret sets other bits");
    long[] salted1915 = encoder(SECRET).encode(v, "1915");
    long[] salted1916 = encoder(SECRET).encode(v, "1916");
    assertTrue(BloomEncoder.dice(salted1915, salted1916) < 0.5, "salts separate equal names");
    assertEquals(1.0, BloomEncoder.dice(salted1915, encoder(SECRET).encode(v, "1915")), 1e-12);
  }

  @Test
  void secretComesFromFileOrEnvironmentAndErrorsNeverShowIt(@TempDir Path dir) throws Exception {
    PrivacyConfig d = PrivacyConfig.defaults();
    Path f = dir.resolve("secret");
    Files.writeString(f, SECRET + "\n");
    PrivacyConfig fromFile = new PrivacyConfig(d.mode(), f.toString(), d.secretEnv(), 16, d.tokenizeOutput(), d.tokenizeFormat(),
        d.tokenInputs(), d.tokens(), d.blockingKeys(), d.clk(), d.keyedPasses(), d.bloomComparisons(), d.bloomTraining(),
        d.bloomIdentityEvidence());
    Secret a = Secret.load(fromFile, Map.<String, String>of()::get);
    Secret b = Secret.load(d, Map.of("CC_LINK_SECRET", SECRET)::get);
    assertTrue(Arrays.equals(a.derive("p"), b.derive("p")), "file (trailing newline stripped) and variable give the same key");
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Secret.load(d, Map.<String, String>of()::get));
    assertTrue(missing.getMessage().contains("CC_LINK_SECRET"), missing.getMessage());
    IllegalStateException tooShort = assertThrows(IllegalStateException.class,
        () -> Secret.load(d, Map.of("CC_LINK_SECRET", "short-Zq9")::get));
    assertFalse(tooShort.getMessage().contains("short-Zq9"), "the message never shows the value: " + tooShort.getMessage());
  }

  @Test
  void defaultsAreValidAndModesParse() {
    PrivacyConfig d = PrivacyConfig.defaults();
    assertEquals(LinkMode.CLEAR, d.mode());
    assertEquals("CC_LINK_SECRET", d.secretEnv());
    assertEquals(1024, d.clk().length());
    assertTrue(d.clk().filters().stream().allMatch(f -> f.fields().size() >= 3));
    assertEquals(LinkMode.BLOOM_CLK, LinkMode.parse("bloom_clk"));
    assertEquals(LinkMode.CLEAR, LinkMode.parse("PLAINTEXT_HUB"));
    assertThrows(IllegalArgumentException.class, () -> LinkMode.parse("HASHED"));
  }

  @Test
  void singleFieldFiltersAndUnknownNamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PrivacyConfig.ClkSettings(1024, 2, 3, "",
        List.of(new PrivacyConfig.ClkFilter("ssn", List.of(new PrivacyConfig.ClkField("ssn", "ssn", 20))))));
    var c = ConfigFactory.parseString("commonclient.privacy.keyed.passes = [nope]")
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ConfigException e = assertThrows(ConfigException.class, () -> PrivacyConfig.from(c));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    var m = ConfigFactory.parseString("commonclient.linkage.mode = BLOOM_CLK")
        .withFallback(ConfigFactory.defaultReference()).resolve();
    assertEquals(LinkMode.BLOOM_CLK, PrivacyConfig.from(m).mode());
  }
}
