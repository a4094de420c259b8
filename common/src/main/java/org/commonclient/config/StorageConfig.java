package org.commonclient.config;

import com.typesafe.config.Config;

/** Table locations of the three zones (any Hadoop URI or local path). */
public record StorageConfig(String identified, String linked, String published) {
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
}
