package org.cpift.method;

import java.util.List;
import org.cpift.merge.MergeRegistry;
import org.cpift.util.CpiftException;

/** Methods by name (the names of {@code ./cpift run-method --method}). */
public final class Methods {
  /** The methods of the paper's comparison, in table order. */
  public static final List<String> NAMES = List.of("base", "single-task", "multi-task",
      "multi-stage-random", "multi-stage-heuristic", "dpi", "cpi-ft", "task-arithmetic", "ties",
      "dare-ta", "dare-ties", "slerp", "linear", "localize-stitch");

  /** Further methods: sequential SFT (each task its own stage), for the forgetting analysis. */
  public static final List<String> EXTRA = List.of("sequential");

  private Methods() {}

  public static Method create(String name) {
    return switch (name) {
      case "base" -> new Baselines.Base();
      case "single-task" -> new Baselines.SingleTask();
      case "multi-task" -> new Baselines.MultiTask();
      case "multi-stage-random" -> new Baselines.MultiStage(false);
      case "multi-stage-heuristic" -> new Baselines.MultiStage(true);
      case "sequential" -> new Baselines.Sequential();
      case "dpi" -> new CpiFt(true);
      case "cpi-ft" -> new CpiFt(false);
      default -> {
        if (MergeRegistry.names().contains(name)) {
          yield new Baselines.Merge(name);
        }
        throw new CpiftException("unknown method '" + name + "'; choose one of " + NAMES
            + " or " + EXTRA);
      }
    };
  }
}
