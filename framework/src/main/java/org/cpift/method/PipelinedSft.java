package org.cpift.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.model.Lora;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 6 of CPI-FT: starting from the fused model, train stage by stage; while training stage k
 * the core regions of stages 1..k−1 are frozen by the optimizer's update mask,
 * <pre>  θ ← θ + Δθ ⊙ M_k,   M_k = 1 − ∪_{j<k} ∪_{i ∈ G_j} C_i  </pre>
 * Stage data follow {@link MethodConfig.StageData}. One optimizer state runs through all stages;
 * the learning-rate schedule restarts per stage. Under LoRA fine-tuning each stage trains fresh
 * adapters whose update is masked at the frozen entries and merges them in at its end
 * ({@link Lora.FrozenEntries}).
 */
public final class PipelinedSft {
  private static final Logger LOG = LoggerFactory.getLogger(PipelinedSft.class);

  private PipelinedSft() {}

  /**
   * The trained parameters, the cost, (when asked) every task's score after each stage, and the
   * unmerged LoRA adapters when one LoRA session trained through every stage (else null).
   */
  public record Result(ParamSnapshot params, Cost cost, List<Map<String, Double>> stageScores,
      ParamSnapshot adapters) {
    public Result(ParamSnapshot params, Cost cost, List<Map<String, Double>> stageScores) {
      this(params, cost, stageScores, null);
    }
  }

  /**
   * Runs the stages. {@code samplesPerTask} ≤ 0 means "all training data of the task";
   * {@code cores} maps task name to its core region; {@code freeze} false disables freezing.
   */
  public static Result run(MethodContext ctx, ParamSnapshot start, List<List<Task>> stages,
      Map<String, ParamMask> cores, int stepsPerStage, int samplesPerTask, boolean freeze,
      String purpose) {
    return runWith(ctx, start, stages, cores, stepsPerStage, samplesPerTask, freeze,
        ctx.config().pipeline().stageData(), purpose);
  }

  /** As {@link #run}, with an explicit stage-data policy. */
  static Result runWith(MethodContext ctx, ParamSnapshot start, List<List<Task>> stages,
      Map<String, ParamMask> cores, int stepsPerStage, int samplesPerTask, boolean freeze,
      MethodConfig.StageData policy, String purpose) {
    MethodConfig c = ctx.config();
    List<Map<String, Double>> stageScores = new ArrayList<>();
    Cost cost = Cost.NONE;
    ParamMask frozen = new ParamMask();
    // where entries of the weights are frozen (CPI-FT's cores), LoRA fine-tuning trains masked
    // adapters or (Lora.FrozenEntries.WEIGHTS) the weights themselves, diff pruning the weights;
    // stages that freeze nothing (the multi-stage baselines) follow the mode
    boolean masks = freeze && cores.values().stream().anyMatch(x -> x.cardinality() > 0);
    Lora lora = c.training().lora();
    if (masks && lora != null && lora.frozenEntries() == Lora.FrozenEntries.ADAPTERS) {
      return maskedAdapters(ctx, start, stages, cores, stepsPerStage, samplesPerTask, policy,
          purpose);
    }
    try (ModelSession m = masks ? ctx.fullSession(start, ctx.seed(purpose))
        : ctx.session(start, ctx.seed(purpose))) {
      for (int k = 0; k < stages.size(); k++) {
        List<Task> stage = stages.get(k);
        List<EncodedExample> data = stageData(ctx, stages, k, samplesPerTask, policy, purpose);
        LOG.info("{} stage {}/{} {}: {} examples, {} steps, {} entries frozen", purpose, k + 1,
            stages.size(), stage.stream().map(Task::name).toList(), data.size(), stepsPerStage,
            freeze ? frozen.cardinality() : 0);
        cost = cost.plus(ctx.train(m, data, stepsPerStage, ctx.seed(purpose + "/stage" + k),
            freeze ? frozen : null));
        for (Task t : stage) {
          frozen = frozen.union(cores.get(t.name()));
        }
        if (c.evaluation().eachStage()) {
          stageScores.add(ctx.scoresOnly(m));
        }
      }
      return new Result(MethodContext.parameters(m), cost, stageScores,
          m.lora() != null ? m.parameters() : null);
    }
  }

  /**
   * The stages under LoRA with earlier cores frozen: each stage trains fresh adapters on the
   * current weights with their update masked to zero at the frozen entries, then merges them in
   * (so a frozen entry stays bit-identical). Adam's moments start afresh with each stage's
   * adapters.
   */
  private static Result maskedAdapters(MethodContext ctx, ParamSnapshot start,
      List<List<Task>> stages, Map<String, ParamMask> cores, int stepsPerStage,
      int samplesPerTask, MethodConfig.StageData policy, String purpose) {
    List<Map<String, Double>> stageScores = new ArrayList<>();
    Cost cost = Cost.NONE;
    ParamMask frozen = new ParamMask();
    ParamSnapshot current = start;
    for (int k = 0; k < stages.size(); k++) {
      List<Task> stage = stages.get(k);
      List<EncodedExample> data = stageData(ctx, stages, k, samplesPerTask, policy, purpose);
      LOG.info("{} stage {}/{} {}: {} examples, {} steps, LoRA adapters masked at {} frozen "
          + "entries", purpose, k + 1, stages.size(), stage.stream().map(Task::name).toList(),
          data.size(), stepsPerStage, frozen.cardinality());
      try (ModelSession m = ctx.maskedLoraSession(current, frozen,
          ctx.seed(purpose + "/adapters" + k))) {
        cost = cost.plus(ctx.train(m, data, stepsPerStage, ctx.seed(purpose + "/stage" + k),
            null));
        if (ctx.config().evaluation().eachStage()) {
          stageScores.add(ctx.scoresOnly(m));
        }
        current = MethodContext.parameters(m);
      }
      for (Task t : stage) {
        frozen = frozen.union(cores.get(t.name()));
      }
    }
    return new Result(current, cost, stageScores);
  }

  static List<EncodedExample> stageData(MethodContext ctx, List<List<Task>> stages, int k,
      int samplesPerTask, MethodConfig.StageData policy, String purpose) {
    MethodConfig c = ctx.config();
    List<SftRecord> records = new ArrayList<>();
    List<Task> current = stages.get(k);
    List<Task> earlier = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      earlier.addAll(stages.get(j));
    }
    List<Task> sampled = policy == MethodConfig.StageData.ALL_TASKS ? ctx.tasks() : current;
    for (Task t : sampled) {
      records.addAll(ctx.sample(t, samplesPerTask > 0 ? samplesPerTask : Integer.MAX_VALUE,
          ctx.seed(purpose + "/sample/" + k + "/" + t.name())));
    }
    if (policy == MethodConfig.StageData.STAGE_PLUS_REPLAY && c.pipeline().replayFraction() > 0) {
      int base = samplesPerTask > 0 ? samplesPerTask : current.get(0).train().size();
      int replay = Math.max(1, (int) Math.round(c.pipeline().replayFraction() * base));
      for (Task t : earlier) {
        records.addAll(ctx.sample(t, replay, ctx.seed(purpose + "/replay/" + k + "/" + t.name())));
      }
    }
    return ctx.encode(records, "stage " + (k + 1));
  }
}
