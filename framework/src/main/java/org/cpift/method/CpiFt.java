package org.cpift.method;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.cluster.GroupingConfig;
import org.cpift.cluster.StageOrdering;
import org.cpift.cluster.TaskGrouping;
import org.cpift.core.CoreOverlap;
import org.cpift.core.CoreRegion;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.util.FileLocks;
import org.cpift.util.Json;
import org.cpift.util.PhaseClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core Parameter Isolation Fine-Tuning (arXiv 2508.21741), end to end:
 * <ol>
 *   <li>{@link ProbeFineTuning}: a single-task expert θi per task;</li>
 *   <li>{@link org.cpift.core.CoreRegionSelection}: core region C_i = top-p% of |θi − θ0|;</li>
 *   <li>{@link CoreOverlap} and {@link TaskGrouping}: Jaccard overlap, groups at J ≥ τ;</li>
 *   <li>{@link StageOrdering}: the groups become stages G1..GK;</li>
 *   <li>{@link CoreParameterFusion}: core transplant + SLERP of the rest;</li>
 *   <li>{@link PipelinedSft}: stage-by-stage SFT with earlier stages' cores frozen.</li>
 * </ol>
 * With {@code dpi} it is the DPI variant (arXiv 2601.17777): grouping, staging and freezing, but
 * no fusion — staged training starts from the base model with the training baselines' budget
 * (N·S steps over the stages), each stage on its own tasks' full training data, as DPI's
 * multi-stage SFT does (CPI-FT's stage-data option, whose default mixes every task into every
 * stage, is CPI-FT's: DPI trained on it would be multi-task SFT with restarts and freezing).
 */
public final class CpiFt implements Method {
  private static final Logger LOG = LoggerFactory.getLogger(CpiFt.class);
  private final boolean dpi;

  public CpiFt(boolean dpi) {
    this.dpi = dpi;
  }

  @Override
  public String name() {
    return dpi ? "dpi" : "cpi-ft";
  }

  /**
   * Probes, then the pipeline. The number of stages is known only after grouping: with overlap
   * grouping the estimate assumes the fixed K, else ⌈N/2⌉ stages.
   */
  @Override
  public Workload workload(MethodContext ctx) {
    MethodConfig c = ctx.config();
    int n = ctx.tasks().size();
    int stages = switch (c.staging().mode()) {
      case EACH_TASK -> n;
      case ONE_STAGE -> 1;
      case OVERLAP -> c.staging().grouping().fixedGroups() > 0
          ? Math.min(n, c.staging().grouping().fixedGroups()) : (n + 1) / 2;
    };
    long steps = dpi ? c.baselineSteps(n)
        : (long) stages * c.budgets().pipelineStepsPerStage(stages);
    long evals = (1 + (dpi || c.fusion().skip() ? 0 : 1)
        + (c.evaluation().eachStage() ? stages : 0)) * Workload.testItems(ctx);
    if (!dpi && c.fusion().omegaOnValidation()) {
      // every ω of the grid is trained (unless cached) and scored on validation
      // (pipelines cached by an ω's own cell are counted too: an upper bound)
      int k = c.fusion().omegaGrid().size();
      steps *= k;
      evals = (1 + k * (1 + (c.evaluation().eachStage() ? stages : 0))) * Workload.testItems(ctx)
          + k * Workload.valItems(ctx);
    }
    return Workload.of(steps, evals).withExperts(ctx, c.budgets().probeStepsOrExpert());
  }

  @Override
  public MethodResult run(MethodContext ctx) {
    MethodConfig c = ctx.config();
    List<Task> tasks = ctx.tasks();
    List<String> names = ctx.taskNames();
    List<ProbeFineTuning.Expert> experts = ProbeFineTuning.probes(ctx);
    Cost shared = Cost.NONE;
    Map<String, Double> valScores = new LinkedHashMap<>();
    for (ProbeFineTuning.Expert e : experts) {
      shared = shared.plus(e.cost().asShared());
      valScores.put(e.task(), e.valScore());
    }
    List<CoreRegion> cores = CoreRegions.of(ctx, experts);
    shared = shared.plus(CoreRegions.scoringCost(ctx, c.budgets().probeStepsOrExpert()));
    double[][] jaccard;
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.MERGE)) {
      jaccard = CoreOverlap.matrix(cores);
    }

    List<List<Integer>> groups = switch (c.staging().mode()) {
      case OVERLAP -> TaskGrouping.group(jaccard, c.staging().grouping()).groups();
      case EACH_TASK -> {
        List<List<Integer>> g = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
          g.add(List.of(i));
        }
        yield g;
      }
      case ONE_STAGE -> {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
          all.add(i);
        }
        yield List.of(all);
      }
    };
    List<List<Integer>> stages = StageOrdering.order(groups, c.staging().order(), ctx.seed("stage-order"),
        names, valScores, c.staging().explicitOrder());
    List<List<Task>> stageTasks = new ArrayList<>();
    List<Integer> flat = new ArrayList<>();
    for (List<Integer> g : stages) {
      stageTasks.add(g.stream().map(tasks::get).toList());
      flat.addAll(g);
    }
    Map<String, ParamMask> coreByTask = new LinkedHashMap<>();
    for (CoreRegion r : cores) {
      coreByTask.put(r.task(), r.mask());
    }

    List<List<String>> groupNames = stages.stream().map(g -> g.stream().map(names::get).toList())
        .toList();
    Trained chosen;
    Cost pipelines;
    Map<String, Object> omegaDetails = new LinkedHashMap<>();
    if (!dpi && c.fusion().omegaOnValidation()) {
      // ω chosen on validation after the whole pipeline: each ω of the grid is fused and
      // trained as its own cell would be (so cells of that ω share the model), the final
      // models scored on the validation split, normalized by the experts'
      chosen = null;
      pipelines = Cost.NONE;
      double bestVal = Double.NaN;
      double bestOmega = Double.NaN;
      double otherFusionSeconds = 0;
      List<Map<String, Object>> tried = new ArrayList<>();
      for (double w : c.fusion().omegaGrid()) {
        MethodContext at = ctx.withConfig(c.withFusion(f -> f.withOmegaGrid(List.of())
            .withAnchor(CoreParameterFusion.Anchor.BASE, w)));
        Trained t = trained(at, experts, cores, flat, stageTasks, coreByTask, groupNames);
        pipelines = pipelines.plus(t.outcome().pipeline().cost());
        long t0 = System.nanoTime();
        double val = Baselines.normalizedValidation(ctx, t.outcome().pipeline().params(),
            valScores);
        pipelines = pipelines.plus(new Cost(0, 0, (System.nanoTime() - t0) / 1e9, 0, 0, 0));
        LOG.info(String.format(java.util.Locale.ROOT,
            "%s: ω %s → validation avg normalized %.3f", name(), w, val));
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("omega", w);
        one.put("val_normalized", val);
        one.put("pipeline_reused", t.reused() || t.outcome().sameStart());
        tried.add(one);
        otherFusionSeconds += t.outcome().fusionSeconds();
        if (chosen == null || better(val, w, bestVal, bestOmega)) {
          bestVal = val;
          bestOmega = w;
          chosen = t;
        }
      }
      otherFusionSeconds -= chosen.outcome().fusionSeconds();
      pipelines = pipelines.plus(new Cost(0, 0, otherFusionSeconds, 0, 0, 0));
      omegaDetails.put("omega", bestOmega);
      // ω = 1 is the formula's largest (SLERP's endpoint θi): a choice there is not a grid
      // too narrow, and the report says so
      omegaDetails.put("range", Map.of("omega", List.of(0.0, 1.0)));
      omegaDetails.put("selected_on", "validation (average normalized score of the final "
          + "model over " + tried.size() + " values of ω)");
      omegaDetails.put("validation_grid", tried);
    } else {
      chosen = trained(ctx, experts, cores, flat, stageTasks, coreByTask, groupNames);
      pipelines = chosen.outcome().pipeline().cost();
    }
    PipelineOutcome outcome = chosen.outcome();
    String planKey = chosen.planKey();
    boolean reused = chosen.reused();
    PipelinedSft.Result r = outcome.pipeline();

    Map<String, Object> details = new LinkedHashMap<>();
    Map<String, Object> coreInfo = new LinkedHashMap<>();
    for (CoreRegion cr : cores) {
      coreInfo.put(cr.task(), Map.of("size", cr.size(), "eligible", cr.eligible(),
          "share_by_kind", cr.shareByKind(), "share_by_layer", cr.shareByLayer()));
    }
    details.put("cores", coreInfo);
    details.put("fusion_seconds", outcome.fusionSeconds());
    if (outcome.fusedScores() != null) {
      details.put("fused_scores", outcome.fusedScores());
    }
    details.put("pipeline_cache", planKey);
    details.put("pipeline_reused", reused);
    if (outcome.sameStart()) {
      // trained by a cell whose fusion options differ but gave the same fused bits
      details.put("pipeline_reused_same_start", true);
    }
    details.putAll(omegaDetails);
    return new MethodResult(name(), c.seed(), ctx.scoreFinal(r.params()),
        pipelines.plus(shared).plus(new Cost(0, 0, outcome.fusionSeconds(), 0, 0, 0)), jaccard, groupNames,
        r.stageScores(), details);
  }

  private static final String PIPELINES = "pipelines";

  /**
   * Whether validation score {@code val} at ω {@code w} beats the best so far: a higher score,
   * a tie to the larger ω, any number over NaN (NaN when the experts score 0).
   */
  static boolean better(double val, double w, double bestVal, double bestOmega) {
    if (Double.isNaN(val)) {
      return Double.isNaN(bestVal) && w > bestOmega;
    }
    return Double.isNaN(bestVal) || val > bestVal || val == bestVal && w > bestOmega;
  }

  /** A stage plan's pipelined model, the key it is cached under, and whether it was cached. */
  private record Trained(PipelineOutcome outcome, String planKey, boolean reused) {}

  /**
   * Steps 5–6 for the stage plan under {@code ctx}'s configuration, from the cache when this
   * plan and configuration were trained before.
   */
  private Trained trained(MethodContext ctx, List<ProbeFineTuning.Expert> experts,
      List<CoreRegion> cores, List<Integer> flat, List<List<Task>> stageTasks,
      Map<String, ParamMask> coreByTask, List<List<String>> groupNames) {
    // τ, linkage, a fixed K, the grouping mode and the order policy only choose the stage plan;
    // cells that resolve to the same plan train the same model, so that model is cached by the
    // plan (tau-sweep, linkage and each-task-stage cells often coincide with the default)
    Map<String, Object> plan = planDescription(ctx, groupNames);
    String planKey = ArtifactCache.key(plan);
    try (FileLocks.Held lock = ctx.cache().lock(PIPELINES, planKey)) {
      var cached = ctx.cache().get(PIPELINES, planKey);
      if (cached.isPresent()) {
        LOG.info("{}: stage plan {} trained before (cache {}); reusing its model", name(),
            groupNames, planKey.substring(0, 12));
        return new Trained(PipelineOutcome.of(cached.get()), planKey, true);
      }
      PipelineOutcome outcome = train(ctx, experts, cores, flat, stageTasks, coreByTask);
      ctx.cache().put(PIPELINES, planKey, outcome.pipeline().params(), outcome.pipeline().cost(),
          plan, outcome.meta());
      return new Trained(outcome, planKey, false);
    }
  }

  /** Steps 5 and 6 for one stage plan: the fused start (unless DPI), then pipelined SFT. */
  private record PipelineOutcome(PipelinedSft.Result pipeline, double fusionSeconds,
      Map<String, Double> fusedScores, boolean sameStart) {
    static PipelineOutcome of(ArtifactCache.Entry e) {
      JsonNode m = e.meta();
      List<Map<String, Double>> stageScores = Json.MAPPER.convertValue(m.get("stage_scores"),
          new TypeReference<List<Map<String, Double>>>() {});
      Map<String, Double> fused = m.has("fused_scores") ? Json.MAPPER.convertValue(
          m.get("fused_scores"), new TypeReference<LinkedHashMap<String, Double>>() {}) : null;
      return new PipelineOutcome(new PipelinedSft.Result(e.params(), e.cost(), stageScores),
          m.path("fusion_seconds").asDouble(), fused, false);
    }

    /** What {@link #of} reads back, stored next to the cached model. */
    Map<String, Object> meta() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("stage_scores", pipeline.stageScores());
      m.put("fusion_seconds", fusionSeconds);
      if (fusedScores != null) {
        m.put("fused_scores", fusedScores);
      }
      return m;
    }
  }

  private PipelineOutcome train(MethodContext ctx, List<ProbeFineTuning.Expert> experts,
      List<CoreRegion> cores, List<Integer> flat, List<List<Task>> stageTasks,
      Map<String, ParamMask> coreByTask) {
    MethodConfig c = ctx.config();
    ParamSnapshot start;
    double fusionSeconds = 0;
    if (dpi || c.fusion().skip()) {
      start = ctx.base().params();
    } else {
      long t0 = System.nanoTime();
      List<ParamSnapshot> ordered = flat.stream().map(i -> experts.get(i).params()).toList();
      List<ParamMask> orderedCores = flat.stream().map(i -> cores.get(i).mask()).toList();
      try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.MERGE)) {
        start = CoreParameterFusion.fuse(ctx.base().params(), ordered, orderedCores, c.fusion());
      }
      fusionSeconds = (System.nanoTime() - t0) / 1e9;
      // steps 5–6 are a function of the fused start: a variant whose fusion options give the
      // same bits (SLERP falling back to the same lerp, say) trains the same model, so the
      // pipelined model is also cached by the start's digest
      List<List<String>> plan = stageTasks.stream()
          .map(g -> g.stream().map(Task::name).toList()).toList();
      Map<String, Object> startDescription = startDescription(ctx, plan, start.sha256());
      String startKey = ArtifactCache.key(startDescription);
      try (FileLocks.Held lock = ctx.cache().lock(PIPELINES, startKey)) {
        var same = ctx.cache().get(PIPELINES, startKey);
        if (same.isPresent()) {
          LOG.info("{}: the fused start and stage plan {} were trained before (cache {}, same "
              + "bits from other fusion options); reusing its model", name(), plan,
              startKey.substring(0, 12));
          PipelineOutcome o = PipelineOutcome.of(same.get());
          return new PipelineOutcome(o.pipeline(), fusionSeconds, o.fusedScores(), true);
        }
        PipelineOutcome o = fusedAndTrained(ctx, start, stageTasks, coreByTask, fusionSeconds);
        ctx.cache().put(PIPELINES, startKey, o.pipeline().params(), o.pipeline().cost(),
            startDescription, o.meta());
        return o;
      }
    }
    return fusedAndTrained(ctx, start, stageTasks, coreByTask, fusionSeconds);
  }

  /** The fused start's scores (unless DPI or no fusion), then pipelined SFT from it. */
  private PipelineOutcome fusedAndTrained(MethodContext ctx, ParamSnapshot start,
      List<List<Task>> stageTasks, Map<String, ParamMask> coreByTask, double fusionSeconds) {
    MethodConfig c = ctx.config();
    Map<String, Double> fusedScores = null;
    if (!dpi && !c.fusion().skip()) {
      // how much of the experts' skill the fused model keeps before any pipelined training
      fusedScores = new LinkedHashMap<>();
      for (var e : ctx.evaluate(start).entrySet()) {
        fusedScores.put(e.getKey(), e.getValue().get("score"));
      }
    }
    PipelinedSft.Result r = dpi
        ? PipelinedSft.runWith(ctx, start, stageTasks, coreByTask,
            Math.max(1, c.baselineSteps(ctx.tasks().size()) / stageTasks.size()), 0, c.pipeline().freeze(),
            MethodConfig.StageData.STAGE_ONLY, name())
        : PipelinedSft.run(ctx, start, stageTasks, coreByTask,
            c.budgets().pipelineStepsPerStage(stageTasks.size()),
            c.budgets().stageSamples(), c.pipeline().freeze(), name());
    return new PipelineOutcome(r, fusionSeconds, fusedScores, false);
  }

  /**
   * Everything that determines step 6 from a given fused start: the plan's description with the
   * fusion options set to fixed values and the start's digest in their place.
   */
  private Map<String, Object> startDescription(MethodContext ctx, List<List<String>> plan,
      String startSha256) {
    Map<String, Object> k = planDescription(ctx, plan);
    k.put("config", ((MethodConfig) k.get("config"))
        .withFusion(f -> CoreParameterFusion.Config.paper()));
    k.put("fused_start_sha256", startSha256);
    return k;
  }

  /**
   * Everything that determines steps 5–6 once the stage plan is known: the method, the
   * configuration with the plan-choosing fields (grouping threshold, linkage, K, grouping mode,
   * order policy) set to fixed values, the resolved plan, the base and the task data.
   */
  private Map<String, Object> planDescription(MethodContext ctx, List<List<String>> plan) {
    MethodConfig c = ctx.config().withStaging(st -> st.withGrouping(GroupingConfig.paper())
        .withMode(MethodConfig.GroupingMode.OVERLAP).withOrder(StageOrdering.Policy.RANDOM,
            List.of()));
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("method", name());
    Methods.putRevision(k, name());
    k.put("config", c);
    k.put("stages", plan);
    k.put("base", ctx.baseHash());
    k.put("data", ctx.dataChecksums());
    Methods.putDiffGates(k, ctx.config()); // diff-pruned experts or cores: not the former gates'
    return k;
  }
}
