package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.data.Batcher;
import org.cpift.data.EncodedExample;
import org.cpift.data.SftRecord;
import org.cpift.model.ModelConfig;
import org.cpift.model.Wemoe;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.GreedyGenerator;
import org.cpift.train.ModelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WEMoE as a merging baseline (Tang et al., ICML 2024, arXiv 2402.00433; the model is
 * {@link Wemoe}): the experts' MLPs become weight-ensembling mixtures with a router per block,
 * every other tensor is task arithmetic, and the routers are trained at test time, on the
 * unlabeled prompts of the split being scored, by entropy minimization.
 *
 * <p>For a generative model the entropy is taken where the answer is predicted: the starting
 * model (routers at their initialization) answers every prompt greedily once, and the routers
 * then minimize the mean entropy of the next-token distribution over those answers' positions,
 * teacher-forced (the pseudo-answers fixed; no label is read). The router learning rate and the
 * number of steps are chosen on the validation split (adaptation on the validation prompts, the
 * average normalized validation score as with every merge), from {@link #LRS} × {0, max/4,
 * max} steps, max = the authors' 200-step budget (or the experts' S when that is smaller); the
 * chosen pair is then run afresh on the test prompts. Adam (no weight decay, clipping at 1),
 * constant learning rate, batch 16, λ = 0.3: the authors' settings. With selection on
 * validation turned off (as in a {@code --quick} run) it takes the authors' lr 1e-4 and max steps.
 *
 * <p>The cell's details give the validation grid, the choice, and the model's size beside the
 * base's: the task vectors and routers it adds and their float32 memory.
 */
public final class WemoeMerge implements Method {
  private static final Logger LOG = LoggerFactory.getLogger(WemoeMerge.class);
  /** λ: task arithmetic for the non-MLP tensors and the routers' starting output. */
  static final double LAMBDA = 0.3;
  /** Router learning rates tried on validation. */
  static final List<Double> LRS = List.of(1e-4, 1e-3);
  /** The authors' router step budget, the largest count tried. */
  static final int MAX_STEPS = 200;
  static final int BATCH = 16;

  @Override
  public String name() {
    return "wemoe";
  }

  /** Router step counts tried on validation (checkpoints of one run per learning rate). */
  static List<Integer> stepGrid(MethodContext ctx) {
    int max = maxSteps(ctx);
    return java.util.stream.Stream.of(0, Math.max(1, max / 4), max).distinct().toList();
  }

  static int maxSteps(MethodContext ctx) {
    return Math.max(1, Math.min(MAX_STEPS, ctx.config().budgets().expertSteps()));
  }

  private static boolean select(MethodContext ctx) {
    return ctx.config().merge().selectOnValidation();
  }

  @Override
  public Workload workload(MethodContext ctx) {
    long max = maxSteps(ctx);
    // each run decodes its split once for the pseudo-answers; a router step is counted as a
    // training step (the upscaled MLPs cost more, the frozen weights need no gradient)
    long test = 2 * Workload.testItems(ctx);
    if (!select(ctx)) {
      return Workload.of(max, test).withExperts(ctx);
    }
    int points = stepGrid(ctx).size();
    long evals = Workload.valItems(ctx) * (1 + LRS.size() * (points - 1) + LRS.size());
    return Workload.of(max * (LRS.size() + 1), evals + test).withExperts(ctx);
  }

