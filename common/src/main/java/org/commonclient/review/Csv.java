package org.commonclient.review;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV (the review files): fields quoted when they hold a comma, quote or line break; quotes doubled. */
public final class Csv {
  private Csv() {}

  public static void writeRow(Writer w, List<String> fields) throws IOException {
    for (int i = 0; i < fields.size(); i++) {
      if (i > 0) {
        w.write(',');
      }
      String f = fields.get(i) == null ? "" : fields.get(i);
      if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
        w.write('"');
        w.write(f.replace("\"", "\"\""));
        w.write('"');
      } else {
        w.write(f);
      }
    }
    w.write("\r\n");
  }

  /** A parsed record and the physical line it starts on (1-based). */
  public record Record(int line, List<String> fields) {}

  /**
   * Parses all records. A quoted field may span lines; an unterminated quote is an error naming
   * the line it opened on. Blank lines are skipped.
   */
  public static List<Record> parse(Reader reader, String file) throws IOException {
    Reader in = reader.markSupported() ? reader : new java.io.BufferedReader(reader);
    List<Record> out = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    boolean fieldWasQuoted = false;
    int line = 1;
    int recordLine = 1;
    int quoteLine = 0;
    int c;
    boolean any = false;
    while ((c = in.read()) != -1) {
      char ch = (char) c;
      if (quoted) {
        if (ch == '"') {
          in.mark(1);
          int next = in.read();
          if (next == '"') {
            f.append('"');
          } else {
            quoted = false;
            if (next != -1) {
              in.reset();
            }
          }
        } else {
          if (ch == '\n') {
            line++;
          }
          f.append(ch);
        }
        continue;
      }
      switch (ch) {
        case '"' -> {
          if (f.length() > 0) {
            throw new ReviewFileException(file, line, null, "a quote inside an unquoted field; quote the whole field");
          }
          quoted = true;
          fieldWasQuoted = true;
          quoteLine = line;
          any = true;
        }
        case ',' -> {
          fields.add(f.toString());
          f.setLength(0);
          fieldWasQuoted = false;
          any = true;
        }
        case '\r' -> { }
        case '\n' -> {
          if (any || f.length() > 0) {
            fields.add(f.toString());
            out.add(new Record(recordLine, List.copyOf(fields)));
          }
          fields.clear();
          f.setLength(0);
          fieldWasQuoted = false;
          any = false;
          line++;
          recordLine = line;
        }
        default -> {
          if (fieldWasQuoted) {
            throw new ReviewFileException(file, line, null, "text after a closing quote");
          }
          f.append(ch);
          any = true;
        }
      }
    }
    if (quoted) {
      throw new ReviewFileException(file, quoteLine, null, "a quoted field is never closed");
    }
    if (any || f.length() > 0) {
      fields.add(f.toString());
      out.add(new Record(recordLine, List.copyOf(fields)));
    }
    return out;
  }
}
