package org.commonclient.io;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system ({@code file:}) without a forked shell command per file.
 *
 * <p>Without Hadoop's native library (a Spark class path built from Maven jars has none, nor have
 * most laptops), {@link RawLocalFileSystem} runs {@code chmod} for every directory and file it
 * creates and {@code readlink} for both sides of every rename; a Delta commit renames two files,
 * and a small pipeline run forked about 1,100 processes this way (~7 ms each, plus kernel time).
 * This class does the same two things through {@code java.nio}: permissions with
 * {@link Files#setPosixFilePermissions}, and the link status of a path that is not a symbolic link
 * is its plain status. Symbolic links, and file systems without POSIX permissions, still take
 * Hadoop's own code path, so behaviour is unchanged.
 *
 * <p>Enabled by {@code spark.hadoop.fs.file.impl} and {@code spark.hadoop.fs.AbstractFileSystem.file.impl}
 * (with {@link LocalDiskFs}) in {@code reference.conf}; remove those two keys to use Hadoop's.
 */
public class LocalDiskFileSystem extends LocalFileSystem {
  public LocalDiskFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) local file system with the two shell calls replaced. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      File f = pathToFile(p);
      try {
        Files.setPosixFilePermissions(f.toPath(), posix(permission));
      } catch (UnsupportedOperationException e) {
        super.setPermission(p, permission);
      }
    }

    @Override
    public FileStatus getFileLinkStatus(Path p) throws IOException {
      File f = pathToFile(p);
      if (Files.isSymbolicLink(f.toPath())) {
        return super.getFileLinkStatus(p);
      }
      return getFileStatus(p); // FileNotFoundException when there is nothing there, as Hadoop's
    }
  }

  static Set<PosixFilePermission> posix(FsPermission permission) {
    int mode = permission.toShort() & 0777;
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(bits[i]);
      }
    }
    return out;
  }
}
