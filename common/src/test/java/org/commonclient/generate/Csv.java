package org.commonclient.generate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Minimal RFC 4180 reader for the generator's test files (no line breaks inside values). */
final class Csv {
  private Csv() {}

  static List<String> header(Path file) throws IOException {
    try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return split(r.readLine());
    }
  }

  static List<Map<String, String>> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> h = split(lines.get(0));
    List<Map<String, String>> out = new ArrayList<>(lines.size());
    for (int i = 1; i < lines.size(); i++) {
      List<String> f = split(lines.get(i));
      if (f.size() != h.size()) {
        throw new IllegalStateException(file + ":" + (i + 1) + " has " + f.size() + " fields, header " + h.size());
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (int j = 0; j < h.size(); j++) {
        m.put(h.get(j), f.get(j));
      }
      out.add(m);
    }
    return out;
  }

  static List<String> split(String line) {
    List<String> f = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    boolean q = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (q) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            sb.append('"');
            i++;
          } else {
            q = false;
          }
        } else {
          sb.append(c);
        }
      } else if (c == '"') {
        q = true;
      } else if (c == ',') {
        f.add(sb.toString());
        sb.setLength(0);
      } else {
        sb.append(c);
      }
    }
    f.add(sb.toString());
    return f;
  }
}
