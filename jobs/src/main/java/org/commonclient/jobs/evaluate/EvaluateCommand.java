package org.commonclient.jobs.evaluate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.clustering.ConnectedComponents;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import org.commonclient.linkage.Evaluation;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Scores the published linkage against ground truth. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Pairwise precision, recall and F1, B-cubed, and precision/recall by match "
        + "probability threshold of the published linkage against ground truth.")
public final class EvaluateCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  static final class Truth {
    @Option(names = "--truth", paramLabel = "FILE",
        description = "CSV with a header: source,record_id,<entity column> (record to entity, e.g. the "
            + "generator's truth/truth.csv), or source_l,record_id_l,source_r,record_id_r (true pairs).")
    String file;

    @Option(names = "--truth-from-record-id", paramLabel = "REGEX",
        description = "Entity = first group of REGEX applied to record_id, e.g. 'rec-(\\d+)-' for FEBRL.")
    String regex;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Truth truth;

  @Override
  public Integer call() {
    SparkSession spark = opts.spark();
    StorageConfig storage = StorageConfig.from(opts.config());
    Dataset<Row> crosswalk = DeltaTables.read(spark, storage.linked("crosswalk"));
    Dataset<Row> t = truthTable(spark, crosswalk, truth.file, truth.regex);
    Evaluation.Scores s = Evaluation.clusters(crosswalk, t);
    System.out.println(s);
    double[] th = {0.5, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999};
    System.out.printf("%10s %12s %12s %10s %10s %8s%n", "threshold", "predicted", "true pos", "precision", "recall", "F1");
    Dataset<Row> matchPairs = DeltaTables.read(spark, storage.linked("match_pairs"));
    for (Evaluation.ThresholdPoint p : Evaluation.thresholds(matchPairs, t, th)) {
      System.out.printf("%10.4f %12d %12d %10.4f %10.4f %8.4f%n", p.threshold(), p.predicted(), p.truePositives(), p.precision(), p.recall(), p.f1());
    }
    double threshold = org.commonclient.clustering.ClusteringConfig.from(opts.config()).threshold();
    System.out.printf("%nby blocking rule (pairs kept in match_pairs; matched = at or above the clustering threshold %s)%n",
        threshold);
    System.out.printf("%-28s %12s %12s %14s %14s%n", "rule", "pairs", "true pairs", "matched true", "recall share");
    for (Evaluation.RuleContribution c : Evaluation.byRule(matchPairs, t, threshold)) {
      System.out.printf("%-28s %12d %12d %14d %14.4f%n", c.rule(), c.pairs(), c.truePairs(), c.matchedTruePairs(), c.recallShare());
    }
    return ExitCodes.OK;
  }

  /** (source, record_id, entity_id) from a file or a record-id pattern. */
  public static Dataset<Row> truthTable(SparkSession spark, Dataset<Row> crosswalk, String file, String regex) {
    if (regex != null) {
      return crosswalk.select(col("source"), col("record_id"), regexp_extract(col("record_id"), regex, 1).as("entity_id"));
    }
    if (!new java.io.File(file).exists() && !file.contains("://")) {
      throw new ExitCodes.BadInputException("Truth file " + file + " does not exist");
    }
    Dataset<Row> f = spark.read().option("header", "true").csv(file);
    String[] cols = f.columns();
    if (cols.length >= 4 && cols[0].equals("source_l")) {
      // true pairs (link-only data): entities are the connected components of the true pairs
      Dataset<Row> p = f.select(xxhash64(col("source_l"), col("record_id_l")).as("uid_l"),
          xxhash64(col("source_r"), col("record_id_r")).as("uid_r"));
      Dataset<Row> v = crosswalk.select(col("source"), col("record_id"), xxhash64(col("source"), col("record_id")).as("uid"));
      Dataset<Row> cc = ConnectedComponents.run(p, v.select("uid"));
      return v.join(cc, "uid").select(col("source"), col("record_id"), col("cluster_id").cast("string").as("entity_id"));
    }
    if (cols.length < 3 || !cols[0].equals("source") || !cols[1].equals("record_id")) {
      throw new ExitCodes.BadInputException("Truth file " + file + " must have the header source,record_id,<entity>; found " + String.join(",", cols));
    }
    return f.select(col("source"), col("record_id"), col(cols[2]).as("entity_id"));
  }
}
