package org.commonclient.blocking;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocking for an incremental link run: only the candidate pairs that touch a <em>dirty</em>
 * record, with exactly the semantics of {@link Blocker} on the whole population (same ordered
 * rules, a pair belongs to the first rule generating it, keys of oversized blocks dropped,
 * {@code uid_l < uid_r}, every pair once).
 *
 * <p>Dirty records are the given changed ones (new, changed, re-standardised) plus every record of
 * a block whose "dropped as oversized" status differs between the previous population and the
 * current one: such a block's pairs appear or vanish in a full run, so its records must be
 * re-paired too. Pairs between two clean records are then exactly those of the previous run.
 *
 * <p>The dirty records' kept (rule, key) entries are joined with every record's entries in one
 * small-by-large equi-join for all rules (no salting needed), the pairs oriented to {@code (least,
 * greatest)} and deduplicated; each pair then gets the first rule generating it (a shared kept key
 * and the residual, evaluated on the oriented pair so asymmetric residuals behave as in {@link
 * Blocker}) where the link type allows it.
 */
public final class IncrementalBlocker {
  private static final Logger LOG = LoggerFactory.getLogger(IncrementalBlocker.class);

  /**
   * @param pairs {@code uid_l, uid_r, match_key}: every candidate pair with a dirty side
   * @param reblocked uids ({@code uid}) of clean records made dirty by a block that crossed its
   *     size limit (not including the given changed records)
   * @param keyed the cached key table (the previous population's); released by {@link #close()}
   */
  public record Delta(Dataset<Row> pairs, Dataset<Row> reblocked, Dataset<Row> keyed) implements AutoCloseable {
    @Override
    public void close() {
      keyed.unpersist();
    }
  }

  private IncrementalBlocker() {}

  /**
   * @param before the previous population's standardised records (uid, source, rule columns)
   * @param current the current population (same columns)
   * @param changed {@code uid} of the current records that are new or changed since {@code before}
   *     (or must be re-scored for another reason)
   * @param departed {@code uid} of the previous records that changed or were withdrawn
   */
  public static Delta block(Dataset<Row> before, Dataset<Row> current, Dataset<Row> changed, Dataset<Row> departed,
      BlockingConfig cfg, LinkType linkType) {
    List<ResolvedRule> rules = ResolvedRule.resolveAll(current, cfg.rules());
    List<ResolvedRule> rulesBefore = ResolvedRule.resolveAll(before, cfg.rules());
    return blockKeyed(BlockingAnalysis.hashed(before, rulesBefore), BlockingAnalysis.hashed(current, rules), null, rules,
        changed, departed, cfg, linkType);
  }

  /**
   * The hashed key table of records ({@link BlockingAnalysis#hashed} under the configured rules):
   * what a link run keeps for the next incremental run, which then hashes the keys of its new and
   * changed records only.
   */
  public static Dataset<Row> keyTable(Dataset<Row> records, BlockingConfig cfg) {
    return BlockingAnalysis.hashed(records, ResolvedRule.resolveAll(records, cfg.rules()));
  }

  /**
   * As {@link #block(Dataset, Dataset, Dataset, Dataset, BlockingConfig, LinkType)}, from the
   * populations' hashed key tables ({@link #keyTable}) instead of their records.
   *
   * <p>The previous key table is read once (cached); the current one is best given as the
   * previous one without the replaced records plus {@code keyedChanged}, so that it is read
   * from that cache too.
   *
   * @param keyedChanged the key table rows of the {@code changed} records (those of {@code
   *     keyedNow}), or null to look them up in {@code keyedNow}
   * @param records any records with the rule columns (their schema resolves the rules)
   */
  public static Delta block(Dataset<Row> keyedBefore, Dataset<Row> keyedNow, Dataset<Row> keyedChanged,
      Dataset<Row> records, Dataset<Row> changed, Dataset<Row> departed, BlockingConfig cfg, LinkType linkType) {
    return blockKeyed(keyedBefore, keyedNow, keyedChanged, ResolvedRule.resolveAll(records, cfg.rules()), changed,
        departed, cfg, linkType);
  }

