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

  private static String random(Random rnd) {
    int len = rnd.nextInt(12);
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
}
