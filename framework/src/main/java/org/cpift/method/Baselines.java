package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.cluster.StageOrdering;
import org.cpift.merge.MergeContext;
import org.cpift.merge.MergeMethod;
import org.cpift.merge.MergeOptions;
import org.cpift.merge.MergeRegistry;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.util.CpiftException;
import org.cpift.util.PhaseClock;
import org.cpift.util.Shuffle;

/**
 * The methods CPI-FT is judged against. Budgets: a training baseline gets as many steps as all
 * single-task experts together (N·S), so it sees the same number of fine-tuning tokens as the
 * experts CPI-FT starts from; merging baselines reuse the experts and train nothing.
 */
public final class Baselines {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Baselines.class);

  private Baselines() {}

  /** The base model, not fine-tuned. */
  public static final class Base implements Method {
    @Override
    public String name() {
      return "base";
    }

    @Override
    public Workload workload(MethodContext ctx) {
      return Workload.of(0, Workload.testItems(ctx));
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      return new MethodResult(name(), ctx.config().seed(), ctx.scoreFinal(ctx.base().params()),
          Cost.NONE, null, null, List.of(), Map.of());
    }
  }

  /** Single-task experts: each task's score is its own expert's (the per-task reference). */
  public static final class SingleTask implements Method {
    @Override
    public String name() {
      return "single-task";
    }

    @Override
    public Workload workload(MethodContext ctx) {
      return Workload.of(0, Workload.testItems(ctx)).withExperts(ctx);
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
      Cost cost = Cost.NONE;
      for (Task t : ctx.tasks()) {
        ProbeFineTuning.Expert e = ProbeFineTuning.expert(ctx, t);
        cost = cost.plus(e.cost().asShared());
        try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
          m.loadParameters(e.params());
          scores.put(t.name(), SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), t,
              SuiteEvaluator.Split.TEST, ctx.config().evaluation().limit()));
        }
      }
      return new MethodResult(name(), ctx.config().seed(), scores, cost, null, null, List.of(),
          Map.of());
    }
  }

  /** Multi-task SFT ("Full SFT"): every task's training data mixed, N·S steps. */
  public static final class MultiTask implements Method {
    @Override
    public String name() {
      return "multi-task";
    }

    @Override
    public Workload workload(MethodContext ctx) {
      return Workload.of(ctx.config().baselineSteps(ctx.tasks().size()), Workload.testItems(ctx));
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      int steps = ctx.config().baselineSteps(ctx.tasks().size());
      return trained(ctx, (m, cost) -> new MethodResult(name(), ctx.config().seed(),
          ctx.scoreFinal(m), cost, null, List.of(ctx.taskNames()), List.of(),
          Map.of("steps", steps)));
    }

    /**
     * Trains the multi-task model as {@link #run} does (the same seeds, so the same model) and
     * hands it, with its cost, to {@code use} before closing it; the testbed gate scores it on
     * validation this way.
     */
    public static <T> T trained(MethodContext ctx,
        java.util.function.BiFunction<ModelSession, Cost, T> use) {
      String name = "multi-task";
      int steps = ctx.config().baselineSteps(ctx.tasks().size());
      try (ModelSession m = ctx.session(ctx.base().params(), ctx.seed(name))) {
        Cost cost = ctx.train(m, ctx.trainData(ctx.tasks()), steps, ctx.seed(name + "/data"), null);
        return use.apply(m, cost);
      }
    }
  }

  /**
   * Multi-stage SFT: the tasks partitioned into K stages trained one after another (N·S/K steps
   * each, one optimizer state throughout). {@code random}: a seeded random partition (the paper);
   * heuristic: easy to hard — tasks sorted by their expert's validation score, highest first, and
   * cut into K contiguous stages, so the hardest tasks come last and are forgotten least.
   */
  public static final class MultiStage implements Method {
    private final boolean heuristic;

    public MultiStage(boolean heuristic) {
      this.heuristic = heuristic;
    }

    @Override
    public String name() {
      return heuristic ? "multi-stage-heuristic" : "multi-stage-random";
    }

    @Override
    public Workload workload(MethodContext ctx) {
      int k = Math.min(ctx.config().staging().multiStageK(), ctx.tasks().size());
      Workload w = Workload.of(ctx.config().baselineSteps(ctx.tasks().size()),
          Workload.testItems(ctx) * (ctx.config().evaluation().eachStage() ? k : 1));
      return heuristic ? w.withExperts(ctx) : w;
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      List<Task> order = new ArrayList<>(ctx.tasks());
      Cost shared = Cost.NONE;
      if (heuristic) {
        Map<String, Double> val = new LinkedHashMap<>();
        for (Task t : ctx.tasks()) {
          ProbeFineTuning.Expert e = ProbeFineTuning.expert(ctx, t);
          val.put(t.name(), e.valScore());
          shared = shared.plus(e.cost().asShared());
        }
        order.sort((a, b) -> Double.compare(val.get(b.name()), val.get(a.name())));
      } else {
        SplittableRandom rnd = new SplittableRandom(ctx.seed(name() + "/partition"));
        Shuffle.inPlace(order, rnd);
      }
      int k = Math.min(ctx.config().staging().multiStageK(), order.size());
      if (k < ctx.config().staging().multiStageK()) {
        LOG.warn("multi-stage K = {} is more than "
            + "the {} tasks; {} stages of one task each", ctx.config().staging().multiStageK(), order.size(), k);
      }
      List<List<Task>> stages = new ArrayList<>();
      for (int s = 0; s < k; s++) {
        stages.add(order.subList(s * order.size() / k, (s + 1) * order.size() / k));
      }
      int steps = ctx.config().baselineSteps(ctx.tasks().size()) / k;
      return staged(ctx, name(), stages, steps, shared);
    }
  }

  /**
   * Sequential SFT: each task its own stage, one after another (the explicit stage order when
   * configured, else the task order), S steps each on the task's full training data. The setting
   * of the paper's forgetting analysis.
   */
  public static final class Sequential implements Method {
    @Override
    public String name() {
      return "sequential";
    }

    @Override
    public Workload workload(MethodContext ctx) {
      int n = ctx.tasks().size();
      return Workload.of((long) n * ctx.config().budgets().expertSteps(),
          Workload.testItems(ctx) * (ctx.config().evaluation().eachStage() ? n : 1));
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      StageOrdering.Policy policy = ctx.config().staging().order();
      if (policy == StageOrdering.Policy.BY_SIZE || policy == StageOrdering.Policy.EASY_TO_HARD) {
        // the configuration's default (random, CPI-FT's) means the suite's order here
        throw new CpiftException("sequential trains the tasks in the suite's order or in an "
            + "explicit one, not " + policy.name().toLowerCase(java.util.Locale.ROOT)
            .replace('_', '-') + "; use --stage-order task-order or explicit");
      }
      List<Task> order = new ArrayList<>(ctx.tasks());
      List<String> explicit = ctx.config().staging().explicitOrder();
      if (!explicit.isEmpty()) {
        order.sort(java.util.Comparator.comparingInt(t -> explicit.indexOf(t.name()) < 0
            ? Integer.MAX_VALUE : explicit.indexOf(t.name())));
      }
      return staged(ctx, name(), order.stream().map(List::of).toList(), ctx.config().budgets().expertSteps(),
          Cost.NONE);
    }
  }

  /** A merging baseline from the registry, applied to the experts (in task order). */
  public static final class Merge implements Method {
    /** Whether merge {@code method} takes core regions (Localize-and-Stitch's masks). */
    static boolean readsCores(String method) {
      return method.equals("localize-stitch");
    }

    private final String method;

    public Merge(String method) {
      this.method = method;
    }

    @Override
    public String name() {
      return method;
    }

    @Override
    public Workload workload(MethodContext ctx) {
      int candidates = MergeRegistry.grid(method, ctx.config().merge()).size();
      return Workload.of(0, Workload.testItems(ctx)
          + (candidates > 1 ? candidates * Workload.valItems(ctx) : 0)).withExperts(ctx);
    }

    @Override
    public MethodResult run(MethodContext ctx) {
      List<MergeOptions> grid = MergeRegistry.grid(method, ctx.config().merge());
      boolean adapters = MergeRegistry.create(method, grid.get(0)).mergesAdapters();
      if (adapters && ctx.config().training().lora() == null) {
        // said before any expert trains
        throw new org.cpift.util.CpiftException(method + " merges LoRA adapters: fine-tune the "
            + "experts with --finetune lora");
      }
      List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
      Cost shared = Cost.NONE;
      List<ParamSnapshot> params = new ArrayList<>();
      for (ProbeFineTuning.Expert e : experts) {
        shared = shared.plus(e.cost().asShared());
        params.add(e.params());
      }
      List<ParamMask> cores = null;
      if (readsCores(method)) {
        cores = CoreRegions.of(ctx, experts).stream().map(c -> c.mask()).toList();
        shared = shared.plus(CoreRegions.scoringCost(ctx, ctx.config().budgets().expertSteps()));
      }
      MergeContext mc = new MergeContext(ctx.base().params(), params, ctx.taskNames(), cores);
      if (adapters) {
        mc = new MergeContext(mc.base(), params, ctx.taskNames(), cores, ctx.tasks().stream()
            .map(t -> ProbeFineTuning.adapters(ctx, t)).toList(),
            ctx.config().training().lora().scale());
      }
      Map<String, Double> expertVal = new LinkedHashMap<>();
      experts.forEach(e -> expertVal.put(e.task(), e.valScore()));
      long t0 = System.nanoTime();
      MergeMethod mm = null;
      ParamSnapshot merged = null;
      double bestVal = Double.NEGATIVE_INFINITY;
      List<Map<String, Object>> tried = new ArrayList<>();
      for (MergeOptions o : grid) {
        MergeMethod candidate = MergeRegistry.create(method, o);
        ParamSnapshot p;
        try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.MERGE)) {
          p = candidate.merge(mc);
        }
        if (grid.size() == 1) {
          mm = candidate;
          merged = p;
          break;
        }
        // hyperparameters chosen on the validation split, never on test
        double val = normalizedValidation(ctx, p, expertVal);
        Map<String, Object> t = new LinkedHashMap<>(candidate.parameters());
        t.put("val_normalized", val);
        tried.add(t);
        LOG.info("{}: {} → validation avg normalized {}", method, candidate.parameters(),
            String.format("%.3f", val));
        // the best finite score wins; a NaN one (experts scoring 0) only while no other exists
        if (mm == null || val > bestVal || Double.isNaN(bestVal) && !Double.isNaN(val)) {
          bestVal = val;
          mm = candidate;
          merged = p;
        }
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> details = new LinkedHashMap<>(mm.parameters());
      details.put("reference", mm.reference());
      if (!tried.isEmpty()) {
        if (Double.isNaN(bestVal)) {
          // no candidate has a score to compare: nothing was chosen, and the cell says so
          LOG.warn("{}: every candidate's validation score is undefined (every task's expert "
              + "scores 0 on validation, so no normalized score); the first candidate, {}, is "
              + "kept", method, mm.parameters());
          details.put("selected_on", "none: every candidate's average normalized validation "
              + "score is undefined (every task's expert scores 0 on validation); the first of "
              + grid.size() + " candidates kept");
        } else {
          details.put("selected_on", "validation (average normalized score over " + grid.size()
              + " candidates)");
        }
        details.put("validation_grid", tried);
      }
      return new MethodResult(name(), ctx.config().seed(), ctx.scoreFinal(merged),
          shared.withWall(wall), null, null, List.of(), details);
    }
  }

  /** Mean over tasks of the validation score ÷ the expert's validation score. */
  static double normalizedValidation(MethodContext ctx, ParamSnapshot p,
      Map<String, Double> expertVal) {
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(p);
      return SuiteEvaluator.normalizedAverage(SuiteEvaluator.evaluate(m, ctx.base().tokenizer(),
          ctx.tasks(), SuiteEvaluator.Split.VAL, ctx.config().evaluation().limit()), expertVal);
    }
  }

  /**
   * Staged training from the base on each stage's full training data, nothing frozen (multi-stage
   * and sequential SFT), scored on every task.
   */
  static MethodResult staged(MethodContext ctx, String name, List<List<Task>> stages,
      int stepsPerStage, Cost shared) {
    Map<String, ParamMask> noCores = new LinkedHashMap<>();
    ctx.tasks().forEach(t -> noCores.put(t.name(), new ParamMask()));
    PipelinedSft.Result r = PipelinedSft.runWith(ctx, ctx.base().params(), stages, noCores,
        stepsPerStage, 0, true, MethodConfig.StageData.STAGE_ONLY, name);
    List<List<String>> groups = stages.stream().map(s -> s.stream().map(Task::name).toList()).toList();
    return new MethodResult(name, ctx.config().seed(), ctx.scoreFinal(r.params(), r.adapters()),
        r.cost().plus(shared), null, groups, r.stageScores(), Map.of("steps_per_stage", stepsPerStage));
  }
}
