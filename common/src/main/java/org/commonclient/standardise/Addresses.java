package org.commonclient.standardise;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Address-line normalisation: uppercase, diacritics and punctuation removed ('#' kept as its own
 * token), tokens abbreviated (STREET → ST, AVENUE → AVE, APARTMENT/UNIT/# → APT ...). The house
 * number is a leading token of digits with an optional letter; the street is what follows it up to
 * the first unit marker.
 */
public final class Addresses {
  private Addresses() {}

  static final String NUMBER_RE = "^([0-9]+[A-Z]?) ";
  private static final Pattern NUMBER = Pattern.compile(NUMBER_RE);

  /** The parts of a normalised address line. */
  public record Parts(String address, String number, String street) {}

  public static String normalise(String raw, Map<String, String> abbreviations) {
    String u = Text.upperPlain(raw);
    if (u == null) {
      return null;
    }
    u = Text.tokens(u, true);
    if (u == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String t : u.split(" ")) {
      out.add(abbreviations.getOrDefault(t, t));
    }
    return String.join(" ", out);
  }

  static Column normalise(Column raw, Map<String, String> abbreviations) {
    Column u = regexp_replace(Text.upperPlain(raw), "#", " # ");
    u = regexp_replace(u, "['`’]", "");
    u = Text.squash(regexp_replace(u, "[^A-Z0-9# ]", " "));
    List<Column> kv = new ArrayList<>();
    for (Map.Entry<String, String> e : abbreviations.entrySet()) {
      kv.add(lit(e.getKey()));
      kv.add(lit(e.getValue()));
    }
    Column map = functions.map(kv.toArray(new Column[0]));
    Column mapped = transform(split(u, " "), t -> coalesce(element_at(map, t), t));
    return when(u.isNotNull(), array_join(mapped, " "));
  }

  private static String unitRe(List<String> unitMarkers) {
    return " (" + String.join("|", unitMarkers) + ")( .*)?$";
  }

  /** The compiled pattern of the unit part for {@link #parts(String, Pattern)}. */
  static Pattern unitPattern(List<String> unitMarkers) {
    return Pattern.compile(unitRe(unitMarkers));
  }

  public static Parts parts(String normalised, List<String> unitMarkers) {
    return parts(normalised, unitPattern(unitMarkers));
  }

  static Parts parts(String normalised, Pattern unit) {
    if (normalised == null) {
      return new Parts(null, null, null);
    }
    Matcher m = NUMBER.matcher(normalised + " ");
    String number = m.find() ? m.group(1) : null;
    String street = NUMBER.matcher(normalised + " ").replaceFirst("").trim();
    street = unit.matcher(" " + street).replaceFirst("").trim();
    return new Parts(normalised, number, street.isEmpty() ? null : street);
  }

  static Column number(Column normalised) {
    Column n = regexp_extract(functions.concat(normalised, lit(" ")), NUMBER_RE, 1);
    return when(n.notEqual(""), n);
  }

  static Column street(Column normalised, List<String> unitMarkers) {
    Column s = regexp_replace(functions.concat(normalised, lit(" ")), NUMBER_RE, "");
    s = regexp_replace(functions.concat(lit(" "), functions.trim(s)), unitRe(unitMarkers), "");
    return Text.squash(s);
  }
}