  private static Delta blockKeyed(Dataset<Row> keyedBefore, Dataset<Row> keyedNow, Dataset<Row> keyedChanged,
      List<ResolvedRule> rules, Dataset<Row> changed, Dataset<Row> departed, BlockingConfig cfg, LinkType linkType) {
    // keys as 64-bit hashes, as in the full run's Blocker. The previous key table is cached (the
    // current one, mostly made of it, is then read from that cache: Spark substitutes a cached
    // plan wherever it recurs). The current entries (one row per rule and key element of a
    // record, ~25 per record) are never materialised whole: each pass over them keeps the entries
    // of a small set of blocks only (each key probes a broadcast set of block ids: BlockEntries).
    Lap lap = new Lap();
    Dataset<Row> keyed = Blocker.cacheUncompressed(keyedBefore);
    lap.log("previous key table cached");
    Column limit = lit(0L);
    for (ResolvedRule r : rules) {
      limit = when(col("_fr").equalTo(r.index), lit(r.rule.blockLimit(cfg.maxBlockSize()))).otherwise(limit);
    }

    // Only blocks holding a changed, new or departed record changed size. Their sizes now come
    // from the entries of those blocks (one pass over the current entries keeping theirs); their
    // sizes before follow from the sizes now: minus the entries of the records that came in (the
    // changed ones), plus the entries of the records that went (the previous version of every
    // changed or departed record still in the previous population). Only those records' previous
    // keys are computed.
    Dataset<Row> changedUids = changed.select(col("uid").cast("long").as("uid"));
    Dataset<Row> moved = changedUids.union(departed.select(col("uid").cast("long").as("uid"))).distinct();
    Dataset<Row> previousOfMoved = keyed.join(broadcast(moved), new String[] {"uid"}, "left_semi");
    // blocks are named by _b, one long (a hash of rule and key): the joins and counts below on it
    // use Spark's primitive-key hash maps (on the pair rule, key they hashed and compared binary rows)
    // the changed records' entries (with their uid: they are also the dirty records' entries)
    Dataset<Row> cameEntries = BlockEntries.all(keyedChanged != null
        ? keyedChanged
        : keyedNow.join(broadcast(changedUids), new String[] {"uid"}, "left_semi"), rules).localCheckpoint(true);
    Dataset<Row> came = cameEntries.select("_fr", "_fk", "_b");
    Dataset<Row> went = BlockEntries.all(previousOfMoved, rules).select("_fr", "_fk", "_b").localCheckpoint(true);
    Dataset<Row> touched = came.union(went).dropDuplicates("_b").localCheckpoint(true);
    lap.log("entries that came and went");
    Dataset<Row> touchedEntries = BlockEntries.inBlocks(keyedNow, rules, touched).localCheckpoint(true);
    Dataset<Row> nNow = blockSizes(touchedEntries).localCheckpoint(true);
    lap.log("entries and sizes of the touched blocks");
    Dataset<Row> delta = came.groupBy("_b").agg(count(lit(1)).as("_in"), min("_fr").as("_fr_in"), min("_fk").as("_fk_in"))
        .join(went.groupBy("_b").agg(count(lit(1)).as("_out"), min("_fr").as("_fr_out"), min("_fk").as("_fk_out")),
            new String[] {"_b"}, "full_outer");
    Column nBeforeCol = coalesce(col("_now"), lit(0L)).minus(coalesce(col("_in"), lit(0L))).plus(coalesce(col("_out"), lit(0L)));
    Column droppedNow = limit.gt(0).and(coalesce(col("_now"), lit(0L)).gt(limit));
    Column droppedBefore = limit.gt(0).and(nBeforeCol.gt(limit));
    Dataset<Row> flips = nNow.join(delta, new String[] {"_b"}, "full_outer")
        .withColumn("_fr", coalesce(col("_fr"), col("_fr_in"), col("_fr_out")))
        .withColumn("_fk", coalesce(col("_fk"), col("_fk_in"), col("_fk_out")))
        .where(droppedNow.notEqual(droppedBefore)).select("_fr", "_fk", "_b").localCheckpoint(true);
    long nFlips = flips.count();
    lap.log("blocks crossing their limit");
    // a block that crossed its limit is a touched block: its records are among the touched entries
    Dataset<Row> reblocked = touchedEntries.join(broadcast(flips.select("_b")), new String[] {"_b"}, "left_semi")
        .select("uid").distinct()
        .join(broadcast(changedUids), new String[] {"uid"}, "left_anti").localCheckpoint(true);
    if (nFlips > 0) {
      LOG.info("incremental blocking: {} blocks crossed their size limit; their records are re-paired", nFlips);
    }
    lap.log("re-paired records");

    // Which blocks are dropped as oversized: only the keys of dirty records matter (every
    // candidate pair has a dirty side, so a key two records share, for the pair or for the
    // exclusion of an earlier rule, is a dirty record's key). The touched blocks were counted
    // above; the re-paired records' other blocks are read (a second pass) and counted now.
    Dataset<Row> counted = nNow;
    Dataset<Row> dirtyEntriesAll = cameEntries;
    Dataset<Row> blockEntries = touchedEntries;
    if (nFlips > 0) {
      Dataset<Row> reblockedEntries = BlockEntries.all(keyedNow.join(broadcast(reblocked), new String[] {"uid"}, "left_semi"), rules)
          .localCheckpoint(true);
      Dataset<Row> more = reblockedEntries.select("_fr", "_fk", "_b").dropDuplicates("_b")
          .join(broadcast(touched.select("_b")), new String[] {"_b"}, "left_anti").localCheckpoint(true);
      Dataset<Row> moreEntries = BlockEntries.inBlocks(keyedNow, rules, more).localCheckpoint(true);
      counted = counted.unionByName(blockSizes(moreEntries));
      dirtyEntriesAll = dirtyEntriesAll.union(reblockedEntries);
      blockEntries = blockEntries.union(moreEntries);
      lap.log("entries and sizes of the re-paired records' other blocks");
    }
    Dataset<Row> droppedBlocks = counted.where(limit.gt(0).and(col("_now").gt(limit))).select("_fr", "_fk", "_b")
        .localCheckpoint(true);
    List<List<Long>> dropped = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      dropped.add(new ArrayList<>());
    }
    List<Row> droppedRows = droppedBlocks.collectAsList();
    lap.log("dropped blocks of the dirty records");
    for (Row row : droppedRows) {
      dropped.get(row.getInt(0)).add(row.getLong(1));
    }
    List<long[]> droppedKeys = dropped.stream().map(d -> d.stream().mapToLong(Long::longValue).toArray()).toList();

