package org.cpift.testbed;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.core.CoreOverlap;
import org.cpift.core.CoreRegion;
import org.cpift.data.SftRecord;
import org.cpift.merge.MergeContext;
import org.cpift.merge.TaskArithmetic;
import org.cpift.merge.TaskVectorGeometry;
import org.cpift.method.ArtifactCache;
import org.cpift.method.CoreRegions;
import org.cpift.method.MethodContext;
import org.cpift.method.ProbeFineTuning;
import org.cpift.method.SuiteEvaluator;
import org.cpift.params.ParamSnapshot;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.util.FileLocks;
import org.cpift.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures whether a testbed (a base model, a suite and fine-tuning budgets) is in the regime
 * CPI-FT presumes: experts that stay close to one base that already half knows the tasks, so that
 * weight-space merging can keep their skills, and a multi-task seesaw that comes from shared
 * parameters rather than from items no single model could answer. Every quantity is measured on
 * one seed's experts (the same cached experts every experiment uses):
 *
 * <ul>
 *   <li>|δi| / |θ0| per expert (δi = θi − θ0) and the cosine of every pair of task vectors;
 *   <li>the base's and each expert's score on its task (and per declared slice);
 *   <li>every pairwise midpoint θ0 + (δi + δj)/2, scored on tasks i and j, as a share of each
 *       expert's score; and each half task vector θ0 + δi/2 alone, scored on task i, which tells
 *       what a midpoint loses to the other task's vector (interference) from what it loses by
 *       halving its own (a skill that needs the whole vector);
 *   <li>task arithmetic θ0 + λ Σ δi with λ chosen on the validation split from {@link #LAMBDAS},
 *       and the plain average of the experts (λ = 1/N);
 *   <li>the Jaccard overlap of every pair of core regions (the run's core configuration);
 *   <li>the contradiction ceiling of the suite: the best average normalized score a single model
 *       can reach when a prompt of one task occurs in another task with a different answer
 *       (it can give only one of them).
 * </ul>
 *
 * Scores are measured on one split, the validation split by default: the gate decides between
 * testbed designs, and deciding on test scores would let the test split steer the testbed the
 * tables are then measured on. On validation, task arithmetic's score is the best of the λ tried
 * (the same split chose it), so it is optimistic by that choice. The test split remains an option
 * (the first gate runs used it). Multi-task SFT, the remaining criterion, comes in from outside
 * ({@link TestbedGate}): the main-results cell on test, {@link #multiTask} on validation. A seed's
 * measurement is cached under {@code <cache>/testbed/} by a hash of everything that determines
 * it, so reports re-render without recomputing.
 */
public final class TestbedCheck {
  private static final Logger LOG = LoggerFactory.getLogger(TestbedCheck.class);

  /** The task-arithmetic scaling factors tried on the validation split. */
  public static final List<Double> LAMBDAS = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
      1.0);

  private TestbedCheck() {}

  /** One pairwise midpoint θ0 + (δa + δb)/2: its scores on a and b (the measurement's split). */
  public record Midpoint(String a, String b, double scoreA, double scoreB) {}

  /**
   * Everything measured on one seed.
   *
   * @param seed the seed (experts are the experiments' experts of this seed)
   * @param tasks task names, in suite order
   * @param base the base model's metrics per task ({@code score}, slices; {@code answer_loss} on
   *     test only)
   * @param expert each expert's metrics on its own task
   * @param relativeNorm |δi| / |θ0| per task
   * @param cosine cosine of every pair of task vectors (task order)
   * @param midpoints every pair's midpoint scores
   * @param lambdaVal average normalized validation score of task arithmetic per λ
   * @param bestLambda the λ with the highest validation score (ties: the smaller)
   * @param taskArithmetic metrics per task of task arithmetic at {@code bestLambda}
   * @param average metrics per task of the plain average of the experts (λ = 1/N)
   * @param jaccard core-region Jaccard overlap of every pair (task order)
   * @param expertValScore each expert's validation score on its task (normalizes λ selection)
   * @param half each half task vector θ0 + δi/2's score on task i
   * @param split the split every score but {@code lambdaVal} and {@code expertValScore} is
   *     measured on ({@code "val"} or {@code "test"}; null in measurements cached before the
   *     split was recorded, which were on test)
   */
  public record Measurement(long seed, List<String> tasks, Map<String, Map<String, Double>> base,
      Map<String, Map<String, Double>> expert, Map<String, Double> relativeNorm,
      double[][] cosine, List<Midpoint> midpoints, Map<String, Double> lambdaVal,
      double bestLambda, Map<String, Map<String, Double>> taskArithmetic,
      Map<String, Map<String, Double>> average, double[][] jaccard,
      Map<String, Double> expertValScore, Map<String, Double> half, String split) {
    /** The split the scores are measured on ({@code "test"} for measurements that predate it). */
    public String splitName() {
      return split == null ? "test" : split;
    }
  }

  /**
   * Measures one seed (the context's) on {@code split}, or loads the measurement cached by an
   * earlier run.
   */
  public static Measurement measure(MethodContext ctx, SuiteEvaluator.Split split) {
    Map<String, Object> keyParts = keyParts(ctx, "testbed-check/v2");
    keyParts.put("lambdas", LAMBDAS);
    if (split != SuiteEvaluator.Split.TEST) {
      keyParts.put("split", splitName(split)); // keyed in only off test: test's keys stay as they were
    }
    return cached(ctx.cache(), keyParts, new TypeReference<>() {}, () -> compute(ctx, split));
  }

  /** The start of a cache key: its kind, then the base, the task data and the run's config. */
  private static Map<String, Object> keyParts(MethodContext ctx, String kind) {
    Map<String, Object> keyParts = new LinkedHashMap<>();
    keyParts.put("kind", kind);
    keyParts.put("base", ctx.baseHash());
    keyParts.put("data", ctx.dataChecksums());
    keyParts.put("config", ctx.config());
    return keyParts;
  }

  /** {@code "val"} or {@code "test"}. */
  public static String splitName(SuiteEvaluator.Split split) {
    return split.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The cache kind (a folder of {@code <cache>/}) of the gate's measurements. */
  static final String KIND = "testbed";

  /**
   * The value cached under {@code keyParts} ({@code <cache>/testbed/<key>.json}), or computed,
   * written there (atomically) and returned. A cached value is read without locking (so a
   * finished gate reads from a read-only cache); on a miss the entry's lock (the cache's, as for
   * experts) is held from a second look-up to the write, so a second gate started at the same
   * time waits for the first's result instead of computing it again.
   */
  static <T> T cached(ArtifactCache cache, Map<String, Object> keyParts, TypeReference<T> type,
      java.util.function.Supplier<T> compute) {
    String key = ArtifactCache.key(keyParts);
    Path file = cache.dir().resolve(KIND).resolve(key + ".json");
    T done = read(file, type, false);
    if (done != null) {
      return done;
    }
    try (FileLocks.Held lock = cache.lock(KIND, key)) {
      done = read(file, type, true);
      if (done != null) {
        return done;
      }
      T m = compute.get();
      Json.writeFile(file, m);
      return m;
    }
  }

  /** The value in {@code file}; null when there is none or it is unreadable (warned if asked). */
  private static <T> T read(Path file, TypeReference<T> type, boolean warn) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Json.STRICT.readValue(file.toFile(), type);
    } catch (java.io.IOException e) {
      if (warn) {
        LOG.warn("ignoring unreadable testbed measurement {} ({}); measuring again", file,
            e.getMessage());
      }
      return null;
    }
  }

  /**
   * Multi-task SFT's final model, trained as the main-results cell trains it (same data, steps and
   * seeds, so the same model), scored on both splits: the gate judges the seesaw on validation,
   * and the test scores, compared with the cell's, show that the model is the cell's. Cached under
   * {@code <cache>/testbed/} apart from the rest of the measurement (training takes most of the
   * gate's time on validation), by split name.
   */
  public static Map<String, Map<String, Map<String, Double>>> multiTask(MethodContext ctx) {
    Map<String, Object> keyParts = keyParts(ctx, "testbed-check/multi-task/v1");
    keyParts.put("method-revision", org.cpift.method.Methods.revision("multi-task"));
    return cached(ctx.cache(), keyParts, new TypeReference<>() {}, () -> {
      LOG.info("testbed check, seed {}: training multi-task SFT as its cell does, for its "
          + "validation scores", ctx.config().seed());
      return org.cpift.method.Baselines.MultiTask.trained(ctx, (m, cost) -> {
        Map<String, Map<String, Map<String, Double>>> s = new LinkedHashMap<>();
        for (SuiteEvaluator.Split split : SuiteEvaluator.Split.values()) {
          s.put(splitName(split), SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), ctx.tasks(),
              split, ctx.config().evaluation().limit()));
        }
        return s;
      });
    });
  }

  private static Measurement compute(MethodContext ctx, SuiteEvaluator.Split split) {
    List<Task> tasks = ctx.tasks();
    List<String> names = ctx.taskNames();
    int limit = ctx.config().evaluation().limit();
    LOG.info("testbed check, seed {}: the base on every task ({} split)", ctx.config().seed(),
        splitName(split));
    Map<String, Map<String, Double>> base = score(ctx, ctx.base().params(), tasks, split);
    List<ProbeFineTuning.Expert> experts = ProbeFineTuning.experts(ctx);
    List<ParamSnapshot> params = experts.stream().map(ProbeFineTuning.Expert::params).toList();
    Map<String, Map<String, Double>> expert = new LinkedHashMap<>();
    Map<String, Double> expertVal = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      expert.put(names.get(i), score(ctx, params.get(i), List.of(tasks.get(i)), split)
          .get(names.get(i)));
      expertVal.put(names.get(i), experts.get(i).valScore());
    }
    TaskVectorGeometry g = TaskVectorGeometry.of(ctx.base().params(), names, params);
    Map<String, Double> rel = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      rel.put(names.get(i), g.relativeNorm(i));
    }
    List<Midpoint> mids = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      for (int j = i + 1; j < tasks.size(); j++) {
        LOG.info("testbed check: midpoint of {} and {}", names.get(i), names.get(j));
        ParamSnapshot mid = new TaskArithmetic(0.5).merge(new MergeContext(ctx.base().params(),
            List.of(params.get(i), params.get(j)), List.of(names.get(i), names.get(j)), null));
        var s = score(ctx, mid, List.of(tasks.get(i), tasks.get(j)), split);
        mids.add(new Midpoint(names.get(i), names.get(j), s.get(names.get(i)).get("score"),
            s.get(names.get(j)).get("score")));
      }
    }
    Map<String, Double> half = new LinkedHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      ParamSnapshot h = new TaskArithmetic(0.5).merge(new MergeContext(ctx.base().params(),
          List.of(params.get(i)), List.of(names.get(i)), null));
      half.put(names.get(i), score(ctx, h, List.of(tasks.get(i)), split).get(names.get(i))
          .get("score"));
      LOG.info(String.format("testbed check: half task vector of %s scores %.3f (expert %.3f)",
          names.get(i), half.get(names.get(i)), expert.get(names.get(i)).get("score")));
    }
    Map<String, Double> lambdaVal = new LinkedHashMap<>();
    double bestLambda = Double.NaN;
    double best = Double.NEGATIVE_INFINITY;
    Map<String, Map<String, Double>> bestVal = null;
    for (double lambda : LAMBDAS) {
      var s = score(ctx, taskArithmetic(ctx, params, names, lambda), tasks,
          SuiteEvaluator.Split.VAL);
      double v = normalizedAverage(s, expertVal);
      LOG.info(String.format("testbed check: task arithmetic λ = %.1f, validation avg normalized "
          + "%.3f", lambda, v));
      lambdaVal.put(Double.toString(lambda), v);
      if (v > best) {
        best = v;
        bestLambda = lambda;
        bestVal = s;
      }
    }
    // on validation, the chosen λ's scores are already measured (and optimistic by the choice)
    var ta = split == SuiteEvaluator.Split.VAL ? bestVal
        : score(ctx, taskArithmetic(ctx, params, names, bestLambda), tasks, split);
    var avg = score(ctx, taskArithmetic(ctx, params, names, 1.0 / names.size()), tasks, split);
    List<CoreRegion> cores = CoreRegions.of(ctx, experts);
    double[][] jaccard = CoreOverlap.matrix(cores);
    return new Measurement(ctx.config().seed(), names, base, expert, rel, g.cosine(), mids,
        lambdaVal, bestLambda, ta, avg, jaccard, expertVal, half, splitName(split));
  }

  private static ParamSnapshot taskArithmetic(MethodContext ctx, List<ParamSnapshot> params,
      List<String> names, double lambda) {
    return new TaskArithmetic(lambda).merge(new MergeContext(ctx.base().params(), params, names,
        null));
  }

  private static Map<String, Map<String, Double>> score(MethodContext ctx, ParamSnapshot p,
      List<Task> tasks, SuiteEvaluator.Split split) {
    try (ModelSession m = ModelSession.create(ctx.base().config(), null, 0)) {
      m.loadParameters(p);
      return SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), tasks, split,
          ctx.config().evaluation().limit());
    }
  }

  /** Mean over tasks of score ÷ reference ({@link SuiteEvaluator#normalizedAverage}). */
  public static double normalizedAverage(Map<String, Map<String, Double>> scores,
      Map<String, Double> reference) {
    return SuiteEvaluator.normalizedAverage(scores, reference);
  }

  /**
   * The contradiction ceiling. An item is <em>ambiguous</em> when its prompt's template (the
   * prompt with every run of digits masked) is also a template of another task's prompts (any
   * split): nothing in the prompt then says which task, and so which convention, it comes from.
   * In this suite's tasks the shared templates carry different conventions (suite-v1's
   * {@code Evaluate 12 + 7 + 3.} sums in math and concatenates in code), so a single model
   * following one convention per template can be right on at most about half of those items over
   * the two tasks. With c_t each task's share of ambiguous test items, the ceiling on the average
   * normalized score (experts answering every item right) is 1 − mean_t(c_t)/2; 1 for a suite
   * without ambiguous items. Counted on the first {@code limit} test items (those scored; 0 =
   * all).
   */
  public static Ceiling ceiling(List<Task> tasks, int limit) {
    return ceiling(tasks, limit, SuiteEvaluator.Split.TEST);
  }

  /**
   * {@link #ceiling(List, int)} over the first {@code limit} items of {@code split}; on
   * validation, the templates are those of the training and validation prompts (no test prompt is
   * read).
   */
  public static Ceiling ceiling(List<Task> tasks, int limit, SuiteEvaluator.Split split) {
    Map<String, java.util.Set<String>> tasksByTemplate = new HashMap<>();
    for (Task t : tasks) {
      // on validation the test prompts stay unread: train and validation only
      for (List<SftRecord> records : split == SuiteEvaluator.Split.VAL
          ? List.of(t.train(), t.val()) : List.of(t.train(), t.val(), t.test())) {
        for (SftRecord r : records) {
          tasksByTemplate.computeIfAbsent(template(r.prompt()), k -> new java.util.HashSet<>())
              .add(t.name());
        }
      }
    }
    Map<String, Double> share = new LinkedHashMap<>();
    double sum = 0;
    for (Task t : tasks) {
      List<SftRecord> items = split == SuiteEvaluator.Split.VAL ? t.val() : t.test();
      List<SftRecord> test = limit > 0 && items.size() > limit ? items.subList(0, limit) : items;
      long ambiguous = test.stream().filter(r -> tasksByTemplate.get(template(r.prompt())).size() > 1)
          .count();
      double c = test.isEmpty() ? 0 : (double) ambiguous / test.size();
      share.put(t.name(), c);
      sum += c;
    }
    return new Ceiling(share, 1 - sum / tasks.size() / 2);
  }

  /** A prompt with every run of digits replaced by {@code #}. */
  static String template(String prompt) {
    return prompt.replaceAll("[0-9]+", "#");
  }

  /** The contradiction ceiling and each task's share of ambiguous items (of the split counted). */
  public record Ceiling(Map<String, Double> ambiguousShare, double value) {}
}
