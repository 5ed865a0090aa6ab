package org.cpift.merge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.cpift.util.CpiftException;

/**
 * Merge methods by name. Built in: {@code task-arithmetic}, {@code ties}, {@code dare-ta},
 * {@code dare-ties}, {@code lines}, {@code lines-ties}, {@code copa} (LoRA experts only),
 * {@code slerp}, {@code linear}, {@code localize-stitch}. Add one with
 * {@link #register}: a name and a factory from {@link MergeOptions}.
 */
public final class MergeRegistry {
  private static final Map<String, Function<MergeOptions, MergeMethod>> METHODS =
      new LinkedHashMap<>();
  private static final Map<String, Function<MergeOptions, List<MergeOptions>>> GRIDS =
      new LinkedHashMap<>();
  private static final Map<String, List<MergeParam>> PARAMS = new LinkedHashMap<>();

  static final List<Double> LAMBDAS = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);

  static {
    register("task-arithmetic", o -> new TaskArithmetic(o.lambda()),
        o -> LAMBDAS.stream().map(o::withLambda).toList(), List.of(MergeParam.LAMBDA));
    // grids widened where the small rerun's validation chose their edge on every seed (TIES' λ
    // at 1.4, DARE's drop rate at 0.3, LiNeS' β at the top of the authors' grids): see
    // report/Selections, which flags a choice at a grid's edge in every report
    register("ties", o -> new Ties(o.tiesTopPercent(), o.tiesLambda()),
        o -> product(List.of(0.6, 1.0, 1.4, 1.8, 2.2), List.of(10.0, 20.0, 40.0),
            (l, k) -> o.withTiesLambda(l).withTiesTopPercent(k)),
        List.of(MergeParam.TIES_LAMBDA, MergeParam.TIES_K));
    register("dare-ta", o -> new Dare(o, false),
        o -> product(List.of(0.1, 0.3, 0.5, 0.7), List.of(0.2, 0.4, 0.6, 0.8, 1.0),
            (p, l) -> o.withDareDropRate(p).withLambda(l)),
        List.of(MergeParam.DARE_P, MergeParam.LAMBDA));
    register("dare-ties", o -> new Dare(o, true),
        o -> product(List.of(0.3, 0.5, 0.7), List.of(0.6, 1.0, 1.4),
            (p, l) -> o.withDareDropRate(p).withTiesLambda(l)),
        List.of(MergeParam.DARE_P, MergeParam.TIES_LAMBDA, MergeParam.TIES_K));
    // LiNeS: α by the paper's norm rule, β from its grids (task arithmetic: 0.1..1.0, TIES:
    // 0.1..1.5, the ranges of the authors' code) continued in steps of 0.2 to 2.0 and 2.5; TIES
    // keeps its k (20% by default)
    register("lines", o -> new Lines(Lines.Over.TASK_ARITHMETIC, o.linesBeta(), o.tiesTopPercent()),
        o -> widened(steps(0.1, 1.0), 2.0).stream().map(o::withLinesBeta).toList(),
        List.of(MergeParam.LINES_BETA));
    register("lines-ties", o -> new Lines(Lines.Over.TIES, o.linesBeta(), o.tiesTopPercent()),
        o -> widened(steps(0.1, 1.5), 2.5).stream().map(o::withLinesBeta).toList(),
        List.of(MergeParam.LINES_BETA, MergeParam.TIES_K));
    // CoPA on LoRA experts' factors: λ from 1..4 (the paper's 2, its code's effective 4), k kept
    register("copa", o -> new CopaMerge(o.tiesTopPercent(), o.copaLambda()),
        o -> List.of(1.0, 2.0, 3.0, 4.0).stream().map(o::withCopaLambda).toList(),
        List.of(MergeParam.COPA_LAMBDA, MergeParam.TIES_K));
    register("slerp", o -> new SlerpMerge(Interpolation.SLERP));
    register("linear", o -> new SlerpMerge(Interpolation.LINEAR));
    register("localize-stitch", o -> new LocalizeStitch());
  }

  private MergeRegistry() {}

  /** Registers a method without hyperparameters (its grid is the given options). */
  public static synchronized void register(String name, Function<MergeOptions, MergeMethod> factory) {
    register(name, factory, List::of, List.of());
  }

  /**
   * Registers a method with the hyperparameters it reads ({@code params}, declared once with
   * their options, help and ranges) and the grid they are chosen from on validation (its paper's
   * ranges); each candidate is the given options with the grid's values set.
   */
  public static synchronized void register(String name, Function<MergeOptions, MergeMethod> factory,
      Function<MergeOptions, List<MergeOptions>> grid, List<MergeParam> params) {
    if (METHODS.putIfAbsent(name, factory) != null) {
      throw new IllegalArgumentException("merge method '" + name + "' is already registered");
    }
    GRIDS.put(name, grid);
    PARAMS.put(name, List.copyOf(params));
  }

  /** The hyperparameters method {@code name} declares. */
  public static synchronized List<MergeParam> params(String name) {
    create(name, MergeOptions.defaults()); // an unknown name fails here
    return PARAMS.get(name);
  }

  /**
   * The candidates a method's hyperparameters are chosen from: its grid when
   * {@link MergeOptions#selectOnValidation()}, else the options as given.
   */
  public static synchronized List<MergeOptions> grid(String name, MergeOptions options) {
    create(name, options); // an unknown name fails here, with the list of known ones
    return options.selectOnValidation() ? GRIDS.get(name).apply(options) : List.of(options);
  }

  /** {@code grid} continued in steps of 0.2 from its last value up to {@code to}. */
  private static List<Double> widened(List<Double> grid, double to) {
    List<Double> out = new java.util.ArrayList<>(grid);
    for (long k = Math.round(grid.get(grid.size() - 1) * 10) + 2; k <= Math.round(to * 10);
        k += 2) {
      out.add(k / 10.0);
    }
    return out;
  }

  /** from, from + 0.1, ..., to (rounded to one decimal, so 0.3 is 0.3). */
  private static List<Double> steps(double from, double to) {
    List<Double> out = new java.util.ArrayList<>();
    for (long k = Math.round(from * 10); k <= Math.round(to * 10); k++) {
      out.add(k / 10.0);
    }
    return out;
  }

  private static List<MergeOptions> product(List<Double> a, List<Double> b,
      java.util.function.BiFunction<Double, Double, MergeOptions> f) {
    List<MergeOptions> out = new java.util.ArrayList<>();
    for (double x : a) {
      for (double y : b) {
        out.add(f.apply(x, y));
      }
    }
    return out;
  }

  public static synchronized MergeMethod create(String name, MergeOptions options) {
    Function<MergeOptions, MergeMethod> f = METHODS.get(name);
    if (f == null) {
      throw new CpiftException("unknown merge method '" + name + "'; known: " + METHODS.keySet());
    }
    return f.apply(options);
  }

  public static synchronized Set<String> names() {
    return Collections.unmodifiableSet(METHODS.keySet());
  }
}
