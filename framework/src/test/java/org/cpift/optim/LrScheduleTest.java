package org.cpift.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void warmupThenCosineToMinimum() {
    LrSchedule s = new LrSchedule(1.0f, 4, 14, 0.1f);
    assertEquals(0.2f, s.lr(0), 1e-6);
    assertEquals(0.8f, s.lr(3), 1e-6);
    assertEquals(1.0f, s.lr(4), 1e-6);
    assertEquals(0.55f, s.lr(9), 1e-6); // halfway through the decay: min + (1-min)/2
    assertEquals(0.1f, s.lr(14), 1e-6);
    assertEquals(0.1f, s.lr(100), 1e-6);
  }

  @Test
  void rejectsBadValues() {
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(0f, 1, 10, 0.1f));
    assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1f, 1, 10, 1.5f));
  }
}
