package org.commonclient.metrics;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of a bipartite graph of vertices and connectors (here persons and case
 * ids), computed in Spark; nothing on the driver grows with the graph.
 *
 * <p>One round of min-label propagation gives every vertex the smallest vertex within two hops
 * (vertex, connector, vertex): the minimum over its connectors of the minimum over their vertices.
 * Vertices sharing such a label are connected (each is connected to the label vertex), so they
 * form a <em>partial component</em>. A connector whose vertices ended with different labels is a
 * <em>bridge</em> between partial components. If there is none, every partial component is a
 * component. Otherwise the components are those of the quotient graph (partial components as
 * vertices, bridges as connectors), which is solved the same way; it holds only the partial
 * components touching a bridge, so it is far smaller (for household-shaped data: the few
 * households chained by a shared case). The final label is the smallest vertex of the component.
 *
 * <p>Cost per level: two jobs over the level's edges (the two propagation windows, then the
 * bridge window), each locally checkpointed so lineage stays short; the bridges are the next
 * level's edges.
 */
final class Components {
  private static final Logger LOG = LoggerFactory.getLogger(Components.class);

  /** Safety stop: each level at least halves the longest path, so this is never reached. */
  static final int MAX_LEVELS = 64;

  private Components() {}

  /**
   * Labels the vertices of {@code edges}: columns {@code g} (an independent graph per value, e.g.
   * the period), {@code v} (vertex, long) and {@code c} (connector, long). Returns {@code g, v,
   * label} with one row per vertex that has at least one edge; label = the smallest vertex of its
   * component within {@code g}. Vertices without edges are their own components (the caller
   * fills them in with {@code coalesce(label, v)}).
   */
  static Dataset<Row> label(Dataset<Row> edges) {
    return label(edges.select(col("g"), col("v"), col("c")), 1);
  }

  private static Dataset<Row> label(Dataset<Row> edges, int level) {
    if (level > MAX_LEVELS) {
      throw new IllegalStateException("Connected components did not converge in " + MAX_LEVELS + " levels");
    }
    // duplicate edges change no minimum or maximum, so they need no distinct (and its shuffle)
    Dataset<Row> round =
        edges
            .withColumn("cl", min(col("v")).over(Window.partitionBy(col("g"), col("c"))))
            .withColumn("l", min(col("cl")).over(Window.partitionBy(col("g"), col("v"))))
            .select(col("g"), col("v"), col("c"), col("l"))
            .localCheckpoint(true);
    // partitioned by (g, v): one label per vertex without another shuffle
    Dataset<Row> vertexLabels = round.select(col("g"), col("v"), col("l")).distinct();
    Dataset<Row> bridges =
        round
            .withColumn("lmin", min(col("l")).over(Window.partitionBy(col("g"), col("c"))))
            .withColumn("lmax", max(col("l")).over(Window.partitionBy(col("g"), col("c"))))
            .where(col("lmin").lt(col("lmax")))
            .select(col("g"), col("l").as("v"), col("c"))
            .localCheckpoint(true);
    if (bridges.isEmpty()) {
      LOG.info("components: converged at level {}", level);
      return vertexLabels.withColumnRenamed("l", "label");
    }
    Dataset<Row> quotient = label(bridges, level + 1)
        .select(col("g"), col("v").as("l"), col("label").as("ql"));
    return vertexLabels.join(quotient, new String[] {"g", "l"}, "left")
        .select(col("g"), col("v"), coalesce(col("ql"), col("l")).as("label"));
  }
}
