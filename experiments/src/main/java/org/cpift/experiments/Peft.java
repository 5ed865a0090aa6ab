package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.cpift.experiment.Cell;
import org.cpift.method.MethodConfig;
import org.cpift.model.Lora;
import org.cpift.train.Preset;

/**
 * Full fine-tuning against LoRA experts: CPI-FT, multi-task SFT and the merges when every
 * fine-tuning run trains LoRA adapters (r ∈ {4, 16}, α = 2r, on every attention and MLP matrix)
 * instead of the weights, with the same seeds. The {@code full} variant's cells are
 * main-results' own (same configurations, so the same cells). CPI-FT's cores are the top p% of
 * the LoRA experts' merged deltas; its pipeline trains LoRA adapters masked at earlier stages'
 * cores, and in the {@code lora-rR-weights} variants the weights themselves (every tensor,
 * embeddings and norms included: full fine-tuning of the pipeline from the LoRA experts' fused
 * model). The
 * {@code lora-rR-osrm} variants start every expert's adapters by OSRM ({@link Lora.Init#OSRM});
 * CoPA merges the experts' adapters (LoRA variants only).
 */
public final class Peft implements ReportedExperiment {
  static final List<Integer> RANKS = List.of(4, 16);
  static final List<String> TARGETS = List.of("wq", "wk", "wv", "wo", "w1", "w2");
  static final List<String> METHODS = List.of("single-task", "multi-task", "cpi-ft",
      "task-arithmetic", "ties", "copa");

  @Override
  public String name() {
    return "peft";
  }

  @Override
  public String description() {
    return "Full fine-tuning against LoRA (r 4 and 16, alpha 2r, every attention and MLP matrix) "
        + "for the experts and the training baselines: single-task experts, multi-task SFT, "
        + "CPI-FT (its pipeline trains masked adapters, or the weights), task arithmetic and "
        + "TIES on the LoRA experts, and CoPA on their adapters; each also with OSRM-initialized "
        + "experts.";
  }

  /** LoRA of rank r as this experiment uses it. */
  static Lora lora(int r) {
    return new Lora(r, 2.0 * r, TARGETS);
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    List<Cell> out = new ArrayList<>();
    for (String m : METHODS) {
      if (!m.equals("copa")) { // CoPA merges adapters: LoRA experts only
        out.addAll(Experiments.perSeed(p, seeds, "full", m, Function.identity()));
      }
      for (int r : RANKS) {
        Function<MethodConfig, MethodConfig> withLora = c -> c.withTraining(
            c.training().withLora(lora(r)));
        out.addAll(Experiments.perSeed(p, seeds, "lora-r" + r, m, withLora));
        if (!m.equals("multi-task")) {
          // OSRM-initialized experts (multi-task SFT has no expert to initialize)
          out.addAll(Experiments.perSeed(p, seeds, "lora-r" + r + "-osrm", m,
              c -> c.withTraining(c.training().withLora(lora(r).withInit(Lora.Init.OSRM)))));
        }
        if (m.equals("single-task") || m.equals("cpi-ft")) {
          // the weights variant's experts are lora-rR's (one cache entry: the expert's key
          // leaves the pipeline's options out); its single-task rows score them again so that
          // its CPI-FT row is normalized by them, and show the sharing
          out.addAll(Experiments.perSeed(p, seeds, "lora-r" + r + "-weights", m,
              c -> c.withTraining(c.training().withLora(lora(r).withFrozenEntries(
                  Lora.FrozenEntries.WEIGHTS)))));
        }
      }
    }
    return out;
  }
}
