package org.commonclient.metrics;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Connected components of a bipartite graph of vertices and connectors (here persons and case
 * ids, one independent graph per period), computed in Spark by union-find; nothing on the driver
 * grows with the graph.
 *
 * <p>The rows of each graph are brought into one task (one shuffle, hash-partitioned by the graph
 * key) and that task runs union-find over them: O(edges) with two arrays and two open-addressing
 * hash tables of primitive longs (about 40 bytes per vertex and connector), so the one task of a
 * period of a statewide run (a few million person-periods) holds well under a gigabyte. Family
 * graphs are households chained by a few shared cases: tiny components, which iterative label
 * propagation in Spark (a shuffle and sort per round, several rounds) paid for heavily while
 * union-find finishes them in one pass. The label of a component is its smallest vertex.
 */
final class Components {
  private Components() {}

  /**
   * Labels the vertices of {@code edges}: columns {@code g} (an independent graph per value, e.g.
   * the period), {@code v} (vertex, long) and {@code c} (connector, long). Returns {@code g, v,
   * label} with one row per vertex that has at least one edge; label = the smallest vertex of its
   * component within {@code g}. Vertices without edges are their own components (the caller
   * fills them in with {@code coalesce(label, v)}).
   */
  static Dataset<Row> label(Dataset<Row> edges) {
    Dataset<Row> e = edges.select(col("g"), col("v"), col("c"));
    StructType out = new StructType()
        .add("g", e.schema().apply("g").dataType(), false)
        .add("v", DataTypes.LongType, false)
        .add("label", DataTypes.LongType, false);
    return e.repartition(col("g")).mapPartitions(new LabelEdges(), Encoders.row(out));
  }

  /**
   * Families of person-period rows: columns {@code period_id} (int), {@code person_id}, {@code
   * ph} (vertex, long), {@code mask} (long) and {@code cases} (connectors, array of long, null or
   * empty = none). Returns, for every input row, {@code period_id, person_id, ph, mask, fam} (the
   * smallest {@code ph} of its component within the period: so exactly one vertex of a family has
   * {@code ph = fam}) and {@code fmask} (the OR of {@code mask} over the component).
   */
  static Dataset<Row> families(Dataset<Row> personPeriods) {
    Dataset<Row> pp = personPeriods.select(col("period_id"), col("person_id"), col("ph"), col("mask"),
        col("cases"));
    StructType out = new StructType()
        .add("period_id", DataTypes.IntegerType, false)
        .add("person_id", DataTypes.StringType, true)
        .add("ph", DataTypes.LongType, false)
        .add("mask", DataTypes.LongType, true)
        .add("fam", DataTypes.LongType, false)
        .add("fmask", DataTypes.LongType, true);
    return pp.repartition(col("period_id")).mapPartitions(new LabelFamilies(), Encoders.row(out));
  }

  /** Union-find over one graph: vertices and connectors are longs; each vertex carries a mask. */
  static final class Graph {
    private final LongIndex vertexIndex = new LongIndex();
    private final LongIndex connectorVertex = new LongIndex(); // connector -> first vertex seen with it
    private long[] ids = new long[1024];
    private long[] masks = new long[1024];
    private boolean[] masked = new boolean[1024];
    private int[] parent = new int[1024];
    private int n;
    private long[] labels;
    private long[] fmasks;
    private boolean[] fmasked;

    /** The index of vertex {@code v} (added if new). */
    int vertex(long v) {
      int i = vertexIndex.get(v);
      if (i >= 0) {
        return i;
      }
      if (n == ids.length) {
        int cap = n * 2;
        ids = java.util.Arrays.copyOf(ids, cap);
        masks = java.util.Arrays.copyOf(masks, cap);
        masked = java.util.Arrays.copyOf(masked, cap);
        parent = java.util.Arrays.copyOf(parent, cap);
      }
      ids[n] = v;
      parent[n] = n;
      vertexIndex.put(v, n);
      return n++;
    }

    /** ORs {@code mask} into vertex {@code i}'s mask (a null mask leaves it unchanged). */
    void mask(int i, Long mask) {
      if (mask != null) {
        masks[i] |= mask;
        masked[i] = true;
      }
    }

    /** Adds an edge between vertex {@code i} and connector {@code c}. */
    void connect(int i, long c) {
      int first = connectorVertex.get(c);
      if (first < 0) {
        connectorVertex.put(c, i);
      } else {
        union(first, i);
      }
    }

