package org.commonclient.config;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code commonclient.operations}: the run lock. */
public record OperationsConfig(boolean lockEnabled, String lockPath, Duration lockStaleAfter) {
  public static OperationsConfig from(Config c) {
    Config l = c.getConfig("commonclient.operations.lock");
    return new OperationsConfig(l.getBoolean("enabled"), l.getString("path"), l.getDuration("staleAfter"));
  }
}
