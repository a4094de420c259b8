package org.commonclient.privacy;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.bit_count;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The encodings a data owner sends instead of identifiers, as Spark columns: keyed tokens
 * ({@code tok_<name>}), keyed blocking tokens ({@code blk_<name>}) and Bloom filters
 * ({@code clk_<name>}, array of 64-bit words); and the Dice similarity of two filters as a
 * Catalyst expression (bit_count of the AND of the words, no UDF).
 *
 * <p>HMAC and Bloom-filter hashing run in two static UDFs holding derived keys only.
 */
public final class Encodings {
  private Encodings() {}

  /** Columns of a tokenized file besides the recipe columns. */
  public static final List<String> BASE_COLUMNS =
      List.of("source", "record_id", "program", "enroll_start", "enroll_end", "household_token", "encoding_id", "tokenize_run_id");

  public static final String TOKEN_PREFIX = "tok_";
  public static final String BLOCKING_PREFIX = "blk_";
  public static final String CLK_PREFIX = "clk_";

  /** HMAC token of a string; null or empty stays null. */
  static final class TokenUdf implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;
    private final byte[] key;
    private transient Mac mac;

    TokenUdf(byte[] key) {
      this.key = key.clone();
    }

    @Override
    public String call(String v) {
      if (v == null || v.isEmpty()) {
        return null;
      }
      if (mac == null) {
        mac = Hmac.mac(key);
      }
      return Hmac.token(mac, v);
    }
  }

  /** The Bloom filter of the field values (array of strings, nulls allowed) and a salt. */
  static final class ClkUdf implements UDF2<scala.collection.Seq<String>, String, long[]> {
    private static final long serialVersionUID = 1L;
    private final BloomEncoder encoder;

    ClkUdf(BloomEncoder encoder) {
      this.encoder = encoder;
    }

    @Override
    public long[] call(scala.collection.Seq<String> values, String salt) {
      List<String> v = new ArrayList<>(values.length());
      for (int i = 0; i < values.length(); i++) {
        v.add(values.apply(i));
      }
      return encoder.encode(v, salt);
    }
  }

  static UserDefinedFunction tokenUdf(byte[] key) {
    return udf(new TokenUdf(key), DataTypes.StringType);
  }

  /**
   * Adds the encodings of the standardised records and keeps only the non-identifying columns.
   *
   * @param std standardised records ({@code Standardiser.COLUMNS}) with {@code program},
   *     {@code enroll_start}, {@code enroll_end}
   * @return {@link #BASE_COLUMNS}, then tok_*, blk_*, clk_* in configuration order
   */
  public static Dataset<Row> encode(Dataset<Row> std, PrivacyConfig cfg, Secret secret, String runId) {
    List<Column> out = new ArrayList<>();
    out.add(col("source"));
    out.add(col("record_id"));
    out.add(col("program"));
    out.add(col("enroll_start"));
    out.add(col("enroll_end"));
    Column household = when(col("household_id").isNotNull(), concat_ws("|", col("source"), col("household_id")));
    out.add(tokenUdf(secret.derive("household")).apply(household).as("household_token"));
    out.add(lit(secret.encodingId(cfg.encodingDescription())).as("encoding_id"));
    out.add(lit(runId).as("tokenize_run_id"));
    for (PrivacyConfig.Recipe r : cfg.tokens()) {
      out.add(recipe(std, r, secret.derive("token/" + r.name())).as(TOKEN_PREFIX + r.name()));
    }
    for (PrivacyConfig.Recipe r : cfg.blockingKeys()) {
      out.add(recipe(std, r, secret.derive("block/" + r.name())).as(BLOCKING_PREFIX + r.name()));
    }
    for (PrivacyConfig.ClkFilter f : cfg.clk().filters()) {
      String saltExpr = cfg.clk().saltOf(f);
      Column salt = saltExpr.isEmpty() ? lit(null).cast("string") : expr(saltExpr).cast("string");
      List<Column> values = new ArrayList<>();
      for (PrivacyConfig.ClkField fl : f.fields()) {
        values.add(expr(fl.expr()).cast("string"));
      }
      UserDefinedFunction clk = udf(new ClkUdf(BloomEncoder.of(secret, cfg.clk(), f)), DataTypes.createArrayType(DataTypes.LongType, false));
      out.add(clk.apply(array(values.toArray(new Column[0])), salt).as(CLK_PREFIX + f.name()));
    }
    return std.select(out.toArray(new Column[0]));
  }

  /**
   * The token column of a recipe: its keys joined by '|' and keyed-hashed; null when a scalar key
   * is null or empty. With an array key: the distinct tokens of its non-empty elements.
   */
  static Column recipe(Dataset<Row> std, PrivacyConfig.Recipe r, byte[] key) {
    UserDefinedFunction hmac = tokenUdf(key);
    List<Column> keys = new ArrayList<>();
    int arrayAt = -1;
    for (int i = 0; i < r.keys().size(); i++) {
      Column c = expr(r.keys().get(i));
      DataType t;
      try {
        t = std.select(c).schema().fields()[0].dataType();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("Cannot evaluate key '" + r.keys().get(i) + "' of recipe '" + r.name()
            + "' over the standardised columns: " + e.getMessage(), e);
      }
      if (t instanceof ArrayType) {
        if (arrayAt >= 0) {
          throw new IllegalArgumentException("Cannot use recipe '" + r.name() + "': more than one array key");
        }
        arrayAt = i;
        keys.add(c);
      } else {
        keys.add(c.cast("string"));
      }
    }
    Column scalarsPresent = lit(true);
    for (int i = 0; i < keys.size(); i++) {
      if (i != arrayAt) {
        scalarsPresent = scalarsPresent.and(coalesce(keys.get(i).isNotNull().and(keys.get(i).notEqual(lit(""))), lit(false)));
      }
    }
    if (arrayAt < 0) {
      return when(scalarsPresent, hmac.apply(concat_ws("|", keys.toArray(new Column[0]))));
    }
    final int at = arrayAt;
    Column elements = filter(keys.get(at).cast("array<string>"), x -> x.isNotNull().and(x.notEqual(lit(""))));
    Column joined = transform(elements, x -> {
      List<Column> parts = new ArrayList<>(keys);
      parts.set(at, x);
      return hmac.apply(concat_ws("|", parts.toArray(new Column[0])));
    });
    return when(scalarsPresent, array_distinct(array_compact(joined)));
  }

  /** Number of set bits of a filter column of {@code words} 64-bit words (a Catalyst expression). */
  public static Column popcount(Column clk, int words) {
    Column sum = lit(0);
    for (int i = 0; i < words; i++) {
      sum = sum.plus(coalesce(bit_count(clk.getItem(i)), lit(0)));
    }
    return sum;
  }

  /**
   * Dice coefficient of two filter columns with their popcounts: {@code 2 |A∧B| / (|A| + |B|)}, null
   * when either filter is empty.
   */
  public static Column dice(Column l, Column r, Column popL, Column popR, int words) {
    Column inter = lit(0);
    for (int i = 0; i < words; i++) {
      inter = inter.plus(coalesce(bit_count(l.getItem(i).bitwiseAND(r.getItem(i))), lit(0)));
    }
    return when(popL.gt(0).and(popR.gt(0)), inter.multiply(2.0).divide(popL.plus(popR)));
  }
}
