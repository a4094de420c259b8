package org.commonclient.metrics.disclosure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A release to be protected: non-negative integer cells and the additive relations between them
 * that a reader of the release knows (row, column and grand totals, subgroup to all, school to
 * district, combinations to program totals...).
 *
 * <p>Each relation says {@code total = sum(parts)} ({@link Kind#EQUAL}) or {@code total >=
 * sum(parts)} ({@link Kind#AT_LEAST}, e.g. a pairwise overlap is at most either program count).
 * Cells are identified by a caller-chosen key; adding the same key twice returns the same cell, so
 * tables can be assembled from several passes.
 */
public final class Release {
  /** How the total relates to the parts. */
  public enum Kind {
    EQUAL,
    AT_LEAST
  }

  /** One additive relation. {@code preferTotal}: when a complement is needed, take the total. */
  public record Relation(int total, int[] parts, Kind kind, boolean preferTotal) {
    /** The total followed by the parts. */
    public int[] cells() {
      int[] all = new int[parts.length + 1];
      all[0] = total;
      System.arraycopy(parts, 0, all, 1, parts.length);
      return all;
    }
  }

  private final List<String> keys = new ArrayList<>();
  private final List<Long> values = new ArrayList<>();
  private final List<Boolean> structuralZero = new ArrayList<>();
  private final Map<String, Integer> index = new HashMap<>();
  private final List<Relation> relations = new ArrayList<>();

  /**
   * Adds a cell or returns the existing one with this key.
   *
   * @throws IllegalArgumentException when the value is negative or differs from an earlier value
   */
  public int cell(String key, long value) {
    return cell(key, value, false);
  }

  /** Adds a cell; a structural zero is a cell that cannot be non-zero and is never a complement. */
  public int cell(String key, long value, boolean isStructuralZero) {
    if (value < 0) {
      throw new IllegalArgumentException("Cannot add cell " + key + " = " + value + ": negative");
    }
    Integer existing = index.get(key);
    if (existing != null) {
      if (values.get(existing) != value) {
        throw new IllegalArgumentException(
            "Cell " + key + " added twice with values " + values.get(existing) + " and " + value);
      }
      return existing;
    }
    int id = keys.size();
    keys.add(key);
    values.add(value);
    structuralZero.add(isStructuralZero && value == 0);
    index.put(key, id);
    return id;
  }

  /** Index of the cell with this key, or -1. */
  public int find(String key) {
    return index.getOrDefault(key, -1);
  }

  /** Declares {@code total = sum(parts)}; relations with no parts are ignored. */
  public void equal(int total, int... parts) {
    relation(total, parts, Kind.EQUAL, false);
  }

  /** Declares {@code total = sum(parts)}, preferring the total as complement (school to district). */
  public void equalPreferTotal(int total, int... parts) {
    relation(total, parts, Kind.EQUAL, true);
  }

  /** Declares {@code total >= sum(parts)}. */
  public void atLeast(int total, int... parts) {
    relation(total, parts, Kind.AT_LEAST, false);
  }

  private void relation(int total, int[] parts, Kind kind, boolean preferTotal) {
    if (parts.length == 0) {
      return;
    }
    long sum = 0;
    for (int p : parts) {
      check(p);
      sum += values.get(p);
    }
    check(total);
    long t = values.get(total);
    if (kind == Kind.EQUAL ? sum != t : sum > t) {
      throw new IllegalArgumentException(
          "Relation "
              + keys.get(total)
              + (kind == Kind.EQUAL ? " = " : " >= ")
              + "sum of "
              + parts.length
              + " parts does not hold: "
              + t
              + " vs "
              + sum);
    }
    relations.add(new Relation(total, parts.clone(), kind, preferTotal));
  }

  private void check(int id) {
    if (id < 0 || id >= keys.size()) {
      throw new IllegalArgumentException("Unknown cell index " + id);
    }
  }

  public int size() {
    return keys.size();
  }

  public String key(int id) {
    return keys.get(id);
  }

  public long value(int id) {
    return values.get(id);
  }

  public boolean isStructuralZero(int id) {
    return structuralZero.get(id);
  }

  public List<Relation> relations() {
    return Collections.unmodifiableList(relations);
  }
}
