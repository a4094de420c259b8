package org.commonclient.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The project secret of privacy-preserving linkage. Read only from a file named in the
 * configuration or from an environment variable, never from a configuration value. The bytes never
 * leave this object: callers get keys derived per purpose ({@link #derive}), so tasks shipped to
 * executors carry derived keys, not the secret. {@link #toString} is redacted and no error message
 * contains the value.
 */
public final class Secret {
  private final byte[] key;

  private Secret(byte[] key) {
    this.key = key;
  }

  /** For tests and embedding: a secret from bytes (copied). */
  public static Secret of(byte[] bytes, int minBytes) {
    if (bytes.length < minBytes) {
      throw new IllegalArgumentException("The linkage secret is too short: " + bytes.length
          + " bytes, at least " + minBytes + " required");
    }
    return new Secret(bytes.clone());
  }

  /** Loads the secret named by the settings from the process environment. */
  public static Secret load(PrivacyConfig cfg) {
    return load(cfg, System::getenv);
  }

  /**
   * Loads the secret: the file {@code secretFile} if set, else the variable {@code secretEnv}.
   * Leading and trailing whitespace (a final newline) is removed.
   */
  public static Secret load(PrivacyConfig cfg, Function<String, String> env) {
    byte[] bytes;
    if (!cfg.secretFile().isEmpty()) {
      Path p = Path.of(cfg.secretFile());
      try {
        bytes = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
      } catch (IOException e) {
        // the message names the file (commonclient.privacy.secretFile), never its content
        throw new IllegalStateException("Cannot read the linkage secret file " + p
            + " (commonclient.privacy.secretFile): " + e.getClass().getSimpleName());
      }
      return of(bytes, cfg.minSecretBytes(), "file " + p);
    }
    if (cfg.secretEnv().isEmpty()) {
      throw new IllegalStateException("No linkage secret: set commonclient.privacy.secretFile or commonclient.privacy.secretEnv");
    }
    String v = env.apply(cfg.secretEnv());
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("No linkage secret: the environment variable " + cfg.secretEnv()
          + " (commonclient.privacy.secretEnv) is not set and commonclient.privacy.secretFile is empty");
    }
    return of(v.strip().getBytes(StandardCharsets.UTF_8), cfg.minSecretBytes(), "environment variable " + cfg.secretEnv());
  }

  private static Secret of(byte[] bytes, int minBytes, String where) {
    if (bytes.length < minBytes) {
      Arrays.fill(bytes, (byte) 0);
      throw new IllegalStateException("The linkage secret in the " + where + " is too short: at least "
          + minBytes + " bytes required (commonclient.privacy.minSecretBytes)");
    }
    return new Secret(bytes);
  }

  /**
   * A 32-byte key for one purpose (e.g. "token/ssn", "clk/person/first_name"):
   * HMAC-SHA256(secret, "commonclient/" + purpose), an HKDF-style expand step. Different purposes
   * give independent keys, so equal values never give equal tokens across recipes or fields.
   */
  public byte[] derive(String purpose) {
    return Hmac.sha256(key, ("commonclient/" + purpose).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A keyed fingerprint of the secret and the encoding settings: equal for files encoded with the
   * same secret and settings, and reveals nothing about the secret.
   */
  public String encodingId(String settings) {
    return Hmac.token(derive("encoding-id"), settings).substring(0, 16);
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
