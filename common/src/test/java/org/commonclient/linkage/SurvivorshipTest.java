package org.commonclient.linkage;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The person table's attribute rule equals Spark's {@code mode(c, true)}, ties and nulls included. */
@ExtendWith(SparkExtension.class)
class SurvivorshipTest {

  @Test
  void modesEqualSparksDeterministicMode(SparkSession spark) {
    Random rnd = new Random(7);
    String[] sexes = {"F", "M", "U", null};
    String[] races = {"A", "B", "W", "H", "Zé", null, null};
    List<Row> rows = new ArrayList<>();
    for (int p = 0; p < 400; p++) {
      int n = 1 + rnd.nextInt(5); // ties are common with 2 or 4 records
      for (int i = 0; i < n; i++) {
        Date dob = rnd.nextInt(6) == 0 ? null : Date.valueOf(java.time.LocalDate.of(2010, 1, 1).plusDays(rnd.nextInt(4)));
        rows.add(RowFactory.create("P" + p, dob, sexes[rnd.nextInt(sexes.length)], races[rnd.nextInt(races.length)]));
      }
    }
    rows.add(RowFactory.create("ALLNULL", null, null, null));
    Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("person_id", DataTypes.StringType)
        .add("dob", DataTypes.DateType).add("sex", DataTypes.StringType).add("race_ethnicity", DataTypes.StringType));

    Dataset<Row> expected = df.groupBy("person_id").agg(expr("mode(dob, true)").as("dob"),
        expr("mode(sex, true)").as("sex"), expr("mode(race_ethnicity, true)").as("race_ethnicity"));
    Dataset<Row> got = Survivorship.modes(df, "person_id", List.of("dob", "sex", "race_ethnicity"));

    List<Row> want = expected.where("dob is not null or sex is not null or race_ethnicity is not null")
        .orderBy("person_id").collectAsList();
    List<Row> have = got.select("person_id", "dob", "sex", "race_ethnicity").orderBy("person_id").collectAsList();
    assertEquals(true, want.size() > 350, "most generated people have some value");
    assertEquals(want, have);
  }
}
