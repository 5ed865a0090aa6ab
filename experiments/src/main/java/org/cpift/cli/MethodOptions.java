package org.cpift.cli;

import java.util.List;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cpift.method.Setting;
import org.cpift.model.Lora;
import org.cpift.cluster.GroupingConfig;
import org.cpift.cluster.StageOrdering;
import org.cpift.core.CoreConfig;
import org.cpift.core.ImportanceScore;
import org.cpift.merge.CoreParameterFusion;
import org.cpift.merge.Interpolation;
import org.cpift.merge.MergeOptions;
import org.cpift.merge.MergeParam;
import org.cpift.merge.MergeRegistry;
import org.cpift.method.MethodConfig;
import org.cpift.util.CpiftException;
import picocli.CommandLine.Option;

/** The options of every switch of docs/method.md and the ablations, shared by the method commands. */
final class MethodOptions {
  @Option(names = "--expert-steps", description = "steps of each single-task expert / probe (default: the preset's)")
  Integer expertSteps;

  @Option(names = "--probe-steps", description = "CPI-FT/DPI probe fine-tunes of this many steps, "
      + "from which cores are found and which are fused (default: the experts themselves, --expert-steps)")
  Integer probeSteps;

  @Option(names = "--pipeline-steps", description = "CPI-FT pipelined SFT steps per stage (default: the preset's)")
  Integer pipelineSteps;

  @Option(names = "--stage-samples", description = "balanced sample per task per stage (default: the preset's)")
  Integer stageSamples;

  @Option(names = "--replay", description = "replay sample per earlier task, as a fraction of --stage-samples (default: 0.25)")
  Double replay;

  @Option(names = "--stage-data", description = "all-tasks (default: every stage samples every task, the paper's mixed-task data), stage-plus-replay or stage-only")
  String stageData;

  @Option(names = "--top-p", description = "core region size p in percent (default: 1)")
  Double topP;

  @Option(names = "--core-scope", description = "global (default), per-tensor or per-layer")
  String coreScope;

  @Option(names = "--exclude-embeddings-norms", description = "leave embeddings and norms out of core regions")
  boolean excludeEmbeddingsNorms;

  @Option(names = "--score", description = "importance score: abs-delta (default), relative-delta, grad-x-weight, fisher, diff-pruning (the entries a diff-pruned probe of the core's size keeps)")
  String score;

  @Option(names = "--random-core", description = "ablation: random core regions of the same size")
  boolean randomCore;

  @Option(names = "--tau", description = "grouping threshold τ on Jaccard (default: 0.1)")
  Double tau;

  @Option(names = "--linkage", description = "single (default), average or complete")
  String linkage;

  @Option(names = "--groups", description = "cut into exactly this many groups instead of at τ")
  Integer groups;

  @Option(names = "--grouping", description = "overlap (default); ablations: each-task, one-stage")
  String grouping;

  @Option(names = "--stage-order", description = "random (default), by-size, easy-to-hard, explicit or task-order (the suite's order)")
  String stageOrder;

  @Option(names = "--stage-order-tasks", split = ",", description = "task names in order, for --stage-order explicit")
  List<String> stageOrderTasks;

  @Option(names = "--no-fusion", description = "ablation: CPI-FT's pipeline starts from the base model (its own budget, unlike dpi)")
  boolean noFusion;

  @Option(names = "--no-transplant", description = "ablation: no core transplant (interpolate every entry)")
  boolean noTransplant;

  @Option(names = "--interpolation", description = "slerp (default), multi-slerp or linear")
  String interpolation;

  @Option(names = "--slerp-granularity", description = "the vector an interpolation's angle is "
      + "measured over: per-tensor (default), per-row or whole-model")
  String slerpGranularity;

  @Option(names = "--fusion-anchor", description = "experts (default: the task models "
      + "interpolated with one another) or base (the paper's SLERP(θ_base, θ_i, ω) per task, the "
      + "displacements summed)")
  String fusionAnchor;

  @Option(names = "--omega", description = "with --fusion-anchor base: the weight ω toward each task model (default: 1)")
  Double omega;

