package org.commonclient.review;

import java.util.List;

/**
 * A review file that cannot be read: names the file, the line and the field of each problem (up to
 * {@link ReviewLabels#MAX_REPORTED} of them).
 */
public final class ReviewFileException extends IllegalArgumentException {
  private final List<String> problems;

  public ReviewFileException(String file, int line, String field, String problem) {
    this(List.of(where(file, line, field) + problem));
  }

  public ReviewFileException(List<String> problems) {
    super(problems.size() == 1 ? problems.get(0)
        : problems.size() + " problems in the review file:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  static String where(String file, int line, String field) {
    return file + (line > 0 ? ":" + line : "") + (field == null ? "" : ": field '" + field + "'") + ": ";
  }

  public List<String> problems() {
    return problems;
  }
}
