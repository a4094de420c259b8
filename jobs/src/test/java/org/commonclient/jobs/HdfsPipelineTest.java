package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Storage anywhere Hadoop reaches: the whole pipeline with every table (and the run lock) on an
 * in-process HDFS ({@code hdfs://localhost:<port>/commonclient}), the extracts on the local disk.
 * The tables must equal those of the local reference run.
 */
@Tag("ops")
@ExtendWith(SparkExtension.class)
class HdfsPipelineTest {
  @Test
  void pipelineWithTablesOnHdfs(SparkSession spark) throws Exception {
    Path ref = OpsFixture.reference();
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, OpsFixture.base().resolve("dfs").toString());
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      dfs.waitActive();
      String root = dfs.getURI() + "/commonclient";
      assertTrue(root.startsWith("hdfs://"), root);
      Path confFile = OpsFixture.conf(OpsFixture.base().resolve("hdfs"));
      long t0 = System.nanoTime();
      assertEquals(0, OpsFixture.run("pipeline", "--config", confFile.toString(), "-D", "commonclient.storage.root=" + root),
          "pipeline on hdfs");
      System.out.printf("pipeline with tables on HDFS: %.1f s%n", (System.nanoTime() - t0) / 1e9);

      FileSystem fs = dfs.getFileSystem();
      for (String t : List.of("identified/person_records", "linked/crosswalk", "linked/runs", "published/metrics/program_counts")) {
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/commonclient/" + t + "/_delta_log")), t + " is a Delta table on HDFS");
      }
      assertFalse(fs.exists(new org.apache.hadoop.fs.Path("/commonclient/_locks/pipeline.lock")), "lock released on HDFS");
      assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/commonclient/published/metrics/summary.html")), "summary.html");

      assertEquals(OpsFixture.crosswalkPartition(spark, ref + "/linked/crosswalk"),
          OpsFixture.crosswalkPartition(spark, root + "/linked/crosswalk"), "same people as the local run");
      assertEquals(OpsFixture.rows(DeltaTables.read(spark, ref + "/published/metrics/program_counts")),
          OpsFixture.rows(DeltaTables.read(spark, root + "/published/metrics/program_counts")), "same published counts");
      Map<String, Long> counts = Map.of(
          "local", DeltaTables.read(spark, ref + "/identified/person_records").count(),
          "hdfs", DeltaTables.read(spark, root + "/identified/person_records").count());
      assertEquals(counts.get("local"), counts.get("hdfs"), "person records");
    } finally {
      dfs.shutdown();
    }
  }
}
