package org.cpift.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.cpift.cluster.StageOrdering;
import org.cpift.experiment.Cell;
import org.cpift.method.MethodConfig;
import org.cpift.report.Claims;
import org.cpift.report.Section;
import org.cpift.train.Preset;

/**
 * Table 2 of the paper: sequential training A→B and B→A with A = math and B = code (the pair built
 * to conflict: {@code +} adds in one and concatenates in the other). ΔA is the change of A's score
 * from the end of its stage to the end of training; compared for sequential SFT and CPI-FT (each
 * task its own stage, same order), with multi-task SFT as the mixed reference. Over all the
 * suite's tasks (one task per stage, in the suite's order for both methods and every seed) ACC and
 * BWT for sequential SFT and CPI-FT.
 *
 * <p>Forgetting needs tasks trained one after another, so here CPI-FT's stages train on their own
 * task's data ({@link MethodConfig.StageData#STAGE_ONLY}), as sequential SFT's do; the methods
 * still differ in more than freezing, as in the paper: sequential SFT trains each stage as long as
 * an expert (S steps on the task's full data), CPI-FT P steps on a sample, starting from the
 * fused model. The control {@code cpi-ft (no freeze)} is the same run with nothing frozen, so
 * freezing's own part is measured, and {@code cpi-ft (no fusion, no freeze)} the same again from
 * the base, sequential SFT at CPI-FT's stage budget, so the fused start's part is measured too
 * ({@link ForgettingSources}). CPI-FT's default stage data (every task in every stage: the
 * paper's "mixed-task data") is shown too, with its own control; there no task is ever trained
 * alone, so its BWT says little about forgetting.
 */
public final class Forgetting implements ReportedExperiment {
  static final List<String> PAIR = List.of("math", "code");
  /** The pair in both orders: A→B and B→A. */
  static final List<List<String>> ORDERS = List.of(PAIR, List.of(PAIR.get(1), PAIR.get(0)));
  /** The control row: CPI-FT with nothing frozen. */
  static final String NO_FREEZE = "cpi-ft (no freeze)";
  /** CPI-FT with its default stage data: every task in every stage. */
  static final String MIXED = "cpi-ft (every task in every stage)";
  static final String MIXED_NO_FREEZE = "cpi-ft (every task in every stage, no freeze)";
  static final String SEQUENTIAL = "sequential";
  /**
   * CPI-FT's pipeline from the base with nothing frozen: sequential SFT at CPI-FT's stage budget
   * (P steps on a sample per stage instead of S on the full data), the first step from
   * sequential SFT to CPI-FT.
   */
  static final String NO_FUSION_NO_FREEZE = "cpi-ft (no fusion, no freeze)";

  /** The steps from sequential SFT to CPI-FT, one change each (each stage on its own task). */
  static final List<ForgettingSources.Step> STEPS = List.of(
      new ForgettingSources.Step("stage budget", SEQUENTIAL, NO_FUSION_NO_FREEZE),
      new ForgettingSources.Step("fused start", NO_FUSION_NO_FREEZE, NO_FREEZE),
      new ForgettingSources.Step("freezing the cores", NO_FREEZE, "cpi-ft"));

  @Override
  public List<Section> sections() {
    return List.of(new ForgettingSources(STEPS).section());
  }

  @Override
  public List<Claims.Check> claims() {
    return List.of(Claims.forgetting(SEQUENTIAL), Claims.forgettingHalved(SEQUENTIAL, NO_FREEZE),
        Claims.freezingCutsForgetting("cpi-ft", NO_FREEZE, "each stage on its own task"),
        Claims.freezingCutsForgetting(MIXED, MIXED_NO_FREEZE, "every task in every stage"));
  }

  @Override
  public String name() {
    return "forgetting";
  }

  @Override
  public String description() {
    return "Table 2: forgetting when tasks are trained one after another. Pairs math→code and "
        + "code→math, and all the suite's tasks one per stage (the suite's order); ΔA "
        + "(stage_drop), ACC and BWT. Each stage trains on its own task: sequential SFT S steps "
        + "on the task's full data, CPI-FT P steps on a sample of it, from the fused model; "
        + "'cpi-ft (no freeze)' is CPI-FT with nothing frozen, so freezing's own part is "
        + "measured; 'cpi-ft (no fusion, no freeze)' starts from the base too (sequential SFT at "
        + "CPI-FT's stage budget), so the fused start's part is measured as well. The rows 'every "
        + "task in every stage' are CPI-FT with its default stage data (the paper's mixed-task "
        + "data), where no task is trained alone.";
  }

