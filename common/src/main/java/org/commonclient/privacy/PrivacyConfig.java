package org.commonclient.privacy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of privacy-preserving linkage: {@code commonclient.linkage.mode} and the subtree
 * {@code commonclient.privacy} (defaults in {@code defaults/privacy.conf}). Holds no secret: only
 * where the secret is read from.
 *
 * @param mode how the link stage sees identifiers
 * @param secretFile file holding the project secret ("" = use secretEnv)
 * @param secretEnv environment variable holding the project secret
 * @param minSecretBytes shortest secret accepted
 * @param tokenizeOutput output folder of the tokenize command (one sub-folder per source)
 * @param tokenizeFormat parquet or json
 * @param tokenInputs tokenized files (paths or globs) the link stage loads before linking
 * @param tokens keyed token recipes (columns tok_&lt;name&gt;)
 * @param blockingKeys keyed blocking-token recipes (columns blk_&lt;name&gt;), in blocking order
 * @param clk Bloom-filter settings
 * @param keyedPasses KEYED_TOKENS: token names, one deterministic pass each, in order
 * @param bloomComparisons BLOOM_CLK comparisons
 * @param bloomTraining BLOOM_CLK EM training sessions
 * @param bloomIdentityEvidence BLOOM_CLK: comparisons of which one must agree for an edge
 */
