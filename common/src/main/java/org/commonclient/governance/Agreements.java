package org.commonclient.governance;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.commonclient.config.ConfigLoader;

/**
 * The configured data-use agreements ({@code commonclient.agreements}) and the one a run selects
 * ({@code commonclient.agreement}, or {@code --agreement}).
 *
 * <p>{@link #require} is the gate every command that reads person-level data passes: it returns
 * the agreement the run operates under, or throws {@link AgreementRefusedException} naming what
 * is missing.
 */
public final class Agreements {
  public static final String PATH = "commonclient.agreements";
  public static final String SELECTED = "commonclient.agreement";

  /** Purpose of the link stage (reads identifiers, writes the linked zone). */
  public static final String LINKAGE = "linkage";
  /** Purpose of the metrics stage (aggregates). */
  public static final String METRICS = "metrics";
  /** Purpose of research extracts (de-identified person-level rows for a party). */
  public static final String RESEARCH = "research";

  static final Set<String> PURPOSES = Set.of(LINKAGE, METRICS, RESEARCH);
  static final Set<String> KEYS = Set.of("parties", "purposes", "metrics", "start", "end", "description");
  static final Set<String> PARTY_KEYS = Set.of("sources", "receives");

  private final Map<String, Agreement> byId;
  private final String selected;

  /**
   * @param agreements the agreements
   * @param selected id of the agreement runs operate under, or null to pick the unique covering one
   */
  public Agreements(Collection<Agreement> agreements, String selected) {
    Map<String, Agreement> m = new LinkedHashMap<>();
    agreements.forEach(a -> m.put(a.id(), a));
    this.byId = java.util.Collections.unmodifiableMap(m);
    this.selected = selected == null || selected.isBlank() ? null : selected;
  }

