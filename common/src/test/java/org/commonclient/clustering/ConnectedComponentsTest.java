package org.commonclient.clustering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.config.ConfigLoader;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(SparkExtension.class)
class ConnectedComponentsTest {
  static final StructType EDGES =
      new StructType().add("uid_l", DataTypes.LongType).add("uid_r", DataTypes.LongType);
  static final StructType VERTICES = new StructType().add("uid", DataTypes.LongType);

  /** Checks Spark against union-find; returns the number of rounds. */
  static int check(SparkSession spark, List<long[]> edges, List<Long> vertices, String what) {
    return check(spark, edges, vertices, what, new ConnectedComponents.Settings(100, 3, false));
  }

  static int check(SparkSession spark, List<long[]> edges, List<Long> vertices, String what,
      ConnectedComponents.Settings settings) {
    UnionFind uf = new UnionFind();
    vertices.forEach(uf::add);
    List<Row> er = new ArrayList<>();
    for (long[] e : edges) {
      uf.union(e[0], e[1]);
      er.add(RowFactory.create(e[0], e[1]));
    }
    List<Row> vr = new ArrayList<>();
    vertices.forEach(v -> vr.add(RowFactory.create(v)));
    ConnectedComponents.Result r =
        ConnectedComponents.runWithStats(
            spark.createDataFrame(er, EDGES),
            spark.createDataFrame(vr, VERTICES),
            settings);
    Map<Long, Long> got = new HashMap<>();
    for (Row row : r.components().collectAsList()) {
      Long prev = got.put(row.getLong(0), row.getLong(1));
      assertEquals(null, prev, what + ": one row per vertex, " + row.getLong(0) + " twice");
    }
    assertEquals(uf.components(), got, what + ": components equal union-find");
    System.out.printf("%s: %d vertices, %d edges, %d rounds%n", what, vertices.size(), edges.size(), r.iterations());
    return r.iterations();
  }

  @ParameterizedTest(name = "random graph n={0} m={1} seed={2}")
  @CsvSource({"30, 10, 1", "300, 400, 3", "500, 1200, 5"})
  void equalsUnionFindOnRandomGraphs(int n, int m, long seed, SparkSession spark) {
    Random rnd = new Random(seed);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(rnd.nextLong() & 0xFFFFFFFFFFL); // sparse, unordered ids
    }
    List<long[]> edges = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      long a = ids.get(rnd.nextInt(n));
      long b = ids.get(rnd.nextInt(n));
      edges.add(new long[] {a, b}); // self loops and duplicates included on purpose
    }
    check(spark, edges, ids, "random n=" + n + " m=" + m);
  }

  /** The driver-side finish (from the start, and after some distributed rounds) gives the same components. */
  @ParameterizedTest(name = "local finish n={0} m={1} localMaxEdges={2}")
  @CsvSource({"400, 1200, 2000", "400, 1200, 300", "300, 600, 1"})
  void localFinishEqualsUnionFind(int n, int m, long localMaxEdges, SparkSession spark) {
    Random rnd = new Random(n + m);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(rnd.nextLong() & 0xFFFFFFFFFFL);
    }
    List<long[]> edges = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      edges.add(new long[] {ids.get(rnd.nextInt(n)), ids.get(rnd.nextInt(n))});
    }
    check(spark, edges, ids, "local finish " + localMaxEdges, new ConnectedComponents.Settings(100, 3, false, localMaxEdges));
  }

  @Test
  void longChainsNeedFewRounds(SparkSession spark) {
    Random rnd = new Random(42);
    List<Long> ids = new ArrayList<>();
    for (long i = 1; i <= 1000; i++) {
      ids.add(i * 3);
    }
    Collections.shuffle(ids, rnd);
    List<long[]> edges = new ArrayList<>();
    // chain of 600 in shuffled id order, plus an ordered chain of 300 and 100 singletons
    for (int i = 0; i + 1 < 600; i++) {
      edges.add(new long[] {ids.get(i), ids.get(i + 1)});
    }
    List<Long> ordered = new ArrayList<>(ids.subList(600, 900));
    Collections.sort(ordered, Collections.reverseOrder());
    for (int i = 0; i + 1 < ordered.size(); i++) {
      edges.add(new long[] {ordered.get(i), ordered.get(i + 1)});
    }
    int rounds = check(spark, edges, ids, "chains 600 + 300 + 100 singletons");
    assertTrue(rounds <= 30, "log-ish rounds for a 600-chain, got " + rounds);
  }

  @Test
  void edgeSelectionHonoursThresholdAndTwinGuard(SparkSession spark) {
    StructType s =
        new StructType()
            .add("uid_l", DataTypes.LongType)
            .add("uid_r", DataTypes.LongType)
            .add("match_probability", DataTypes.DoubleType)
            .add("twin_guard", DataTypes.BooleanType);
    Dataset<Row> scored =
        spark.createDataFrame(
            List.of(
                RowFactory.create(1L, 2L, 0.999, false),
                RowFactory.create(2L, 3L, 0.999, true),
                RowFactory.create(3L, 4L, 0.5, false),
                RowFactory.create(4L, 5L, 0.995, null)),
            s);
    List<Row> edges = Clustering.selectEdges(scored, 0.99).orderBy("uid_l").collectAsList();
    assertEquals(List.of(RowFactory.create(1L, 2L), RowFactory.create(4L, 5L)), edges, "edges");
    Dataset<Row> records =
        spark.createDataFrame(
            List.of(RowFactory.create(1L), RowFactory.create(2L), RowFactory.create(3L),
                RowFactory.create(4L), RowFactory.create(5L), RowFactory.create(6L)),
            VERTICES);
    Map<Long, Long> got = new HashMap<>();
    for (Row r : Clustering.cluster(scored, records, ClusteringConfig.defaults()).components().collectAsList()) {
      got.put(r.getLong(r.fieldIndex("uid")), r.getLong(r.fieldIndex("cluster_id")));
    }
    assertEquals(Map.of(1L, 1L, 2L, 1L, 3L, 3L, 4L, 4L, 5L, 4L, 6L, 6L), got, "twins stay apart");
  }

  @Test
  void configDefaultsRead() {
    ClusteringConfig c = ClusteringConfig.from(ConfigLoader.load(null));
    assertEquals(ClusteringConfig.defaults(), c, "defaults() matches clustering.conf");
    assertEquals(Math.log(99) / Math.log(2), c.thresholdMatchWeight(), 1e-12);
  }
}
