package org.commonclient.clustering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
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

@ExtendWith(SparkExtension.class)
class StableIdsTest {
  static final StructType CLUSTERS =
      new StructType()
          .add("uid", DataTypes.LongType)
          .add("cluster_id", DataTypes.LongType)
          .add("source", DataTypes.StringType)
          .add("record_id", DataTypes.StringType);

  /** A record of a person in a test world. */
  record Rec(String source, String recordId, int person) {}

  /** Clusters = the true persons; uids are numbered in the given order (so they change between runs). */
  static Dataset<Row> clusters(SparkSession spark, List<Rec> recs) {
    Map<Integer, Long> minUid = new HashMap<>();
    List<Row> rows = new ArrayList<>();
    long uid = 1;
    Map<Rec, Long> uids = new HashMap<>();
    for (Rec r : recs) {
      uids.put(r, uid);
      minUid.merge(r.person(), uid, Math::min);
      uid++;
    }
    for (Rec r : recs) {
      rows.add(RowFactory.create(uids.get(r), minUid.get(r.person()), r.source(), r.recordId()));
    }
    return spark.createDataFrame(rows, CLUSTERS);
  }

  static Map<String, String> crosswalk(Dataset<Row> cw) {
    Map<String, String> out = new HashMap<>();
    for (Row r : cw.collectAsList()) {
      out.put(r.getString(0) + "/" + r.getString(1), r.getString(2));
    }
    return out;
  }

