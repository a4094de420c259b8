package org.commonclient.jobs.governance;

import com.typesafe.config.Config;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.SourceConfig;
import org.commonclient.governance.Agreement;
import org.commonclient.governance.Agreements;
import org.commonclient.io.DeltaTables;

/**
 * The command-layer gate: link, metrics, pipeline and research-extract call {@link #require}
 * with every source they touch before they read person-level data.
 */
public final class AgreementGate {
  private AgreementGate() {}

  /** Today in UTC (agreements are in force on whole days). */
  public static LocalDate today() {
    return LocalDate.now(ZoneOffset.UTC);
  }

  /**
   * The agreement the run operates under: {@code id} (the --agreement option), else {@code
   * commonclient.agreement}, else the unique active agreement covering the sources.
   *
   * @throws org.commonclient.governance.AgreementRefusedException naming what is missing
   */
  public static Agreement require(Config c, String id, Collection<String> sources, String purpose) {
    Agreements all = Agreements.from(c);
    Agreement a = all.require(id != null && !id.isBlank() ? id : all.selected(), sources, purpose, today());
    System.out.printf("agreement %s (in force %s to %s) permits %s over %s%n", a.id(), a.start(), a.end(), purpose,
        new TreeSet<>(sources));
    return a;
  }

  /** Source names under commonclient.sources; only person sources when {@code personOnly}. */
  public static Set<String> configured(Config c, boolean personOnly) {
    Set<String> out = new TreeSet<>();
    for (SourceConfig s : SourceConfig.all(c)) {
      if (!personOnly || s.kind() == SourceConfig.Kind.PERSON) {
        out.add(s.name());
      }
    }
    return out;
  }

  /** Distinct non-null values of {@code column} in the Delta table at {@code path} (empty if absent). */
  public static Set<String> present(SparkSession spark, String path, String column) {
    if (!DeltaTables.exists(spark, path)) {
      return Set.of();
    }
    return new TreeSet<>(DeltaTables.read(spark, path).select(column).where(column + " IS NOT NULL").distinct()
        .as(Encoders.STRING()).collectAsList());
  }
}
