package org.commonclient.blocking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The incremental blocker's pairs plus the previous run's pairs between clean records are exactly
 * the full blocker's pairs on the new population, also when blocks cross their size limit in both
 * directions and with an array key and a residual.
 */
@ExtendWith(SparkExtension.class)
class IncrementalBlockerTest {
  static final StructType SCHEMA = new StructType()
      .add("uid", DataTypes.LongType).add("source", DataTypes.StringType)
      .add("last", DataTypes.StringType).add("first", DataTypes.StringType)
      .add("zip", DataTypes.StringType).add("sex", DataTypes.StringType);

  static Row r(long uid, String source, String last, String first, String zip, String sex) {
    return RowFactory.create(uid, source, last, first, zip, sex);
  }

  @Test
  void deltaPairsPlusCleanOldPairsEqualFullPairs(SparkSession spark) {
    List<Row> before = new ArrayList<>(List.of(
        r(1, "a", "SMITH", "ANN", "10001", "F"), r(2, "b", "SMITH", "ANNE", "10001", "F"),
        r(3, "a", "SMITH", "BOB", "10001", "M"), r(4, "b", "JONES", "CARL", "10002", "M"),
        r(5, "a", "JONES", "CARLA", "10002", "F"), r(6, "b", "JONES", "CARL", "10002", "M"),
        r(7, "a", "BROWN", "DAN", "10002", "M"), r(8, "b", "BROWN", "DANA", "10003", "F"),
        r(9, "a", "GREEN", "EVE", "10004", "F"), r(10, "b", "GREEN", "EVA", "10004", "F"),
        r(11, "a", "WHITE", "FAY", "10005", "F"), r(12, "b", "BLACK", "GUS", "10005", "M")));
    List<Row> after = new ArrayList<>(before);
    after.removeIf(x -> x.getLong(0) == 7 || x.getLong(0) == 9);            // 7 withdrawn: 10002 drops to 3 (kept again)
    after.add(r(9, "a", "GREENE", "EVE", "10001", "F"));                   // 9 changed: 10001 grows to 4 (dropped)
    after.add(r(13, "c", "SMITH", "ANN", "10005", "F"));                   // new
    after.add(r(14, "c", "GREEN", "EVA", "10004", "F"));                   // new
    Dataset<Row> b = spark.createDataFrame(before, SCHEMA);
    Dataset<Row> a = spark.createDataFrame(after, SCHEMA);
    Dataset<Row> changed = spark.createDataFrame(List.of(RowFactory.create(9L), RowFactory.create(13L), RowFactory.create(14L)),
        new StructType().add("uid", DataTypes.LongType));
    Dataset<Row> departed = spark.createDataFrame(List.of(RowFactory.create(7L), RowFactory.create(9L)),
        new StructType().add("uid", DataTypes.LongType));

    // with a residual the rules are evaluated on the pairs' key columns (as for any link type
    // but link_and_dedupe); without one and with every pair allowed (link_and_dedupe), each
    // pair's rule is read off the keys it shares
    for (String residual : List.of("l.sex = r.sex", "")) {
      List<BlockingRule> rules = List.of(
          BlockingRule.of("last_sex", "last", "sex"),
          new BlockingRule("zip", List.of("zip"), "", 3),
          new BlockingRule("names", List.of("array(substr(last, 1, 3), first)"), residual));
      check(b, a, changed, departed, new BlockingConfig(rules, 1_000_000L, 1_000_000L, 0, 0, 8, 5),
          residual.isEmpty() ? List.of(LinkType.LINK_AND_DEDUPE) : List.of(LinkType.LINK_AND_DEDUPE, LinkType.LINK));
    }
  }

  private static void check(Dataset<Row> b, Dataset<Row> a, Dataset<Row> changed,
      Dataset<Row> departed, BlockingConfig cfg, List<LinkType> types) {
    for (LinkType type : types) {
      Set<List<Long>> fullBefore = pairs(Blocker.block(b, cfg, type).pairs());
      Set<List<Long>> fullAfter = pairs(Blocker.block(a, cfg, type).pairs());
      IncrementalBlocker.Delta d = IncrementalBlocker.block(b, a, changed, departed, cfg, type);
      Set<Long> reblocked = new HashSet<>();
      d.reblocked().collectAsList().forEach(x -> reblocked.add(x.getLong(0)));
      Set<List<Long>> delta = pairs(d.pairs());
      d.close();
      // the same from the key tables, the current one made of the previous one (as an incremental link run does)
      Dataset<Row> keyedBefore = IncrementalBlocker.keyTable(b, cfg);
      Dataset<Row> keyedChanged = IncrementalBlocker.keyTable(a.join(changed, new String[] {"uid"}, "left_semi"), cfg);
      Dataset<Row> keyedNow = keyedBefore.join(departed, new String[] {"uid"}, "left_anti").unionByName(keyedChanged);
      for (Dataset<Row> given : java.util.Arrays.asList(keyedChanged, null)) {
        IncrementalBlocker.Delta k = IncrementalBlocker.block(keyedBefore, keyedNow, given, a, changed, departed, cfg, type);
        Set<Long> reblockedK = new HashSet<>();
        k.reblocked().collectAsList().forEach(x -> reblockedK.add(x.getLong(0)));
        assertEquals(delta, pairs(k.pairs()), type + ": pairs from the key tables (changed keys given: " + (given != null) + ")");
        assertEquals(reblocked, reblockedK, type + ": re-paired records from the key tables");
        k.close();
      }
      assertTrue(reblocked.containsAll(Set.of(1L, 2L, 3L, 4L, 5L, 6L)), "records of blocks that crossed the limit: " + reblocked);
      Set<Long> dirty = new HashSet<>(reblocked);
      dirty.addAll(Set.of(7L, 9L, 13L, 14L));
      Set<List<Long>> combined = new HashSet<>(delta);
      for (List<Long> p : fullBefore) {
        if (!dirty.contains(p.get(0)) && !dirty.contains(p.get(1))) {
          combined.add(p);
        }
      }
      for (List<Long> p : delta) {
        assertTrue(dirty.contains(p.get(0)) || dirty.contains(p.get(1)), "delta pair " + p + " touches a dirty record");
      }
      assertEquals(fullAfter, combined, type + ": full pairs (with rule) = delta pairs + clean old pairs");
    }
  }

  static Set<List<Long>> pairs(Dataset<Row> p) {
    Set<List<Long>> out = new HashSet<>();
    for (Row x : p.collectAsList()) {
      out.add(List.of(x.getLong(0), x.getLong(1), (long) x.getInt(2)));
    }
    return out;
  }
}
