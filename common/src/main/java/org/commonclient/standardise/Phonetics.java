package org.commonclient.standardise;

import org.apache.commons.codec.language.DoubleMetaphone;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Double Metaphone primary code. Spark has no built-in, so this is the one UDF of
 * standardisation: a static function over a static encoder (the encoder holds no per-call state),
 * applied once per record, never per pair.
 */
public final class Phonetics {
  private Phonetics() {}

  private static final DoubleMetaphone DM = new DoubleMetaphone();

  /** Primary Double Metaphone code (max 4 letters), null for null/empty input. */
  public static String doubleMetaphone(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    String code = DM.doubleMetaphone(s.replace(" ", ""));
    return code == null || code.isEmpty() ? null : code;
  }

  private static final UserDefinedFunction DM_UDF =
      functions
          .udf((UDF1<String, String>) Phonetics::doubleMetaphone, DataTypes.StringType)
          .withName("double_metaphone");

  static Column doubleMetaphone(Column c) {
    return DM_UDF.apply(c);
  }
}
