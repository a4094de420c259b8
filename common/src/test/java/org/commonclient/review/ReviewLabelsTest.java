package org.commonclient.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReviewLabelsTest {
  static final String HEADER = String.join(",", ReviewSampler.LEADING) + ",first_name_l,first_name_r,run_id\n";

  static String row(String label, int stratum, long pairs, String left, String right) {
    return label + ",band," + stratum + "," + (stratum * 2.0) + "," + (stratum * 2.0 + 2) + "," + pairs
        + ",1.5,0.74,dob_initial,tanf," + left + ",snap," + right + ",\"ANN, MARIE\",ANN,run-1\n";
  }

  static ReviewLabels.ParsedFile parse(String text) throws Exception {
    return ReviewLabels.parse(new StringReader(text), "f.csv");
  }

  @Test
  void readsLabelsSkipsUnreviewedAndUnsureRows() throws Exception {
    ReviewLabels.ParsedFile f = parse(HEADER + row("1", 1, 10, "a", "b") + row("No", 1, 10, "c", "d") + row("", 2, 5, "e", "f")
        + row("?", 2, 5, "g", "h") + row("yes", 1, 10, "a", "b"));
    assertEquals(2, f.labelled().size(), "the repeated pair with the same label counts once");
    assertEquals(1, f.unlabelled());
    assertEquals(1, f.unsure());
    assertEquals(5, f.rows());
    assertEquals("run-1", f.runId());
    assertEquals(List.of(1, 2), f.strata().stream().map(ClericalEstimates.Stratum::id).toList(),
        "strata of every row, labelled or not");
    assertTrue(f.labelled().get(0).match() && !f.labelled().get(1).match());
    assertEquals(3, f.labelled().get(1).line(), "physical line of the row");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "maybe|f.csv:2: field 'label': 'maybe' is not a label",
      "2|f.csv:2: field 'label': '2' is not a label"})
  void badLabelsNameLineAndField(String label, String expected) {
    ReviewFileException e = assertThrows(ReviewFileException.class, () -> parse(HEADER + row(label, 1, 10, "a", "b")));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  @Test
  void everyProblemIsListed() {
    String text = HEADER + row("1", 1, 10, "a", "b").replace(",10,", ",ten,") + "1,band\n" + row("1", 1, 10, "", "b")
        + row("0", 1, 10, "x", "y") + row("1", 1, 10, "x", "y");
    ReviewFileException e = assertThrows(ReviewFileException.class, () -> parse(text));
    List<String> p = e.problems();
    assertEquals(4, p.size(), String.join("\n", p));
    assertTrue(p.get(0).startsWith("f.csv:2: field 'stratum_pairs': 'ten' is not a whole number"), p.get(0));
    assertTrue(p.get(1).startsWith("f.csv:3: expected 16 fields, found 2"), p.get(1));
    assertTrue(p.get(2).startsWith("f.csv:4: field 'record_id_l': is empty"), p.get(2));
    assertTrue(p.get(3).startsWith("f.csv:6: field 'label': the same pair is labelled non-match on line 5"), p.get(3));
  }

  @Test
  void headerAndEmptyFilesAreChecked() {
    ReviewFileException e = assertThrows(ReviewFileException.class, () -> parse("label,source_l\n1,a\n"));
    assertTrue(e.getMessage().startsWith("f.csv:1: the header lacks [sample, stratum"), e.getMessage());
    assertThrows(ReviewFileException.class, () -> parse(""));
    ReviewFileException noRows = assertThrows(ReviewFileException.class, () -> parse(HEADER));
    assertTrue(noRows.getMessage().contains("no data rows"), noRows.getMessage());
    ReviewFileException twoRuns = assertThrows(ReviewFileException.class,
        () -> parse(HEADER + row("1", 1, 10, "a", "b") + row("1", 1, 10, "c", "d").replace("run-1", "run-2")));
    assertTrue(twoRuns.getMessage().contains("several link runs"), twoRuns.getMessage());
    ReviewFileException open = assertThrows(ReviewFileException.class, () -> parse(HEADER + "\"1,band\n"));
    assertTrue(open.getMessage().startsWith("f.csv:2: a quoted field is never closed"), open.getMessage());
  }

  @Test
  void csvRoundTripsQuotesCommasAndLineBreaks() throws Exception {
    StringWriter w = new StringWriter();
    List<String> fields = List.of("a,b", "say \"hi\"", "two\nlines", "", "plain");
    Csv.writeRow(w, fields);
    Csv.writeRow(w, List.of("x"));
    List<Csv.Record> r = Csv.parse(new StringReader(w.toString()), "t");
    assertEquals(fields, r.get(0).fields());
    assertEquals(3, r.get(1).line(), "the second record starts on line 3");
  }
}
