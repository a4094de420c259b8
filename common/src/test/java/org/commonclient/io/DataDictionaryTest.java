package org.commonclient.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.StructField;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Test;

/**
 * docs/DATA_DICTIONARY.md is generated from the code: regenerating it must give the committed file
 * (run with -Ddictionary.write=true to rewrite it after changing a schema).
 */
class DataDictionaryTest {
  @Test
  void committedDictionaryEqualsTheGeneratedOne() throws Exception {
    Path file = SparkExtension.repoRoot().resolve("docs/DATA_DICTIONARY.md");
    String generated = DataDictionary.markdown();
    if (Boolean.getBoolean("dictionary.write")) {
      Files.writeString(file, generated, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(file), file + " exists (generate it with -Ddictionary.write=true)");
    assertEquals(generated, Files.readString(file, StandardCharsets.UTF_8),
        "docs/DATA_DICTIONARY.md is out of date: run mvn -q -B -o -pl common test -Dtest=DataDictionaryTest"
            + " -Ddictionary.write=true and commit it");
  }

  @Test
  void everyColumnHasAMeaning() {
    List<String> missing = new ArrayList<>();
    for (DataDictionary.Table t : DataDictionary.tables()) {
      for (StructField f : t.schema().fields()) {
        if (DataDictionary.comment(f).isBlank()) {
          missing.add(t.name() + "." + f.name());
        }
      }
    }
    assertEquals(List.of(), missing, "columns without a comment");
  }

  @Test
  void patternColumnsMatchTheirExpansions() {
    assertTrue(DataDictionary.matches("gamma_<comparison>", "gamma_first_name"));
    assertTrue(DataDictionary.matches("bf_tf_adj_<column>", "bf_tf_adj_last_name"));
    assertFalse(DataDictionary.matches("gamma_<comparison>", "match_weight"));
    assertTrue(DataDictionary.matches("run_id", "run_id"));
  }
}