  /** Reads and validates every agreement; a bad one fails with a message naming key and file. */
  public static Agreements from(Config root) {
    List<Agreement> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Config all = root.getConfig(PATH);
    for (String id : new TreeSet<>(all.root().keySet())) {
      try {
        out.add(parse(id, all.getConfig(quote(id)), problems));
      } catch (ConfigException | IllegalArgumentException | DateTimeParseException e) {
        problems.add(PATH + "." + id + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigLoader.ConfigError("Invalid data-use agreement(s):\n  - " + String.join("\n  - ", problems));
    }
    return new Agreements(out, root.getString(SELECTED));
  }

  private static String quote(String key) {
    return key.matches("[A-Za-z0-9_-]+") ? key : "\"" + key + "\"";
  }

  private static Agreement parse(String id, Config c, List<String> problems) {
    String prefix = PATH + "." + id;
    unknownKeys(prefix, c, KEYS, problems);
    Map<String, Agreement.Party> parties = new LinkedHashMap<>();
    Config ps = c.getConfig("parties");
    for (String name : ps.root().keySet()) {
      Config p = ps.getConfig(quote(name));
      unknownKeys(prefix + ".parties." + name, p, PARTY_KEYS, problems);
      List<String> receives = p.hasPath("receives") ? p.getStringList("receives") : List.of();
      for (String f : receives) {
        if (ResearchExtract.FORBIDDEN.contains(f)) {
          problems.add("key '" + prefix + ".parties." + name + ".receives' lists '" + f
              + "': clear identifiers and free text are never released (" + where(p, "receives") + ")");
        } else if (!ResearchExtract.FIELDS.contains(f)) {
          problems.add("key '" + prefix + ".parties." + name + ".receives' lists unknown field '" + f + "'; known: "
              + new TreeSet<>(ResearchExtract.FIELDS) + " (" + where(p, "receives") + ")");
        }
      }
      parties.put(name, new Agreement.Party(name, p.getStringList("sources"), receives));
    }
    if (parties.isEmpty()) {
      problems.add("key '" + prefix + ".parties' names no party");
    }
    Set<String> purposes = new TreeSet<>(c.getStringList("purposes"));
    for (String p : purposes) {
      if (!PURPOSES.contains(p)) {
        problems.add("key '" + prefix + ".purposes' lists unknown purpose '" + p + "'; known: " + new TreeSet<>(PURPOSES)
            + " (" + where(c, "purposes") + ")");
      }
    }
    Set<String> metrics = new TreeSet<>(c.hasPath("metrics") ? c.getStringList("metrics") : List.of());
    return new Agreement(id, parties, purposes, metrics, date(c, "start"), date(c, "end"));
  }

  private static LocalDate date(Config c, String key) {
    String v = c.getString(key);
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new ConfigException.BadValue(c.origin(), key, "must be a date yyyy-MM-dd but is '" + v + "'");
    }
  }

  private static String describe(ConfigValue v) {
    var o = v.origin();
    return o.filename() != null ? o.filename() + (o.lineNumber() > 0 ? ":" + o.lineNumber() : "") : o.description();
  }

  private static String where(Config c, String key) {
    return describe(c.getValue(key));
  }

  private static void unknownKeys(String prefix, Config c, Set<String> known, List<String> problems) {
    for (Map.Entry<String, ConfigValue> e : c.root().entrySet()) {
      if (!known.contains(e.getKey())) {
        problems.add("unknown key '" + prefix + "." + e.getKey() + "' (" + describe(e.getValue())
            + "); known: " + new TreeSet<>(known));
      }
    }
  }

  public List<Agreement> all() {
    return List.copyOf(byId.values());
  }

  public java.util.Optional<Agreement> get(String id) {
    return java.util.Optional.ofNullable(byId.get(id));
  }

  /** The id selected by configuration, or null. */
  public String selected() {
    return selected;
  }

  /** Agreements whose last day is before {@code today}. */
  public List<Agreement> endedBefore(LocalDate today) {
    return byId.values().stream().filter(a -> a.endedBefore(today)).toList();
  }

  /** Agreements in force on {@code today} (other than {@code except}) that cover the source. */
  public List<Agreement> activeCovering(String source, LocalDate today, String except) {
    return byId.values().stream()
        .filter(a -> !a.id().equals(except) && a.activeOn(today) && a.sources().contains(source))
        .toList();
  }

  /** {@link #require(String, Collection, String, LocalDate)} with the configured selection. */
  public Agreement require(Collection<String> sources, String purpose, LocalDate today) {
    return require(selected, sources, purpose, today);
  }

  /**
   * The agreement a run touching {@code sources} for {@code purpose} operates under on {@code
   * today}: the one named by {@code id}, or (id null) the unique active agreement that covers
   * every source and permits the purpose.
   *
   * @throws AgreementRefusedException naming what is missing
   */
  public Agreement require(String id, Collection<String> sources, String purpose, LocalDate today) {
    Set<String> touched = new TreeSet<>(sources);
    String run = purpose + " over source(s) " + touched;
    if (id != null && !id.isBlank()) {
      Agreement a = byId.get(id);
      if (a == null) {
        throw new AgreementRefusedException("Refusing " + run + ": no data-use agreement '" + id + "'"
            + (byId.isEmpty() ? " (none is configured under " + PATH + ")" : "; configured: " + byId.keySet()));
      }
      String why = a.refusal(touched, purpose, today);
      if (why != null) {
        throw new AgreementRefusedException("Refusing " + run + ": " + why);
      }
      return a;
    }
    if (byId.isEmpty()) {
      throw new AgreementRefusedException("Refusing " + run + ": no data-use agreement is configured (add one under "
          + PATH + ", e.g. conf/agreements/<id>.conf)");
    }
    List<Agreement> ok = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (Agreement a : byId.values()) {
      String why = a.refusal(touched, purpose, today);
      if (why == null) {
        ok.add(a);
      } else {
        reasons.add(why);
      }
    }
    if (ok.isEmpty()) {
      throw new AgreementRefusedException("Refusing " + run + ": no active data-use agreement covers it: "
          + String.join("; ", reasons));
    }
    if (ok.size() > 1) {
      throw new AgreementRefusedException("Refusing " + run + ": several data-use agreements cover it "
          + ok.stream().map(Agreement::id).toList() + "; choose one with --agreement or " + SELECTED);
    }
    return ok.get(0);
  }
}
