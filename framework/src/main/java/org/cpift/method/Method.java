package org.cpift.method;

/** A way to obtain one model for all tasks (or, for {@code single-task}, one per task). */
public interface Method {
  /** The name on the command line and in reports. */
  String name();

  /** Runs the method and scores the result on every task's test split. */
  MethodResult run(MethodContext ctx);

  /**
   * What {@link #run} will cost on {@code ctx}, for the time a reproduction announces before it
   * starts; null when the method cannot say (its cells are then left out of the estimate, which
   * says so).
   */
  default Workload workload(MethodContext ctx) {
    return null;
  }
}
