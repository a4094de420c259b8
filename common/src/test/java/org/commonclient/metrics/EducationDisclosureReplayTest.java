package org.commonclient.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replays the driver-side education tables and disclosure control on the raw education counts of
 * a benchmark digest ({@code -Dreplay.digest=<root>/bench-out/tables.txt}, written by {@link
 * MetricsBenchmark}) without Spark, checks the published rows equal the digest's and prints the
 * time: a fast loop for profiling disclosure control at benchmark size. Skipped without the
 * property.
 */
class EducationDisclosureReplayTest {
  @Test
  void replay() throws Exception {
    String path = System.getProperty("replay.digest", "");
    Assumptions.assumeTrue(!path.isBlank(), "set -Dreplay.digest=<tables.txt> to replay");
    List<String> lines = Files.readAllLines(Path.of(path));
    StructType schema = new StructType().add("school_year", "int").add("population", "string")
        .add("dim", "string").add("value", "string");
    for (String c : EducationMetrics.VALUE_COLUMNS) {
      schema = schema.add(c, "long");
    }
    Map<String, Object[]> byKey = new LinkedHashMap<>();
    List<String> expectedPub = new ArrayList<>();
    String section = "";
    for (String l : lines) {
      if (l.startsWith("## ")) {
        section = l;
        continue;
      }
      if (section.startsWith("## restricted education_outcomes")) {
        String[] f = l.substring(1, l.length() - 1).split(",", -1);
        String key = f[0] + "|" + f[1] + "|" + f[2] + "|" + f[3];
        Object[] v = byKey.computeIfAbsent(key, k -> {
          Object[] o = new Object[4 + EducationMetrics.VALUE_COLUMNS.length];
          o[0] = Integer.parseInt(f[0]);
          o[1] = f[1];
          o[2] = f[2];
          o[3] = f[3];
          for (int i = 4; i < o.length; i++) {
            o[i] = 0L;
          }
          o[4 + List.of(EducationMetrics.VALUE_COLUMNS).indexOf("enrolled_any")] = 1L;
          return o;
        });
        String[] c = EducationMetrics.columns(f[4]);
        v[4 + List.of(EducationMetrics.VALUE_COLUMNS).indexOf(c[0])] = Long.parseLong(f[5]);
        v[4 + List.of(EducationMetrics.VALUE_COLUMNS).indexOf(c[1])] = Long.parseLong(f[6]);
      } else if (section.startsWith("## published education_outcomes")) {
        expectedPub.add(l);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Object[] v : byKey.values()) {
      rows.add(new GenericRowWithSchema(v, schema));
    }
    MetricsConfig cfg = MetricsConfig.defaults();
    int runs = Integer.getInteger("replay.runs", 1);
    for (int run = 0; run < runs; run++) {
      List<MetricTable> raw = new ArrayList<>();
      List<MetricTable> pub = new ArrayList<>();
      long t0 = System.nanoTime();
      long c0 = StageProfile.processCpuMillis();
      EducationMetrics.tables(rows, cfg, raw, pub, new LinkedHashMap<>(), new ArrayList<>());
      System.out.printf("education tables + disclosure control: %d rows in %.2f s (cpu %.2f s)%n", rows.size(),
          (System.nanoTime() - t0) / 1e9, (StageProfile.processCpuMillis() - c0) / 1e3);
      List<String> got = new ArrayList<>();
      for (Row r : pub.get(0).rows()) {
        got.add(r.toString());
      }
      Collections.sort(got);
      assertEquals(expectedPub.size(), got.size(), "published rows");
      for (int i = 0; i < got.size(); i++) {
        assertEquals(expectedPub.get(i), got.get(i), "published row " + i);
      }
    }
  }
}