  @Override
  public MethodResult run(MethodContext ctx) {
    List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
    Cost shared = Cost.NONE;
    List<ParamSnapshot> models = new ArrayList<>();
    Map<String, Double> expertVal = new LinkedHashMap<>();
    for (ProbeFineTuning.Expert e : experts) {
      shared = shared.plus(e.cost().asShared());
      models.add(e.params());
      expertVal.put(e.task(), e.valScore());
    }
    Wemoe spec = new Wemoe(models.size(), LAMBDA);
    ModelConfig config = ctx.base().config();
    long t0 = System.nanoTime();
    long steps = 0;
    long tokens = 0;

    // the grid on validation: one adaptation per learning rate, scored at each step count
    List<Map<String, Object>> tried = new ArrayList<>();
    double bestVal = Double.NEGATIVE_INFINITY;
    double bestLr = LRS.get(0);
    int bestSteps = select(ctx) ? 0 : maxSteps(ctx);
    Double atStart = null;
    Batcher valData = null; // the starting model's pseudo-answers do not depend on the lr
    List<Integer> grid = stepGrid(ctx);
    for (double lr : select(ctx) ? LRS : List.<Double>of()) {
      try (ModelSession m = open(ctx, spec, models)) {
        if (valData == null) {
          valData = pseudoLabelled(ctx, m, SuiteEvaluator.Split.VAL);
        }
        Batcher data = valData;
        int done = 0;
        for (int target : grid) {
          for (; done < target; done++) {
            var b = data.batch(done);
            m.trainStep(b, (float) lr);
            steps++;
            tokens += b.tokens();
          }
          double val;
          if (target == 0 && atStart != null) {
            val = atStart; // the starting model does not depend on the learning rate
          } else {
            val = SuiteEvaluator.normalizedAverage(SuiteEvaluator.evaluate(m,
                ctx.base().tokenizer(), ctx.tasks(), SuiteEvaluator.Split.VAL,
                ctx.config().evaluation().limit()), expertVal);
            if (target == 0) {
              atStart = val;
            }
          }
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("router_lr", lr);
          t.put("router_steps", target);
          t.put("val_normalized", val);
          tried.add(t);
          LOG.info(String.format(Locale.ROOT, "wemoe: router lr %.0e, %d steps → validation avg "
              + "normalized %.3f", lr, target, val));
          if (val > bestVal) {
            bestVal = val;
            bestLr = lr;
            bestSteps = target;
          }
        }
      }
    }
    LOG.info(String.format(Locale.ROOT, "wemoe: router lr %.0e, %d steps %s; adapting on the test "
        + "prompts", bestLr, bestSteps, select(ctx) ? "chosen on validation" : "as given"));

    // the chosen setting, adapted afresh on the test prompts
    Map<String, Map<String, Double>> scores;
    try (ModelSession m = open(ctx, spec, models)) {
      if (bestSteps > 0) {
        Batcher data = pseudoLabelled(ctx, m, SuiteEvaluator.Split.TEST);
        for (int s = 0; s < bestSteps; s++) {
          var b = data.batch(s);
          m.trainStep(b, (float) bestLr);
          steps++;
          tokens += b.tokens();
        }
      }
      scores = ctx.evaluate(m);
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    long baseParams = config.numParams();
    long taskVectors = spec.taskVectorParameters(config);
    long routers = spec.routerParameters(config);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reference", "Tang et al., Merging Multi-Task Models via Weight-Ensembling "
        + "Mixture of Experts, ICML 2024 (arXiv 2402.00433)");
    details.put("lambda", LAMBDA);
    details.put("router_lr", bestLr);
    details.put("router_steps", bestSteps);
    details.put("router_batch", BATCH);
    details.put("routing", "per token; routers trained on the scored split's prompts by entropy "
        + "minimization over the starting model's greedy answers");
    if (select(ctx)) {
      details.put("selected_on", "validation (average normalized score over "
          + (LRS.size() * (grid.size() - 1) + 1) + " candidates)");
      details.put("validation_grid", tried);
    }
    details.put("base_params", baseParams);
    details.put("added_task_vector_params", taskVectors);
    details.put("added_router_params", routers);
    details.put("params_over_base", (double) (baseParams + taskVectors + routers) / baseParams);
    details.put("added_memory_mb", (taskVectors + routers) * 4 / 1e6);
    return new MethodResult(name(), ctx.config().seed(), scores,
        new Cost(steps, tokens, wall, 0, 0, 0).plus(shared), null, null, List.of(), details);
  }

  /** A WEMoE model of the experts, routers at their seeded start, with Adam for the routers. */
  static ModelSession open(MethodContext ctx, Wemoe spec, List<ParamSnapshot> experts) {
    ModelSession m = ModelSession.createWemoe(ctx.base().config(),
        OptimizerConfig.adamW().withWeightDecay(0f), ctx.config().seed(), spec);
    try {
      m.loadParameters(spec.upscale(ctx.base().params(), experts, m.parameters()));
      return m;
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /**
   * The example's prompt followed by the model's own answer ids and {@code eos} (as the model
   * generated them, not re-tokenized from text), the answer cut to fit the context.
   */
  static EncodedExample withAnswer(EncodedExample ex, int[] answer, int eos, int context) {
    int start = ex.answerStart();
    int room = Math.max(0, context - start); // tokens [0, context] hold the inputs and targets
    int len = Math.min(answer.length, room);
    int[] tokens = new int[start + len + 1];
    System.arraycopy(ex.tokens(), 0, tokens, 0, start);
    System.arraycopy(answer, 0, tokens, start, len);
    tokens[start + len] = eos;
    return new EncodedExample(tokens, start, ex.record(), ex.promptTruncated());
  }

  /**
   * Every task's prompts of {@code split} (the evaluation limit applied) with the model's own
   * greedy answers, as batches whose weighted positions are those answers.
   */
  static Batcher pseudoLabelled(MethodContext ctx, ModelSession m, SuiteEvaluator.Split split) {
    var tok = ctx.base().tokenizer();
    int limit = ctx.config().evaluation().limit();
    int context = m.config().contextLength();
    List<EncodedExample> out = new ArrayList<>();
    for (Task t : ctx.tasks()) {
      List<SftRecord> records = split == SuiteEvaluator.Split.TEST ? t.test() : t.val();
      if (limit > 0 && records.size() > limit) {
        records = records.subList(0, limit);
      }
      String where = t.name() + " " + split.name().toLowerCase(Locale.ROOT);
      List<EncodedExample> ex = EncodedExample.encodeAll(records, tok, context, where);
      List<int[]> prompts = ex.stream().map(EncodedExample::promptTokens).toList();
      int chars = t.maxAnswerChars() + 1; // as the evaluation decodes
      List<int[]> answers = GreedyGenerator.generate(m, prompts, tok.maxTokensFor(chars), 64,
          tok.eos());
      for (int i = 0; i < ex.size(); i++) {
        out.add(withAnswer(ex.get(i), tok.clipTokens(answers.get(i), chars), tok.eos(), context));
      }
    }
    return new Batcher(out, BATCH, ctx.config().seed());
  }
}
