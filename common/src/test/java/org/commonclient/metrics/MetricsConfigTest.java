package org.commonclient.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsConfigTest {
  @Test
  void defaultsCarryDomainValues() {
    MetricsConfig c = MetricsConfig.defaults();
    assertEquals(0, c.mergeGapDays());
    assertEquals(1, c.overlapMinDays());
    assertEquals(120, c.churnWindowDays());
    assertEquals("RATIO", c.chronic().mode());
    assertEquals(0.10, c.chronic().ratio(), 1e-12);
    assertEquals(10, c.chronic().minEnrolledDays());
    assertEquals(15, c.chronic().minDays());
    assertEquals("PERSON_YEAR", c.chronic().scope());
    assertEquals(5, c.onTime().graceDays());
    assertEquals("CUMULATIVE", c.suspDenominator());
    assertEquals(11, c.minCell());
    assertEquals(MonthDay.of(7, 1), c.schoolYearStart());
    assertEquals(3, c.rules().size());
    assertEquals(List.of(new Period("SY2024-25", LocalDate.of(2024, 7, 1), LocalDate.of(2025, 6, 30))), c.periods());
  }

  @Test
  void periodsExpand() {
    List<Period> q = Period.expand(Period.Type.QUARTER, "2023Q4", "2024Q2", "", "", MonthDay.of(7, 1));
    assertEquals(List.of("2023Q4", "2024Q1", "2024Q2"), q.stream().map(Period::label).toList());
    assertEquals(LocalDate.of(2024, 6, 30), q.get(2).end());
    List<Period> y = Period.expand(Period.Type.CALENDAR_YEAR, "2022", "2023", "", "", MonthDay.of(7, 1));
    assertEquals(LocalDate.of(2023, 12, 31), y.get(1).end());
  }

  @Test
  void badValuesNameTheKey() {
    var bad = ConfigFactory.parseString("commonclient.metrics.chronic.mode = SOMETIMES")
        .withFallback(ConfigFactory.defaultReference()).resolve();
    ConfigException e = assertThrows(ConfigException.class, () -> MetricsConfig.from(bad));
    assertEquals(true, e.getMessage().contains("mode"), e.getMessage());
  }
}