    private int find(int i) {
      while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    }

    private void union(int a, int b) {
      int ra = find(a);
      int rb = find(b);
      if (ra != rb) {
        parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
    }

    /** Computes every component's label (smallest vertex) and mask (OR; null if no member had one). */
    void finish() {
      labels = new long[n];
      fmasks = new long[n];
      fmasked = new boolean[n];
      java.util.Arrays.fill(labels, Long.MAX_VALUE);
      for (int i = 0; i < n; i++) {
        int r = find(i);
        labels[r] = Math.min(labels[r], ids[i]);
        if (masked[i]) {
          fmasks[r] |= masks[i];
          fmasked[r] = true;
        }
      }
    }

    long label(int i) {
      return labels[find(i)];
    }

    Long componentMask(int i) {
      int r = find(i);
      return fmasked[r] ? fmasks[r] : null;
    }

    int size() {
      return n;
    }

    long id(int i) {
      return ids[i];
    }
  }

  /** (g, v, c) rows of any number of graphs to (g, v, label), one row per vertex. */
  static final class LabelEdges implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      Map<Object, Graph> graphs = new HashMap<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        if (r.isNullAt(1) || r.isNullAt(2)) {
          continue;
        }
        Graph gr = graphs.computeIfAbsent(r.get(0), k -> new Graph());
        gr.connect(gr.vertex(r.getLong(1)), r.getLong(2));
      }
      List<Row> out = new ArrayList<>();
      for (Map.Entry<Object, Graph> e : graphs.entrySet()) {
        Graph gr = e.getValue();
        gr.finish();
        for (int i = 0; i < gr.size(); i++) {
          out.add(RowFactory.create(e.getKey(), gr.id(i), gr.label(i)));
        }
      }
      return out.iterator();
    }
  }

  /** Person-period rows of any number of periods to the same rows with fam and fmask. */
  static final class LabelFamilies implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      Map<Integer, Graph> graphs = new HashMap<>();
      List<Row> in = new ArrayList<>();
      List<Integer> index = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        Graph gr = graphs.computeIfAbsent(r.getInt(0), k -> new Graph());
        int i = gr.vertex(r.getLong(2));
        gr.mask(i, r.isNullAt(3) ? null : r.getLong(3));
        if (!r.isNullAt(4)) {
          List<Object> cases = r.getList(4);
          for (Object c : cases) {
            if (c != null) {
              gr.connect(i, (Long) c);
            }
          }
        }
        in.add(r);
        index.add(i);
      }
      for (Graph gr : graphs.values()) {
        gr.finish();
      }
      List<Row> out = new ArrayList<>(in.size());
      for (int k = 0; k < in.size(); k++) {
        Row r = in.get(k);
        Graph gr = graphs.get(r.getInt(0));
        int i = index.get(k);
        out.add(RowFactory.create(r.getInt(0), r.getString(1), r.getLong(2),
            r.isNullAt(3) ? null : r.getLong(3), gr.label(i), gr.componentMask(i)));
        in.set(k, null);
      }
      return out.iterator();
    }
  }

  /** An open-addressing hash table from long keys to non-negative ints (-1 = absent). */
  static final class LongIndex {
    private long[] keys = new long[1 << 12];
    private int[] values = new int[1 << 12];
    private boolean[] used = new boolean[1 << 12];
    private int size;

    int get(long key) {
      int mask = keys.length - 1;
      int s = slot(key, mask);
      while (used[s]) {
        if (keys[s] == key) {
          return values[s];
        }
        s = (s + 1) & mask;
      }
      return -1;
    }

    void put(long key, int value) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      int s = slot(key, mask);
      while (used[s]) {
        if (keys[s] == key) {
          values[s] = value;
          return;
        }
        s = (s + 1) & mask;
      }
      used[s] = true;
      keys[s] = key;
      values[s] = value;
      size++;
    }

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
      long[] k = keys;
      int[] v = values;
      boolean[] u = used;
      keys = new long[k.length * 2];
      values = new int[k.length * 2];
      used = new boolean[k.length * 2];
      size = 0;
      for (int i = 0; i < k.length; i++) {
        if (u[i]) {
          put(k[i], v[i]);
        }
      }
    }
  }
}
