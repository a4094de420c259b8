package org.commonclient.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Spark min-label propagation against a plain union-find on seeded random graphs. */
@ExtendWith(SparkExtension.class)
class ComponentsTest {

  static int find(int[] p, int i) {
    while (p[i] != i) {
      p[i] = p[p[i]];
      i = p[i];
    }
    return i;
  }

  @Test
  void matchesUnionFindOnChainsAndStars(SparkSession spark) {
    Random rnd = new Random(11);
    int vertices = 400;
    int connectors = 260;
    List<Row> rows = new ArrayList<>();
    List<int[]> edges = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      for (int v = 0; v < vertices; v++) {
        int k = rnd.nextInt(3); // 0..2 connectors; vertices without edges are absent from the output
        for (int j = 0; j < k; j++) {
          int c = g == 0 ? rnd.nextInt(connectors) : (v / 2 + j) % connectors; // g=1: long chains
          rows.add(RowFactory.create(g, (long) v * 7919 % 1000, (long) c));
          edges.add(new int[] {g, (int) ((long) v * 7919 % 1000), c});
        }
      }
    }
    Map<String, Long> expected = new HashMap<>();
    for (int g = 0; g < 2; g++) {
      int[] parent = new int[1000 + connectors];
      for (int i = 0; i < parent.length; i++) {
        parent[i] = i;
      }
      for (int[] e : edges) {
        if (e[0] == g) {
          int a = find(parent, e[1]);
          int b = find(parent, 1000 + e[2]);
          if (a != b) {
            parent[Math.max(a, b)] = Math.min(a, b); // vertices (< 1000) win: root = min vertex
          }
        }
      }
      for (int[] e : edges) {
        if (e[0] == g) {
          expected.put(g + "|" + e[1], (long) find(parent, e[1]));
        }
      }
    }
    StructType t = StructType.fromDDL("g int, v long, c long");
    List<Row> got = Components.label(spark.createDataFrame(rows, t)).collectAsList();
    assertEquals(expected.size(), got.size(), "one row per vertex with an edge");
    for (Row r : got) {
      assertEquals(expected.get(r.getInt(0) + "|" + r.getLong(1)), r.getLong(2), "label of " + r);
    }
  }
}
