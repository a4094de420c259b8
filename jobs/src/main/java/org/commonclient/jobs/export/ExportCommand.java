package org.commonclient.jobs.export;

import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.commonclient.config.StorageConfig;
import org.commonclient.io.DeltaTables;
import org.commonclient.jobs.ExitCodes;
import org.commonclient.jobs.JobOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes any Delta table of the suite as CSV with a header. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a Delta table of the suite as CSV with a header (one file).")
public final class ExportCommand implements Callable<Integer> {
  @Mixin JobOptions opts;

  @Option(names = "--table", required = true, paramLabel = "NAME",
      description = "Table name (looked up in the published, linked, then identified zone) or a path.")
  String table;

  @Option(names = "--format", defaultValue = "csv", description = "Output format: csv (default).")
  String format;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  String out;

  @Override
  public Integer call() {
    if (!format.equalsIgnoreCase("csv")) {
      throw new ExitCodes.BadInputException("Unsupported --format '" + format + "': only csv");
    }
    SparkSession spark = opts.spark();
    String path = resolve(spark, StorageConfig.from(opts.config()), table);
    Dataset<Row> d = DeltaTables.read(spark, path);
    // CSV cannot hold arrays, maps or structs: write them as JSON text
    for (var f : d.schema().fields()) {
      String t = f.dataType().typeName();
      if (t.equals("array") || t.equals("map") || t.equals("struct")) {
        d = d.withColumn(f.name(), org.apache.spark.sql.functions.to_json(d.col(f.name())));
      }
    }
    long n = d.count();
    d.coalesce(1).write().mode(SaveMode.Overwrite).option("header", "true").csv(out);
    System.out.printf("exported %d rows of %s to %s%n", n, path, out);
    return ExitCodes.OK;
  }

  static String resolve(SparkSession spark, StorageConfig s, String table) {
    for (String p : new String[] {s.published(table), s.linked(table), s.identified(table), table}) {
      if (DeltaTables.exists(spark, p)) {
        return p;
      }
    }
    throw new ExitCodes.BadInputException("No Delta table '" + table + "' in " + s.published() + ", "
        + s.linked() + " or " + s.identified());
  }
}
