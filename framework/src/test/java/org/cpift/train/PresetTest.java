package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cpift.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

/**
 * The presets, written as the defaults plus what differs, hold exactly the values every committed
 * result was computed with (these values enter every cache key).
 */
class PresetTest {
  @Test
  void presetsHoldTheValuesTheCommittedResultsUsed() {
    OptimizerConfig adamW = OptimizerConfig.adamW();
    assertEquals(new TrainConfig(300, 32, 3e-3f, 20, 0.1f, adamW, 0, 25, 0, 200, 0, 64),
        Preset.TINY.training());
    assertEquals(new TrainConfig(1500, 32, 3e-3f, 50, 0.1f, adamW, 0, 50, 0, 64, 250, 8),
        Preset.TINY.pretraining());
    assertEquals(new TrainConfig(2000, 32, 5e-5f, 100, 0.1f, adamW, 0, 50, 0, 300, 500, 96),
        Preset.SMALL.training());
    assertEquals(new TrainConfig(2500, 32, 1.5e-3f, 100, 0.1f, adamW, 0, 50, 0, 64, 250, 8),
        Preset.SMALL.pretraining());
    assertEquals(new TrainConfig(3000, 64, 3e-4f, 100, 0.1f, adamW, 0, 50, 0, 400, 500, 96),
        Preset.PAPER.training());
    assertEquals(new TrainConfig(20000, 64, 6e-4f, 500, 0.1f, adamW, 0, 100, 0, 64, 1000, 8),
        Preset.PAPER.pretraining());
  }
}
