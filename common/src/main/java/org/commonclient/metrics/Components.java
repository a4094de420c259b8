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
 * <p>Cost per level: one job of three window shuffles over the level's edges, locally
 * checkpointed so lineage stays short, and one small job to see whether any bridge is left.
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
    Dataset<Row> round =
        edges.distinct()
            .withColumn("cl", min(col("v")).over(Window.partitionBy(col("g"), col("c"))))
            .withColumn("l", min(col("cl")).over(Window.partitionBy(col("g"), col("v"))))
            .withColumn("bridge",
                min(col("l")).over(Window.partitionBy(col("g"), col("c")))
                    .lt(max(col("l")).over(Window.partitionBy(col("g"), col("c")))))
            .select(col("g"), col("v"), col("c"), col("l"), col("bridge"))
            .localCheckpoint(true);
    Dataset<Row> vertexLabels = round.select(col("g"), col("v"), col("l")).distinct();
    Dataset<Row> bridges = round.where(col("bridge")).select(col("g"), col("l").as("v"), col("c"));
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
