package org.commonclient.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC 4180 CSV reader that keeps the physical line number of every record, so a
 * rejected row can be named by file and line. Quoted fields may hold delimiters, doubled quotes
 * (or the configured escape) and newlines. A record that cannot be parsed is returned with an
 * {@code error} instead of being skipped, so nothing is lost silently.
 */
final class CsvRecordReader implements Closeable {

  /** One parsed record: fields (null = empty), first physical line, the raw text, or an error. */
  record CsvRecord(List<String> fields, long line, String raw, String error) {}

  private final Reader in;
  private final char delimiter;
  private final char quote;
  private final char escape;
  private final boolean ignoreLeadingWhiteSpace;
  private long line = 1;
  private int pushback = -2;

  CsvRecordReader(Reader in, char delimiter, char quote, char escape, boolean ignoreLeadingWhiteSpace) {
    this.in = in;
    this.delimiter = delimiter;
    this.quote = quote;
    this.escape = escape;
    this.ignoreLeadingWhiteSpace = ignoreLeadingWhiteSpace;
  }

  private int read() throws IOException {
    if (pushback != -2) {
      int c = pushback;
      pushback = -2;
      return c;
    }
    return in.read();
  }

  private void unread(int c) {
    pushback = c;
  }

  /** The next record, or null at end of input. Blank lines are skipped. */
  CsvRecord next() throws IOException {
    while (true) {
      long startLine = line;
      List<String> fields = new ArrayList<>();
      StringBuilder raw = new StringBuilder();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean inQuotes = false;
      boolean afterQuote = false;
      String error = null;
      int c = read();
      if (c == -1) {
        return null;
      }
      while (true) {
        if (c == -1) {
          if (inQuotes) {
            error = "unterminated quoted field at end of file (truncated file?)";
          }
          break;
        }
        char ch = (char) c;
        if (inQuotes) {
          raw.append(ch);
          if (ch == escape && escape != quote) {
            int n = read();
            if (n == -1) {
              continue;
            }
            raw.append((char) n);
            if (n == '\n') {
              line++;
            }
            field.append((char) n);
          } else if (ch == quote) {
            int n = read();
            if (n == quote) {
              raw.append((char) n);
              field.append(quote);
            } else {
              inQuotes = false;
              afterQuote = true;
              unread(n);
            }
          } else {
            if (ch == '\n') {
              line++;
            }
            field.append(ch);
          }
        } else if (ch == '\r' || ch == '\n') {
          if (ch == '\r') {
            int n = read();
            if (n != '\n') {
              unread(n);
            }
          }
          line++;
          break;
        } else {
          raw.append(ch);
          if (ch == delimiter) {
            fields.add(value(field, quoted));
            field.setLength(0);
            quoted = false;
            afterQuote = false;
          } else if (afterQuote) {
            if (!Character.isWhitespace(ch) && error == null) {
              error = "unexpected character '" + ch + "' after a closing quote";
            }
          } else if (ch == quote && field.length() == 0 && !quoted) {
            inQuotes = true;
            quoted = true;
          } else if (field.length() == 0 && ignoreLeadingWhiteSpace && (ch == ' ' || ch == '\t')) {
            // leading white space is not part of the value
          } else {
            field.append(ch);
          }
        }
        c = read();
      }
      fields.add(value(field, quoted));
      if (raw.length() == 0 && fields.size() == 1 && fields.get(0) == null && error == null) {
        if (c == -1) {
          return null;
        }
        continue; // blank line
      }
      if (error == null && raw.indexOf("\uFFFD") >= 0) {
        error = "bytes that are not valid in the declared encoding (wrong encoding?)";
      }
      return new CsvRecord(fields, startLine, raw.toString(), error);
    }
  }

  private static String value(StringBuilder field, boolean quoted) {
    String s = quoted ? field.toString() : field.toString().strip();
    if (!quoted && s.isEmpty()) {
      return null;
    }
    return quoted && s.isEmpty() ? null : s;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
