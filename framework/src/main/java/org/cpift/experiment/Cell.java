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
 * @param label the method's name in reports (the method name unless a control of it needs its own
 *     row, e.g. {@code cpi-ft (no freeze)}); not part of the cell's key
 */
public record Cell(String variant, String method, MethodConfig config, List<String> tasks,
    Map<String, Double> trainFraction, String label) {
  public Cell {
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
    trainFraction = trainFraction == null ? Map.of() : Map.copyOf(trainFraction);
    label = label == null ? method : label;
  }

  public Cell(String variant, String method, MethodConfig config, List<String> tasks,
      Map<String, Double> trainFraction) {
    this(variant, method, config, tasks, trainFraction, method);
  }

  public Cell(String variant, String method, MethodConfig config) {
    this(variant, method, config, List.of(), Map.of());
  }

  public long seed() {
    return config.seed();
  }
}
