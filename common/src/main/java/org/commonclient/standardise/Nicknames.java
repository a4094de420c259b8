package org.commonclient.standardise;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The given-name/nickname table reduced to one canonical name per name, so that "nickname
 * equivalent" becomes an equality test on {@code first_nick} (ROBERT, BOB, BOBBY → ROBERT;
 * ELIZABETH, BETTY, LIZ → ELIZABETH).
 *
 * <p>The table is many-to-many (RON is a nickname of AARON, CAMERON, RONALD, VERONICA), so a
 * deterministic choice is made. A name that is nobody's nickname is its own canonical form. A
 * nickname resolves to the best of its formal names, ranked by: the formal name is a root (itself
 * nobody's nickname) first, then same first letter (RON → RONALD), then the longest common
 * substring (BILL → WILLIAM rather than ROBERT), then the longest common prefix, then the formal
 * name with most nicknames, then alphabetical order. If the chosen formal name is
 * itself a nickname the choice is repeated from there (cycles stop at the name already seen).
 */
public final class Nicknames {
  /** Bundled table (carltonnorthern/nicknames, Apache-2.0). */
  public static final String BUNDLED = "nicknames/names.csv";

  /** A name with at least this many nicknames is formal: its canonical form is itself. */
  static final int FORMAL_MIN_NICKNAMES = 5;

  private final Map<String, String> canonical;
  private final Map<String, Set<String>> related;

  private Nicknames(Map<String, String> canonical, Map<String, Set<String>> related) {
    this.canonical = canonical;
    this.related = related;
  }

  /** Loads the table: "" = bundled classpath copy; else a file path. */
  public static Nicknames load(String table) {
    try {
      if (table == null || table.isBlank()) {
        try (InputStream in = Nicknames.class.getClassLoader().getResourceAsStream(BUNDLED)) {
          if (in == null) {
            throw new IllegalStateException("Nickname table " + BUNDLED + " is not on the classpath");
          }
          return fromCsv(read(in));
        }
      }
      try (InputStream in = Files.newInputStream(Path.of(table))) {
        return fromCsv(read(in));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read nickname table " + table, e);
    }
  }

  private static List<String> read(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** Builds from CSV lines {@code name1,relationship,name2} (a header line is skipped). */
  static Nicknames fromCsv(List<String> lines) {
    List<String[]> pairs = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.strip().split(",");
      if (f.length < 3 || f[0].equalsIgnoreCase("name1")) {
        continue;
      }
      String formal = Names.normalise(f[0]);
      String nick = Names.normalise(f[2]);
      if (formal != null && nick != null && !formal.equals(nick)) {
        pairs.add(new String[] {formal, nick});
      }
    }
    return fromPairs(pairs);
  }

  /** Builds from (formal, nickname) pairs of normalised names. */
  static Nicknames fromPairs(List<String[]> pairs) {
    Map<String, Integer> outdeg = new HashMap<>();
    for (String[] p : pairs) {
      outdeg.merge(p[0], 1, Integer::sum);
    }
    // The table has some edges the wrong way round (BOB has_nickname ROBERT, BETH has_nickname
    // ELIZABETH): an edge is turned round when the "nickname" is at least as long as the formal
    // name and has more nicknames of its own.
    Map<String, Set<String>> parents = new HashMap<>();
    Set<String> all = new TreeSet<>();
    for (String[] p : pairs) {
      String formal = p[0];
      String nick = p[1];
      if (nick.length() >= formal.length()
          && outdeg.getOrDefault(nick, 0) > outdeg.getOrDefault(formal, 0)) {
        formal = p[1];
        nick = p[0];
      }
      parents.computeIfAbsent(nick, k -> new TreeSet<>()).add(formal);
      all.add(formal);
      all.add(nick);
    }
    // a name with several nicknames of its own is a formal name: it stays itself even when the
    // table also lists it as somebody's variant (MICHAEL under MIGUEL, JOHN under JOHANN)
    Set<String> roots = new HashSet<>();
    for (String n : all) {
      if (!parents.containsKey(n) || outdeg.getOrDefault(n, 0) >= FORMAL_MIN_NICKNAMES) {
        roots.add(n);
      }
    }
    Map<String, Set<String>> related = new TreeMap<>();
    for (String n : all) {
      Set<String> s = new TreeSet<>();
      s.add(n);
      s.addAll(parents.getOrDefault(n, Set.of()));
      related.put(n, s);
    }
    Map<String, String> canonical = new TreeMap<>();
    for (String name : all) {
      String cur = name;
      Set<String> seen = new HashSet<>();
      seen.add(cur);
      while (!roots.contains(cur)) {
        final String from = cur;
        Comparator<String> rank =
            Comparator.<String, Boolean>comparing(roots::contains)
                .thenComparing(p -> p.charAt(0) == from.charAt(0))
                .thenComparingInt(p -> commonSubstring(p, from))
                .thenComparingInt(p -> commonPrefix(p, from))
                .thenComparingInt(p -> outdeg.getOrDefault(p, 0))
                .reversed()
                .thenComparing(Comparator.naturalOrder());
        String next =
            parents.get(cur).stream().filter(p -> !seen.contains(p)).min(rank).orElse(null);
        if (next == null) {
          break;
        }
        cur = next;
        seen.add(cur);
      }
      canonical.put(name, cur);
    }
    return new Nicknames(canonical, related);
  }

  private static int commonSubstring(String a, String b) {
    int best = 0;
    for (int i = 0; i < a.length(); i++) {
      for (int j = 0; j < b.length(); j++) {
        int k = 0;
        while (i + k < a.length() && j + k < b.length() && a.charAt(i + k) == b.charAt(j + k)) {
          k++;
        }
        best = Math.max(best, k);
      }
    }
    return best;
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /** Canonical form of a normalised first name; the name itself when the table does not know it. */
  public String canonical(String normalisedName) {
    if (normalisedName == null) {
      return null;
    }
    return canonical.getOrDefault(normalisedName, normalisedName);
  }

  /**
   * The name with the formal names it is listed under. Two names are nickname-equivalent
   * when these sets intersect: the same name, one a nickname of the other, or nicknames of a
   * common formal name (KATE, KATHY → KATHERINE). This catches what a single canonical form
   * cannot in a many-to-many table.
   */
  public java.util.List<String> related(String normalisedName) {
    if (normalisedName == null) {
      return null;
    }
    Set<String> s = related.get(normalisedName);
    return s == null ? java.util.List.of(normalisedName) : java.util.List.copyOf(s);
  }

  /** True when the two names are nickname-equivalent (see {@link #related}). */
  public boolean equivalent(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    Set<String> ra = new HashSet<>(related(a));
    for (String x : related(b)) {
      if (ra.contains(x)) {
        return true;
      }
    }
    return false;
  }

  /** Every name of the table with its canonical form (names mapping to themselves included). */
  public Map<String, String> asMap() {
    return canonical;
  }
}
