package org.commonclient.comparison;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Random;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our Jaro-Winkler gives commons-text's values (plain Java, no Spark). */
class SimilarityTest {
  static final JaroWinklerSimilarity REF = new JaroWinklerSimilarity();

  @ParameterizedTest(name = "jw({0}, {1})")
  @CsvSource({
    "MARTHA,MARHTA", "DWAYNE,DUANE", "DIXON,DICKSONX", "JONATHAN,JONATHEN", "A,A", "A,B",
    "ROBERT,BOB", "'',ABC", "SMITH,SMYTHE", "GARCIA LOPEZ,LOPEZ GARCIA"
  })
  void matchesCommonsText(String a, String b) {
    assertEquals(REF.apply(a, b), Similarity.jw(a, b), 1e-12, a + " vs " + b);
    assertEquals(REF.apply(b, a), Similarity.jw(b, a), 1e-12, b + " vs " + a);
  }

  @Test
  void matchesCommonsTextOnRandomStrings() {
    Random rnd = new Random(42);
    for (int n = 0; n < 20_000; n++) {
      String a = random(rnd);
      String b = rnd.nextInt(3) == 0 ? mutate(a, rnd) : random(rnd);
      assertEquals(REF.apply(a, b), Similarity.jw(a, b), 1e-12, a + " vs " + b);
    }
    assertNull(Similarity.jaroWinkler(null, "A"));
  }

  /** Either side of the 64-character bound where the matched positions stop fitting in a long. */
  @Test
  void matchesCommonsTextAroundSixtyFourCharacters() {
    Random rnd = new Random(7);
    for (int n = 0; n < 5_000; n++) {
      String a = random(rnd, 56 + rnd.nextInt(16));
      String b = rnd.nextInt(2) == 0 ? mutate(a, rnd) : random(rnd, 56 + rnd.nextInt(16));
      assertEquals(REF.apply(a, b), Similarity.jw(a, b), 1e-12, a + " vs " + b);
      assertEquals(REF.apply(b, a), Similarity.jw(b, a), 1e-12, b + " vs " + a);
    }
  }

  private static String random(Random rnd) {
    return random(rnd, rnd.nextInt(12));
  }

  private static String random(Random rnd, int len) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) {
      b.append((char) ('A' + rnd.nextInt(6)));
    }
    return b.toString();
  }

  private static String mutate(String s, Random rnd) {
    if (s.length() < 2) {
      return s + "A";
    }
    char[] c = s.toCharArray();
    int i = rnd.nextInt(c.length - 1);
    char t = c[i];
    c[i] = c[i + 1];
    c[i + 1] = t;
    return new String(c);
  }

  /** The static transposition test agrees with a brute force over every adjacent swap. */
  @Test
  void adjacentTranspositionMatchesBruteForce() {
    Random rnd = new Random(7);
    for (int t = 0; t < 20_000; t++) {
      String a = randomDigits(rnd, 1 + rnd.nextInt(5));
      String b = rnd.nextInt(3) == 0 ? swapOnce(a, rnd) : randomDigits(rnd, a.length() + rnd.nextInt(2) - (a.length() > 1 ? rnd.nextInt(2) : 0));
      assertEquals(bruteForce(a, b), Similarity.isAdjacentTransposition(a, b), a + " vs " + b);
    }
    assertEquals(true, Similarity.isAdjacentTransposition("123456789", "123456798"));
    assertEquals(false, Similarity.isAdjacentTransposition("123456788", "123456788"), "equal is not a swap");
    assertEquals(false, Similarity.isAdjacentTransposition("1123", "1123"), "swapping equal digits changes nothing");
    assertEquals(false, Similarity.isAdjacentTransposition("1234", "2143"), "two swaps");
    assertNull(Similarity.isAdjacentTransposition(null, "12"));
  }

  private static String randomDigits(Random rnd, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append((char) ('0' + rnd.nextInt(3)));
    }
    return b.toString();
  }

  private static String swapOnce(String a, Random rnd) {
    if (a.length() < 2) {
      return a;
    }
    int i = rnd.nextInt(a.length() - 1);
    char[] c = a.toCharArray();
    char x = c[i];
    c[i] = c[i + 1];
    c[i + 1] = x;
    return new String(c);
  }

  private static boolean bruteForce(String a, String b) {
    if (a.length() != b.length() || a.equals(b)) {
      return false;
    }
    for (int i = 0; i + 1 < a.length(); i++) {
      char[] c = a.toCharArray();
      char x = c[i];
      c[i] = c[i + 1];
      c[i + 1] = x;
      if (new String(c).equals(b)) {
        return true;
      }
    }
    return false;
  }
}
