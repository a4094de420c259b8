package org.commonclient.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.commonclient.config.StorageConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file that keeps two runs of the same pipeline from overlapping, on any file system
 * Hadoop reaches.
 *
 * <p>Taking the lock creates the file atomically, failing if it exists: on the local file system
 * a hard link to a fully written temporary file (link creation fails if the name exists); on
 * HDFS, ABFS and other stores {@code FileSystem.create(path, overwrite=false)}, which those stores
 * implement as an atomic create-if-absent. The file holds the owner (run id, host, pid, start
 * time, command). While the lock is held a daemon thread touches its modification time (the
 * heartbeat) every {@code staleAfter / 10}.
 *
 * <p>A lock found in place is <em>stale</em>, and is taken over, when its owner ran on this host
 * and that process is gone (or the pid now belongs to a process started after the lock), or when
 * the owner is on another host (or cannot be read) and neither the start time nor the last
 * heartbeat is younger than {@code staleAfter}. Taking over renames the stale file away first (a
 * rename succeeds for one taker only), then creates a new lock. Release deletes the file only while
 * it still names this owner; a JVM shutdown hook releases it on SIGTERM; after {@code kill -9} the
 * next run finds the dead pid.
 */
public final class RunLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLock.class);

  /** Who holds a lock. */
  public record Owner(String runId, String host, long pid, long startedMillis, String command) {
    /** This JVM as an owner. */
    public static Owner self(String runId, String command) {
      return new Owner(runId, hostName(), ProcessHandle.current().pid(), System.currentTimeMillis(), command);
    }

    String render() {
      return "run_id=" + runId + "\nhost=" + host + "\npid=" + pid + "\nstarted=" + startedMillis
          + "\nstarted_at=" + Instant.ofEpochMilli(startedMillis) + "\ncommand=" + command.replace('\n', ' ') + "\n";
    }

    static Optional<Owner> parse(String text) {
      Map<String, String> kv = new LinkedHashMap<>();
      for (String line : text.split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          kv.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      try {
        return Optional.of(new Owner(kv.get("run_id"), kv.get("host"), Long.parseLong(kv.get("pid")),
            Long.parseLong(kv.get("started")), kv.getOrDefault("command", "")));
      } catch (RuntimeException e) { // missing or half-written content
        return Optional.empty();
      }
    }

    @Override
    public String toString() {
      return "run " + runId + " (" + command + ", pid " + pid + " on " + host + ", started " + Instant.ofEpochMilli(startedMillis) + ")";
    }
  }

  /** The lock is held by another live run. */
  public static final class LockHeldException extends RuntimeException {
    private final transient Owner holder;

    public LockHeldException(String lock, Owner holder) {
      super("another run holds the lock " + lock + ": " + (holder == null ? "owner unreadable" : holder.toString())
          + ". If that run is dead, the lock is taken over automatically once it is stale, or delete the file.");
      this.holder = holder;
    }

    public Optional<Owner> holder() {
      return Optional.ofNullable(holder);
    }
  }

  private final Path path;
  private final FileSystem fs;
  private final Owner owner;
  private final ScheduledExecutorService heartbeat;
  private final Thread hook;
  private volatile boolean released;

  private RunLock(Path path, FileSystem fs, Owner owner, Duration staleAfter) {
    this.path = path;
    this.fs = fs;
    this.owner = owner;
    long every = Math.max(1000, staleAfter.toMillis() / 10);
    this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "run-lock-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeat.scheduleAtFixedRate(this::touch, every, every, TimeUnit.MILLISECONDS);
    this.hook = new Thread(this::release, "run-lock-release");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  public Owner owner() {
    return owner;
  }

  public String path() {
    return path.toString();
  }

  /**
   * Takes the lock at {@code location} (a URI or local path) or throws {@link LockHeldException}.
   */
  public static RunLock acquire(Configuration conf, String location, Owner me, Duration staleAfter) {
    Path p = new Path(location);
    FileSystem fs;
    try {
      fs = p.getFileSystem(conf);
      fs.mkdirs(p.getParent());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot reach the lock folder of " + location, e);
    }
    for (int attempt = 0; attempt < 3; attempt++) {
      if (create(fs, p, location, me)) {
        LOG.info("lock {} taken by {}", location, me);
        return new RunLock(p, fs, me, staleAfter);
      }
      Optional<Owner> holder = read(fs, p);
      long lastTouch = modificationTime(fs, p);
      if (lastTouch < 0) {
        continue; // released in the meantime: try again
      }
      if (!isStale(holder.orElse(null), lastTouch, staleAfter, hostName(), System.currentTimeMillis(), RunLock::processStart)) {
        throw new LockHeldException(location, holder.orElse(null));
      }
      LOG.warn("lock {} is stale ({}): taking it over", location, holder.map(Owner::toString).orElse("owner unreadable"));
      takeOver(fs, p, holder.orElse(null));
    }
    throw new LockHeldException(location, read(fs, p).orElse(null));
  }

  /**
   * Whether a lock can be taken over.
   *
   * @param holder the owner written in the lock (null: unreadable)
   * @param lastTouchMillis the lock file's modification time (creation or last heartbeat)
   * @param processStart pid -> start time of that process on this host in millis, or -1 if none
   */
  public static boolean isStale(Owner holder, long lastTouchMillis, Duration staleAfter, String thisHost, long nowMillis,
      LongFunction<Long> processStart) {
    if (holder != null && holder.host().equals(thisHost)) {
      long started = processStart.apply(holder.pid());
      // gone, or the pid was reused by a process started after the lock was taken
      return started < 0 || started > holder.startedMillis() + 1000;
    }
    long newest = Math.max(lastTouchMillis, holder == null ? 0 : holder.startedMillis());
    return nowMillis - newest > staleAfter.toMillis();
  }

  /** Releases the lock if this owner still holds it. Idempotent. */
  public synchronized void release() {
    if (released) {
      return;
    }
    released = true;
    heartbeat.shutdownNow();
    try {
      Optional<Owner> now = read(fs, path);
      if (now.isPresent() && now.get().runId().equals(owner.runId())) {
        fs.delete(path, false);
        LOG.info("lock {} released by run {}", path, owner.runId());
      } else {
        LOG.warn("lock {} no longer names run {}: left alone", path, owner.runId());
      }
    } catch (IOException e) {
      LOG.warn("could not release the lock {}: {}", path, e.getMessage());
    }
  }

  @Override
  public void close() {
    release();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  private void touch() {
    try {
      fs.setTimes(path, System.currentTimeMillis(), -1);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("lock heartbeat on {} failed: {}", path, e.getMessage());
    }
  }

  private static boolean create(FileSystem fs, Path p, String location, Owner me) {
    byte[] content = me.render().getBytes(StandardCharsets.UTF_8);
    try {
      if ("file".equals(StorageConfig.scheme(location))) {
        java.nio.file.Path target = localPath(fs, p);
        java.nio.file.Path tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        Files.write(tmp, content);
        try {
          Files.createLink(target, tmp); // atomic, fails if the name exists
          return true;
        } catch (FileAlreadyExistsException e) {
          return false;
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
      try (OutputStream out = fs.create(p, false)) {
        out.write(content);
      }
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (exists(fs, p)) {
        return false; // some stores report an existing file as a plain IOException
      }
      throw new IllegalStateException("Cannot create the lock " + location, e);
    }
  }

  private static java.nio.file.Path localPath(FileSystem fs, Path p) {
    URI u = fs.makeQualified(p).toUri();
    return Paths.get(u);
  }

  private static void takeOver(FileSystem fs, Path p, Owner judged) {
    Path aside = new Path(p.getParent(), p.getName() + ".stale-" + UUID.randomUUID());
    try {
      if ("file".equals(fs.getScheme())) {
        try {
          Files.move(localPath(fs, p), localPath(fs, aside), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
          return; // another taker was first
        }
      } else if (!fs.rename(p, aside)) {
        return;
      }
      Optional<Owner> moved = read(fs, aside);
      if (judged != null && moved.isPresent() && !moved.get().runId().equals(judged.runId())) {
        // another taker replaced the stale lock between our read and the rename: put it back
        if (!fs.rename(aside, p)) {
          LOG.warn("could not put back the lock of {}", moved.get());
        }
        return;
      }
      fs.delete(aside, false);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot take over the stale lock " + p, e);
    }
  }

  private static Optional<Owner> read(FileSystem fs, Path p) {
    try (InputStream in = fs.open(p)) {
      return Owner.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long modificationTime(FileSystem fs, Path p) {
    try {
      FileStatus st = fs.getFileStatus(p);
      return st.getModificationTime();
    } catch (IOException e) {
      return -1;
    }
  }

  private static boolean exists(FileSystem fs, Path p) {
    try {
      return fs.exists(p);
    } catch (IOException e) {
      return false;
    }
  }

  /** Start time (epoch millis) of a live process on this host, or -1 if there is none. */
  static long processStart(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .map(h -> h.info().startInstant().map(Instant::toEpochMilli).orElse(0L)).orElse(-1L);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
