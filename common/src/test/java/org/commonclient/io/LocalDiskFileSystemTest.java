package org.commonclient.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local disk without forked shell commands behaves as Hadoop's local file system: files and
 * directories get the permissions asked for, link status of plain files, missing files and
 * symbolic links, and a FileContext rename without overwrite (how Delta commits) that refuses an
 * existing target.
 */
class LocalDiskFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private Configuration conf() {
    Configuration c = new Configuration();
    c.set("fs.file.impl", LocalDiskFileSystem.class.getName());
    c.set("fs.AbstractFileSystem.file.impl", LocalDiskFs.class.getName());
    c.setBoolean("fs.file.impl.disable.cache", true);
    return c;
  }

  @Test
  void permissionsAndLinkStatus() throws Exception {
    FileSystem fs = FileSystem.get(dir.toUri(), conf());
    assertTrue(fs instanceof LocalDiskFileSystem, fs.getClass().getName());
    Path d = new Path(dir.toUri().toString(), "a/b");
    assertTrue(fs.mkdirs(d, new FsPermission((short) 0750)));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b"))));
    Path f = new Path(d, "f.txt");
    try (FSDataOutputStream out = fs.create(f, new FsPermission((short) 0640), false, 4096, (short) 1, 1 << 20, null)) {
      out.write("x".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/f.txt"))));
    fs.setPermission(f, new FsPermission((short) 0604));
    assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a/b/f.txt"))));

    FileStatus plain = fs.getFileLinkStatus(f);
    assertFalse(plain.isSymlink());
    assertEquals(1, plain.getLen());
    assertThrows(FileNotFoundException.class, () -> fs.getFileLinkStatus(new Path(d, "missing")));
    // a symbolic link: the same status as Hadoop's own local file system gives
    Files.createSymbolicLink(dir.resolve("a/b/link"), dir.resolve("a/b/f.txt"));
    Configuration stock = new Configuration();
    stock.setBoolean("fs.file.impl.disable.cache", true);
    FileSystem hadoops = FileSystem.get(dir.toUri(), stock);
    assertFalse(hadoops instanceof LocalDiskFileSystem);
    for (String name : new String[] {"link", "f.txt"}) {
      FileStatus ours = fs.getFileLinkStatus(new Path(d, name));
      FileStatus theirs = hadoops.getFileLinkStatus(new Path(d, name));
      assertEquals(theirs.isSymlink(), ours.isSymlink(), name);
      assertEquals(theirs.isFile(), ours.isFile(), name);
      assertEquals(theirs.getLen(), ours.getLen(), name);
      assertEquals(theirs.getPath(), ours.getPath(), name);
    }
  }

  @Test
  void fileContextRenameWithoutOverwrite() throws Exception {
    FileContext fc = FileContext.getFileContext(dir.toUri(), conf());
    Path a = new Path(dir.toUri().toString(), "a.json");
    Path b = new Path(dir.toUri().toString(), "b.json");
    try (FSDataOutputStream out = fc.create(a, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    fc.rename(a, b, Options.Rename.NONE);
    assertFalse(Files.exists(dir.resolve("a.json")));
    assertEquals("{}", Files.readString(dir.resolve("b.json")));
    try (FSDataOutputStream out = fc.create(a, java.util.EnumSet.of(org.apache.hadoop.fs.CreateFlag.CREATE))) {
      out.write("[]".getBytes(StandardCharsets.UTF_8));
    }
    assertThrows(org.apache.hadoop.fs.FileAlreadyExistsException.class, () -> fc.rename(a, b, Options.Rename.NONE),
        "an existing target is refused (Delta's commit relies on it)");
    assertEquals("{}", Files.readString(dir.resolve("b.json")));
  }
}
