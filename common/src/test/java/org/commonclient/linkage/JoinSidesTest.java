package org.commonclient.linkage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Both sides of the compared pairs come from one broadcast copy of the records. */
@ExtendWith(SparkExtension.class)
class JoinSidesTest {

  @Test
  void bothSidesFromOneBroadcast(SparkSession spark) {
    List<Row> recs = new ArrayList<>();
    for (long i = 0; i < 50; i++) {
      recs.add(RowFactory.create(i, "N" + i, i % 3 == 0 ? null : "S" + i));
    }
    Dataset<Row> std = spark.createDataFrame(recs,
        new StructType().add("uid", DataTypes.LongType).add("last_name", DataTypes.StringType).add("ssn", DataTypes.StringType));
    List<Row> ps = new ArrayList<>();
    for (long i = 0; i < 49; i++) {
      ps.add(RowFactory.create(i, i + 1, (int) (i % 4)));
    }
    Dataset<Row> pairs = spark.createDataFrame(ps, new StructType()
        .add("uid_l", DataTypes.LongType).add("uid_r", DataTypes.LongType).add("match_key", DataTypes.IntegerType));
    Dataset<Row> sides = LinkJob.joinSides(pairs, std, true);
    List<Row> rows = sides.orderBy("uid_l").collectAsList();
    assertEquals(49, rows.size());
    for (Row r : rows) {
      long l = r.getLong(r.fieldIndex("uid_l"));
      long rr = r.getLong(r.fieldIndex("uid_r"));
      assertEquals("N" + l, r.getString(r.fieldIndex("last_name_l")), "left side follows uid_l");
      assertEquals("N" + rr, r.getString(r.fieldIndex("last_name_r")), "right side follows uid_r");
      assertEquals(rr % 3 == 0 ? null : "S" + rr, r.getString(r.fieldIndex("ssn_r")));
      assertEquals((int) (l % 4), r.getInt(r.fieldIndex("match_key")));
    }
    String plan = sides.queryExecution().executedPlan().toString();
    assertEquals(1, count(plan, "(?m)^[\\s:+|-]*BroadcastExchange"), "one broadcast built:\n" + plan);
    assertEquals(1, count(plan, "(?m)^[\\s:+|-]*ReusedExchange"), "and read by the other side:\n" + plan);
  }

  private static long count(String s, String regex) {
    return java.util.regex.Pattern.compile(regex).matcher(s).results().count();
  }
}
