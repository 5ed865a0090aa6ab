package org.cpift.experiments;

import java.util.List;
import org.cpift.experiment.Experiment;
import org.cpift.report.Claims;
import org.cpift.report.Section;

/**
 * An experiment of this project: its cells (an {@link Experiment}), the paper's claims its
 * report checks, stated with the experiment's own variant and method labels, and the report
 * sections it owns.
 */
public interface ReportedExperiment extends Experiment {
  /** The claims this experiment's report checks (none by default). */
  default List<Claims.Check> claims() {
    return List.of();
  }

  /** The parts of the report page this experiment owns, e.g. a sweep's curve (none by default). */
  default List<Section> sections() {
    return List.of();
  }
}
