package org.commonclient.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local SparkSession per test JVM, shared by every test class that uses
 * {@code @ExtendWith(SparkExtension.class)} and takes a {@link SparkSession} parameter. Settings
 * are the fast ones measured in TOOLCHAIN.md: local[2], 2 shuffle partitions, UI and AQE off,
 * Delta on, warehouse in a temp directory. A job run in process applies its profile's Spark
 * settings to this session (conf/local.conf: 8 shuffle partitions); after each test class the
 * session's runtime SQL settings are set back to these, so no class inherits another's.
 */
public final class SparkExtension implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, ParameterResolver {
  private static SparkSession spark;
  private static Path warehouse;
  /** The session's settings as built (restored after each test class). */
  private static java.util.Map<String, String> initialConf;

  public static synchronized SparkSession session() {
    if (spark == null) {
      try {
        warehouse = Files.createTempDirectory("cc-warehouse");
      } catch (IOException e) {
        throw new IllegalStateException("Cannot create a temp warehouse directory", e);
      }
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("commonclient-tests")
              .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
              .config(
                  "spark.sql.catalog.spark_catalog",
                  "org.apache.spark.sql.delta.catalog.DeltaCatalog")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.adaptive.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.sql.warehouse.dir", warehouse.toString())
              .config("spark.databricks.delta.retentionDurationCheck.enabled", "false")
              // the suite runs thousands of distinct plans; keep their compiled code (see reference.conf)
              .config("spark.sql.codegen.cache.maxEntries", "5000")
              .config("spark.databricks.delta.properties.defaults.dataSkippingNumIndexedCols", "0") // as reference.conf
              .config("spark.hadoop.fs.file.impl", "org.commonclient.io.LocalDiskFileSystem") // as reference.conf
              .config("spark.hadoop.fs.AbstractFileSystem.file.impl", "org.commonclient.io.LocalDiskFs")
              .config(extraConf())
              .getOrCreate();
      spark.sparkContext().setLogLevel("WARN");
      initialConf = new java.util.HashMap<>(scala.jdk.javaapi.CollectionConverters.asJava(spark.conf().getAll()));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  /** Settings to try on the test session: {@code -Dcc.test.spark.conf=k1=v1,k2=v2}. */
  static java.util.Map<String, Object> extraConf() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    String s = System.getProperty("cc.test.spark.conf", "");
    for (String kv : s.split(",")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return m;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    session();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    SparkSession s = session();
    s.catalog().clearCache();
    for (var t : s.catalog().listTables().collectAsList()) {
      if (t.isTemporary()) {
        s.catalog().dropTempView(t.name());
      }
    }
  }

  /** Sets the runtime SQL settings a test class changed (directly or through a job) back to the session's own. */
  @Override
  public void afterAll(ExtensionContext context) {
    SparkSession s = session();
    java.util.Map<String, String> now = scala.jdk.javaapi.CollectionConverters.asJava(s.conf().getAll());
    for (java.util.Map.Entry<String, String> e : now.entrySet()) {
      String before = initialConf.get(e.getKey());
      if (!e.getValue().equals(before) && s.conf().isModifiable(e.getKey())) {
        if (before == null) {
          s.conf().unset(e.getKey());
        } else {
          s.conf().set(e.getKey(), before);
        }
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
    return pc.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
    return session();
  }

  /** The repository root (set by Surefire), for tests that read ../shared/data or conf/. */
  public static Path repoRoot() {
    String p = System.getProperty("cc.repo.root");
    Path root = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("conf"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException("Cannot find the repository root (a folder with conf/)");
    }
    return root;
  }

  /** ../shared/data beside the repository. */
  public static Path sharedData() {
    return repoRoot().resolve("../shared/data").normalize();
  }
}
