package org.commonclient.standardise;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.translate;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.Locale;
import org.apache.spark.sql.Column;

/**
 * Shared text clean-up used by names and addresses, in two forms that give the same result: plain
 * Java (for tests and drivers) and Spark Column expressions (for the pipeline). Diacritics are
 * stripped by an explicit letter table rather than Unicode decomposition so that the Java and the
 * Catalyst versions cannot drift apart.
 */
final class Text {
  private Text() {}

  /** Accented upper-case Latin letters and their plain forms, position by position. */
  static final String ACCENTED =
      "ÀÁÂÃÄÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮİĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕÖØŌŎŐŔŖŘŚŜŞŠŢŤŦÙÚÛÜŨŪŬŮŰŲŴÝŸŶŹŻŽ";

  static final String PLAIN =
      "AAAAAAAAACCCCCDDEEEEEEEEEGGGGHHIIIIIIIIIJKLLLLLNNNNOOOOOOOOORRRSSSSTTTUUUUUUUUUUWYYYZZZ";

  static {
    if (ACCENTED.length() != PLAIN.length()) {
      throw new IllegalStateException(
          "diacritic table mismatch: " + ACCENTED.length() + " vs " + PLAIN.length());
    }
  }

  /** Uppercases and strips diacritics (ligatures become two letters). Null stays null. */
  static String upperPlain(String s) {
    if (s == null) {
      return null;
    }
    String u = s.toUpperCase(Locale.ROOT);
    int first = 0;
    while (first < u.length() && u.charAt(first) < 0x80) {
      first++;
    }
    if (first == u.length()) {
      return u; // plain ASCII (most values): nothing to look up
    }
    StringBuilder b = new StringBuilder(u.length() + 4).append(u, 0, first);
    for (int i = first; i < u.length(); i++) {
      char ch = u.charAt(i);
      if (ch < 0x80) {
        b.append(ch);
        continue;
      }
      int k = ACCENTED.indexOf(ch);
      if (k >= 0) {
        b.append(PLAIN.charAt(k));
      } else if (ch == 'Æ') {
        b.append("AE");
      } else if (ch == 'Œ') {
        b.append("OE");
      } else if (ch == 'Þ') {
        b.append("TH");
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  static Column upperPlain(Column c) {
    Column u = translate(upper(c), ACCENTED, PLAIN);
    u = regexp_replace(u, "Æ", "AE");
    u = regexp_replace(u, "Œ", "OE");
    return regexp_replace(u, "Þ", "TH");
  }

  /** Collapses runs of spaces, trims, and maps "" to null. */
  private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile(" +");

  static String squash(String s) {
    if (s == null) {
      return null;
    }
    String t = SPACES.matcher(s).replaceAll(" ").trim();
    return t.isEmpty() ? null : t;
  }

  static Column squash(Column c) {
    Column t = trim(regexp_replace(c, " +", " "));
    return when(t.equalTo(lit("")), lit(null).cast("string")).otherwise(t);
  }

  /**
   * Upper-case name or address text reduced to tokens in one pass, as the regular expressions of
   * {@link Names#normalise(String)} and {@link Addresses#normalise(String, java.util.Map)} (the
   * Column forms) do it: apostrophes (' ` ’) dropped, {@code #} a token of its own when {@code
   * hashToken}, any other character but A-Z and 0-9 a separator; runs of separators become one
   * space, none at either end; null when nothing is left. Standardising a million records ran
   * three or four regular expressions over every name and address; this is a plain loop.
   */
  static String tokens(String u, boolean hashToken) {
    StringBuilder b = new StringBuilder(u.length());
    boolean gap = false; // a separator seen since the last kept character
    for (int i = 0; i < u.length(); i++) {
      char c = u.charAt(i);
      if (c == '\'' || c == '`' || c == '\u2019') {
        continue;
      }
      boolean hash = hashToken && c == '#';
      if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || hash) {
        if ((gap || hash) && b.length() > 0) { // one space between tokens
          b.append(' ');
        }
        b.append(c);
        gap = hash;
      } else {
        gap = true;
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  /** Keeps only digits; "" becomes null. */
  static String digits(String s) {
    if (s == null) {
      return null;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        b.append(c);
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  static Column digits(Column c) {
    Column d = regexp_replace(c, "[^0-9]", "");
    return when(d.equalTo(lit("")), lit(null).cast("string")).otherwise(d);
  }
}
