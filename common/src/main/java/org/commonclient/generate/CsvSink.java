package org.commonclient.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One CSV output file written row by row (RFC 4180: comma, double-quote quoting only when a value
 * holds a comma, quote or line break; LF line ends). Counts rows and characters written.
 */
final class CsvSink implements AutoCloseable {
  final String name;
  final Path path;
  private final BufferedWriter w;
  private final StringBuilder line = new StringBuilder(256);
  private int fields;
  long rows;
  long chars;

  CsvSink(String name, Path path, String... header) {
    this.name = name;
    this.path = path;
    try {
      Files.createDirectories(path.getParent());
      w = new BufferedWriter(
          new OutputStreamWriter(Files.newOutputStream(path), StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + path, e);
    }
    for (String h : header) {
      add(h);
    }
    endRow();
    rows = 0;
  }

  /** Adds one field to the current row; null is written as an empty field. */
  CsvSink add(String v) {
    if (fields++ > 0) {
      line.append(',');
    }
    if (v == null || v.isEmpty()) {
      return this;
    }
    boolean quote = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
    if (quote) {
      line.append('"');
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c == '"') {
          line.append('"');
        }
        line.append(c);
      }
      line.append('"');
    } else {
      line.append(v);
    }
    return this;
  }

  CsvSink add(long v) {
    if (fields++ > 0) {
      line.append(',');
    }
    line.append(v);
    return this;
  }

  /** Adds a date in the given layout; {@link Dates#OPEN} gives an empty field. */
  CsvSink addDate(int epochDay, Dates.Fmt f) {
    return add(Dates.format(epochDay, f));
  }

  void endRow() {
    line.append('\n');
    try {
      w.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + path, e);
    }
    chars += line.length();
    line.setLength(0);
    fields = 0;
    rows++;
  }

  @Override
  public void close() {
    try {
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close " + path, e);
    }
  }
}