  @Option(names = "--omega-grid", split = ",", description = "with --fusion-anchor base: try "
      + "each ω (comma-separated, each in (0, 1]), training the pipeline from each fused start, "
      + "and keep the final model that scores best on the validation split (replaces --omega)")
  List<Double> omegaGrid;

  @Option(names = "--colinear", description = "SLERP falls back to linear interpolation when |cos| exceeds this (default: 0.9995)")
  Double colinear;

  @Option(names = "--overlap", description = "overlapping cores: larger-delta (default), later-stage or average")
  String overlap;

  @Option(names = "--no-freeze", description = "ablation: do not freeze earlier stages' cores")
  boolean noFreeze;

  @Option(names = "--multi-stage-k", description = "stages of the multi-stage baselines (default: 3)")
  Integer multiStageK;

  @Option(names = "--lambda", description = "task arithmetic / DARE-TA scaling (default: chosen on validation, task arithmetic from 0.1..1.0, DARE-TA from 0.2..1.0; a merge's own value given turns its selection off: the values given are used, the rest at their defaults)")
  Double lambda;

  @Option(names = "--lines-beta", description = "LiNeS (lines, lines-ties): the last block's "
      + "task-vector scaling exceeds the first's by this (default: chosen on validation from "
      + "0.1..1.0 then 1.2..2.0, lines-ties 0.1..1.5 then 1.7..2.5)")
  Double linesBeta;

  @Option(names = "--copa-lambda", description = "CoPA (copa): scaling of the merged adapters' "
      + "product (default: chosen on validation from 1, 2, 3, 4; the paper's 2)")
  Double copaLambda;

  @Option(names = "--ties-lambda", description = "TIES / DARE-TIES scaling (default: chosen on validation, TIES from 0.6, 1, 1.4, 1.8, 2.2, DARE-TIES from 0.6, 1, 1.4)")
  Double tiesLambda;

  @Option(names = "--ties-k", description = "TIES top-k%% (default: chosen on validation from 10, 20, 40)")
  Double tiesK;

  @Option(names = "--dare-p", description = "DARE drop rate (default: chosen on validation, dare-ta from 0.1, 0.3, 0.5, 0.7, dare-ties from 0.3, 0.5, 0.7)")
  Double dareP;

  @Option(names = "--eval-limit", description = "at most this many test examples per task (0 = all; default: the preset's)")
  Integer evalLimit;

  @Option(names = "--eval-each-stage", description = "score every task after every stage of staged methods")
  boolean evalEachStage;

  @Option(names = "--lr", description = "fine-tuning peak learning rate (default: the preset's)")
  Float lr;

  @Option(names = "--batch-size", description = "fine-tuning batch size (default: the preset's)")
  Integer batchSize;

  @Option(names = "--finetune", description = "full (default), lora or diff-pruning: every "
      + "fine-tuning run (experts, baselines) trains LoRA adapters on a frozen base, merged into "
      + "the weights after training, or a diff-pruned update of it (hard-concrete gates, "
      + "projected to --diff-sparsity); where CPI-FT's pipeline freezes entries of the weights, "
      + "LoRA trains adapters masked at those entries (see --lora-frozen-entries) and diff "
      + "pruning trains the weights")
  String finetune;

  @Option(names = "--lora-init", description = "with --finetune lora, how experts' adapters "
      + "start: random (default; A uniform, B zero), osrm (A's columns orthonormal and "
      + "orthogonal to the other tasks' mean inputs, Zhang and Zhou 2025, as the authors' code) "
      + "or osrm-matched (the same directions at the random start's column norms, so that only "
      + "the subspace differs from random; the peft experiment's)")
  String loraInit;

  @Option(names = "--lora-frozen-entries", description = "with --finetune lora, how CPI-FT's "
      + "pipeline honours earlier stages' cores: adapters (default; fresh adapters per stage, "
      + "their update zero at the frozen entries) or weights (the weights train, masked)")
  String loraFrozenEntries;

  @Option(names = "--lora-rank", description = "LoRA rank r (default: 8)")
  Integer loraRank;

  @Option(names = "--lora-alpha", description = "LoRA alpha; the update is scaled by alpha/r "
      + "(default: 16)")
  Double loraAlpha;

