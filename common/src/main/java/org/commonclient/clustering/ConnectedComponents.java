package org.commonclient.clustering;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distributed connected components with the alternating large-star / small-star algorithm
 * (Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii: "Connected Components in MapReduce and
 * Beyond", SoCC 2014), written with DataFrame operations so it scales with the cluster.
 *
 * <p>Edges are kept as (src, dst) with src &gt; dst. Both operations keep the connectivity of the
 * graph on the same vertex set:
 *
 * <ul>
 *   <li>large-star: for every node u with m(u) = min(u, neighbours of u), link every neighbour v
 *       &gt; u to m(u);
 *   <li>small-star: for every node u with m(u) = min(u, smaller neighbours), link u and every
 *       smaller neighbour to m(u).
 * </ul>
 *
 * Rounds repeat until the edge set is a forest of stars around the minimum node of each component
 * (every src has exactly one dst and no dst is a src), which takes O(log^2 n) rounds (in practice a
 * handful, also for long chains). Each round is persisted and counted; every {@code
 * checkpointInterval} rounds the lineage is cut with a (local or reliable) checkpoint. The result is
 * deterministic: {@code cluster_id} is the smallest uid of the component; vertices without edges
 * are their own cluster.
 *
 * <p>Local finish: once the distinct edges number at most {@code localMaxEdges} (before the first
 * round or after any round), they are collected to the driver (16 bytes an edge) and the
 * components finished there with union-find over sorted arrays; each round costs several
 * shuffles, so for the few million edges of a statewide run this saves most of the stage. The
 * result is the same (min uid of each component). 0 = always distributed.
 *
 * <p>The returned components read the last round's persisted (or checkpointed) edges: write them
 * out, then {@code spark.catalog().clearCache()} or let the session end.
 */
public final class ConnectedComponents {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectedComponents.class);

  /**
   * @param maxIterations give up (exception) after this many rounds
   * @param checkpointInterval cut the lineage every this many rounds
   * @param reliableCheckpoint use {@code Dataset.checkpoint()} (needs a checkpoint directory set on
   *     the SparkContext) instead of {@code localCheckpoint()}
   */
  public record Settings(int maxIterations, int checkpointInterval, boolean reliableCheckpoint, long localMaxEdges) {
    /** Always distributed (no local finish). */
    public Settings(int maxIterations, int checkpointInterval, boolean reliableCheckpoint) {
      this(maxIterations, checkpointInterval, reliableCheckpoint, 0L);
    }

    public Settings {
      if (localMaxEdges < 0) {
        throw new IllegalArgumentException("Cannot use localMaxEdges " + localMaxEdges + ": must be >= 0");
      }
      if (maxIterations < 1 || checkpointInterval < 1) {
        throw new IllegalArgumentException(
            "Cannot use maxIterations " + maxIterations + ", checkpointInterval " + checkpointInterval
                + ": must be positive");
      }
    }

    public static Settings defaults() {
      return new Settings(100, 4, false, 0L);
    }
  }

  /** Components and how many rounds it took. */
  public record Result(Dataset<Row> components, int iterations) {}

  private ConnectedComponents() {}

  /**
   * @param edges {@code uid_l, uid_r} (either order, duplicates and self loops allowed)
   * @param vertices {@code uid}: every vertex, including those without edges
   * @return {@code uid, cluster_id} (cluster_id = min uid of the component), one row per vertex
   */
  public static Dataset<Row> run(Dataset<Row> edges, Dataset<Row> vertices) {
    return runWithStats(edges, vertices, Settings.defaults()).components();
  }

  public static Result runWithStats(Dataset<Row> edges, Dataset<Row> vertices, Settings settings) {
    Dataset<Row> current =
        edges
            .filter(col("uid_l").isNotNull().and(col("uid_r").isNotNull()))
            .filter(col("uid_l").notEqual(col("uid_r")))
            .select(
                greatest(col("uid_l"), col("uid_r")).cast("long").as("src"),
                least(col("uid_l"), col("uid_r")).cast("long").as("dst"))
            .distinct()
            .persist(StorageLevel.MEMORY_AND_DISK());
    long edgeCount = current.count();
    int round = 0;
    while (true) {
      if (edgeCount <= settings.localMaxEdges()) {
        Dataset<Row> local = finishLocally(current);
        current.unpersist();
        LOG.info("connected components: {} edges finished on the driver after {} rounds", edgeCount, round);
        return new Result(withSingletons(local, vertices), round);
      }
      round++;
      if (round > settings.maxIterations()) {
        current.unpersist();
        throw new IllegalStateException(
            "Connected components did not converge in " + settings.maxIterations() + " rounds");
      }
      Dataset<Row> next = smallStar(largeStar(current));
      if (round % settings.checkpointInterval() == 0) {
        next = settings.reliableCheckpoint() ? next.checkpoint(true) : next.localCheckpoint(true);
      } else {
        next = next.persist(StorageLevel.MEMORY_AND_DISK());
      }
      long unsettled = unsettled(next);
      current.unpersist();
      current = next;
      edgeCount = unsettled == 0 || settings.localMaxEdges() == 0 ? Long.MAX_VALUE : current.count();
      LOG.debug("connected components round {}: {} edges not yet in star form", round, unsettled);
      if (unsettled == 0) {
        break;
      }
    }
    LOG.info("connected components converged after {} rounds", round);
    return new Result(withSingletons(current, vertices), round);
  }

  /** Every vertex with its root: {@code parent} (src = vertex, dst = root) or itself. */
  private static Dataset<Row> withSingletons(Dataset<Row> parent, Dataset<Row> vertices) {
    Dataset<Row> p = parent.select(col("src").as("__cc_uid"), col("dst").as("__cc_root"));
    Dataset<Row> v = vertices.select(col("uid").cast("long").as("uid")).distinct();
    return v.join(p, v.col("uid").equalTo(p.col("__cc_uid")), "left")
        .select(col("uid"), coalesce(col("__cc_root"), col("uid")).as("cluster_id"));
  }

  /**
   * Collects the edges (src, dst) and returns (src = every non-root vertex, dst = the smallest
   * vertex of its component), computed with union-find on the driver.
   */
  static Dataset<Row> finishLocally(Dataset<Row> edges) {
    List<Row> rows = edges.select("src", "dst").collectAsList();
    int m = rows.size();
    long[] src = new long[m];
    long[] dst = new long[m];
    for (int i = 0; i < m; i++) {
      Row r = rows.get(i);
      src[i] = r.getLong(0);
      dst[i] = r.getLong(1);
    }
    rows = null;
    long[][] parents = UnionFindArrays.rootsByMinimum(src, dst);
    StructType schema =
        new StructType()
            .add("src", DataTypes.LongType, false)
            .add("dst", DataTypes.LongType, false);
    List<Row> out = new ArrayList<>(parents[0].length);
    for (int i = 0; i < parents[0].length; i++) {
      out.add(RowFactory.create(parents[0][i], parents[1][i]));
    }
    return edges.sparkSession().createDataFrame(out, schema);
  }

  /** Large-star: each neighbour v &gt; u of u is linked to m(u) = min(u, N(u)). */
  static Dataset<Row> largeStar(Dataset<Row> e) {
    Dataset<Row> both =
        e.select(col("src").as("u"), col("dst").as("v"))
            .union(e.select(col("dst").as("u"), col("src").as("v")));
    WindowSpec byU = Window.partitionBy("u");
    // no distinct here: duplicates do not change small-star's minimum and its distinct removes them
    return both.withColumn("m", least(col("u"), min(col("v")).over(byU)))
        .filter(col("v").gt(col("u")))
        .select(col("v").as("src"), col("m").as("dst"));
  }

  /** Small-star: u and each smaller neighbour v of u are linked to m(u) = min(u, smaller N(u)). */
  static Dataset<Row> smallStar(Dataset<Row> e) {
    // every edge has src > dst, so for node src its smaller neighbours are its dst values
    Dataset<Row> withM = e.withColumn("m", min(col("dst")).over(Window.partitionBy("src")));
    Dataset<Row> fromNeighbours =
        withM.filter(col("dst").notEqual(col("m"))).select(col("dst").as("src"), col("m").as("dst"));
    Dataset<Row> fromSelf = withM.select(col("src"), col("m").as("dst"));
    return fromNeighbours.union(fromSelf).distinct();
  }

  /**
   * Number of nodes that keep the graph from being a forest of stars: a node with several
   * parents, or a parent that has a parent itself. One aggregation, one shuffle.
   */
  static long unsettled(Dataset<Row> e) {
    Dataset<Row> roles =
        e.select(col("src").as("n"), lit(1).as("out"), lit(0).as("in"))
            .union(e.select(col("dst").as("n"), lit(0).as("out"), lit(1).as("in")));
    return roles
        .groupBy("n")
        .agg(sum("out").as("out"), sum("in").as("in"))
        .filter(col("out").gt(1).or(col("out").geq(1).and(col("in").geq(1))))
        .count();
  }
}
