package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gate's check that multi-task SFT trained again is its main-results cell's model. */
class TestbedCheckCommandTest {
  @Test
  void equalScoresWithLossesApartInTheLastDigitsAreOneModel() {
    var cell = Map.of("math", Map.of("score", 0.405, "score[other]", 0.26, "answer_loss",
        0.1099411143555632));
    var again = Map.of("math", Map.of("score", 0.405, "score[other]", 0.26, "answer_loss",
        0.10994113722898974));
    String same = TestbedCheckCommand.sameScores(cell, again);
    assertTrue(same.startsWith("every test score identical"), same);
    assertTrue(same.contains("2.1e-07"), same); // |Δ| / |cell's loss|
  }

  @Test
  void anyScoreApartIsAnotherModel() {
    var cell = Map.of("math", Map.of("score", 0.405, "answer_loss", 0.11));
    assertEquals("DIFFER: math score 0.405 against 0.41", TestbedCheckCommand.sameScores(cell,
        Map.of("math", Map.of("score", 0.41, "answer_loss", 0.11))));
    assertTrue(TestbedCheckCommand.sameScores(cell, Map.of("code", Map.of("score", 0.405,
        "answer_loss", 0.11))).startsWith("DIFFER: tasks"));
  }
}
