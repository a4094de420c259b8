package org.commonclient.linkage;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.blocking.Blocker;
import org.commonclient.blocking.BlockingBudgetExceededException;
import org.commonclient.config.ConfigLoader;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Training sessions sample their pairs; the scored pairs' budget does not refuse them. */
@ExtendWith(SparkExtension.class)
class TrainingPairsTest {

  @Test
  void aTrainingRuleOverThePairBudgetIsSampledNotRefused(SparkSession spark) {
    // 40 birth dates with 20 records each: 40 * 190 = 7,600 pairs on dob
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      rows.add(RowFactory.create((long) i, "src" + (i % 3), java.sql.Date.valueOf(java.time.LocalDate.of(1980, 1, 1).plusDays(i % 40))));
    }
    StructType schema = new StructType().add("uid", DataTypes.LongType).add("source", DataTypes.StringType)
        .add("dob", DataTypes.DateType);
    Dataset<Row> std = spark.createDataFrame(rows, schema);
    Config c = ConfigLoader.load(SparkExtension.repoRoot().resolve("conf/sample.conf"), Map.of(
        "commonclient.linkage.blocking.maxPairsPerRule", "1000",
        "commonclient.linkage.training.maxPairs", "2000",
        "commonclient.linkage.training.maxBlockSize", "100"));
    LinkConfig cfg = LinkConfig.from(c);
    LinkConfig.TrainingRule dob = cfg.trainingRules().stream().filter(t -> t.keys().equals(List.of("dob"))).findFirst()
        .orElseThrow();

    // the scored pairs' budget refuses this rule ...
    assertThrows(BlockingBudgetExceededException.class, () -> Blocker.block(std,
        cfg.blocking().withRules(LinkJob.trainingBlocking(cfg, dob).rules()), cfg.linkType()));
    // ... a training session samples whole blocks down to about maxPairs instead
    long n = LinkJob.trainingPairs(std, LinkJob.trainingBlocking(cfg, dob), dob, cfg).pairs().count();
    assertTrue(n > 0 && n < 7600 && n % 190 == 0, "whole blocks of 190 pairs, fewer than all 7,600: " + n);
  }
}
