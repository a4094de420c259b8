package org.commonclient.blocking;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SparkExtension.class)
class BlockerTest {
  static final String SCHEMA =
      "uid long, source string, first_name string, last_name string, ssn string, dob date,"
          + " dob_year int, sex string, zip5 string, last_tokens array<string>";

  /** Settings with the given rules, large budgets, no dropping and no salting. */
  static BlockingConfig cfg(BlockingRule... rules) {
    return new BlockingConfig(List.of(rules), 1_000_000_000L, 1_000_000_000L, 0, 0, 8, 5);
  }

  static Row rec(
      long uid,
      String source,
      String first,
      String last,
      String ssn,
      String dob,
      String sex,
      String zip,
      List<String> tokens) {
    Date d = dob == null ? null : Date.valueOf(dob);
    Integer year = dob == null ? null : Integer.valueOf(dob.substring(0, 4));
    return RowFactory.create(uid, source, first, last, ssn, d, year, sex, zip, tokens);
  }

  static Dataset<Row> records(SparkSession spark, List<Row> rows) {
    return spark.createDataFrame(rows, StructType.fromDDL(SCHEMA));
  }

  static Set<String> pairSet(Dataset<Row> pairs) {
    List<Row> rows = pairs.collectAsList();
    Set<String> out = new TreeSet<>();
    for (Row r : rows) {
      out.add(r.getLong(0) + "-" + r.getLong(1) + "#" + r.getInt(2));
    }
    assertEquals(rows.size(), out.size(), "every pair must appear once: " + rows);
    return out;
  }

  static Set<String> expected(String... pairs) {
    return new TreeSet<>(Arrays.asList(pairs));
  }

  @Test
  void laterRulesExcludeEarlierPairsNullSafely(SparkSession spark) {
    Dataset<Row> df =
        records(
            spark,
            List.of(
                rec(1, "A", "ANN", "SMITH", "111", "1980-01-02", "F", "1", null),
                rec(2, "A", "ANN", "SMITH", "111", "1980-03-04", "F", "1", null),
                rec(3, "A", "ANN", "SMITH", null, "1980-05-06", "F", "1", null),
                rec(4, "A", "ANN", "SMITH", "", "1980-07-08", "F", "1", null),
                rec(5, "A", "BOB", "JONES", "111", "1990-01-01", "M", "1", null),
                rec(6, "A", "BOB", "JONES", "222", null, "M", "1", null)));
    BlockingResult res =
        Blocker.block(
            df,
            cfg(BlockingRule.of("ssn", "ssn"), BlockingRule.of("last_year", "last_name", "dob_year")),
            "dedupe");
    assertEquals(
        expected("1-2#0", "1-5#0", "2-5#0", "1-3#1", "2-3#1", "1-4#1", "2-4#1", "3-4#1"),
        pairSet(res.pairs()),
        "ssn pairs keep match_key 0; null/empty ssn never match and never exclude");
    assertEquals(3L, res.countByRule().get("ssn"), "post-exclusion count of ssn");
    assertEquals(5L, res.countByRule().get("last_year"), "post-exclusion count of last_year");
    assertEquals(6L, res.stats().get(1).pairs(LinkType.DEDUPE), "pre-exclusion count of last_year");
  }

  @Test
  void linkTypesSelectPairsBySource(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    String[] sources = {"A", "A", "B", "B", null, null};
    for (int i = 0; i < sources.length; i++) {
      rows.add(rec(i + 1, sources[i], "X", "Y", null, "1970-01-01", null, null, null));
    }
    Dataset<Row> df = records(spark, rows);
    BlockingConfig c = cfg(BlockingRule.of("dob", "dob"));
    assertEquals(
        expected("1-2#0", "3-4#0", "5-6#0"),
        pairSet(Blocker.block(df, c, "dedupe").pairs()),
        "dedupe: same source only (null = null)");
    assertEquals(
        expected(
            "1-3#0", "1-4#0", "2-3#0", "2-4#0", "1-5#0", "1-6#0", "2-5#0", "2-6#0", "3-5#0",
            "3-6#0", "4-5#0", "4-6#0"),
        pairSet(Blocker.block(df, c, "link").pairs()),
        "link: different sources only");
    assertEquals(15, pairSet(Blocker.block(df, c, "link_and_dedupe").pairs()).size(), "all pairs");
    RuleStats s = BlockingAnalysis.analyse(df, c).get(0);
    assertEquals(new PairCounts(3, 12, 15), s.pairs(), "analysis counts per link type");
  }

