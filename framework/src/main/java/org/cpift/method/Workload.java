package org.cpift.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.task.Task;

/**
 * What a method's run will cost, known before it runs, for the time estimate of a reproduction:
 * the experts (or probes) it needs, by cache key, so that a run counts each shared expert once
 * and none already cached; its own training steps; and the test and validation items it scores.
 * Where the method decides something at run time (CPI-FT's number of stages) the workload says
 * what it assumed; the estimate corrects itself from the cells that finish.
 *
 * @param experts cache key → each expert or probe the method needs
 * @param trainSteps the method's own training steps
 * @param evalItems test and validation items the method decodes
 */
public record Workload(Map<String, Expert> experts, long trainSteps, long evalItems) {
  /** An expert's training steps and the validation items it is scored on when trained. */
  public record Expert(int steps, int valItems) {}

  public Workload {
    experts = Map.copyOf(experts);
  }

  /** Training and scoring only, no experts. */
  public static Workload of(long trainSteps, long evalItems) {
    return new Workload(Map.of(), trainSteps, evalItems);
  }

  /** This workload plus the experts (S steps) of every task. */
  public Workload withExperts(MethodContext ctx) {
    return withExperts(ctx, ctx.config().budgets().expertSteps());
  }

  /** This workload plus one expert (or probe) of {@code steps} steps per task. */
  public Workload withExperts(MethodContext ctx, int steps) {
    Map<String, Expert> e = new LinkedHashMap<>(experts);
    for (Task t : ctx.tasks()) {
      e.put(ProbeFineTuning.key(ctx, t, steps), new Expert(steps, ProbeFineTuning.valItems(t)));
    }
    return new Workload(e, trainSteps, evalItems);
  }

  /** Items one scoring of every task's test split decodes (the evaluation limit applied). */
  public static long testItems(MethodContext ctx) {
    return items(ctx.tasks(), true, ctx.config().evaluation().limit());
  }

  /** Items one scoring of every task's validation split decodes. */
  public static long valItems(MethodContext ctx) {
    return items(ctx.tasks(), false, ctx.config().evaluation().limit());
  }

  private static long items(List<Task> tasks, boolean test, int limit) {
    long n = 0;
    for (Task t : tasks) {
      int size = test ? t.test().size() : t.val().size();
      n += limit > 0 ? Math.min(limit, size) : size;
    }
    return n;
  }
}