  @Option(names = "--lora-targets", split = ",", description = "matrices with adapters, among "
      + "wq,wk,wv,wo,w1,w2,wg (default: wq,wv, as PEFT's for Llama)")
  List<String> loraTargets;

  @Option(names = "--lora-dropout", description = "dropout on the adapters' input during "
      + "training, as PEFT's lora_dropout (default: 0)")
  Double loraDropout;

  @Option(names = "--lora-lr", description = "with --finetune lora, the adapters' peak "
      + "learning rate (default: --lr; LoRA is usually trained at several times full "
      + "fine-tuning's rate); runs that train the weights keep --lr")
  Double loraLr;

  @Option(names = "--diff-sparsity", description = "with --finetune diff-pruning: the percentage "
      + "of all entries the pruned diff keeps (default: 0.5, the paper's)")
  Double diffSparsity;

  @Option(names = "--diff-structured", description = "with --finetune diff-pruning: a gate per "
      + "tensor as well as per entry, the paper's structured diff pruning (its expected L0 "
      + "P(tensor open)·Σ P(entry open)), so whole tensors can drop out")
  boolean diffStructured;

  /** The diff pruning the options ask for, or null. */
  org.cpift.model.DiffPruning diffPruning() {
    String mode = finetune == null ? "full" : finetune;
    if (!mode.equals("diff-pruning")) {
      if (diffSparsity != null || diffStructured) {
        throw new IllegalArgumentException("--diff-sparsity and --diff-structured need "
            + "--finetune diff-pruning");
      }
      return null;
    }
    return new org.cpift.model.DiffPruning(diffSparsity != null ? diffSparsity : 0.5)
        .withStructured(diffStructured);
  }

  /** The LoRA the options ask for, or null for full fine-tuning. */
  Lora lora() {
    String mode = finetune == null ? "full" : finetune;
    if (!mode.equals("full") && !mode.equals("lora") && !mode.equals("diff-pruning")) {
      throw new IllegalArgumentException("--finetune must be full, lora or diff-pruning; got "
          + finetune);
    }
    if (!mode.equals("lora")) {
      if (loraRank != null || loraAlpha != null || loraTargets != null || loraDropout != null
          || loraFrozenEntries != null || loraInit != null || loraLr != null) {
        throw new IllegalArgumentException("--lora-rank, --lora-alpha, --lora-targets, "
            + "--lora-dropout, --lora-init, --lora-frozen-entries and --lora-lr need --finetune "
            + "lora");
      }
      return null;
    }
    Lora.Init init = Lora.Init.RANDOM;
    if (loraInit != null) {
      switch (loraInit) {
        case "random" -> init = Lora.Init.RANDOM;
        case "osrm" -> init = Lora.Init.OSRM;
        case "osrm-matched" -> init = Lora.Init.OSRM_MATCHED;
        default -> throw new IllegalArgumentException("--lora-init must be random, osrm or "
            + "osrm-matched; got " + loraInit);
      }
    }
    Lora.FrozenEntries frozen = Lora.FrozenEntries.ADAPTERS;
    if (loraFrozenEntries != null) {
      switch (loraFrozenEntries) {
        case "adapters" -> frozen = Lora.FrozenEntries.ADAPTERS;
        case "weights" -> frozen = Lora.FrozenEntries.WEIGHTS;
        default -> throw new IllegalArgumentException("--lora-frozen-entries must be adapters or "
            + "weights; got " + loraFrozenEntries);
      }
    }
    return new Lora(loraRank != null ? loraRank : 8, loraAlpha != null ? loraAlpha : 16,
        loraTargets != null ? loraTargets : List.of("wq", "wv"),
        loraDropout != null ? loraDropout : 0).withFrozenEntries(frozen).withInit(init)
        .withLr(loraLr != null ? loraLr : 0);
  }