public record PrivacyConfig(
    LinkMode mode,
    String secretFile,
    String secretEnv,
    int minSecretBytes,
    String tokenizeOutput,
    String tokenizeFormat,
    List<String> tokenInputs,
    List<Recipe> tokens,
    List<Recipe> blockingKeys,
    ClkSettings clk,
    List<String> keyedPasses,
    List<BloomComparison> bloomComparisons,
    List<TrainingSession> bloomTraining,
    List<String> bloomIdentityEvidence) {
  public static final String PATH = "commonclient.privacy";
  public static final String MODE_PATH = "commonclient.linkage.mode";

  /**
   * A keyed token or blocking token: HMAC of the keys' values joined by '|'.
   *
   * @param name column suffix
   * @param keys Spark SQL expressions over standardised columns; at most one of array type
   * @param blockedOn (blocking keys) bloom comparisons its pairs agree on by construction
   * @param maxBlockSize (blocking keys) blocks larger than this are dropped from the rule (0 =
   *     only the global linkage.blocking.maxBlockSize)
   */
  public record Recipe(String name, List<String> keys, List<String> blockedOn, long maxBlockSize) {
    public Recipe(String name, List<String> keys, List<String> blockedOn) {
      this(name, keys, blockedOn, 0);
    }

    public Recipe {
      keys = List.copyOf(keys);
      blockedOn = List.copyOf(blockedOn);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("Cannot use recipe '" + name + "': keys is empty");
      }
    }
  }

  /** One field of a Bloom filter: a Spark SQL expression and its hash count per q-gram. */
  public record ClkField(String name, String expr, int k) {
    public ClkField {
      if (k < 1) {
        throw new IllegalArgumentException("Cannot set k of CLK field " + name + " to " + k + ": must be positive");
      }
    }
  }

  /**
   * One Bloom filter (column clk_&lt;name&gt;) and its fields.
   *
   * @param saltField this filter's salt expression; null = clk.saltField, "" = none
   */
  public record ClkFilter(String name, List<ClkField> fields, String saltField) {
    public ClkFilter(String name, List<ClkField> fields) {
      this(name, fields, null);
    }

    public ClkFilter {
      fields = List.copyOf(fields);
    }
  }

  /**
   * @param length bits per filter
   * @param ngram q of the q-grams
   * @param minFieldsPerFilter every filter must have at least this many fields
   * @param saltField Spark SQL expression of the salt ("" = none)
   * @param filters the filters
   */
  public record ClkSettings(int length, int ngram, int minFieldsPerFilter, String saltField, List<ClkFilter> filters) {
    public ClkSettings {
      filters = List.copyOf(filters);
      if (length < 64 || length % 64 != 0) {
        throw new IllegalArgumentException("Cannot set clk.length to " + length + ": must be a positive multiple of 64");
      }
      if (ngram < 1) {
        throw new IllegalArgumentException("Cannot set clk.ngram to " + ngram + ": must be positive");
      }
      for (ClkFilter f : filters) {
        if (f.fields().size() < minFieldsPerFilter) {
          throw new IllegalArgumentException("Cannot use CLK filter '" + f.name() + "' with " + f.fields().size()
              + " fields: every filter needs at least clk.minFieldsPerFilter = " + minFieldsPerFilter
              + " (single-field filters are open to frequency attacks)");
        }
      }
    }

    /** The salt expression of a filter ("" = none). */
    public String saltOf(ClkFilter f) {
      return f.saltField() != null ? f.saltField() : saltField;
    }

    /** 64-bit words per filter. */
    public int words() {
      return length / 64;
    }
  }

  /**
   * A BLOOM_CLK comparison.
   *
   * @param name gamma_&lt;name&gt;
   * @param kind dice (input = a CLK filter) or token (input = a token name)
   * @param input filter or token name
   * @param thresholds dice: level thresholds, strictly decreasing, in (0, 1]
   * @param near token: optional blocking key (an array of tokens, e.g. the SSN deletion
   *     neighbourhood) whose overlap is a second, weaker level; "" = none
   */
  public record BloomComparison(String name, String kind, String input, List<Double> thresholds, String near) {
    public BloomComparison(String name, String kind, String input, List<Double> thresholds) {
      this(name, kind, input, thresholds, "");
    }

    public BloomComparison {
      near = near == null ? "" : near;
      thresholds = List.copyOf(thresholds);
      if (!kind.equals("dice") && !kind.equals("token")) {
        throw new IllegalArgumentException("Cannot use comparison kind '" + kind + "' for " + name + ": must be dice or token");
      }
      double prev = Double.MAX_VALUE;
      for (double t : thresholds) {
        if (!(t > 0 && t <= 1) || t >= prev) {
          throw new IllegalArgumentException("Cannot use thresholds " + thresholds + " for " + name
              + ": must decrease strictly within (0, 1]");
        }
        prev = t;
      }
      if (kind.equals("dice") && thresholds.isEmpty()) {
        throw new IllegalArgumentException("Cannot use dice comparison " + name + " without thresholds");
      }
    }
  }

  /** An EM training session: pairs sharing the value of column input. */
  public record TrainingSession(String name, String input, List<String> blockedOn) {
    public TrainingSession {
      blockedOn = List.copyOf(blockedOn);
    }
  }

  public PrivacyConfig {
    tokenInputs = List.copyOf(tokenInputs);
    tokens = List.copyOf(tokens);
    blockingKeys = List.copyOf(blockingKeys);
    keyedPasses = List.copyOf(keyedPasses);
    bloomComparisons = List.copyOf(bloomComparisons);
    bloomTraining = List.copyOf(bloomTraining);
    bloomIdentityEvidence = List.copyOf(bloomIdentityEvidence);
    if (!Set.of("parquet", "json").contains(tokenizeFormat)) {
      throw new IllegalArgumentException("Cannot set tokenize.format to " + tokenizeFormat + ": must be parquet or json");
    }
    unique("tokens", tokens.stream().map(Recipe::name).toList());
    unique("blockingKeys", blockingKeys.stream().map(Recipe::name).toList());
    unique("clk.filters", clk.filters().stream().map(ClkFilter::name).toList());
    Set<String> tokenNames = new HashSet<>(tokens.stream().map(Recipe::name).toList());
    for (String p : keyedPasses) {
      if (!tokenNames.contains(p)) {
        throw new IllegalArgumentException("Cannot use keyed pass '" + p + "': no token of that name; tokens: " + tokenNames);
      }
    }
    Set<String> filterNames = new HashSet<>(clk.filters().stream().map(ClkFilter::name).toList());
    Set<String> comparisonNames = new HashSet<>();
    for (BloomComparison c : bloomComparisons) {
      Set<String> known = c.kind().equals("dice") ? filterNames : tokenNames;
      if (!known.contains(c.input())) {
        throw new IllegalArgumentException("Cannot use bloom comparison '" + c.name() + "': no "
            + (c.kind().equals("dice") ? "CLK filter" : "token") + " named '" + c.input() + "'");
      }
      if (!c.near().isEmpty() && blockingKeys.stream().noneMatch(b -> b.name().equals(c.near()))) {
        throw new IllegalArgumentException("Cannot use near = '" + c.near() + "' in bloom comparison '" + c.name()
            + "': no blocking key of that name");
      }
      comparisonNames.add(c.name());
    }
    for (PrivacyConfig.Recipe b : blockingKeys) {
      for (String c : b.blockedOn()) {
        if (!comparisonNames.contains(c)) {
          throw new IllegalArgumentException("Cannot use blockedOn '" + c + "' of blocking key '" + b.name() + "': no bloom comparison of that name");
        }
      }
    }
    for (TrainingSession t : bloomTraining) {
      for (String c : t.blockedOn()) {
        if (!comparisonNames.contains(c)) {
          throw new IllegalArgumentException("Cannot use blockedOn '" + c + "' of training session '" + t.name() + "': no bloom comparison of that name");
        }
      }
    }
    for (String e : bloomIdentityEvidence) {
      if (!comparisonNames.contains(e)) {
        throw new IllegalArgumentException("Cannot use identity evidence '" + e + "': no bloom comparison of that name");
      }
    }
  }

  private static void unique(String what, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (!n.matches("[A-Za-z0-9_]+")) {
        throw new IllegalArgumentException("Cannot use name '" + n + "' in " + what + ": letters, digits and _ only");
      }
      if (!seen.add(n)) {
        throw new IllegalArgumentException("Duplicate name '" + n + "' in " + what);
      }
    }
  }

  /** Reads every key eagerly from the full configuration. */
  public static PrivacyConfig from(Config root) {
    Config c = root.getConfig(PATH);
    Config clk = c.getConfig("clk");
    List<ClkFilter> filters = new ArrayList<>();
    for (Config f : clk.getConfigList("filters")) {
      List<ClkField> fields = new ArrayList<>();
      for (Config fl : f.getConfigList("fields")) {
        checkKeys(fl, Set.of("name", "expr", "k"), PATH + ".clk.filters[].fields[]");
        fields.add(new ClkField(fl.getString("name"), fl.getString("expr"), fl.getInt("k")));
      }
      checkKeys(f, Set.of("name", "fields", "saltField"), PATH + ".clk.filters[]");
      filters.add(new ClkFilter(f.getString("name"), fields, f.hasPath("saltField") ? f.getString("saltField").trim() : null));
    }
    List<BloomComparison> comps = new ArrayList<>();
    for (Config b : c.getConfigList("bloom.comparisons")) {
      checkKeys(b, Set.of("name", "kind", "input", "thresholds", "near"), PATH + ".bloom.comparisons[]");
      comps.add(new BloomComparison(b.getString("name"), b.getString("kind"), b.getString("input"),
          b.hasPath("thresholds") ? b.getDoubleList("thresholds") : List.of(), b.hasPath("near") ? b.getString("near") : ""));
    }
    List<TrainingSession> training = new ArrayList<>();
    for (Config t : c.getConfigList("bloom.training")) {
      checkKeys(t, Set.of("name", "input", "blockedOn"), PATH + ".bloom.training[]");
      training.add(new TrainingSession(t.getString("name"), t.getString("input"), t.getStringList("blockedOn")));
    }
    try {
      return new PrivacyConfig(
          LinkMode.parse(root.getString(MODE_PATH)),
          c.getString("secretFile").trim(),
          c.getString("secretEnv").trim(),
          c.getInt("minSecretBytes"),
          c.getString("tokenize.output"),
          c.getString("tokenize.format").trim().toLowerCase(java.util.Locale.ROOT),
          c.getStringList("tokenInputs"),
          recipes(c, "tokens"),
          recipes(c, "blockingKeys"),
          new ClkSettings(clk.getInt("length"), clk.getInt("ngram"), clk.getInt("minFieldsPerFilter"),
              clk.getString("saltField").trim(), filters),
          c.getStringList("keyed.passes"),
          comps,
          training,
          c.getStringList("bloom.identityEvidence"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), PATH, e.getMessage());
    }
  }

  private static List<Recipe> recipes(Config c, String key) {
    List<Recipe> out = new ArrayList<>();
    for (Config r : c.getConfigList(key)) {
      checkKeys(r, Set.of("name", "keys", "blockedOn", "maxBlockSize"), PATH + "." + key + "[]");
      out.add(new Recipe(r.getString("name"), r.getStringList("keys"),
          r.hasPath("blockedOn") ? r.getStringList("blockedOn") : List.of(),
          r.hasPath("maxBlockSize") ? r.getLong("maxBlockSize") : 0));
    }
    return out;
  }

  private static void checkKeys(Config c, Set<String> known, String where) {
    for (Map.Entry<String, ?> e : c.root().entrySet()) {
      if (!known.contains(e.getKey())) {
        throw new ConfigException.BadPath(where + "." + e.getKey(), "unknown key; known keys: " + known);
      }
    }
  }

  /** The shipped defaults. */
  public static PrivacyConfig defaults() {
    return from(ConfigFactory.defaultReference().resolve());
  }

  /** These settings with another mode. */
  public PrivacyConfig withMode(LinkMode m) {
    return new PrivacyConfig(m, secretFile, secretEnv, minSecretBytes, tokenizeOutput, tokenizeFormat, tokenInputs,
        tokens, blockingKeys, clk, keyedPasses, bloomComparisons, bloomTraining, bloomIdentityEvidence);
  }

  /** These settings with other token inputs. */
  public PrivacyConfig withTokenInputs(List<String> inputs) {
    return new PrivacyConfig(mode, secretFile, secretEnv, minSecretBytes, tokenizeOutput, tokenizeFormat, inputs,
        tokens, blockingKeys, clk, keyedPasses, bloomComparisons, bloomTraining, bloomIdentityEvidence);
  }

  /**
   * A canonical description of everything that changes the encodings (recipes, filters), mixed
   * into the keyed {@code encoding_id} so the link stage can refuse inputs encoded differently.
   */
  public String encodingDescription() {
    return "v1;tokens=" + tokens + ";blockingKeys=" + blockingKeys.stream().map(r -> r.name() + r.keys()).toList()
        + ";clk=" + clk;
  }
}
