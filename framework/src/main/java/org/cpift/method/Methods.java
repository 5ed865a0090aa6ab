package org.cpift.method;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.cpift.merge.MergeRegistry;
import org.cpift.util.CpiftException;

/**
 * Training methods by name (the names of {@code ./cpift run-method --method}), each registered
 * with a factory and a one-line description; every merge method of {@link MergeRegistry} is also
 * a method (the experts merged post hoc). Add one with {@link #register}.
 */
public final class Methods {
  /**
   * A registered method: its factory, what it is, and the settings it reads (for help texts,
   * reports and the CLI's check that each has an option).
   */
  public record Entry(String name, Supplier<Method> factory, String description,
      Set<Setting> settings) {
    public Entry {
      settings = Collections.unmodifiableSet(EnumSet.copyOf(settings));
    }
  }

  private static final Map<String, Entry> REGISTERED = new LinkedHashMap<>();

  static {
    register("base", Baselines.Base::new, "the base model, not fine-tuned",
        EnumSet.of(Setting.EVAL_LIMIT));
    register("single-task", Baselines.SingleTask::new,
        "one expert per task, each scored on its own task (the seesaw's reference)",
        Setting.training());
    register("multi-task", Baselines.MultiTask::new, "one model on all tasks' data mixed",
        Setting.training());
    Set<Setting> multiStage = Setting.staged();
    multiStage.add(Setting.MULTI_STAGE_K);
    register("multi-stage-random", () -> new Baselines.MultiStage(false),
        "tasks in stages of a random order, no freezing", multiStage);
    register("multi-stage-heuristic", () -> new Baselines.MultiStage(true),
        "tasks in stages ordered by expert score, no freezing", multiStage);
    register("dpi", () -> new CpiFt(true),
        "grouping, staging and freezing of CPI-FT from the base, without fusion (DPI)",
        Setting.dpi());
    register("cpi-ft", () -> new CpiFt(false),
        "core regions, grouping, fusion, then pipelined SFT with earlier cores frozen",
        Setting.cpiFt());
    register("lines-posthoc", LinesPosthoc::new,
        "LiNeS on each single-task expert afterwards, alpha chosen on validation: its own task "
            + "and the other tasks (forgetting of what the base could do)",
        Setting.training());
    register("lines-posthoc-multi-task", () -> new LinesPosthocModel("multi-task"),
        "multi-task SFT, then LiNeS on its model, alpha chosen on validation; the suite scores "
            + "and the loss on the base's pretraining corpus (forgetting of the base's own "
            + "ability) before and after", Setting.training());
    register("lines-posthoc-cpi-ft", () -> new LinesPosthocModel("cpi-ft"),
        "CPI-FT, then LiNeS on its final model, alpha chosen on validation; the suite scores "
            + "and the loss on the base's pretraining corpus before and after", Setting.cpiFt());
    register("wemoe", WemoeMerge::new,
        "WEMoE: task arithmetic outside the MLPs, each MLP a mixture of the base and the task "
            + "vectors weighted per token by a router trained on the test prompts (entropy "
            + "minimization), router lr and steps chosen on validation",
        Setting.training());
    register(OsrmMerge.NAME, OsrmMerge::new,
        "OSRM: LoRA experts started in orthogonal subspaces (so that each adapter changes the "
            + "other tasks' outputs little), merged by task arithmetic, lambda chosen on "
            + "validation; needs --finetune lora (--lora-init osrm with a merge's name pairs "
            + "OSRM with any merge)", Setting.training());
    Set<Setting> sequential = Setting.staged();
    sequential.addAll(EnumSet.of(Setting.STAGE_ORDER, Setting.EXPLICIT_ORDER));
    register("sequential", Baselines.Sequential::new,
        "each task its own stage, trained one after another (the forgetting baseline), in the "
            + "suite's order or --stage-order explicit --stage-order-tasks a,b,... (the other "
            + "orders are refused)", sequential);
  }

  /** The methods of the paper's comparison, in table order. */
  public static final List<String> NAMES = List.of("base", "single-task", "multi-task",
      "multi-stage-random", "multi-stage-heuristic", "dpi", "cpi-ft", "task-arithmetic", "ties",
      "dare-ta", "dare-ties", "lines", "lines-ties", "wemoe", "slerp", "linear",
      "localize-stitch");

  /** Further methods: sequential SFT (each task its own stage), for the forgetting analysis. */
  public static final List<String> EXTRA = List.of("sequential");

  /**
   * Each method's definition revision, for methods whose code changed what they compute for the
   * same configuration after cells of theirs were cached: a cell's cache key carries the
   * revision when it is above 0, so no cell of an earlier definition is reused. Bump a method's
   * revision (with the reason) whenever such a change lands; changes that give the same results
   * bit for bit leave it.
   * <ul>
   *   <li>dpi 1 (2026-12-03): each stage trains on its own tasks' data, as DPI's multi-stage SFT
   *       does (it had followed CPI-FT's stage-data option, which trains every stage on every
   *       task);</li>
   *   <li>wemoe 1 (2026-12-03): pseudo-answers as the generated ids (a cell of the earlier
   *       encoding was in the small run's cache under the same key);</li>
   *   <li>ties, dare-ta, lines, lines-ties 1 (2026-12-03): validation grids widened where the
   *       small rerun chose their edge on every seed.</li>
   * </ul>
   */
  private static final Map<String, Integer> REVISIONS = Map.of("dpi", 1, "wemoe", 1, "ties", 1,
      "dare-ta", 1, "lines", 1, "lines-ties", 1);

  private Methods() {}

  /** The method's definition revision (0 unless {@link #REVISIONS} names it). */
  public static int revision(String name) {
    return REVISIONS.getOrDefault(name, 0);
  }

  /**
   * Adds the method's revision to a cache key's fields when above 0 (absent at 0, so the keys of
   * unrevised methods stay as they were).
   */
  public static void putRevision(Map<String, Object> key, String name) {
    if (revision(name) > 0) {
      key.put("revision", revision(name));
    }
  }

  /**
   * Adds how diff pruning's gates train ({@link org.cpift.model.DiffPruning#GATE_RULE}) to a
   * cache key's fields when {@code c} fine-tunes by diff pruning or takes its cores from
   * diff-pruned probes (absent otherwise, so other keys stay as they were): results from before
   * the gates had their own rate are not reused.
   */
  public static void putDiffGates(Map<String, Object> key, MethodConfig c) {
    if (c.training().diffPruning() != null
        || c.core().score() == org.cpift.core.ImportanceScore.DIFF_PRUNING) {
      key.put("diff_gates", org.cpift.model.DiffPruning.GATE_RULE);
    }
  }

  /** Registers a training method under {@code name}, with the settings it reads. */
  public static synchronized void register(String name, Supplier<Method> factory,
      String description, Set<Setting> settings) {
    if (REGISTERED.containsKey(name) || MergeRegistry.names().contains(name)) {
      throw new IllegalArgumentException("method '" + name + "' is already registered");
    }
    REGISTERED.put(name, new Entry(name, factory, description, settings));
  }

  /** The registered training methods, in registration order (merge methods not included). */
  public static synchronized Map<String, Entry> registered() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(REGISTERED));
  }

  public static synchronized Method create(String name) {
    Entry e = REGISTERED.get(name);
    if (e != null) {
      return e.factory().get();
    }
    if (MergeRegistry.names().contains(name)) {
      return new Baselines.Merge(name);
    }
    throw new CpiftException("unknown method '" + name + "'; choose one of "
        + REGISTERED.keySet() + " or a merge method " + MergeRegistry.names());
  }
}
