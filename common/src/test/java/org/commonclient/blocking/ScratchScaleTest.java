package org.commonclient.blocking;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SparkExtension.class)
class ScratchScaleTest {
  @Test
  void scale(SparkSession spark) {
    int n = Integer.getInteger("scale.n", 200000);
    spark.conf().set("spark.sql.shuffle.partitions", "8");
    Dataset<Row> recs =
        spark
            .range(n)
            .selectExpr(
                "id as uid",
                "if(id % 2 = 0, 'A', 'B') as source",
                "concat('F', cast(pow(rand(1), 3) * 600 as int)) as first_name",
                "concat('L', cast(pow(rand(2), 3) * 5000 as int)) as last_name",
                "lpad(cast(cast(rand(3) * 999999999 as long) as string), 9, '0') as ssn",
                "date_add(date'1940-01-01', cast(rand(4) * 29000 as int)) as dob",
                "concat('Z', cast(rand(5) * 400 as int)) as zip5",
                "cast(pow(rand(6), 2) * 3000 as int) as addr_number",
                "concat('S', cast(rand(7) * 3000 as int)) as street")
            .selectExpr(
                "*",
                "first_name as first_nick",
                "substr(first_name, 1, 3) as first_dm",
                "substr(last_name, 1, 4) as last_dm",
                "year(dob) as dob_year")
            .cache();
    System.out.println("records " + recs.count());
    long t0 = System.nanoTime();
    BlockingResult r = Blocker.block(recs, BlockingConfig.defaults(), LinkType.LINK_AND_DEDUPE);
    long t1 = System.nanoTime();
    for (RuleStats s : r.stats()) {
      System.out.println(s.describe(LinkType.LINK_AND_DEDUPE));
    }
    System.out.println(r.countByRule());
    long t2 = System.nanoTime();
    System.out.printf("SCALE n=%d analyse+plan %d ms, pairs+count %d ms%n", n, (t1 - t0) / 1000000, (t2 - t1) / 1000000);
  }
}
