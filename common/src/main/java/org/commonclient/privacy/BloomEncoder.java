package org.commonclient.privacy;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;

/**
 * Encodes several fields of a record into one Bloom filter (a cryptographic long-term key, CLK;
 * Schnell, Bachteler and Reiher 2009/2011). Plain Java, serializable (it holds derived keys only).
 *
 * <p>Each field's value is split into q-grams without padding (padding grams mark the first and
 * last letters, a known weakness). For every q-gram the bit positions come from HMAC-SHA256 under
 * a key derived from the project secret for this filter and field ("random hashing": k positions
 * read from the HMAC output, not the two-hash linear combination that double hashing attacks
 * exploit). When the record has a salt, it is hashed with every q-gram, so equal names set
 * different bits in records with different salts.
 */
public final class BloomEncoder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int length;
  private final int q;
  private final byte[][] fieldKeys;
  private final int[] k;

  /**
   * @param length bits of the filter (a multiple of 64)
   * @param q q-gram length
   * @param fieldKeys one derived key per field
   * @param k bit positions per q-gram of each field
   */
  public BloomEncoder(int length, int q, byte[][] fieldKeys, int[] k) {
    if (length < 64 || length % 64 != 0) {
      throw new IllegalArgumentException("Cannot use filter length " + length + ": must be a positive multiple of 64");
    }
    if (fieldKeys.length != k.length) {
      throw new IllegalArgumentException("Cannot build an encoder with " + fieldKeys.length + " keys and " + k.length + " weights");
    }
    this.length = length;
    this.q = q;
    this.fieldKeys = fieldKeys.clone();
    this.k = k.clone();
  }

  /** The encoder of one configured filter, keys derived from the secret. */
  public static BloomEncoder of(Secret secret, PrivacyConfig.ClkSettings clk, PrivacyConfig.ClkFilter filter) {
    List<PrivacyConfig.ClkField> fields = filter.fields();
    byte[][] keys = new byte[fields.size()][];
    int[] ks = new int[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      keys[i] = secret.derive("clk/" + filter.name() + "/" + fields.get(i).name());
      ks[i] = fields.get(i).k();
    }
    return new BloomEncoder(clk.length(), clk.ngram(), keys, ks);
  }

  public int length() {
    return length;
  }

  /**
   * The q-grams of a value (distinct, in order of first appearance). Values shorter than q are
   * one gram; null or empty values have none.
   */
  public static Set<String> qgrams(String value, int q) {
    Set<String> out = new LinkedHashSet<>();
    if (value == null || value.isEmpty()) {
      return out;
    }
    if (value.length() <= q) {
      out.add(value);
      return out;
    }
    for (int i = 0; i + q <= value.length(); i++) {
      out.add(value.substring(i, i + q));
    }
    return out;
  }

  /**
   * Encodes the field values (in the order of the keys; null = missing) with an optional salt.
   *
   * @return the filter as 64-bit words (bit i is bit i % 64 of word i / 64); all zero when every
   *     field is missing
   */
  public long[] encode(List<String> values, String salt) {
    if (values.size() != fieldKeys.length) {
      throw new IllegalArgumentException("Cannot encode " + values.size() + " values with " + fieldKeys.length + " fields");
    }
    long[] bits = new long[length / 64];
    byte[] saltBytes = salt == null || salt.isEmpty() ? new byte[0] : (salt + "\u001f").getBytes(StandardCharsets.UTF_8);
    for (int f = 0; f < fieldKeys.length; f++) {
      Set<String> grams = qgrams(values.get(f), q);
      if (grams.isEmpty()) {
        continue;
      }
      Mac mac = Hmac.mac(fieldKeys[f]);
      for (String g : grams) {
        byte[] gram = g.getBytes(StandardCharsets.UTF_8);
        int set = 0;
        // each HMAC output gives 8 positions (32-bit words); block counter for more
        for (int block = 0; set < k[f]; block++) {
          mac.update((byte) block);
          mac.update(saltBytes);
          byte[] h = mac.doFinal(gram);
          for (int j = 0; j + 4 <= h.length && set < k[f]; j += 4, set++) {
            int v = ((h[j] & 0xff) << 24) | ((h[j + 1] & 0xff) << 16) | ((h[j + 2] & 0xff) << 8) | (h[j + 3] & 0xff);
            int pos = Math.floorMod(v, length);
            bits[pos >>> 6] |= 1L << (pos & 63);
          }
        }
      }
    }
    return bits;
  }

  /** Sørensen-Dice coefficient 2|A∧B| / (|A| + |B|) of two filters; NaN when both are empty. */
  public static double dice(long[] a, long[] b) {
    int inter = 0;
    int na = 0;
    int nb = 0;
    for (int i = 0; i < a.length; i++) {
      inter += Long.bitCount(a[i] & b[i]);
      na += Long.bitCount(a[i]);
      nb += Long.bitCount(b[i]);
    }
    return na + nb == 0 ? Double.NaN : 2.0 * inter / (na + nb);
  }
}
