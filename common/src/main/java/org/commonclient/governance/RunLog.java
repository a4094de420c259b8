package org.commonclient.governance;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Appends a row for a stage other than link (metrics, research-extract) to the linked {@code
 * runs} table ({@link org.commonclient.io.RunLog}'s schema), with the data-use agreement it ran
 * under.
 */
public final class RunLog {
  private RunLog() {}

  public static void append(SparkSession spark, String runsPath, String runId, String stage, String configHash,
      String agreementId, Map<String, Long> inputVersions, Map<String, Long> counts, Map<String, Double> seconds,
      long startedMillis) {
    org.commonclient.io.RunLog.append(spark, runsPath, new org.commonclient.io.RunLog.Entry(runId, stage,
        org.commonclient.io.RunLog.SUCCEEDED, configHash, inputVersions, counts, seconds, startedMillis,
        System.currentTimeMillis(), null), agreementId);
  }
}