  @Test
  void arrayKeysMatchAnySharedTokenOnce(SparkSession spark) {
    Dataset<Row> df =
        records(
            spark,
            List.of(
                rec(1, "A", null, null, null, null, null, "10", List.of("GARCIA", "LOPEZ")),
                rec(2, "A", null, null, null, null, null, "10", List.of("LOPEZ", "GARCIA")),
                rec(3, "A", null, null, null, null, null, null, List.of("GARCIA")),
                rec(4, "A", null, null, null, null, null, "10", List.of("MARTINEZ")),
                rec(5, "A", null, null, null, null, null, null, Arrays.asList("LOPEZ", "", null)),
                rec(6, "A", null, null, null, null, null, null, null),
                rec(7, "A", null, null, null, null, null, null, List.of())));
    BlockingResult res =
        Blocker.block(
            df,
            cfg(BlockingRule.of("tokens", "last_tokens"), BlockingRule.of("zip", "zip5")),
            LinkType.DEDUPE);
    assertEquals(
        expected("1-2#0", "1-3#0", "2-3#0", "1-5#0", "2-5#0", "1-4#1", "2-4#1"),
        pairSet(res.pairs()),
        "two shared tokens give one pair; zip rule excludes pairs sharing a token");
    assertEquals(
        6, res.stats().get(0).pairs(LinkType.DEDUPE), "pre-exclusion counts pair 1-2 once per token");
  }

  @Test
  void residualIsPartOfRuleAndOfExclusion(SparkSession spark) {
    Dataset<Row> df =
        records(
            spark,
            List.of(
                rec(1, "A", null, null, null, "1980-01-01", "F", null, null),
                rec(2, "A", null, null, null, "1980-01-01", "F", null, null),
                rec(3, "A", null, null, null, "1980-01-01", "M", null, null),
                rec(4, "A", null, null, null, "1980-01-01", null, null, null)));
    BlockingResult res =
        Blocker.block(
            df,
            cfg(
                BlockingRule.of("dob_sex", "dob").withResidual("l.sex = r.sex"),
                BlockingRule.of("dob", "dob")),
            LinkType.DEDUPE);
    assertEquals(
        expected("1-2#0", "1-3#1", "2-3#1", "1-4#1", "2-4#1", "3-4#1"),
        pairSet(res.pairs()),
        "pairs failing (or null in) the residual fall to the next rule");
  }

  @Test
  void unresolvableKeyNamesTheRule(SparkSession spark) {
    Dataset<Row> df = records(spark, List.of(rec(1, "A", "X", "Y", null, null, null, null, null)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Blocker.block(df, cfg(BlockingRule.of("bad", "no_such_column")), "dedupe"));
    assertTrue(e.getMessage().contains("'bad'") && e.getMessage().contains("no_such_column"), e.getMessage());
  }

  @Test
  void overBudgetRuleIsRefusedWithNameCountAndLargestBlock(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(rec(i, "A", "N" + (i % 2), "S", null, i < 150 ? "1901-01-01" : "1950-06-0" + (i % 9 + 1), null, null, null));
    }
    Dataset<Row> df = records(spark, rows);
    BlockingConfig perRule =
        cfg(BlockingRule.of("first", "first_name"), BlockingRule.of("dob", "dob"))
            .withBudget(10_000, 1_000_000);
    BlockingBudgetExceededException e =
        assertThrows(
            BlockingBudgetExceededException.class, () -> Blocker.block(df, perRule, "dedupe"));
    // first_name: 2 blocks of 100 -> 9,900 pairs (within); dob: 150*149/2 + small -> over
    long dobPairs = 150 * 149 / 2 + 5 * 15 + 4 * 10; // 50 others in 9 dates: five of 6, four of 5
    assertTrue(e.getMessage().contains("'dob'"), e.getMessage());
    assertTrue(e.getMessage().contains(String.format("%,d", dobPairs)), e.getMessage());
    assertTrue(e.getMessage().contains("1901-01-01") && e.getMessage().contains("150"), e.getMessage());

    BlockingConfig total =
        cfg(BlockingRule.of("first", "first_name"), BlockingRule.of("dob", "dob"))
            .withBudget(20_000, 20_000);
    e =
        assertThrows(
            BlockingBudgetExceededException.class, () -> Blocker.block(df, total, "dedupe"));
    assertTrue(
        e.getMessage().contains(String.format("%,d", dobPairs + 9_900))
            && e.getMessage().contains("'dob'"),
        e.getMessage());
  }

