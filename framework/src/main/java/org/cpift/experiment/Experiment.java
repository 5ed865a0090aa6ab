package org.cpift.experiment;

import java.util.List;
import org.cpift.train.Preset;

/**
 * A paper table or ablation as data: the cells to run for a preset and seeds. An experiment never
 * formats output and never builds graph ops; {@link ExperimentRunner} runs it and the report
 * package presents it.
 */
public interface Experiment {
  /** The name on the command line and the folder under {@code reports/}. */
  String name();

  /** What the experiment shows (for the report). */
  String description();

  /**
   * The cells for {@code preset} and {@code seeds} on a suite whose tasks are {@code suiteTasks}
   * (in the suite's order), so an experiment can size budgets by the task count and refuse a
   * suite that lacks a task it names.
   */
  List<Cell> cells(Preset preset, List<Long> seeds, List<String> suiteTasks);

  /**
   * At most this many of the given seeds are used: the headline comparison (main-results) takes
   * every seed given, the sweeps and ablations the first three, enough for sweeps.
   */
  default int maxSeeds() {
    return 3;
  }
}
