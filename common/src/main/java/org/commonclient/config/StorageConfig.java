package org.commonclient.config;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Table locations of the three zones: any URI Hadoop can reach ({@code file:}, {@code hdfs:},
 * {@code s3a:}, {@code abfss:}, {@code gs:} ...) or a plain local path (relative paths are
 * relative to the working directory of the driver).
 *
 * <p>Locations are checked when the config is read: a location must parse as a URI, must not
 * carry a query or fragment (Hadoop would drop them silently), and must be hierarchical
 * ({@code s3a:bucket} is refused). Repeated and trailing slashes in the path are removed, so
 * table paths join with exactly one {@code /}.
 */
public record StorageConfig(String identified, String linked, String published) {
  public StorageConfig {
    identified = normalise(identified, "identified");
    linked = normalise(linked, "linked");
    published = normalise(published, "published");
  }

  public static StorageConfig from(Config c) {
    return new StorageConfig(
        c.getString("commonclient.storage.identified"),
        c.getString("commonclient.storage.linked"),
        c.getString("commonclient.storage.published"));
  }

  public String identified(String table) {
    return join(identified, table);
  }

  public String linked(String table) {
    return join(linked, table);
  }

  public String published(String table) {
    return join(published, table);
  }

  static String join(String base, String table) {
    return base.endsWith("/") ? base + table : base + "/" + table;
  }

  /** The URI scheme of a location ("file" for a plain path), lower case. */
  public static String scheme(String location) {
    String s = parse(location, "location").getScheme();
    return s == null || s.length() == 1 ? "file" : s.toLowerCase(Locale.ROOT); // one letter: C:\ on Windows
  }

  /**
   * Checks a location and removes repeated and trailing slashes of its path (keeping a bare root
   * such as {@code /} or {@code hdfs://nn/}).
   *
   * @throws IllegalArgumentException naming the key when the location is not usable
   */
  public static String normalise(String location, String key) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("commonclient.storage." + key + " is empty");
    }
    String l = location.trim();
    URI u = parse(l, key);
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException("commonclient.storage." + key + " = '" + location
          + "' has a query or fragment ('?' or '#'); Hadoop paths cannot carry them");
    }
    if (u.getScheme() != null && u.getScheme().length() > 1) {
      if (u.isOpaque() || u.getPath() == null) {
        throw new IllegalArgumentException("commonclient.storage." + key + " = '" + location
            + "' is not a hierarchical URI (expected scheme://authority/path or scheme:/path)");
      }
    }
    // the path part: after scheme://authority, or the whole string
    int pathStart = l.indexOf("://") >= 0 ? l.indexOf('/', l.indexOf("://") + 3) : 0;
    if (pathStart < 0) {
      return l; // scheme://authority only
    }
    // ${root}"/linked" with a root ending in '/' gives '//': collapse repeated slashes
    String path = l.substring(pathStart).replaceAll("/{2,}", "/");
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    l = l.substring(0, pathStart) + path;
    return l;
  }

  private static URI parse(String location, String key) {
    try {
      return new URI(location.replace(" ", "%20"));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("commonclient.storage." + key + " = '" + location + "' is not a valid URI or path: "
          + e.getMessage(), e);
    }
  }
}
