package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;

/**
 * Shared, built-once fixtures of the operations tests (built once per build, see
 * {@link SharedFixture}): the small generated sample, a reference pipeline run in process (local
 * mode), and helpers to run the
 * command line, start real processes with this JVM's class path, and compare tables.
 */
final class OpsFixture {
  static final int PEOPLE = 150;
  private static Path base;
  private static Path sample;
  private static Path reference;
  private static double referenceSeconds;

  private OpsFixture() {}

  static synchronized Path base() {
    if (base == null) {
      try {
        base = Files.createTempDirectory("cc-ops");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> SharedFixture.delete(base)));
    }
    return base;
  }

  /** Where the shared generated sample is (built or not). */
  static Path samplePath() {
    return SharedFixture.root().resolve("ops-sample");
  }

  /**
   * The generated sample (extracts/ and truth/), {@value #PEOPLE} people, seed 7: built once per
   * build and shared by the test JVMs ({@link SharedFixture}).
   */
  static synchronized Path sample() {
    if (sample == null) {
      sample = SharedFixture.get("ops-sample", out -> assertEquals(0, run("generate", "--people", String.valueOf(PEOPLE),
          "--seed", "7", "--out", out.toString(), "--config", conf(base().resolve("gen")).toString()), "generate"));
    }
    return sample;
  }

  /**
   * A config file for a storage root: the sample profile, the generated extracts, and the small
   * Spark settings of the tests (2 shuffle partitions, no adaptive execution) so local and cluster
   * runs plan the same way.
   */
  static Path conf(Path root) {
    Path f = root.resolveSibling(root.getFileName() + ".conf");
    String text = "include \"" + SparkExtension.repoRoot().resolve("conf/sample.conf") + "\"\n"
        + "commonclient.storage.root = \"" + root + "\"\n"
        + "commonclient.data.extracts = \"" + samplePath().resolve("extracts") + "\"\n"
        + "commonclient.spark.conf {\n"
        + "  \"spark.sql.shuffle.partitions\" = \"2\"\n"
        + "  \"spark.default.parallelism\" = \"2\"\n"
        + "  \"spark.sql.adaptive.enabled\" = \"false\"\n"
        + "  \"spark.databricks.delta.snapshotPartitions\" = \"2\"\n"
        + "}\n"
        // u from 50,000 random pairs (default 1,000,000: on ~450 records that is every one of
        // their ~100,000 pairs, a 4 s stage of every link run here)
        + "commonclient.linkage.scoring.u.maxPairs = 50000\n";
    try {
      Files.createDirectories(f.getParent());
      Files.writeString(f, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  /**
   * The whole pipeline run once per build on the sample, in process on the shared local session of
   * the JVM that builds it ({@link SharedFixture}); read it, or copy it to change it.
   */
  static synchronized Path reference() {
    if (reference == null) {
      sample();
      reference = SharedFixture.get("ops-reference", root -> {
        long t0 = System.nanoTime();
        assertEquals(0, run("pipeline", "--config", conf(root).toString()), "reference pipeline run");
        double secs = (System.nanoTime() - t0) / 1e9;
        SharedFixture.note("ops-reference", String.format(java.util.Locale.ROOT, "%.1f", secs));
        System.out.printf("ops fixture: local reference pipeline (%d people) in %.1f s%n", PEOPLE, secs);
      });
      referenceSeconds = Double.parseDouble(SharedFixture.readNote("ops-reference"));
    }
    return reference;
  }

  static double referenceSeconds() {
    return referenceSeconds;
  }

  /** A copy of the reference tables under a new root. */
  static Path copyOfReference(String name) {
    Path src = reference();
    Path dst = base().resolve(name);
    copyTree(src, dst);
    return dst;
  }

  /** Runs the command line in this JVM; prints its error output when it fails. */
  static int run(String... args) {
    StringWriter err = new StringWriter();
    int code = TestCli.execute(err, args);
    if (code != 0) {
      System.err.println(err);
    }
    return code;
  }

  // ---- real processes ----

  /** This JVM's class path entries (Surefire sets java.class.path to the test class path). */
  static List<String> classPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator)).filter(s -> !s.isBlank()).toList();
  }

  /** The jar entries without the suite's own, i.e. what a cluster provides (Spark, Delta, Hadoop...). */
  static String dependencyJars() {
    return String.join(File.pathSeparator, classPath().stream()
        .filter(e -> e.endsWith(".jar") && !Path.of(e).getFileName().toString().startsWith("commonclient-")
            && !Path.of(e).getFileName().toString().startsWith("hadoop-client-minicluster")).toList());
  }

  /**
   * The job jar as the build would ship it: the suite's classes (the class folders of this build,
   * test classes excluded) in one jar; its small dependencies are on the cluster class path here.
   */
  static synchronized Path jobJar() {
    Path jar = base().resolve("commonclient-jobs-test.jar");
    if (Files.exists(jar)) {
      return jar;
    }
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
      Set<String> seen = new HashSet<>();
      for (String e : classPath()) {
        Path p = Path.of(e);
        boolean suiteJar = e.endsWith(".jar") && p.getFileName().toString().startsWith("commonclient-")
            && !p.getFileName().toString().contains("tests");
        if (Files.isDirectory(p) && !e.contains("test-classes")) {
          try (Stream<Path> files = Files.walk(p)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
              String name = p.relativize(f).toString().replace(File.separatorChar, '/');
              if (seen.add(name)) {
                out.putNextEntry(new java.util.jar.JarEntry(name));
                Files.copy(f, out);
                out.closeEntry();
              }
            }
          }
        } else if (suiteJar) {
          try (var in = new java.util.jar.JarInputStream(Files.newInputStream(p))) {
            for (var je = in.getNextJarEntry(); je != null; je = in.getNextJarEntry()) {
              if (!je.isDirectory() && seen.add(je.getName())) {
                out.putNextEntry(new java.util.jar.JarEntry(je.getName()));
                in.transferTo(out);
                out.closeEntry();
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jar;
  }

  /** A process running a repository script with this build's classes; output to a log file. */
  static ProcessBuilder script(Path log, Map<String, String> env, String... command) {
    List<String> cmd = new ArrayList<>();
    cmd.add(SparkExtension.repoRoot().resolve(command[0]).toString());
    cmd.addAll(Arrays.asList(command).subList(1, command.length));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb;
  }

  static String read(Path f) {
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- table comparison ----

  /** The crosswalk as a partition of records: person ids do not matter, only who is with whom. */
  static Set<Set<String>> crosswalkPartition(SparkSession spark, String crosswalk) {
    Map<String, Set<String>> byPerson = new HashMap<>();
    for (Row r : DeltaTables.read(spark, crosswalk).select("person_id", "source", "record_id").collectAsList()) {
      byPerson.computeIfAbsent(r.getString(0), k -> new HashSet<>()).add(r.getString(1) + "|" + r.getString(2));
    }
    return new HashSet<>(byPerson.values());
  }

  /** Sorted rows of a table as strings, without the columns that name a run or a time. */
  static List<String> rows(Dataset<Row> df) {
    List<String> keep = Arrays.stream(df.columns())
        .filter(c -> !c.equals("run_id") && !c.endsWith("_at") && !c.equals("ingest_run_id") && !c.equals("created"))
        .toList();
    List<String> out = new ArrayList<>();
    for (Row r : df.selectExpr(keep.stream().map(c -> "`" + c + "`").toArray(String[]::new)).collectAsList()) {
      out.add(r.toString());
    }
    out.sort(null);
    return out;
  }

  /** Every Delta table directly under {@code folder}: name -> sorted rows. */
  static Map<String, List<String>> tablesUnder(SparkSession spark, Path folder) {
    return tablesUnder(spark, folder, false);
  }

  /**
   * Every Delta table directly under {@code folder}: name -> sorted rows; without person ids if
   * {@code ignorePersonIds} (runs on other data layouts may number new people differently).
   */
  static Map<String, List<String>> tablesUnder(SparkSession spark, Path folder, boolean ignorePersonIds) {
    Map<String, List<String>> out = java.util.Collections.synchronizedMap(new TreeMap<>());
    List<Runnable> reads = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(folder)) {
      for (Path d : (Iterable<Path>) dirs.filter(d -> Files.isDirectory(d.resolve("_delta_log")))::iterator) {
        reads.add(() -> {
          Dataset<Row> t = DeltaTables.read(spark, d.toString());
          out.put(d.getFileName().toString(), rows(ignorePersonIds ? t.drop("person_id") : t));
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // read side by side: on tables this small a read is mostly driver work (the Delta snapshot)
    org.commonclient.spark.SparkSessions.runAll("table-reader", reads, 4);
    return new TreeMap<>(out);
  }

  static void copyTree(Path src, Path dst) {
    try (Stream<Path> all = Files.walk(src)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path t = dst.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
