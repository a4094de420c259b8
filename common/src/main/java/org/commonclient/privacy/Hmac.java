package org.commonclient.privacy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 (javax.crypto) and the token text format. Plain static Java. */
public final class Hmac {
  static final String ALGORITHM = "HmacSHA256";

  private Hmac() {}

  /** A Mac initialised with the key (not thread-safe: one per thread or per use). */
  public static Mac mac(byte[] key) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(new SecretKeySpec(key, ALGORITHM));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  public static byte[] sha256(byte[] key, byte[] message) {
    return mac(key).doFinal(message);
  }

  /** The token of a value: base64url (no padding) of HMAC-SHA256(key, UTF-8 value), 43 characters. */
  public static String token(byte[] key, String value) {
    return encode(sha256(key, value.getBytes(StandardCharsets.UTF_8)));
  }

  /** As {@link #token(byte[], String)} with a reusable Mac. */
  public static String token(Mac mac, String value) {
    return encode(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
  }

  private static String encode(byte[] h) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(h);
  }
}
