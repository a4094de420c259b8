package org.commonclient.metrics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected components of a bipartite graph of vertices and connectors (here persons and case
 * ids), computed in Spark by min-label propagation: every edge carries the label of its vertex
 * (initially the vertex itself); each round gives every connector the minimum label of its
 * vertices and then every vertex the minimum label of its connectors. A round moves labels one
 * vertex-connector-vertex hop, so the number of rounds is the largest component's diameter in
 * such hops plus one to see that nothing changed (two or three for household-shaped data).
 * Labels only decrease, so the result is the minimum vertex of each component.
 *
 * <p>Each round is one Spark job over the edge list (two shuffles, by connector and by vertex);
 * its result is locally checkpointed so the lineage stays one round long. Nothing on the driver
 * grows with the graph.
 */
final class Components {
  private static final Logger LOG = LoggerFactory.getLogger(Components.class);

  /** Safety stop; household graphs converge in a handful of rounds. */
  static final int MAX_ROUNDS = 100;

  private Components() {}

  /**
   * Labels the vertices of {@code edges}: columns {@code g} (an independent graph per value, e.g.
   * the period), {@code v} (vertex, long) and {@code c} (connector, long). Returns {@code g, v,
   * label} with one row per vertex that has at least one edge; label = the smallest vertex of its
   * component within {@code g}. Vertices without edges are their own components (the caller
   * fills them in with {@code coalesce(label, v)}).
   */
  static Dataset<Row> label(Dataset<Row> edges) {
    Dataset<Row> e =
        edges.select(col("g"), col("v"), col("c")).distinct()
            .withColumn("l", col("v"));
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      Dataset<Row> next =
          e.withColumn("cl", min(col("l")).over(Window.partitionBy(col("g"), col("c"))))
              .withColumn("nl", min(col("cl")).over(Window.partitionBy(col("g"), col("v"))))
              .select(col("g"), col("v"), col("c"), col("nl").as("l"),
                  col("nl").lt(col("l")).as("changed"))
              .localCheckpoint(true);
      boolean changed = !next.where(col("changed")).isEmpty();
      e = next.drop("changed");
      if (!changed) {
        LOG.info("components: converged after {} rounds", round);
        return e.groupBy(col("g"), col("v")).agg(min(col("l")).as("label"));
      }
    }
    throw new IllegalStateException("Connected components did not converge in " + MAX_ROUNDS + " rounds");
  }
}