  /** The option that sets each declared setting (every setting has one; a test checks). */
  static final Map<Setting, String> OPTION = new EnumMap<>(Map.ofEntries(
      Map.entry(Setting.LR, "--lr"), Map.entry(Setting.BATCH_SIZE, "--batch-size"),
      Map.entry(Setting.FINETUNE, "--finetune"),
      Map.entry(Setting.EXPERT_STEPS, "--expert-steps"),
      Map.entry(Setting.PROBE_STEPS, "--probe-steps"),
      Map.entry(Setting.PIPELINE_STEPS, "--pipeline-steps"),
      Map.entry(Setting.STAGE_SAMPLES, "--stage-samples"),
      Map.entry(Setting.TOP_PERCENT, "--top-p"), Map.entry(Setting.CORE_SCOPE, "--core-scope"),
      Map.entry(Setting.CORE_SCORE, "--score"),
      Map.entry(Setting.EXCLUDE_EMBEDDINGS_NORMS, "--exclude-embeddings-norms"),
      Map.entry(Setting.RANDOM_CORE, "--random-core"), Map.entry(Setting.TAU, "--tau"),
      Map.entry(Setting.LINKAGE, "--linkage"), Map.entry(Setting.FIXED_GROUPS, "--groups"),
      Map.entry(Setting.GROUPING_MODE, "--grouping"),
      Map.entry(Setting.STAGE_ORDER, "--stage-order"),
      Map.entry(Setting.EXPLICIT_ORDER, "--stage-order-tasks"),
      Map.entry(Setting.MULTI_STAGE_K, "--multi-stage-k"),
      Map.entry(Setting.TRANSPLANT, "--no-transplant"),
      Map.entry(Setting.SKIP_FUSION, "--no-fusion"),
      Map.entry(Setting.INTERPOLATION, "--interpolation"),
      Map.entry(Setting.GRANULARITY, "--slerp-granularity"),
      Map.entry(Setting.ANCHOR, "--fusion-anchor"), Map.entry(Setting.OMEGA, "--omega"),
      Map.entry(Setting.OMEGA_GRID, "--omega-grid"),
      Map.entry(Setting.COLINEAR, "--colinear"), Map.entry(Setting.OVERLAP, "--overlap"),
      Map.entry(Setting.STAGE_DATA, "--stage-data"), Map.entry(Setting.REPLAY, "--replay"),
      Map.entry(Setting.FREEZE, "--no-freeze"), Map.entry(Setting.EVAL_LIMIT, "--eval-limit"),
      Map.entry(Setting.EVAL_EACH_STAGE, "--eval-each-stage")));

