package org.commonclient.blocking;

/**
 * One block of a rule: its key value (the rule's key values joined by {@code " | "}) and the
 * number of records having it (for array keys: records having that element).
 */
public record BlockSize(String key, long records) {}
