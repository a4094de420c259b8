package org.commonclient.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.commonclient.io.DeltaTables;
import org.commonclient.testing.SparkExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The research notebooks (notebooks/*.ipynb) executed headless by {@code scripts/notebooks.sh run}
 * against the tables of the generated sample run shared with SamplePipelineTest ({@link SampleRun}:
 * 1,500 people, generate then pipeline with conf/sample.conf, in process). Checks the script's exit status, that
 * every notebook ran every cell without an error and drew its chart, and that the figures the
 * notebooks print are the ones in the published Delta tables (read here with Spark). Skipped only
 * when Jupyter (jupyter nbconvert) is not installed; .ci/run installs it.
 */
@ExtendWith(SparkExtension.class)
class NotebooksTest {
  static final List<String> NOTEBOOKS =
      List.of("program_overlap.ipynb", "chronic_absenteeism.ipynb", "eligible_not_enrolled.ipynb");

  @TempDir Path dir;

  @Test
  void everyNotebookRunsOnASampleRun(SparkSession spark) throws Exception {
    Assumptions.assumeTrue(jupyterPresent(),
        "jupyter nbconvert is not installed (apt-get install -y jupyter-nbconvert jupyter-notebook "
            + "python3-ipykernel python3-pandas python3-matplotlib): notebooks not executed");
    SampleRun run = SampleRun.get();
    Path root = run.root;
    String tables = run.tables;

    Path nbOut = dir.resolve("executed");
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("scripts/notebooks.sh").toString(), "run")
        .redirectErrorStream(true).redirectOutput(dir.resolve("notebooks.log").toFile());
    pb.environment().put("COMMONCLIENT_TABLES", tables);
    pb.environment().put("NOTEBOOKS_OUT", nbOut.toString());
    long t0 = System.nanoTime();
    Process p = pb.start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "scripts/notebooks.sh run finished within 10 minutes");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String log = Files.readString(dir.resolve("notebooks.log"));
    System.out.println(log);
    System.out.printf("notebooks: %d executed in %.1f s%n", NOTEBOOKS.size(), ms / 1000.0);
    assertEquals(0, p.exitValue(), "scripts/notebooks.sh run exit status; its output:\n" + log);

    String published = tables + "/published/metrics/";
    for (String nb : NOTEBOOKS) {
      String text = Files.readString(nbOut.resolve(nb), StandardCharsets.UTF_8);
      assertTrue(!text.contains("\"output_type\": \"error\""), nb + " has no error output");
      assertTrue(text.contains("\"image/png\""), nb + " draws a chart inline");
    }

    // the figures the notebooks print are those of the published Delta tables
    String overlap = outputText(nbOut.resolve("program_overlap.ipynb"));
    Row all = DeltaTables.read(spark, published + "program_counts")
        .where("level = 'PERSON' AND program = 'ALL'").orderBy(org.apache.spark.sql.functions.desc("period"))
        .first();
    String period = all.getString(all.fieldIndex("period"));
    long persons = all.getLong(all.fieldIndex("n"));
    assertTrue(overlap.contains("Persons in any program, " + period + ": " + persons),
        "program_overlap prints the person total " + persons + " of " + period);
    long combos = DeltaTables.read(spark, published + "program_combinations")
        .where("level = 'PERSON' AND period = '" + period + "'").count();
    assertTrue(overlap.contains("Combinations shown: " + combos), "program_overlap shows all " + combos + " combinations");

    String chronic = outputText(nbOut.resolve("chronic_absenteeism.ipynb"));
    List<Row> years = DeltaTables.read(spark, published + "education_outcomes")
        .where("metric = 'chronic_ratio' AND dim = 'ALL' "
            + "AND population IN ('HOUSING', 'HOUSING_PH', 'HOUSING_HCV', 'PEERS', 'ALL')")
        .select("school_year").distinct().orderBy("school_year").collectAsList();
    List<Integer> ys = new ArrayList<>();
    years.forEach(r -> ys.add(r.getInt(0)));
    assertTrue(!ys.isEmpty(), "the sample run has chronic absenteeism rows");
    assertTrue(chronic.contains("School years: " + ys), "chronic_absenteeism covers the school years " + ys);

    String eligible = outputText(nbOut.resolve("eligible_not_enrolled.ipynb"));
    List<Row> rules = DeltaTables.read(spark, published + "eligible_not_enrolled")
        .where("period = '" + period + "'").orderBy("rule").collectAsList();
    for (Row r : rules) {
      Object n = r.get(r.fieldIndex("not_enrolled"));
      String expected = r.getString(r.fieldIndex("rule")) + ": "
          + (r.getBoolean(r.fieldIndex("not_enrolled_suppressed")) || n == null ? "suppressed" : n.toString());
      assertTrue(eligible.contains(expected), "eligible_not_enrolled prints '" + expected + "'");
    }
  }

  /** Whether jupyter nbconvert runs (Debian's, in /usr/bin, as scripts/notebooks.sh uses it). */
  static boolean jupyterPresent() {
    try {
      ProcessBuilder pb = new ProcessBuilder("bash", "-c", "PATH=/usr/bin:$PATH jupyter nbconvert --version")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The text of every output of an executed notebook (stream text and text/plain), JSON-unescaped enough to match. */
  static String outputText(Path notebook) throws IOException {
    return Files.readString(notebook, StandardCharsets.UTF_8).replace("\\n", "\n").replace("\\\"", "\"");
  }
}