  @Test
  void oversizedBlocksAreDroppedAndReported(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(rec(i, "A", "P" + i, "Q", null, "1900-01-01", null, null, null));
    }
    rows.add(rec(100, "A", "P1", "Q", null, "1990-01-01", null, null, null));
    rows.add(rec(101, "A", "P2", "Q", null, "1990-01-01", null, null, null));
    Dataset<Row> df = records(spark, rows);
    BlockingConfig c =
        cfg(BlockingRule.of("dob", "dob"), BlockingRule.of("first", "first_name"))
            .withSkew(30, 0, 1);
    BlockingResult res = Blocker.block(df, c, "dedupe");
    RuleStats s = res.stats().get(0);
    assertEquals(1, s.droppedBlocks(), "dropped blocks");
    assertEquals(40, s.droppedRecords(), "dropped records");
    assertEquals(780, s.droppedPairs().dedupe(), "dropped pairs");
    assertEquals(1, s.pairs(LinkType.DEDUPE), "kept pairs");
    assertEquals(new BlockSize("1900-01-01", 40), s.largestBlocks().get(0), "largest block");
    assertEquals(new BlockSize("1900-01-01", 40), s.dropped().get(0), "dropped block");
    // the dropped dob block no longer excludes 1-100 and 2-101 from the first-name rule
    assertEquals(expected("100-101#0", "1-100#1", "2-101#1"), pairSet(res.pairs()), "pairs");
  }

  @Test
  void saltedBlockGivesTheNaiveJoinsPairs(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String dob = i < 240 ? "1900-01-01" : "1980-01-0" + (i % 5 + 1);
      rows.add(rec(1000 - 3L * i, i % 3 == 0 ? "B" : "A", "F" + (i % 7), "L", null, dob, null, null, null));
    }
    Dataset<Row> df = records(spark, rows);
    BlockingConfig c =
        cfg(BlockingRule.of("first", "first_name"), BlockingRule.of("dob", "dob"))
            .withSkew(0, 20, 16);
    for (LinkType type : LinkType.values()) {
      BlockingResult res = Blocker.block(df, c, type);
      assertTrue(res.stats().get(1).saltedBlocks() >= 1, "the 1900-01-01 block is salted");
      Dataset<Row> naive = NaiveBlocking.pairs(df, c, type);
      Dataset<Row> actual = res.pairs();
      assertEquals(0, actual.exceptAll(naive).count(), type + ": pairs not in the naive join");
      assertEquals(0, naive.exceptAll(actual).count(), type + ": naive pairs missing");
    }
  }

  @Test
  void analysisNamesCompositeArrayBlocksByTheirText(SparkSession spark) {
    // the blocks the analysis names (largest, dropped) are shown by their key text, composite
    // keys of an array rule included, and the dropped one pairs nobody (the joins use hashes)
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      rows.add(rec(i, "A", null, null, null, "1980-01-01", null, null, List.of("GARCIA", "LOPEZ")));
    }
    for (int i = 9; i < 13; i++) {
      rows.add(rec(i, "A", null, null, null, "1980-01-01", null, null, List.of("GARCIA")));
    }
    rows.add(rec(13, "A", null, null, null, "1990-05-05", null, null, List.of("LOPEZ")));
    BlockingConfig c = new BlockingConfig(
        List.of(new BlockingRule("dob_token", List.of("dob", "last_tokens"), null, 10)),
        1_000_000_000L, 1_000_000_000L, 0, 0, 8, 5);
    BlockingResult res = Blocker.block(records(spark, rows), c, LinkType.DEDUPE);
    RuleStats s = res.stats().get(0);
    assertEquals(new BlockSize("1980-01-01 | GARCIA", 13), s.dropped().get(0), "dropped block named by its text");
    assertEquals(
        List.of(new BlockSize("1980-01-01 | GARCIA", 13), new BlockSize("1980-01-01 | LOPEZ", 9)),
        s.largestBlocks(), "largest blocks named by their text (the 1990 block is a singleton)");
    // the dropped GARCIA block no longer pairs anyone; the LOPEZ block of records 0-8 still does
    assertEquals(36, res.pairs().count(), "pairs of the kept block");
  }

  @Test
  void saltingSplitsAHotBlockAcrossPartitions(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      rows.add(rec(i, "A", null, null, null, "1900-01-01", null, null, null));
    }
    Dataset<Row> df = records(spark, rows);
    String oldPartitions = spark.conf().get("spark.sql.shuffle.partitions");
    String oldBroadcast = spark.conf().get("spark.sql.autoBroadcastJoinThreshold");
    spark.conf().set("spark.sql.shuffle.partitions", "8");
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    try {
      long expectedPairs = 3000L * 2999 / 2;
      BlockingConfig salted = cfg(BlockingRule.of("dob", "dob")).withSkew(0, 250, 12);
      long[] saltedSizes = partitionSizes(Blocker.block(df, salted, "dedupe").pairs());
      long[] plainSizes =
          partitionSizes(Blocker.block(df, cfg(BlockingRule.of("dob", "dob")), "dedupe").pairs());
      assertEquals(expectedPairs, Arrays.stream(saltedSizes).sum(), "salted: all pairs");
      assertEquals(expectedPairs, Arrays.stream(plainSizes).sum(), "unsalted: all pairs");
      assertEquals(expectedPairs, plainSizes[plainSizes.length - 1], "unsalted: one task has all");
      long biggest = saltedSizes[saltedSizes.length - 1];
      assertTrue(
          saltedSizes.length >= 4 && biggest < 0.4 * expectedPairs,
          "salted pairs per partition: " + Arrays.toString(saltedSizes));
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", oldPartitions);
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", oldBroadcast);
    }
  }

  @Test
  void matchesBruteForceOnRandomRecords(SparkSession spark) {
    java.util.Random rnd = new java.util.Random(42);
    List<Row> rows = new ArrayList<>();
    List<Long> uids = new ArrayList<>();
    for (long u = 0; u < 400; u++) {
      uids.add(u * 7 + 3);
    }
    java.util.Collections.shuffle(uids, rnd);
    String[] sources = {"S1", "S2", "S3", null};
    String[] sexes = {"M", "F", null, ""};
    for (int i = 0; i < 400; i++) {
      String first = rnd.nextInt(10) == 0 ? null : rnd.nextInt(6) == 0 ? "HOT" : "F" + rnd.nextInt(25);
      int year = 1950 + rnd.nextInt(6);
      List<String> tokens = new ArrayList<>();
      int nt = rnd.nextInt(4);
      for (int t = 0; t < nt; t++) {
        tokens.add(rnd.nextInt(8) == 0 ? "" : "T" + rnd.nextInt(40));
      }
      rows.add(
          rec(
              uids.get(i),
              sources[rnd.nextInt(4)],
              first,
              null,
              null,
              rnd.nextInt(8) == 0 ? null : year + "-01-01",
              sexes[rnd.nextInt(4)],
              rnd.nextInt(5) == 0 ? "" : "Z" + rnd.nextInt(12),
              rnd.nextInt(6) == 0 ? null : tokens));
    }
    Dataset<Row> df = records(spark, rows);
    BlockingConfig c =
        cfg(
                BlockingRule.of("first", "first_name"),
                BlockingRule.of("year_sex", "dob_year", "sex"),
                BlockingRule.of("zip_tokens", "zip5", "last_tokens"),
                BlockingRule.of("tokens", "last_tokens"),
                BlockingRule.of("sex_tokens_zip", "sex", "last_tokens", "zip5"),
                BlockingRule.of("zip_sex", "zip5", "sex"))
            .withSkew(40, 6, 5);
    for (LinkType type : LinkType.values()) {
      BlockingResult res = Blocker.block(df, c, type);
      assertTrue(res.stats().get(0).droppedBlocks() >= 1, "HOT first name is dropped");
      assertTrue(res.stats().get(1).saltedBlocks() >= 1, "year/sex blocks are salted");
      Set<String> naive = pairSet(NaiveBlocking.pairs(df, c, type));
      assertEquals(naive, pairSet(res.pairs()), type + ": blocker vs brute force");
    }
  }

  /** Pairs per output partition (non-empty ones), ascending; also checks no pair repeats. */
  private static long[] partitionSizes(Dataset<Row> pairs) {
    Dataset<Row> tagged = pairs.withColumn("p", spark_partition_id());
    List<Row> counts = tagged.groupBy("p").count().collectAsList();
    assertEquals(0, pairs.groupBy("uid_l", "uid_r").count().where(col("count").gt(1)).count(), "duplicates");
    return counts.stream().mapToLong(r -> r.getLong(1)).sorted().toArray();
  }
}
