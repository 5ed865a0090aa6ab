package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.merge.Lines;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;

/**
 * LiNeS as a post-hoc step on each single-task expert, the setting of its paper's first
 * experiment: the expert's update is scaled per block, θ0 + (α + (1 − α)·l/(L−1))·(θi − θ0), so
 * shallow blocks return toward the base. For each expert α is chosen on the validation split from
 * 0, 0.1, ..., 1 by the authors' trade-off, twice the score on the expert's own task (target) plus
 * the mean score on the other tasks (control: what the base could do there and fine-tuning may
 * have cost). Raw scores are used where the paper normalizes control by the zero-shot score,
 * since base scores near 0 here would make that ratio unstable.
 *
 * <p>Each task's scores are its edited expert's: {@code score} on the task itself (comparable to
 * single-task), and the mean over the other tasks of the edited expert ({@code control_score}),
 * the unedited expert ({@code control_score_expert}) and the base ({@code control_score_base}),
 * with the chosen {@code alpha}.
 */
public final class LinesPosthoc implements Method {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      LinesPosthoc.class);

  /** The candidates α; the authors' grid. */
  static final List<Double> ALPHAS = List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
      1.0);

  @Override
  public String name() {
    return "lines-posthoc";
  }

  @Override
  public Workload workload(MethodContext ctx) {
    int n = ctx.tasks().size();
    return Workload.of(0, (long) n * ALPHAS.size() * Workload.valItems(ctx)
        + (2L * n + 1) * Workload.testItems(ctx)).withExperts(ctx);
  }

  @Override
  public MethodResult run(MethodContext ctx) {
    List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
    Cost shared = Cost.NONE;
    for (ProbeFineTuning.Expert e : experts) {
      shared = shared.plus(e.cost().asShared());
    }
    ParamSnapshot base = ctx.base().params();
    long t0 = System.nanoTime();
    Map<String, Double> baseTest = scores(ctx, base, SuiteEvaluator.Split.TEST);
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    Map<String, Object> chosen = new LinkedHashMap<>();
    for (int i = 0; i < experts.size(); i++) {
      ProbeFineTuning.Expert e = experts.get(i);
      Task own = ctx.tasks().get(i);
      double best = Double.NEGATIVE_INFINITY;
      double bestAlpha = 1;
      ParamSnapshot bestModel = e.params();
      List<Map<String, Object>> tried = new ArrayList<>();
      for (double a : ALPHAS) {
        ParamSnapshot edited = Lines.posthoc(base, e.params(), a);
        Map<String, Double> val = scores(ctx, edited, SuiteEvaluator.Split.VAL);
        double objective = 2 * val.get(own.name()) + control(val, own.name());
        tried.add(Map.of("alpha", a, "target", val.get(own.name()), "control",
            control(val, own.name())));
        if (objective > best) {
          best = objective;
          bestAlpha = a;
          bestModel = edited;
        }
      }
      LOG.info(String.format(Locale.ROOT, "lines-posthoc %s: alpha %.1f chosen on validation",
          own.name(), bestAlpha));
      Map<String, Map<String, Double>> edited = ctx.evaluate(bestModel);
      Map<String, Double> expertTest = scores(ctx, e.params(), SuiteEvaluator.Split.TEST);
      Map<String, Double> row = new LinkedHashMap<>(edited.get(own.name()));
      row.put("control_score", control(flat(edited), own.name()));
      row.put("control_score_expert", control(expertTest, own.name()));
      row.put("control_score_base", control(baseTest, own.name()));
      row.put("alpha", bestAlpha);
      out.put(own.name(), row);
      chosen.put(own.name(), Map.of("alpha", bestAlpha, "validation_grid", tried));
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reference", new Lines(Lines.Over.TASK_ARITHMETIC, 0, 20).reference());
    details.put("selected_on", "validation: 2 x own-task score + mean score on the other tasks");
    details.put("per_task", chosen);
    return new MethodResult(name(), ctx.config().seed(), out, shared.withWall(wall), null, null,
        List.of(), details);
  }

  /** Mean score over every task but {@code own}. */
  private static double control(Map<String, Double> scores, String own) {
    double sum = 0;
    int n = 0;
    for (Map.Entry<String, Double> e : scores.entrySet()) {
      if (!e.getKey().equals(own)) {
        sum += e.getValue();
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static Map<String, Double> flat(Map<String, Map<String, Double>> scores) {
    Map<String, Double> out = new LinkedHashMap<>();
    scores.forEach((t, m) -> out.put(t, m.get("score")));
    return out;
  }

  private static Map<String, Double> scores(MethodContext ctx, ParamSnapshot p,
      SuiteEvaluator.Split split) {
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(p);
      return flat(SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), ctx.tasks(), split,
          ctx.config().evaluation().limit()));
    }
  }
}
