package org.cpift.method;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cpift.model.Lora;
import org.cpift.util.CpiftException;

/**
 * OSRM by name ({@code run-method --method osrm}): LoRA experts whose adapters start in
 * {@link Osrm}'s orthogonal subspaces, merged by task arithmetic with λ chosen on validation, as
 * in the paper's main pairing (Zhang and Zhou, ACL 2025, arXiv 2505.22934).
 *
 * <p>OSRM itself is an initialization of the experts, so every merge method can combine
 * OSRM-started experts: {@code --lora-init osrm} with the merge's own name (TIES, CoPA, ...) does
 * that, and this method is the same as {@code --method task-arithmetic --lora-init osrm}, with the
 * same experts, reused from the cache. Under {@code --lora-init osrm-matched} it keeps the
 * norm-matched start; under the default random start it takes OSRM's.
 */
public final class OsrmMerge implements Method {
  /** The method's name. */
  public static final String NAME = "osrm";
  /** The merge that combines the OSRM-started experts. */
  public static final String MERGE = "task-arithmetic";

  private final Baselines.Merge merge = new Baselines.Merge(MERGE);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Workload workload(MethodContext ctx) {
    return merge.workload(osrmStarted(ctx));
  }

  @Override
  public MethodResult run(MethodContext ctx) {
    MethodContext osrm = osrmStarted(ctx);
    if (ctx.keepsFinalModel()) {
      osrm.keepFinalModel(); // run-method --save-model
    }
    MethodResult r = merge.run(osrm);
    ctx.takeFinalModel(osrm);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("experts_init", Setting.FINETUNE.valueIn(osrm.config()));
    details.put("merge", MERGE);
    details.putAll(r.details());
    return new MethodResult(NAME, r.seed(), r.scores(), r.cost(), r.jaccard(), r.groups(),
        r.stageScores(), details);
  }

  /** {@code ctx} with its LoRA experts started by OSRM (the matched start kept when asked). */
  static MethodContext osrmStarted(MethodContext ctx) {
    Lora lora = ctx.config().training().lora();
    if (lora == null) {
      throw new CpiftException(NAME + " starts LoRA experts in orthogonal subspaces: fine-tune "
          + "the experts with --finetune lora");
    }
    if (lora.init() == Lora.Init.RANDOM) {
      lora = lora.withInit(Lora.Init.OSRM);
    }
    return ctx.withConfig(ctx.config().withTraining(ctx.config().training().withLora(lora)));
  }
}