  private static String norm(String s) {
    return s.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
    try {
      return Enum.valueOf(type, norm(value));
    } catch (IllegalArgumentException e) {
      StringBuilder ok = new StringBuilder();
      for (E v : type.getEnumConstants()) {
        ok.append(ok.length() > 0 ? ", " : "").append(v.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new CpiftException(option + ": unknown value '" + value + "'; use one of " + ok);
    }
  }

  /** The merge hyperparameters typed on the command line, with their values. */
  Map<MergeParam, Double> mergeValues() {
    Map<MergeParam, Double> typed = new java.util.LinkedHashMap<>();
    typed.put(MergeParam.LAMBDA, lambda);
    typed.put(MergeParam.TIES_LAMBDA, tiesLambda);
    typed.put(MergeParam.TIES_K, tiesK);
    typed.put(MergeParam.DARE_P, dareP);
    typed.put(MergeParam.LINES_BETA, linesBeta);
    typed.put(MergeParam.COPA_LAMBDA, copaLambda);
    typed.values().removeIf(java.util.Objects::isNull);
    return typed;
  }

  /**
   * The merge hyperparameters' options {@code method} reads: a merge's declared ones; OSRM's,
   * those of the merge it runs; none for any other method (null: none).
   */
  static Set<String> mergeOptionsRead(String method) {
    Set<String> read = new java.util.LinkedHashSet<>();
    String merge = org.cpift.method.OsrmMerge.NAME.equals(method)
        ? org.cpift.method.OsrmMerge.MERGE : method;
    if (merge != null && MergeRegistry.names().contains(merge)) {
      MergeRegistry.params(merge).forEach(x -> read.add(x.option()));
    }
    return read;
  }

  /**
   * {@code c} with the options given on the command line, for a run of {@code method} (null
   * when no method runs): a merge's hyperparameters typed for it turn its selection on
   * validation off.
   */
  MethodConfig apply(MethodConfig c, String method) {
    refuseContradictions();
    if (expertSteps != null) {
      c = c.withBudgets(b -> b.withExpertSteps(expertSteps));
    }
    if (pipelineSteps != null) {
      c = c.withBudgets(b -> b.withPipelineSteps(pipelineSteps));
    }
    if (probeSteps != null) {
      if (probeSteps < 1) {
        throw new CpiftException("--probe-steps: must be at least 1, got " + probeSteps);
      }
      c = c.withBudgets(b -> b.withProbeSteps(probeSteps));
    }
    if (stageSamples != null) {
      c = c.withBudgets(b -> b.withStageSamples(stageSamples));
    }
    if (replay != null) {
      c = c.withPipeline(pl -> pl.withReplayFraction(replay));
    }
    if (stageData != null) {
      MethodConfig.StageData d = parse(MethodConfig.StageData.class,
          stageData.equals("stage") ? "stage-only" : stageData, "--stage-data");
      c = c.withPipeline(pl -> pl.withStageData(d));
    }
    CoreConfig core = c.core();
    if (topP != null) {
      core = core.withTopPercent(topP);
    }
    if (coreScope != null) {
      core = core.withScope(parse(CoreConfig.Scope.class, coreScope, "--core-scope"));
    }
    if (excludeEmbeddingsNorms) {
      core = core.withExcludeEmbeddingsAndNorms(true);
    }
    if (score != null) {
      core = core.withScore(ImportanceScore.parse(score));
    }
    if (randomCore) {
      core = core.withRandom(true);
    }
    CoreConfig coreFinal = core;
    c = c.withCore(x -> coreFinal);
    GroupingConfig g = c.staging().grouping();
    if (tau != null) {
      g = g.withTau(tau);
    }
    if (linkage != null) {
      g = g.withLinkage(parse(GroupingConfig.Linkage.class, linkage, "--linkage"));
    }
    if (groups != null) {
      if (groups < 1) {
        throw new IllegalArgumentException("--groups must be >= 1, got " + groups
            + " (leave it out to cut the dendrogram at τ)");
      }
      g = g.withFixedGroups(groups);
    }
    GroupingConfig gFinal = g;
    c = c.withStaging(st -> st.withGrouping(gFinal));
    if (grouping != null) {
      MethodConfig.GroupingMode mode = parse(MethodConfig.GroupingMode.class, grouping,
          "--grouping");
      c = c.withStaging(st -> st.withMode(mode));
    }
    if (stageOrderTasks != null && !stageOrderTasks.isEmpty()
        && !"explicit".equals(stageOrder)) {
      throw new IllegalArgumentException("--stage-order-tasks is used only with --stage-order "
          + "explicit; add it (or drop --stage-order-tasks)");
    }
    if (stageOrder != null) {
      StageOrdering.Policy policy = parse(StageOrdering.Policy.class, stageOrder, "--stage-order");
      if ("sequential".equals(method) && policy != StageOrdering.Policy.EXPLICIT
          && policy != StageOrdering.Policy.TASK_ORDER) {
        throw new IllegalArgumentException("--stage-order " + stageOrder + ": sequential trains "
            + "the tasks in the suite's order (task-order, its default) or in an explicit one "
            + "(--stage-order explicit --stage-order-tasks a,b,...); give one of those");
      }
      c = c.withStaging(st -> st.withOrder(policy, stageOrderTasks));
    }
    CoreParameterFusion.Config f = c.fusion();
    if (noTransplant) {
      f = f.withTransplant(false);
    }
    if (noFusion) {
      f = f.withSkip(true);
    }
    if (interpolation != null) {
      f = f.withInterpolation(parse(Interpolation.class, interpolation, "--interpolation"));
    }
    if (overlap != null) {
      f = f.withOverlap(parse(CoreParameterFusion.OverlapPolicy.class, overlap, "--overlap"));
    }
    if (slerpGranularity != null) {
      f = f.withGranularity(parse(CoreParameterFusion.Granularity.class, slerpGranularity,
          "--slerp-granularity"));
    }
    if (fusionAnchor != null || omega != null) {
      f = f.withAnchor(fusionAnchor != null ? parse(CoreParameterFusion.Anchor.class, fusionAnchor,
          "--fusion-anchor") : f.anchor(), omega != null ? omega : f.omega());
    }
    if (omega != null && f.anchor() != CoreParameterFusion.Anchor.BASE) {
      // the task-model anchor takes no ω: recording one it ignores would misstate the run
      throw new IllegalArgumentException("--omega weights the interpolation from the base; add "
          + "--fusion-anchor base (the default anchor, between the task models, takes no ω)");
    }
    if (omegaGrid != null) {
      if (omega != null) {
        throw new IllegalArgumentException("--omega and --omega-grid both give ω; keep one");
      }
      f = f.withOmegaGrid(omegaGrid);
    }
    if (colinear != null) {
      f = f.withColinear(colinear);
    }
    CoreParameterFusion.Config fFinal = f;
    c = c.withFusion(x -> fFinal);
    if (noFreeze) {
      c = c.withPipeline(pl -> pl.withFreeze(false));
    }
    if (multiStageK != null) {
      c = c.withStaging(st -> st.withMultiStageK(multiStageK));
    }
    MergeOptions m = c.merge();
    Map<MergeParam, Double> given = mergeValues();
    for (Map.Entry<MergeParam, Double> e : given.entrySet()) {
      m = m.with(e.getKey(), e.getValue());
    }
    if (given.keySet().stream().anyMatch(x -> mergeOptionsRead(method).contains(x.option()))) {
      // the method's own values given on the command line are used as given, not chosen on
      // validation; another merge's value changes nothing (run-method warns of it)
      m = m.withSelectOnValidation(false);
    }
    MergeOptions mFinal = m;
    c = c.withMerge(x -> mFinal);
    if (evalLimit != null) {
      c = c.withEvaluation(e -> e.withLimit(evalLimit));
    }
    if (evalEachStage) {
      c = c.withEvaluation(e -> e.withEachStage(true));
    }
    if (lr != null) {
      c = c.withTraining(c.training().withLr(lr));
    }
    c = c.withTraining(c.training().withLora(lora()).withDiffPruning(diffPruning()));
    if (batchSize != null) {
      c = c.withTraining(c.training().withBatchSize(batchSize));
    }
    return c;
  }

  /**
   * Options that an ablation typed beside them turns off: refused, since the run would record
   * them in its manifest while they change nothing.
   */
  private void refuseContradictions() {
    if (noFusion) {
      Map<String, Boolean> fusion = new java.util.LinkedHashMap<>();
      fusion.put("--no-transplant", noTransplant);
      fusion.put("--interpolation", interpolation != null);
      fusion.put("--slerp-granularity", slerpGranularity != null);
      fusion.put("--fusion-anchor", fusionAnchor != null);
      fusion.put("--omega", omega != null);
      fusion.put("--omega-grid", omegaGrid != null);
      fusion.put("--colinear", colinear != null);
      fusion.put("--overlap", overlap != null);
      refuseGiven(fusion, "sets the fusion, which --no-fusion leaves out (the pipeline starts "
          + "from the base)");
    }
    if (grouping != null && parse(MethodConfig.GroupingMode.class, grouping, "--grouping")
        != MethodConfig.GroupingMode.OVERLAP) {
      Map<String, Boolean> overlapGrouping = new java.util.LinkedHashMap<>();
      overlapGrouping.put("--tau", tau != null);
      overlapGrouping.put("--groups", groups != null);
      overlapGrouping.put("--linkage", linkage != null);
      refuseGiven(overlapGrouping, "sets the overlap grouping, which --grouping " + grouping
          + " replaces");
    }
    if (randomCore) {
      refuseGiven(Map.of("--score", score != null), "ranks entries for the core, which "
          + "--random-core draws at random instead (of the same size)");
    }
  }

  /** Refuses the first option of {@code given} that was typed, saying why it does nothing. */
  private static void refuseGiven(Map<String, Boolean> given, String why) {
    given.forEach((option, typed) -> {
      if (typed) {
        throw new IllegalArgumentException(option + " " + why + "; keep one of the two");
      }
    });
  }

}
