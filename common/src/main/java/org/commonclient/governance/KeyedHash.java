package org.commonclient.governance;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * HMAC-SHA256 of a string under a key, as lower-case hex truncated to {@link #HEX_CHARS}
 * characters (128 bits). A UDF rather than a column expression on purpose: a column expression
 * would carry the key as a literal in the query plan, which Spark prints in logs, EXPLAIN output
 * and its UI; the UDF's key travels only inside the serialized task.
 */
public final class KeyedHash implements UDF1<String, String> {
  public static final int HEX_CHARS = 32;
  private static final String ALG = "HmacSHA256";

  private final byte[] key;
  private transient Mac mac;

  public KeyedHash(byte[] key) {
    if (key == null || key.length < Secrets.MIN_BYTES) {
      throw new IllegalArgumentException("Cannot use a key shorter than " + Secrets.MIN_BYTES + " bytes");
    }
    this.key = key.clone();
  }

  /** HMAC-SHA256(key, message) as bytes. */
  public static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac m = Mac.getInstance(ALG);
      m.init(new SecretKeySpec(key, ALG));
      return m.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  /**
   * A key for one extract derived from the master secret, so ids of two extracts cannot be
   * joined and the master secret itself never leaves the driver.
   */
  public static KeyedHash forExtract(byte[] secret, String extractId) {
    return new KeyedHash(hmac(secret, ("commonclient research extract " + extractId).getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public String call(String value) throws GeneralSecurityException {
    if (value == null) {
      return null;
    }
    if (mac == null) {
      mac = Mac.getInstance(ALG);
      mac.init(new SecretKeySpec(key, ALG));
    }
    byte[] h = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(h).substring(0, HEX_CHARS);
  }

  @Override
  public String toString() {
    return "KeyedHash(HMAC-SHA256, key withheld)";
  }
}
