package org.commonclient.standardise;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;

/**
 * Name normalisation (DOMAIN.md 1.3): uppercase, diacritics stripped, apostrophes dropped
 * (O'BRIEN → OBRIEN), hyphens and other punctuation become a single space (token boundary),
 * generational suffixes moved to their own field, placeholders become null. Each rule exists as
 * plain Java and as a Spark Column expression with the same result.
 */
public final class Names {
  private Names() {}

  /** Written forms of suffixes mapped to one spelling; others are kept as normalised. */
  static final Map<String, String> SUFFIX_SPELLING =
      Map.of("2ND", "II", "3RD", "III", "4TH", "IV", "JUNIOR", "JR", "SENIOR", "SR");

  static final java.util.regex.Pattern APOSTROPHES = java.util.regex.Pattern.compile("['`’]");

  /** Normalised name text, before suffix and placeholder handling; null when nothing is left. */
  public static String normalise(String raw) {
    String u = Text.upperPlain(raw);
    if (u == null) {
      return null;
    }
    return Text.tokens(u, false);
  }

  public static Column normalise(Column raw) {
    Column u = Text.upperPlain(raw);
    u = regexp_replace(u, "['`’]", "");
    u = regexp_replace(u, "[^A-Z0-9 ]", " ");
    return Text.squash(u);
  }

  /** Normalised suffix field: JUNIOR → JR, 2ND → II ...; null when empty. */
  public static String normaliseSuffix(String raw) {
    String n = normalise(raw);
    if (n == null) {
      return null;
    }
    n = n.replace(" ", "");
    return SUFFIX_SPELLING.getOrDefault(n, n);
  }

  static Column normaliseSuffix(Column raw) {
    Column n = regexp_replace(normalise(raw), " ", "");
    Column out = n;
    for (Map.Entry<String, String> e : SUFFIX_SPELLING.entrySet()) {
      out = when(n.equalTo(lit(e.getKey())), lit(e.getValue())).otherwise(out);
    }
    return out;
  }

  /** A normalised name split into the name without suffix tokens and the last suffix found. */
  public record Split(String name, String suffix) {}

  /**
   * Removes suffix tokens found after the first token ("SMITH JR" → SMITH + JR). The first token is
   * never a suffix, so a surname such as "V" or a first name "JR" is kept.
   */
  public static Split splitSuffix(String normalised, Set<String> suffixes) {
    if (normalised == null) {
      return new Split(null, null);
    }
    List<String> tokens = Arrays.asList(normalised.split(" "));
    List<String> kept = new ArrayList<>();
    kept.add(tokens.get(0));
    String suffix = null;
    for (String t : tokens.subList(1, tokens.size())) {
      if (suffixes.contains(t)) {
        suffix = SUFFIX_SPELLING.getOrDefault(t, t);
      } else {
        kept.add(t);
      }
    }
    return new Split(String.join(" ", kept), suffix);
  }

  /** Column form of {@link #splitSuffix}: the name part. */
  static Column withoutSuffix(Column normalised, Set<String> suffixes) {
    Column tokens = split(normalised, " ");
    Column rest = slice(tokens, lit(2), size(tokens));
    Column restKept = filter(rest, t -> t.isin(suffixes.toArray()).unary_$bang());
    Column joined = concat_ws(" ", element_at(tokens, 1), array_join(restKept, " "));
    return when(normalised.isNull(), lit(null).cast("string")).otherwise(Text.squash(joined));
  }

  /** Column form of {@link #splitSuffix}: the suffix part (null when none). */
  static Column suffixOf(Column normalised, Set<String> suffixes) {
    Column rest = slice(split(normalised, " "), lit(2), size(split(normalised, " ")));
    Column found = filter(rest, t -> t.isin(suffixes.toArray()));
    Column last = when(size(found).gt(0), element_at(found, -1));
    Column out = last;
    for (Map.Entry<String, String> e : SUFFIX_SPELLING.entrySet()) {
      out = when(last.equalTo(lit(e.getKey())), lit(e.getValue())).otherwise(out);
    }
    return out;
  }

  /** True when the normalised value is a placeholder such as BABY GIRL, UNKNOWN, FNU. */
  public static boolean isPlaceholder(String normalised, Set<String> placeholders) {
    return normalised != null && placeholders.contains(normalised);
  }

  /**
   * A name part with placeholders removed: null when the part itself or "first last" together is a
   * placeholder (JOHN DOE).
   */
  public static String dropPlaceholder(
      String part, String first, String last, Set<String> placeholders) {
    if (part == null) {
      return null;
    }
    if (placeholders.contains(part)) {
      return null;
    }
    if (first != null && last != null && placeholders.contains(first + " " + last)) {
      return null;
    }
    return part;
  }

  static Column dropPlaceholder(Column part, Column first, Column last, Set<String> placeholders) {
    Object[] ph = placeholders.toArray();
    Column isPh =
        part.isin(ph).or(coalesce(concat_ws(" ", first, last).isin(ph).and(first.isNotNull()).and(last.isNotNull()), lit(false)));
    return when(isPh, lit(null).cast("string")).otherwise(part);
  }

  /** Surname tokens (hyphenated and double surnames are split on the space left by normalise). */
  public static List<String> tokens(String normalised) {
    return normalised == null ? null : Arrays.asList(normalised.split(" "));
  }

  static Column tokens(Column normalised) {
    return split(normalised, " ");
  }
}
