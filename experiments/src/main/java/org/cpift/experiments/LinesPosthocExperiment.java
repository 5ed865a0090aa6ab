package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.train.Preset;

/**
 * LiNeS as a post-hoc step: on the single-task experts (the setting of its paper's first
 * experiment: each expert's own-task score and its mean score on the other tasks, before and
 * after the edit, against the base's; cheap, it reuses the experts and only evaluates), and on
 * the multi-task models of multi-task SFT and CPI-FT (the suite scores and the loss on the base's
 * pretraining corpus, the base's own ability, before and after; these retrain their method).
 */
public final class LinesPosthocExperiment implements ReportedExperiment {
  @Override
  public String name() {
    return "lines-posthoc";
  }

  @Override
  public String description() {
    return "LiNeS applied afterwards to each single-task expert (alpha chosen on validation by "
        + "2 x own-task score + mean score on the other tasks): the own-task score against the "
        + "expert's (single-task), and control_score (the other tasks) against the unedited "
        + "expert's and the base's; and LiNeS on multi-task SFT's and CPI-FT's models (alpha "
        + "chosen on validation): the suite scores against the unedited model's, and the loss on "
        + "the base's pretraining corpus (generic_loss) against the unedited model's and the "
        + "base's.";
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    for (String m : List.of("single-task", "lines-posthoc", "multi-task", "cpi-ft",
        "lines-posthoc-multi-task", "lines-posthoc-cpi-ft")) {
      out.addAll(Experiments.perSeed(p, seeds, "default", m, Function.identity()));
    }
    return out;
  }
}
