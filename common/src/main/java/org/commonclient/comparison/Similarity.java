package org.commonclient.comparison;

import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Jaro-Winkler similarity. Spark has no built-in; this is a static UDF over commons-text's
 * implementation (held in a static field: the class is not serializable). Comparisons compute it
 * once per pair and column as a helper column, however many thresholds use it.
 */
public final class Similarity {
  private Similarity() {}

  private static final JaroWinklerSimilarity JW = new JaroWinklerSimilarity();

  /** Jaro-Winkler similarity in [0, 1]; null when either side is null. */
  public static Double jaroWinkler(String a, String b) {
    if (a == null || b == null) {
      return null;
    }
    return JW.apply(a, b);
  }

  private static final UserDefinedFunction JW_UDF =
      functions
          .udf((UDF2<String, String, Double>) Similarity::jaroWinkler, DataTypes.DoubleType)
          .withName("jaro_winkler");

  public static Column jaroWinkler(Column a, Column b) {
    return JW_UDF.apply(a, b);
  }
}
