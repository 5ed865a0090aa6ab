package org.cpift.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cpift.util.PhaseClock.Phase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The phase clock on a hand-driven time source: nesting, exclusivity, the rest, no clock. */
class PhaseClockTest {
  private final long[] now = {1_000};

  @AfterEach
  void clear() {
    PhaseClock.end();
  }

  private void advance(long nanos) {
    now[0] += nanos;
  }

  @Test
  void nestedPhasesChargeOnlyTheInnermostAndTheRestIsOther() {
    PhaseClock.begin(() -> now[0]);
    advance(5); // before any phase: other
    try (PhaseClock.Timer t = PhaseClock.time(Phase.TRAIN)) {
      advance(100);
      try (PhaseClock.Timer s = PhaseClock.time(Phase.STORAGE)) {
        advance(30);
      }
      advance(20);
      try (PhaseClock.Timer d = PhaseClock.time(Phase.DECODE)) {
        advance(7);
        try (PhaseClock.Timer w = PhaseClock.time(Phase.WAIT)) {
          advance(11);
        }
      }
    }
    advance(3);
    try (PhaseClock.Timer t = PhaseClock.time(Phase.TRAIN)) {
      advance(50);
    }
    Map<String, Double> m = PhaseClock.end();
    assertEquals(List.of("graph", "train", "decode", "loss", "weights", "merge", "storage", "wait",
        "other"), List.copyOf(m.keySet()));
    assertEquals(170e-9, m.get("train"), 1e-15);
    assertEquals(30e-9, m.get("storage"), 1e-15);
    assertEquals(7e-9, m.get("decode"), 1e-15);
    assertEquals(11e-9, m.get("wait"), 1e-15);
    assertEquals(8e-9, m.get("other"), 1e-15);
    assertEquals(0.0, m.get("graph"));
    assertEquals(226e-9, m.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-15,
        "the phases and the rest partition the clock's time");
  }

  @Test
  void aPhaseStillOpenAtTheEndIsChargedUpToIt() {
    PhaseClock.begin(() -> now[0]);
    PhaseClock.Timer t = PhaseClock.time(Phase.GRAPH);
    advance(40);
    Map<String, Double> m = PhaseClock.end();
    t.close(); // after the clock ended: changes nothing
    assertEquals(40e-9, m.get("graph"), 1e-15);
    assertEquals(0.0, m.get("other"), 1e-15);
  }

  @Test
  void withoutAClockTimersRecordNothing() {
    PhaseClock.end();
    try (PhaseClock.Timer t = PhaseClock.time(Phase.TRAIN)) {
      advance(10);
    }
    assertTrue(PhaseClock.end().isEmpty());
  }

  @Test
  void clocksAreKeptPerThread() throws InterruptedException {
    PhaseClock.begin(() -> now[0]);
    Thread other = new Thread(() -> {
      try (PhaseClock.Timer t = PhaseClock.time(Phase.MERGE)) {
        advance(1_000); // another thread's phase: not this clock's
      }
    });
    other.start();
    other.join();
    Map<String, Double> m = PhaseClock.end();
    assertEquals(0.0, m.get("merge"));
    assertEquals(1_000e-9, m.get("other"), 1e-15);
  }

  @Test
  void sumAddsPhaseByPhase() {
    Map<String, Double> s = PhaseClock.sum(List.of(Map.of("train", 1.0), Map.of("train", 2.0,
        "other", 0.5)));
    assertEquals(3.0, s.get("train"));
    assertEquals(0.5, s.get("other"));
  }
}
