package org.commonclient.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An expensive fixture built once per build and shared by every Surefire fork that needs it (the
 * suite runs test classes in two JVMs): the first fork to ask builds it under a file lock, the
 * others wait on the lock and then reuse it. Fixtures live in {@code target/fixtures/<build id>/}
 * (the build id is Maven's start time, set by the POM as {@code cc.build.id}), so a new build
 * never reuses an old build's tables; older builds' fixtures are removed when a new one starts.
 * Users must only read a fixture (copy it to change it).
 */
final class SharedFixture {
  private static Path root;

  private SharedFixture() {}

  /** The folder of this build's fixtures. */
  static synchronized Path root() {
    if (root == null) {
      String id = System.getProperty("cc.build.id", "pid-" + ProcessHandle.current().pid());
      Path base = Path.of(System.getProperty("cc.fixtures.dir", "target/fixtures")).toAbsolutePath();
      root = base.resolve(id.replaceAll("[^A-Za-z0-9._-]", "_"));
      try {
        Files.createDirectories(root);
        try (Stream<Path> old = Files.list(base)) {
          for (Path p : (Iterable<Path>) old::iterator) {
            // fixtures of earlier builds (an older id sorts before this one: ids are timestamps)
            if (Files.isDirectory(p) && p.getFileName().toString().compareTo(root.getFileName().toString()) < 0
                && !p.getFileName().toString().startsWith("pid-")) {
              delete(p);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!System.getProperties().containsKey("cc.build.id")) {
        Path r = root; // not started by Maven: nothing else shares it; clean up at exit
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(r)));
      }
    }
    return root;
  }

  /**
   * The fixture {@code name}: built by {@code build} into its (empty) folder by the first JVM that
   * asks, then reused. A build that throws leaves no fixture; the next caller builds it again.
   *
   * @return the fixture's folder
   */
  static synchronized Path get(String name, Consumer<Path> build) {
    Path dir = root().resolve(name);
    Path done = root().resolve(name + ".done");
    try (FileChannel ch = FileChannel.open(root().resolve(name + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
      if (!Files.exists(done)) {
        delete(dir);
        Files.createDirectories(dir);
        build.accept(dir);
        Files.writeString(done, "built by pid " + ProcessHandle.current().pid() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** A small text file kept beside the fixture (e.g. how long building it took). */
  static void note(String name, String text) {
    try {
      Files.writeString(root().resolve(name + ".note"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String readNote(String name) {
    try {
      Path p = root().resolve(name + ".note");
      return Files.exists(p) ? Files.readString(p).trim() : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a directory tree, best effort (null or absent: nothing). */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
