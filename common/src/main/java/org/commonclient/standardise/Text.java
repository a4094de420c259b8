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
    StringBuilder b = new StringBuilder(u.length());
    for (int i = 0; i < u.length(); i++) {
      char ch = u.charAt(i);
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
  private static final java.util.regex.Pattern NON_DIGITS = java.util.regex.Pattern.compile("[^0-9]");

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

  /** Keeps only digits; "" becomes null. */
  static String digits(String s) {
    if (s == null) {
      return null;
    }
    String d = NON_DIGITS.matcher(s).replaceAll("");
    return d.isEmpty() ? null : d;
  }

  static Column digits(Column c) {
    Column d = regexp_replace(c, "[^0-9]", "");
    return when(d.equalTo(lit("")), lit(null).cast("string")).otherwise(d);
  }
}
