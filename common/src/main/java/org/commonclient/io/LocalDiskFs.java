package org.commonclient.io;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;

/**
 * The {@code FileContext} side of {@link LocalDiskFileSystem} (Hadoop's {@code LocalFs} with the
 * raw file system replaced): Delta's log store renames its commits through a FileContext.
 */
public class LocalDiskFs extends ChecksumFs {
  public LocalDiskFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
    super(new Raw(uri, conf));
  }

  /** The raw side: every call goes to {@link LocalDiskFileSystem.Raw}. */
  static class Raw extends DelegateToFileSystem {
    Raw(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new LocalDiskFileSystem.Raw(), conf, "file", false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public boolean isValidName(String src) {
      return true; // any name is valid on the local disk (as Hadoop's RawLocalFs)
    }
  }
}
