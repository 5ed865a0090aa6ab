package org.cpift.merge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.cpift.util.CpiftException;

/**
 * Merge methods by name. Built in: {@code task-arithmetic}, {@code ties}, {@code dare-ta},
 * {@code dare-ties}, {@code slerp}, {@code linear}, {@code localize-stitch}. Add one with
 * {@link #register}: a name and a factory from {@link MergeOptions}.
 */
public final class MergeRegistry {
  private static final Map<String, Function<MergeOptions, MergeMethod>> METHODS =
      new LinkedHashMap<>();

  static {
    register("task-arithmetic", o -> new TaskArithmetic(o.lambda()));
    register("ties", o -> new Ties(o.tiesTopPercent(), o.tiesLambda()));
    register("dare-ta", o -> new Dare(o, false));
    register("dare-ties", o -> new Dare(o, true));
    register("slerp", o -> new SlerpMerge(Interpolation.SLERP));
    register("linear", o -> new SlerpMerge(Interpolation.LINEAR));
    register("localize-stitch", o -> new LocalizeStitch());
  }

  private MergeRegistry() {}

  public static synchronized void register(String name, Function<MergeOptions, MergeMethod> factory) {
    if (METHODS.putIfAbsent(name, factory) != null) {
      throw new IllegalArgumentException("merge method '" + name + "' is already registered");
    }
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
