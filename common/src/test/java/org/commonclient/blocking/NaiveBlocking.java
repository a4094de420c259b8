package org.commonclient.blocking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Reference blocking in plain Java by comparing every pair of records: for rules whose keys are
 * plain column names (at most one array column) and no residual. The oracle for {@link Blocker}.
 */
final class NaiveBlocking {
  private NaiveBlocking() {}

  static Dataset<Row> pairs(Dataset<Row> records, BlockingConfig cfg, LinkType type) {
    List<Row> rows = records.collectAsList();
    int nRules = cfg.rules().size();
    // composite keys per record per rule
    List<List<Set<String>>> keys = new ArrayList<>();
    List<Map<String, Integer>> sizes = new ArrayList<>();
    for (int r = 0; r < nRules; r++) {
      List<Set<String>> perRecord = new ArrayList<>();
      Map<String, Integer> size = new HashMap<>();
      for (Row row : rows) {
        Set<String> ks = composites(row, cfg.rules().get(r));
        perRecord.add(ks);
        for (String k : ks) {
          size.merge(k, 1, Integer::sum);
        }
      }
      keys.add(perRecord);
      sizes.add(size);
    }
    List<Row> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      for (int j = 0; j < rows.size(); j++) {
        long ui = rows.get(i).getLong(rows.get(i).fieldIndex("uid"));
        long uj = rows.get(j).getLong(rows.get(j).fieldIndex("uid"));
        if (ui >= uj) {
          continue;
        }
        Object si = source(rows.get(i));
        Object sj = source(rows.get(j));
        boolean same = Objects.equals(si, sj);
        if ((type == LinkType.DEDUPE && !same) || (type == LinkType.LINK && same)) {
          continue;
        }
        for (int r = 0; r < nRules; r++) {
          if (agree(keys.get(r).get(i), keys.get(r).get(j), sizes.get(r), cfg.maxBlockSize())) {
            out.add(RowFactory.create(ui, uj, r));
            break;
          }
        }
      }
    }
    return records
        .sparkSession()
        .createDataFrame(out, StructType.fromDDL("uid_l long, uid_r long, match_key int"));
  }

  private static Object source(Row row) {
    return List.of(row.schema().fieldNames()).contains("source") ? row.get(row.fieldIndex("source")) : null;
  }

  private static boolean agree(Set<String> a, Set<String> b, Map<String, Integer> size, long max) {
    for (String k : a) {
      if (b.contains(k) && (max == 0 || size.get(k) <= max)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> composites(Row row, BlockingRule rule) {
    List<String> prefix = new ArrayList<>();
    List<String> elements = null;
    int pos = -1;
    for (String k : rule.keys()) {
      Object v = row.get(row.fieldIndex(k));
      if (v instanceof scala.collection.Seq<?> seq) {
        elements = new ArrayList<>();
        for (Object e : scala.jdk.javaapi.CollectionConverters.asJava(seq)) {
          if (e != null && !e.toString().isBlank()) {
            elements.add(e.toString());
          }
        }
        pos = prefix.size();
        prefix.add(null);
      } else if (v instanceof List<?> list) {
        elements = new ArrayList<>();
        for (Object e : list) {
          if (e != null && !e.toString().isBlank()) {
            elements.add(e.toString());
          }
        }
        pos = prefix.size();
        prefix.add(null);
      } else {
        if (v == null || v.toString().isBlank()) {
          return Set.of();
        }
        prefix.add(v.toString());
      }
    }
    Set<String> out = new HashSet<>();
    if (elements == null) {
      out.add(String.join(ResolvedRule.SEP, prefix));
    } else {
      for (String e : elements) {
        List<String> parts = new ArrayList<>(prefix);
        parts.set(pos, e);
        out.add(String.join(ResolvedRule.SEP, parts));
      }
    }
    return out;
  }
}