  private static String variant(List<String> order) {
    return order.get(0) + "->" + order.get(1);
  }

  /** Each task its own stage in {@code order}, every stage scored. */
  private static MethodConfig staged(MethodConfig c, List<String> order) {
    return c.withStaging(s -> s.withOrder(StageOrdering.Policy.EXPLICIT, order)
        .withMode(MethodConfig.GroupingMode.EACH_TASK)).withEvaluation(e -> e.withEachStage(true));
  }

  /** CPI-FT's stages on their own task's data, as sequential SFT's. */
  private static MethodConfig ownTask(MethodConfig c) {
    return c.withPipeline(pl -> pl.withStageData(MethodConfig.StageData.STAGE_ONLY));
  }

  private static MethodConfig noFreeze(MethodConfig c) {
    return c.withPipeline(pl -> pl.withFreeze(false));
  }

  private static MethodConfig noFusion(MethodConfig c) {
    return c.withFusion(f -> f.withSkip(true));
  }

  @Override
  public List<Cell> cells(Preset p, List<Long> seeds, List<String> suiteTasks) {
    Experiments.requireTasks(name(), suiteTasks, PAIR);
    List<Cell> out = new ArrayList<>();
    for (List<String> order : ORDERS) {
      String v = variant(order);
      Function<MethodConfig, MethodConfig> staged = c -> staged(c, order);
      out.addAll(Experiments.perSeed(p, seeds, v, SEQUENTIAL, staged, PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "cpi-ft", staged.andThen(Forgetting::ownTask),
          PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "multi-task", Function.identity(), PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, v, "single-task", Function.identity(), PAIR, Map.of()));
    }
    Function<MethodConfig, MethodConfig> eachTask = c -> c.withStaging(s -> s.withMode(
        MethodConfig.GroupingMode.EACH_TASK)).withEvaluation(e -> e.withEachStage(true));
    // sequential SFT takes the suite's order when given none; CPI-FT is given the same order
    Function<MethodConfig, MethodConfig> suiteOrder = c -> eachTask.apply(c)
        .withStaging(s -> s.withOrder(StageOrdering.Policy.TASK_ORDER, List.of()));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", SEQUENTIAL, eachTask));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft",
        suiteOrder.andThen(Forgetting::ownTask)));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "single-task", Function.identity()));
    // the controls: CPI-FT without freezing, same fused start, budget and stage data, so the
    // part of the difference to sequential SFT that core isolation makes is measured; and CPI-FT
    // with its default stage data (every task in every stage), with and without freezing
    for (List<String> order : ORDERS) {
      Function<MethodConfig, MethodConfig> staged = c -> staged(c, order);
      out.addAll(Experiments.perSeed(p, seeds, variant(order), "cpi-ft", NO_FREEZE,
          staged.andThen(Forgetting::ownTask).andThen(Forgetting::noFreeze), PAIR, Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, variant(order), "cpi-ft", MIXED, staged, PAIR,
          Map.of()));
      out.addAll(Experiments.perSeed(p, seeds, variant(order), "cpi-ft", MIXED_NO_FREEZE,
          staged.andThen(Forgetting::noFreeze), PAIR, Map.of()));
      // the fused start's part: the same pipeline as the no-freeze control, from the base
      out.addAll(Experiments.perSeed(p, seeds, variant(order), "cpi-ft", NO_FUSION_NO_FREEZE,
          staged.andThen(Forgetting::ownTask).andThen(Forgetting::noFreeze)
              .andThen(Forgetting::noFusion), PAIR, Map.of()));
    }
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft", NO_FREEZE,
        suiteOrder.andThen(Forgetting::ownTask).andThen(Forgetting::noFreeze), List.of(),
        Map.of()));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft", MIXED, suiteOrder, List.of(),
        Map.of()));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft", MIXED_NO_FREEZE,
        suiteOrder.andThen(Forgetting::noFreeze), List.of(), Map.of()));
    out.addAll(Experiments.perSeed(p, seeds, "all-tasks", "cpi-ft", NO_FUSION_NO_FREEZE,
        suiteOrder.andThen(Forgetting::ownTask).andThen(Forgetting::noFreeze)
            .andThen(Forgetting::noFusion), List.of(), Map.of()));
    return out;
  }
}
