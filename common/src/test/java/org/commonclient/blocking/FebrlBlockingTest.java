package org.commonclient.blocking;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures the default rules on FEBRL: pairs per rule and pair recall (share of true pairs that
 * were blocked). febrl3 is deduplicated, febrl4a + febrl4b linked.
 */
@ExtendWith(SparkExtension.class)
class FebrlBlockingTest {

  @Test
  void febrl3DedupeRecall(SparkSession spark) {
    Dataset<Row> records = FebrlFixture.read(spark, "febrl3.csv", "febrl3", 0).cache();
    assertEquals(records.count(), records.select("uid").distinct().count(), "uids must be unique");
    Measured m = measure(records, LinkType.DEDUPE, "febrl3 dedupe");
    // 0.9988 with the session-1 rules; the session-2 rules cut statewide candidate pairs about
    // four-fold (1.4 instead of 1.6 pairs per record here) and give up 0.16 points of FEBRL 3
    // pair recall (18 of 6,538 true pairs; pipeline F1 stays 0.993, FebrlAccuracyTest)
    assertTrue(m.recall >= 0.997, "febrl3 pair recall " + m.recall + " must be >= 0.997");
    assertTrue(
        m.pairs < 100 * m.records,
        "febrl3 candidate pairs " + m.pairs + " must be < 100 x " + m.records + " records");
  }

  @Test
  void febrl4LinkRecall(SparkSession spark) {
    Dataset<Row> records =
        FebrlFixture.read(spark, "febrl4a.csv", "a", 0)
            .unionByName(FebrlFixture.read(spark, "febrl4b.csv", "b", 1_000_000_000L))
            .cache();
    Measured m = measure(records, LinkType.LINK, "febrl4 link");
    assertTrue(m.recall >= 0.998, "febrl4 pair recall " + m.recall + " must be >= 0.998");
    assertTrue(
        m.pairs < 100 * m.records,
        "febrl4 candidate pairs " + m.pairs + " must be < 100 x " + m.records + " records");
  }

  record Measured(long records, long pairs, long truePairs, long found, double recall) {}

  static Measured measure(Dataset<Row> records, LinkType type, String label) {
    BlockingConfig cfg = BlockingConfig.defaults();
    long t0 = System.nanoTime();
    BlockingResult result = Blocker.block(records, cfg, type);
    Dataset<Row> pairs = result.pairs().cache();
    Map<String, Long> byRule = result.countByRule(pairs);
    long seconds = (System.nanoTime() - t0) / 1_000_000;
    long total = byRule.values().stream().mapToLong(Long::longValue).sum();

    Dataset<Row> ent = records.select(col("uid"), col("entity"), col("source"));
    Dataset<Row> truth =
        ent.as("a")
            .join(ent.as("b"), col("a.entity").equalTo(col("b.entity")).and(col("a.uid").lt(col("b.uid"))))
            .where(
                type == LinkType.LINK
                    ? col("a.source").notEqual(col("b.source"))
                    : col("a.source").equalTo(col("b.source")))
            .select(col("a.uid").as("uid_l"), col("b.uid").as("uid_r"));
    long truePairs = truth.count();
    Dataset<Row> missed = truth.join(pairs, scalaSeq("uid_l", "uid_r"), "left_anti");
    long missedCount = missed.count();
    long found = truePairs - missedCount;
    double recall = (double) found / truePairs;
    long n = records.count();

    StringBuilder sb = new StringBuilder();
    sb.append(String.format("%n=== %s: %,d records, %,d true pairs ===%n", label, n, truePairs));
    for (RuleStats s : result.stats()) {
      sb.append(
          String.format(
              "  %-20s pre-exclusion %,10d  post-exclusion %,10d  largest block %,d%n",
              s.name(), s.pairs(type), byRule.get(s.name()), s.largestBlock()));
    }
    sb.append(
        String.format(
            "  total pairs %,d (%.1f per record), recall %.5f (%d missed), block+count %d ms%n",
            total, (double) total / n, recall, missedCount, seconds));
    System.out.println(sb);
    if (missedCount > 0) {
      Dataset<Row> r = records.drop("source", "record_id", "last_tokens");
      missed
          .join(r.as("x"), col("uid_l").equalTo(col("x.uid")))
          .join(r.as("y"), col("uid_r").equalTo(col("y.uid")))
          .select(
              "x.first_name", "y.first_name", "x.last_name", "y.last_name", "x.dob", "y.dob",
              "x.ssn", "y.ssn", "x.zip5", "y.zip5", "x.addr_number", "y.addr_number")
          .show(40, false);
    }
    pairs.unpersist();
    return new Measured(n, total, truePairs, found, recall);
  }

  private static scala.collection.immutable.Seq<String> scalaSeq(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toList();
  }
}
