package org.cpift.train;

import java.util.Locale;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.cpift.util.CpiftException;

/**
 * Named sizes: {@code tiny} (tests and CI, seconds to minutes) and {@code small} (the reference
 * reproduction). A preset fixes the model shape and default training hyperparameters.
 */
public enum Preset {
  TINY {
    @Override
    public ModelConfig model(int vocabSize) {
      return ModelConfig.tiny(vocabSize);
    }

    @Override
    public TrainConfig training() {
      return new TrainConfig(300, 32, 3e-3f, 20, 0.1f, OptimizerConfig.adamW(), 0, 25, 0, 200, 0,
          64);
    }
  },
  SMALL {
    @Override
    public ModelConfig model(int vocabSize) {
      return ModelConfig.small(vocabSize);
    }

    @Override
    public TrainConfig training() {
      return new TrainConfig(2000, 32, 1e-3f, 100, 0.1f, OptimizerConfig.adamW(), 0, 50, 0, 300,
          500, 96);
    }
  };

  public abstract ModelConfig model(int vocabSize);

  public abstract TrainConfig training();

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a preset name, failing with the list of valid names. */
  public static Preset parse(String name) {
    for (Preset p : values()) {
      if (p.id().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new CpiftException("unknown preset '" + name + "'; choose one of tiny, small");
  }
}
