package org.commonclient.scoring;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One distinct comparison vector and how many pairs have it. {@code gammas} follow the order of the
 * model's comparisons; -1 is the null level.
 */
public record PatternCount(int[] gammas, long count) implements Serializable {
  public PatternCount {
    gammas = gammas.clone();
    if (count < 0) {
      throw new IllegalArgumentException("Cannot use a negative pattern count " + count);
    }
  }

  @Override
  public int[] gammas() {
    return gammas.clone();
  }

  int gamma(int i) {
    return gammas[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PatternCount p && p.count == count && Arrays.equals(p.gammas, gammas);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(gammas) + Long.hashCode(count);
  }

  @Override
  public String toString() {
    return Arrays.toString(gammas) + " x " + count;
  }
}
