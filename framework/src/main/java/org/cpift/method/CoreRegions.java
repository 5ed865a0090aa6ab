package org.cpift.method;

import java.util.ArrayList;
import java.util.List;
import org.cpift.core.CoreConfig;
import org.cpift.core.CoreRegion;
import org.cpift.core.CoreRegionSelection;
import org.cpift.data.Batcher;
import org.cpift.data.EncodedExample;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.util.PhaseClock;

/** Step 2 applied to the experts: each task's importance scores and core region. */
public final class CoreRegions {
  private CoreRegions() {}

  public static List<CoreRegion> of(MethodContext ctx, List<ProbeFineTuning.Expert> experts) {
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.MERGE)) {
      return select(ctx, experts);
    }
  }

  private static List<CoreRegion> select(MethodContext ctx, List<ProbeFineTuning.Expert> experts) {
    CoreConfig cc = ctx.config().core();
    List<CoreRegion> out = new ArrayList<>();
    for (int i = 0; i < experts.size(); i++) {
      ProbeFineTuning.Expert e = experts.get(i);
      Task task = ctx.tasks().get(i);
      List<ParamSnapshot> grads = cc.score().needsGradients() ? gradients(ctx, e, task) : null;
      // the diff-pruning score ranks the entries a diff-pruned probe of the core's size keeps
      ParamSnapshot scored = cc.score().needsDiffPrunedProbe()
          ? ProbeFineTuning.diffPrunedProbe(ctx, task, cc.topPercent()).params() : e.params();
      ParamSnapshot scores = cc.score().compute(ctx.base().params(), scored, grads,
          cc.relativeEps());
      out.add(CoreRegionSelection.select(e.task(), scores, cc, ctx.seed("random-core/" + e.task())));
    }
    return out;
  }

  /**
   * The training the core score needs beyond the task runs the caller counted (each task fine-tuned
   * {@code countedSteps} steps in {@code ctx}), as a shared cost: a diff-pruned probe per task for
   * {@code --score diff-pruning} (cached and reused like an expert) unless it is that very run,
   * nothing otherwise.
   */
  public static Cost scoringCost(MethodContext ctx, int countedSteps) {
    CoreConfig cc = ctx.config().core();
    Cost out = Cost.NONE;
    if (cc.score().needsDiffPrunedProbe()) {
      for (Task task : ctx.tasks()) {
        if (ProbeFineTuning.diffPrunedProbeIs(ctx, task, cc.topPercent(), countedSteps)) {
          continue; // the caller's own run, counted where it is trained
        }
        out = out.plus(ProbeFineTuning.diffPrunedProbe(ctx, task, cc.topPercent()).cost()
            .asShared());
      }
    }
    return out;
  }

  /** Per-batch gradients of the task loss at the expert, over seeded training batches. */
  private static List<ParamSnapshot> gradients(MethodContext ctx, ProbeFineTuning.Expert e,
      Task task) {
    List<EncodedExample> data = ctx.encode(task.train(), task.name() + " train");
    Batcher b = new Batcher(data, ctx.config().training().batchSize(), ctx.seed("grad/" + task.name()));
    List<ParamSnapshot> out = new ArrayList<>();
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(e.params());
      for (int s = 0; s < ctx.config().core().gradientBatches(); s++) {
        out.add(m.gradients(b.batch(s)));
      }
    }
    return out;
  }
}
