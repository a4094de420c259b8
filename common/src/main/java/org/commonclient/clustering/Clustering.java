package org.commonclient.clustering;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.Arrays;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Edge selection and the composition edges -> components. */
public final class Clustering {
  private Clustering() {}

  /**
   * Pairs that may be merged automatically: {@code match_probability >= threshold} and not
   * {@code twin_guard} (a null guard counts as false; the guard already encodes the valid-SSN
   * exception).
   *
   * @return {@code uid_l, uid_r}
   */
  public static Dataset<Row> selectEdges(Dataset<Row> scoredPairs, double threshold) {
    boolean hasGuard = Arrays.asList(scoredPairs.columns()).contains("twin_guard");
    var keep = col("match_probability").geq(threshold);
    if (hasGuard) {
      keep = keep.and(coalesce(col("twin_guard"), lit(false)).equalTo(false));
    }
    return scoredPairs.filter(keep).select("uid_l", "uid_r");
  }

  /**
   * Clusters records: edges from {@link #selectEdges}, then {@link ConnectedComponents}.
   *
   * @param records records with {@code uid} (and any other columns, kept)
   * @return the records with {@code cluster_id} added, and the number of rounds
   */
  public static ConnectedComponents.Result cluster(
      Dataset<Row> scoredPairs, Dataset<Row> records, ClusteringConfig config) {
    ConnectedComponents.Result r =
        ConnectedComponents.runWithStats(
            selectEdges(scoredPairs, config.threshold()), records.select("uid"), config.cc());
    Dataset<Row> out = records.drop("cluster_id").join(r.components(), "uid");
    return new ConnectedComponents.Result(out, r.iterations());
  }
}
