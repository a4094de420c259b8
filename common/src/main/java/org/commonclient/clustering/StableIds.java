package org.commonclient.clustering;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each cluster of a link run a person id that stays the same across runs as long as the
 * person's records stay together.
 *
 * <ol>
 *   <li>For every new cluster, count the records it shares with each previous person id; its
 *       <em>claim</em> is the previous id it shares most records with (ties: smaller id).
 *   <li>If several clusters claim the same id, the one sharing most records keeps it (ties: the
 *       cluster whose smallest (source, record_id) sorts first); the others get new ids and a
 *       {@code SPLIT} event naming the id they split from.
 *   <li>A cluster that keeps its claim records {@code KEPT}. Previous ids that nobody keeps but
 *       whose records live on are {@code MERGED} into the ids now holding them (largest share
 *       first); previous ids whose records are all gone are {@code RETIRED}. Clusters sharing no
 *       record with the previous run are {@code NEW}.
 *   <li>New ids: {@code prefix} + 16 upper-case hex characters of SHA-256(run id, smallest
 *       (source, record_id) of the cluster, attempt). Any id that collides with a previous id or
 *       with another new id is re-drawn with the next attempt, so old ids are never reused.
 * </ol>
 *
 * <p>Nothing is cached: the two outputs are lazy plans meant to be written once each (the link
 * stage's deliberate stage boundary); every step is deterministic, so recomputation is safe.
 */
public final class StableIds {
  private static final Logger LOG = LoggerFactory.getLogger(StableIds.class);

  public static final String NEW = "NEW";
  public static final String KEPT = "KEPT";
  public static final String MERGED = "MERGED";
  public static final String SPLIT = "SPLIT";
  public static final String RETIRED = "RETIRED";

  /** Schema of the history: person_id, event, related_person_ids, run_id. */
  public static final StructType HISTORY_SCHEMA =
      new StructType()
          .add("person_id", DataTypes.StringType, false)
          .add("event", DataTypes.StringType, false)
          .add("related_person_ids", DataTypes.createArrayType(DataTypes.StringType), false)
          .add("run_id", DataTypes.StringType, false);

  /**
   * @param crosswalk {@code source, record_id, person_id, run_id}
   * @param history {@code person_id, event, related_person_ids, run_id}
   */
  public record StableIdResult(Dataset<Row> crosswalk, Dataset<Row> history) {}

  private StableIds() {}

  public static StableIdResult assign(Dataset<Row> clusters, Dataset<Row> previousCrosswalk, String runId) {
    return assign(clusters, previousCrosswalk, runId, "P");
  }

  /**
   * @param clusters {@code uid, cluster_id, source, record_id}
   * @param previousCrosswalk {@code source, record_id, person_id} of the previous run, or null
   * @param runId id of this run, written to both outputs and mixed into new ids
   * @param prefix prefix of new person ids
   */
  public static StableIdResult assign(
      Dataset<Row> clusters, Dataset<Row> previousCrosswalk, String runId, String prefix) {
    return assign(clusters, previousCrosswalk, runId, prefix, null);
  }

  /**
   * As {@link #assign(Dataset, Dataset, String, String)}, for a part of the population (an
   * incremental run): {@code reservedIds} ({@code person_id}) are ids held outside that part,
   * which new ids must not collide with either; null = none.
   */
  public static StableIdResult assign(
      Dataset<Row> clusters, Dataset<Row> previousCrosswalk, String runId, String prefix, Dataset<Row> reservedIds) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("Cannot assign ids without a run id");
    }
    Dataset<Row> recs =
        clusters.select(col("cluster_id"), col("source").cast("string"), col("record_id").cast("string"));
    Dataset<Row> anchors =
        recs.groupBy("cluster_id")
            .agg(
                expr("min(struct(source, record_id))").as("anchor"),
                count(lit(1)).as("size"));

    Dataset<Row> prev =
        previousCrosswalk == null
            ? recs.sparkSession().createDataFrame(List.of(),
                new StructType().add("source", DataTypes.StringType).add("record_id", DataTypes.StringType)
                    .add("old_id", DataTypes.StringType))
            : previousCrosswalk.select(
                col("source").cast("string"), col("record_id").cast("string"), col("person_id").as("old_id"));
    Dataset<Row> oldIds = prev.select("old_id").distinct();
    Dataset<Row> takenIds =
        reservedIds == null ? prev.select("old_id") : prev.select("old_id").union(reservedIds.select(col("person_id").as("old_id")));

    // shared records per (new cluster, old id)
    Dataset<Row> overlap =
        recs.join(prev, new String[] {"source", "record_id"})
            .groupBy("cluster_id", "old_id")
            .agg(count(lit(1)).as("shared"));

    Dataset<Row> claims =
        overlap
            .withColumn(
                "rk",
                row_number().over(Window.partitionBy("cluster_id").orderBy(col("shared").desc(), col("old_id"))))
            .filter(col("rk").equalTo(1))
            .drop("rk")
            .join(anchors, "cluster_id")
            .withColumn(
                "rk",
                row_number().over(Window.partitionBy("old_id").orderBy(col("shared").desc(), col("anchor"))));
    Dataset<Row> kept =
        claims.filter(col("rk").equalTo(1)).select(col("cluster_id"), col("old_id").as("person_id"));
    Dataset<Row> split =
        claims.filter(col("rk").gt(1)).select(col("cluster_id"), col("old_id").as("split_from"));

    // clusters needing a new id: lost their claim (split) or share nothing with the last run (new)
    Dataset<Row> needNew =
        anchors
            .join(kept, anchors.col("cluster_id").equalTo(kept.col("cluster_id")), "left_anti")
            .join(split, "cluster_id", "left")
            .select(col("cluster_id"), col("anchor"), col("split_from"));
    Dataset<Row> newIds = drawNewIds(needNew, takenIds, runId, prefix);

    Dataset<Row> ids =
        kept.withColumn("event", lit(KEPT))
            .withColumn("related_person_ids", expr("cast(array() as array<string>)"))
            .unionByName(
                newIds.select(
                    col("cluster_id"),
                    col("person_id"),
                    when(col("split_from").isNotNull(), lit(SPLIT)).otherwise(lit(NEW)).as("event"),
                    when(col("split_from").isNotNull(), array(col("split_from")))
                        .otherwise(expr("cast(array() as array<string>)"))
                        .as("related_person_ids")));

    Dataset<Row> crosswalk =
        clusters
            .select(col("cluster_id"), col("source").cast("string"), col("record_id").cast("string"))
            .join(ids.select("cluster_id", "person_id"), "cluster_id")
            .select(col("source"), col("record_id"), col("person_id"), lit(runId).as("run_id"));

    // previous ids nobody keeps: merged into the ids now holding their records, or retired
    Dataset<Row> keptIds = kept.select(col("person_id").as("old_id"));
    Dataset<Row> notKept = oldIds.join(keptIds, "old_id", "left_anti");
    Dataset<Row> whereNow =
        overlap
            .join(ids.select("cluster_id", "person_id"), "cluster_id")
            .groupBy("old_id")
            .agg(
                expr("transform(sort_array(collect_list(struct(-shared as neg_shared, person_id))), x -> x.person_id)")
                    .as("holders"));
    Dataset<Row> gone =
        notKept.join(whereNow, "old_id", "left")
            .select(
                col("old_id").as("person_id"),
                when(col("holders").isNull(), lit(RETIRED)).otherwise(lit(MERGED)).as("event"),
                coalesce(col("holders"), expr("cast(array() as array<string>)")).as("related_person_ids"));

    Dataset<Row> history =
        ids.select("person_id", "event", "related_person_ids")
            .unionByName(gone)
            .withColumn("run_id", lit(runId));
    return new StableIdResult(crosswalk, history);
  }

  /**
   * Draws ids for clusters ({@code cluster_id, anchor, ...}); ids colliding with {@code oldIds} or
   * with each other are re-drawn with the next attempt until none collide.
   */
  static Dataset<Row> drawNewIds(Dataset<Row> needNew, Dataset<Row> oldIds, String runId, String prefix) {
    Dataset<Row> current = needNew.withColumn("attempt", lit(0));
    for (int round = 0; round < 20; round++) {
      Dataset<Row> drawn =
          current.withColumn(
              "person_id",
              concat(
                  lit(prefix),
                  upper(
                      substring(
                          sha2(
                              concat_ws(
                                  "\u0001",
                                  lit(runId),
                                  col("anchor.source"),
                                  col("anchor.record_id"),
                                  col("attempt").cast("string")),
                              256),
                          1,
                          16))));
      Dataset<Row> dupNew =
          drawn.groupBy("person_id").count().filter(col("count").gt(1)).select("person_id");
      // drawn ids held before or drawn twice (two semi-joins: no distinct over every old id)
      Dataset<Row> bad = drawn.join(oldIds.select(col("old_id").as("person_id")), "person_id", "left_semi")
          .union(drawn.join(dupNew, "person_id", "left_semi"));
      long nBad = bad.count();
      if (nBad == 0) {
        return drawn;
      }
      LOG.warn("{} new person ids collided with existing ids; drawing again", nBad);
      Column isBad = col("__bad").isNotNull();
      Dataset<Row> badKeys = bad.select(col("cluster_id").as("__bad")).distinct();
      current =
          drawn.join(badKeys, drawn.col("cluster_id").equalTo(badKeys.col("__bad")), "left")
              .withColumn("attempt", when(isBad, col("attempt").plus(1)).otherwise(col("attempt")))
              .drop("__bad", "person_id")
              .localCheckpoint(true);
    }
    throw new IllegalStateException("Cannot draw collision-free person ids after 20 attempts");
  }
}