    // Candidates: every record sharing a kept key (of any rule) with a dirty record. The dirty
    // records' entries without the dropped blocks are small and broadcast; the entries of their
    // blocks (all among those read above) are joined with them (one join for all rules). A joined
    // row is a key the two records share under its rule (_fr, _fk: _b alone could collide).
    Dataset<Row> dirtyEntries = dirtyEntriesAll.join(broadcast(droppedBlocks.select("_b")), new String[] {"_b"}, "left_anti");
    Dataset<Row> shared = broadcast(dirtyEntries.select("_b", "_fr", "_fk", "uid")).alias("a")
        .join(blockEntries.select("_b", "_fr", "_fk", "uid").alias("b"), col("a._b").equalTo(col("b._b"))
            .and(col("a._fr").equalTo(col("b._fr"))).and(col("a._fk").equalTo(col("b._fk")))
            .and(col("a.uid").notEqual(col("b.uid"))))
        .select(least(col("a.uid"), col("b.uid")).as("uid_l"), greatest(col("a.uid"), col("b.uid")).as("uid_r"),
            col("a._fr").as("_fr"));
    Dataset<Row> pairs;
    if (linkType == LinkType.LINK_AND_DEDUPE && rules.stream().noneMatch(r -> r.rule.hasResidual())) {
      // Each pair's rule as in the full run: the first rule generating it, i.e. the first under
      // which the two records share a kept key (no residual to evaluate, every pair allowed), read
      // off the shared keys themselves: no pass over the records' key columns.
      pairs = shared.groupBy("uid_l", "uid_r").agg(min("_fr").as("match_key"));
      return new Delta(pairs, reblocked, keyed);
    }
    Dataset<Row> candidates = shared.select("uid_l", "uid_r").distinct().localCheckpoint(true);
    lap.log("candidate pairs");

    // Each candidate's rule as in the full run: the first rule generating the pair (a shared kept
    // key and its residual), where the link type allows the pair at all. The sides come from the
    // records the candidates touch only (a few per cent of the population in a monthly run).
    Column rule = lit(null).cast("int");
    for (int i = rules.size() - 1; i >= 0; i--) {
      rule = when(coalesce(Blocker.generatedBy(rules.get(i)), lit(false)), lit(i)).otherwise(rule);
    }
    Dataset<Row> touching = candidates.select(col("uid_l").as("uid"))
        .union(candidates.select(col("uid_r").as("uid"))).distinct();
    Dataset<Row> sides = BlockingAnalysis.withoutDropped(
        keyedNow.join(broadcast(touching), new String[] {"uid"}, "left_semi"), rules, droppedKeys);
    pairs = candidates.alias("p")
        .join(sides.alias("l"), col("p.uid_l").equalTo(col("l.uid")))
        .join(sides.alias("r"), col("p.uid_r").equalTo(col("r.uid")))
        .where(Blocker.allowedBy(linkType))
        .select(col("p.uid_l").as("uid_l"), col("p.uid_r").as("uid_r"), rule.as("match_key"))
        .where(col("match_key").isNotNull());
    return new Delta(pairs, reblocked, keyed);
  }

  /** Logs the seconds each step took (the steps end in a materialisation: the times are theirs). */
  private static final class Lap {
    private long t = System.nanoTime();

    void log(String step) {
      long now = System.nanoTime();
      LOG.info("incremental blocking: {} in {} s", step, String.format("%.1f", (now - t) / 1e9));
      t = now;
    }
  }

  /** Size {@code _now} of each block ({@code _b}) of the entries (all of its entries among them), with its {@code _fr, _fk}. */
  private static Dataset<Row> blockSizes(Dataset<Row> blockEntries) {
    return blockEntries.groupBy("_b").agg(count(lit(1)).as("_now"), min("_fr").as("_fr"), min("_fk").as("_fk"));
  }
}
