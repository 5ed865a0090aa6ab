package org.cpift.experiments;

import java.util.List;
import org.cpift.experiment.Experiment;
import org.cpift.report.Claims;

/**
 * An experiment of this project: its cells (an {@link Experiment}) and the paper's claims its
 * report checks, stated with the experiment's own variant and method labels.
 */
public interface ReportedExperiment extends Experiment {
  /** The claims this experiment's report checks (none by default). */
  default List<Claims.Check> claims() {
    return List.of();
  }
}
