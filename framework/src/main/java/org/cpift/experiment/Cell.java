package org.cpift.experiment;

import java.util.List;
import java.util.Map;
import org.cpift.method.MethodConfig;

/**
 * One cell of an experiment: a method under a configuration on a seed.
 *
 * @param variant the row label within the experiment (e.g. {@code tau=0.05}); "default" if none
 * @param method method name ({@link org.cpift.method.Methods})
 * @param config full configuration (its seed is the cell's seed)
 * @param tasks task names to use (empty: all of the suite)
 * @param trainFraction per task, the fraction of its training data kept (low-resource cells)
 */
public record Cell(String variant, String method, MethodConfig config, List<String> tasks,
    Map<String, Double> trainFraction) {
  public Cell {
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
    trainFraction = trainFraction == null ? Map.of() : Map.copyOf(trainFraction);
  }

  public Cell(String variant, String method, MethodConfig config) {
    this(variant, method, config, List.of(), Map.of());
  }

  public long seed() {
    return config.seed();
  }
}
