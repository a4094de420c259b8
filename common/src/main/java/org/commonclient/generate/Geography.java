package org.commonclient.generate;

import java.util.SplittableRandom;

/**
 * Cities (one school district each), schools per district and level, and public-housing
 * developments, scaled to the population size so schools and developments keep realistic sizes.
 */
final class Geography {
  final String state;
  final double[] cityCdf;
  final int[] elementary;
  final int[] middle;
  final int[] high;
  final int[] developments;

  Geography(String state, long people) {
    this.state = state;
    int n = NameTables.CITIES.length;
    double[] w = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      w[i] = 1.0 / (i + 1.5);
      sum += w[i];
    }
    cityCdf = new double[n];
    double acc = 0;
    elementary = new int[n];
    middle = new int[n];
    high = new int[n];
    developments = new int[n];
    // about 21% of persons are in grades PK-5, 10% in 6-8, 12% in 9-12
    for (int i = 0; i < n; i++) {
      double share = w[i] / sum;
      acc += share;
      cityCdf[i] = acc;
      elementary[i] = (int) Math.max(1, Math.min(99, Math.round(share * people * 0.21 / 450)));
      middle[i] = (int) Math.max(1, Math.min(99, Math.round(share * people * 0.10 / 650)));
      high[i] = (int) Math.max(1, Math.min(99, Math.round(share * people * 0.12 / 1100)));
      // ~2.7 persons per household, 8% of households in public housing, ~200 units per development
      developments[i] = (int) Math.max(1, Math.min(999, Math.round(share * people * 0.08 / 2.7 / 200)));
    }
    cityCdf[n - 1] = 1.0;
  }

  int pickCity(SplittableRandom r) {
    double u = r.nextDouble();
    for (int i = 0; i < cityCdf.length; i++) {
      if (u < cityCdf[i]) {
        return i;
      }
    }
    return cityCdf.length - 1;
  }

  static String districtId(int city) {
    return Dates.pad("", 100 + city * 5, 4);
  }

  /** School id for the level (0 elementary PK-5, 1 middle 6-8, 2 high 9-12) and neighborhood. */
  String schoolId(int city, int grade, int neighborhood) {
    int level = grade <= 5 ? 0 : grade <= 8 ? 1 : 2;
    int count = level == 0 ? elementary[city] : level == 1 ? middle[city] : high[city];
    int k = Math.floorMod(neighborhood * 31 + level * 7, count);
    return districtId(city) + (level + 1) + Dates.pad("", k + 1, 2);
  }

  String zip(int city, int neighborhood) {
    return Dates.pad("", 60100 + city * 37 + Math.floorMod(neighborhood, 9), 5);
  }

  String developmentId(int city, int dev) {
    return state + Dates.pad("", city + 1, 3) + Dates.pad("", dev + 1, 6);
  }

  /** The fixed street address of a development (same for every household living there). */
  Model.Address developmentAddress(int city, int dev, String unit) {
    SplittableRandom r = new SplittableRandom(0x9E3779B97F4A7C15L * (city * 1000L + dev + 1));
    int houseNo = 100 + r.nextInt(4900);
    String street = NameTables.STREETS[r.nextInt(NameTables.STREETS.length)];
    int type = r.nextInt(NameTables.STREET_TYPES.length);
    int nb = r.nextInt(1000);
    return new Model.Address(houseNo, street, type, unit, city, zip(city, nb),
        Dates.pad("", r.nextInt(10000), 4), developmentId(city, dev));
  }
}