  static Map<String, Row> historyById(Dataset<Row> h) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : h.collectAsList()) {
      assertFalse(out.containsKey(r.getString(0)), "one history row per id: " + r);
      out.put(r.getString(0), r);
    }
    return out;
  }

  @Test
  void rerunWithIdenticalInputGivesIdenticalIds(SparkSession spark) {
    List<Rec> recs = new ArrayList<>();
    for (int p = 0; p < 50; p++) {
      for (int k = 0; k <= p % 3; k++) {
        recs.add(new Rec(k == 0 ? "tanf" : "snap", "R" + p + "_" + k, p));
      }
    }
    Dataset<Row> cl = clusters(spark, recs);
    StableIds.StableIdResult a = StableIds.assign(cl, null, "run1");
    StableIds.StableIdResult b = StableIds.assign(cl, null, "run1");
    Map<String, String> ca = crosswalk(a.crosswalk());
    assertEquals(ca, crosswalk(b.crosswalk()), "deterministic from scratch");
    assertEquals(recs.size(), ca.size(), "one row per record");
    assertEquals(50, new HashSet<>(ca.values()).size(), "one id per person");
    assertTrue(ca.values().stream().allMatch(id -> id.matches("P[0-9A-F]{16}")), "id format " + ca.values());
    assertTrue(
        a.history().collectAsList().stream().allMatch(r -> r.getString(1).equals(StableIds.NEW)),
        "first run: all NEW");

    StableIds.StableIdResult again = StableIds.assign(cl, a.crosswalk(), "run2");
    assertEquals(ca, crosswalk(again.crosswalk()), "rerun on the previous crosswalk keeps every id");
    assertTrue(
        again.history().collectAsList().stream().allMatch(r -> r.getString(1).equals(StableIds.KEPT)),
        "second run: all KEPT");
    assertTrue(
        again.crosswalk().collectAsList().stream().allMatch(r -> r.getString(3).equals("run2")), "run id");
  }

  @Test
  void onePercentChurnKeepsUnaffectedIds(SparkSession spark) {
    Random rnd = new Random(5);
    List<Rec> recs = new ArrayList<>();
    int persons = 800;
    for (int p = 0; p < persons; p++) {
      int n = 1 + rnd.nextInt(3);
      for (int k = 0; k < n; k++) {
        recs.add(new Rec(List.of("tanf", "snap", "wic").get(k), "R" + p + "_" + k, p));
      }
    }
    StableIds.StableIdResult first = StableIds.assign(clusters(spark, recs), null, "run1");
    Map<String, String> before = crosswalk(first.crosswalk());

    int churn = recs.size() / 100;
    List<Rec> next = new ArrayList<>(recs);
    Set<Integer> affected = new HashSet<>();
    for (int i = 0; i < churn; i++) {
      Rec gone = next.remove(rnd.nextInt(next.size()));
      affected.add(gone.person());
    }
    for (int i = 0; i < churn; i++) {
      // half join an existing person, half are new people
      int p = i % 2 == 0 ? rnd.nextInt(persons) : persons + i;
      affected.add(p);
      next.add(new Rec("housing", "H" + i, p));
    }
    java.util.Collections.shuffle(next, rnd); // new uids and cluster ids
    StableIds.StableIdResult second = StableIds.assign(clusters(spark, next), first.crosswalk(), "run2");
    Map<String, String> after = crosswalk(second.crosswalk());

    int unaffected = 0;
    int keptId = 0;
    Map<Integer, String> idOf = new HashMap<>();
    for (Rec r : recs) {
      idOf.put(r.person(), before.get(r.source() + "/" + r.recordId()));
    }
    Map<Integer, Set<String>> nowIds = new HashMap<>();
    for (Rec r : next) {
      nowIds.computeIfAbsent(r.person(), x -> new HashSet<>()).add(after.get(r.source() + "/" + r.recordId()));
    }
    for (int p = 0; p < persons; p++) {
      if (affected.contains(p) || !nowIds.containsKey(p)) {
        continue;
      }
      unaffected++;
      if (nowIds.get(p).equals(Set.of(idOf.get(p)))) {
        keptId++;
      }
    }
    double share = (double) keptId / unaffected;
    System.out.printf("churn %d records: %d/%d unaffected people kept their id (%.4f)%n", churn, keptId, unaffected, share);
    assertTrue(share >= 0.99, "unaffected people keeping their id: " + share);
    Set<String> oldIds = new HashSet<>(before.values());
    Map<String, Row> hist = historyById(second.history());
    for (Map.Entry<String, Row> e : hist.entrySet()) {
      if (e.getValue().getString(1).equals(StableIds.NEW)) {
        assertFalse(oldIds.contains(e.getKey()), "new id never reuses an old one");
      }
    }
    long retired = hist.values().stream().filter(r -> r.getString(1).equals(StableIds.RETIRED)).count();
    long allRecordsGone = idOf.keySet().stream().filter(p -> !nowIds.containsKey(p)).count();
    assertEquals(allRecordsGone, retired, "people whose records were all removed are RETIRED");
  }

  @Test
  void mergeSplitRetireAndNewAreRecorded(SparkSession spark) {
    List<Rec> run1 = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      run1.add(new Rec("s", "a" + i, 1)); // A: a1..a3
    }
    for (int i = 1; i <= 2; i++) {
      run1.add(new Rec("s", "b" + i, 2)); // B: b1, b2
    }
    for (int i = 1; i <= 5; i++) {
      run1.add(new Rec("s", "c" + i, 3)); // C: c1..c5
    }
    run1.add(new Rec("s", "d1", 4)); // D
    StableIds.StableIdResult first = StableIds.assign(clusters(spark, run1), null, "run1");
    Map<String, String> cw1 = crosswalk(first.crosswalk());
    String a = cw1.get("s/a1");
    String b = cw1.get("s/b1");
    String c = cw1.get("s/c1");
    String d = cw1.get("s/d1");

    List<Rec> run2 = new ArrayList<>();
    for (String r : List.of("a1", "a2", "a3", "b1", "b2")) {
      run2.add(new Rec("s", r, 10)); // A and B merged
    }
    for (String r : List.of("c1", "c2", "c3")) {
      run2.add(new Rec("s", r, 11)); // C keeps the majority
    }
    for (String r : List.of("c4", "c5")) {
      run2.add(new Rec("s", r, 12)); // split off
    }
    run2.add(new Rec("s", "e1", 13)); // new person; D's only record is gone
    StableIds.StableIdResult second = StableIds.assign(clusters(spark, run2), first.crosswalk(), "run2");
    Map<String, String> cw2 = crosswalk(second.crosswalk());
    assertEquals(a, cw2.get("s/b1"), "merged cluster keeps the majority id A");
    assertEquals(a, cw2.get("s/a1"));
    assertEquals(c, cw2.get("s/c1"), "the larger part of C keeps C");
    String splitId = cw2.get("s/c4");
    assertNotEquals(c, splitId, "split part gets a new id");
    assertEquals(splitId, cw2.get("s/c5"));
    String e = cw2.get("s/e1");
    assertFalse(Set.of(a, b, c, d).contains(e), "new id is not an old id");

    Map<String, Row> h = historyById(second.history());
    assertEquals(StableIds.KEPT, h.get(a).getString(1));
    assertEquals(StableIds.MERGED, h.get(b).getString(1), "B merged");
    assertEquals(List.of(a), h.get(b).getList(2), "B merged into A");
    assertEquals(StableIds.KEPT, h.get(c).getString(1));
    assertEquals(StableIds.SPLIT, h.get(splitId).getString(1), "split recorded");
    assertEquals(List.of(c), h.get(splitId).getList(2), "split from C");
    assertEquals(StableIds.RETIRED, h.get(d).getString(1), "D retired");
    assertEquals(StableIds.NEW, h.get(e).getString(1), "E new");
    assertEquals(6, h.size(), "A, B, C, split, D, E");
    assertTrue(second.history().collectAsList().stream().allMatch(r -> r.getString(3).equals("run2")));
  }

  @Test
  void tiesAreBrokenDeterministically(SparkSession spark) {
    // old X = {x1, x2}; new clusters {x1} and {x2} tie on shared records: the one whose smallest
    // (source, record_id) sorts first keeps X, whatever the uids
    List<Rec> run1 = List.of(new Rec("s", "x1", 1), new Rec("s", "x2", 1));
    StableIds.StableIdResult first = StableIds.assign(clusters(spark, run1), null, "run1");
    String x = crosswalk(first.crosswalk()).get("s/x1");
    for (List<Rec> order :
        List.of(
            List.of(new Rec("s", "x1", 1), new Rec("s", "x2", 2)),
            List.of(new Rec("s", "x2", 2), new Rec("s", "x1", 1)))) {
      Map<String, String> cw = crosswalk(StableIds.assign(clusters(spark, order), first.crosswalk(), "run2").crosswalk());
      assertEquals(x, cw.get("s/x1"), "x1's cluster keeps X regardless of uid order");
      assertNotEquals(x, cw.get("s/x2"));
    }
  }

  @Test
  void newIdsAvoidCollisions(SparkSession spark) {
    List<Rec> recs = List.of(new Rec("s", "z1", 1), new Rec("s", "z2", 2));
    Map<String, String> plain = crosswalk(StableIds.assign(clusters(spark, recs), null, "runX").crosswalk());
    String wouldBe = plain.get("s/z1");
    // a previous crosswalk that already uses that id (for an unrelated record)
    StructType prevSchema =
        new StructType()
            .add("source", DataTypes.StringType)
            .add("record_id", DataTypes.StringType)
            .add("person_id", DataTypes.StringType);
    Dataset<Row> prev = spark.createDataFrame(List.of(RowFactory.create("old", "o1", wouldBe)), prevSchema);
    StableIds.StableIdResult r = StableIds.assign(clusters(spark, recs), prev, "runX");
    Map<String, String> cw = crosswalk(r.crosswalk());
    assertNotEquals(wouldBe, cw.get("s/z1"), "colliding id re-drawn");
    assertEquals(plain.get("s/z2"), cw.get("s/z2"), "others unchanged");
    assertEquals(StableIds.RETIRED, historyById(r.history()).get(wouldBe).getString(1));
    // an id held outside the re-clustered part (an incremental run's reserved ids), twice
    Dataset<Row> reserved = spark.createDataFrame(
        List.of(RowFactory.create(wouldBe), RowFactory.create(wouldBe), RowFactory.create("P-OTHER")),
        new StructType().add("person_id", DataTypes.StringType));
    Map<String, String> cwReserved = crosswalk(StableIds.assign(clusters(spark, recs),
        spark.createDataFrame(List.of(), prevSchema), "runX", "P", reserved).crosswalk());
    assertNotEquals(wouldBe, cwReserved.get("s/z1"), "id reserved outside the part re-drawn");
    assertEquals(cw.get("s/z1"), cwReserved.get("s/z1"), "re-drawn as with the previous crosswalk");
    assertEquals(plain.get("s/z2"), cwReserved.get("s/z2"), "others unchanged");
  }
}
