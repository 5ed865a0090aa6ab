package org.cpift.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.merge.Lines;
import org.cpift.params.ParamSnapshot;
import org.cpift.train.ModelSession;

/**
 * LiNeS as a post-hoc step on a method's multi-task model (multi-task SFT's, CPI-FT's): the
 * model's update is scaled per block, θ0 + (α + (1 − α)·l/(L−1))·(θ − θ0), so shallow blocks
 * return toward the base, and what that does to the suite and to the base's own ability is
 * measured. Every suite task is a target here, so the base's own ability is measured outside the
 * suite ({@link GenericAbility}: the loss on the base's pretraining corpus).
 *
 * <p>The method runs the inner method (its cells' own run, not a cached one), then for every α
 * of the authors' grid 0, 0.1, ..., 1 scores the edited model on validation (average normalized
 * score) and on the corpus; α is chosen on validation by the suite score alone (ties to the larger
 * α, the smaller edit), since the paper's trade-off weighs a control score the suite does not
 * have. Each task's row has the edited model's test scores with {@code score_unedited}, the
 * corpus losses {@code generic_loss} (edited), {@code generic_loss_unedited} and
 * {@code generic_loss_base}, and {@code alpha}; the details hold the whole curve.
 */
public final class LinesPosthocModel implements Method {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      LinesPosthocModel.class);
  private final String inner;

  /** LiNeS after {@code inner} (multi-task or cpi-ft). */
  public LinesPosthocModel(String inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return "lines-posthoc-" + inner;
  }

  @Override
  public Workload workload(MethodContext ctx) {
    Workload w = Methods.create(inner).workload(ctx);
    if (w == null) {
      return null;
    }
    Workload own = Workload.of(0, LinesPosthoc.ALPHAS.size() * Workload.valItems(ctx)
        + Workload.testItems(ctx)).withExperts(ctx);
    Map<String, Workload.Expert> experts = new LinkedHashMap<>(w.experts());
    experts.putAll(own.experts());
    return new Workload(experts, w.trainSteps(), w.evalItems() + own.evalItems());
  }

  @Override
  public MethodResult run(MethodContext ctx) {
    GenericAbility generic = GenericAbility.of(ctx); // fails before any training when missing
    ctx.keepFinalModel();
    MethodResult first = Methods.create(inner).run(ctx);
    ParamSnapshot model = ctx.finalParams();
    if (model == null) {
      throw new IllegalStateException(inner + " kept no final model");
    }
    long t0 = System.nanoTime();
    Map<String, Double> expertVal = new LinkedHashMap<>();
    Cost shared = Cost.NONE;
    for (ProbeFineTuning.Expert e : ProbeFineTuning.experts(ctx)) {
      expertVal.put(e.task(), e.valScore());
      shared = shared.plus(e.cost().asShared());
    }
    if (first.cost().sharedSteps() > 0) {
      shared = Cost.NONE; // the inner method counted the experts already (CPI-FT)
    }
    ParamSnapshot base = ctx.base().params();
    List<Map<String, Object>> curve = new ArrayList<>();
    double best = Double.NEGATIVE_INFINITY;
    double bestAlpha = 1;
    ParamSnapshot bestModel = model;
    double baseLoss;
    double uneditedLoss;
    double bestLoss;
    // one inference session for every model scored here, not a graph built per model
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(base);
      baseLoss = generic.loss(m);
      m.loadParameters(model);
      uneditedLoss = generic.loss(m);
      bestLoss = uneditedLoss;
      for (double a : LinesPosthoc.ALPHAS) {
        ParamSnapshot edited = Lines.posthoc(base, model, a);
        m.loadParameters(edited);
        double val = SuiteEvaluator.normalizedAverage(SuiteEvaluator.evaluate(m,
            ctx.base().tokenizer(), ctx.tasks(), SuiteEvaluator.Split.VAL,
            ctx.config().evaluation().limit()), expertVal);
        double gl = a == 1.0 ? uneditedLoss : generic.loss(m);
        Map<String, Object> point = new LinkedHashMap<>();
        point.put("alpha", a);
        point.put("val_normalized", val);
        point.put("generic_loss", gl);
        curve.add(point);
        LOG.info(String.format(Locale.ROOT, "%s: alpha %.1f → validation avg normalized %.3f, "
            + "corpus loss %.4f (base %.4f, unedited %.4f)", name(), a, val, gl, baseLoss,
            uneditedLoss));
        if (val >= best) {
          best = val;
          bestAlpha = a;
          bestModel = edited;
          bestLoss = gl;
        }
      }
    }
    Map<String, Map<String, Double>> scores = new LinkedHashMap<>();
    Map<String, Map<String, Double>> edited = ctx.scoreFinal(bestModel); // kept for --save-model
    for (Map.Entry<String, Map<String, Double>> e : edited.entrySet()) {
      Map<String, Double> row = new LinkedHashMap<>(e.getValue());
      row.put("score_unedited", first.scores().get(e.getKey()).get("score"));
      row.put("generic_loss", bestLoss);
      row.put("generic_loss_unedited", uneditedLoss);
      row.put("generic_loss_base", baseLoss);
      row.put("alpha", bestAlpha);
      scores.put(e.getKey(), row);
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reference", new Lines(Lines.Over.TASK_ARITHMETIC, 0, 20).reference());
    details.put("edited", inner);
    details.put("alpha", bestAlpha);
    details.put("selected_on", "validation: average normalized suite score (ties to the larger "
        + "alpha)");
    details.put("generic_measure", "mean next-token loss (nats per token) on the last "
        + generic.chunks() + " packed chunks of " + generic.corpus());
    details.put("curve", curve);
    details.put("inner_details", first.details());
    return new MethodResult(name(), ctx.config().seed(), scores,
        first.cost().plus(Cost.NONE.withWall(wall)).plus(shared), first.jaccard(),
        first.groups(), first.stageScores(), details);
  }

}
