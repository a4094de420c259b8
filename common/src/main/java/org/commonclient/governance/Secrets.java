package org.commonclient.governance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the research-extract secret from an environment variable or a file, never from the
 * configuration. Messages name where the secret was looked for, never its value.
 */
public final class Secrets {
  /** Shortest secret accepted (bytes). */
  public static final int MIN_BYTES = 16;

  private Secrets() {}

  /**
   * The secret: the environment variable {@code envName} if set and not blank, else the content
   * (trimmed) of {@code file} if given.
   */
  public static byte[] read(String envName, String file) {
    return read(System.getenv(), envName, file);
  }

  static byte[] read(Map<String, String> env, String envName, String file) {
    String v = envName == null || envName.isBlank() ? null : env.get(envName);
    String from;
    if (v != null && !v.isBlank()) {
      from = "environment variable " + envName;
    } else if (file != null && !file.isBlank()) {
      try {
        v = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new org.commonclient.config.ConfigLoader.ConfigError("Cannot read the extract secret file " + file + ": " + e.getClass().getSimpleName());
      }
      from = "file " + file;
    } else {
      throw new org.commonclient.config.ConfigLoader.ConfigError("No extract secret: set the environment variable " + envName
          + " or name a file with --secret-file or commonclient.governance.extract.secretFile");
    }
    byte[] b = v.getBytes(StandardCharsets.UTF_8);
    if (b.length < MIN_BYTES) {
      throw new org.commonclient.config.ConfigLoader.ConfigError("The extract secret from " + from + " is too short: at least " + MIN_BYTES
          + " bytes are required");
    }
    return b;
  }
}
