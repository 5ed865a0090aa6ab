package org.cpift.method;

/** A way to obtain one model for all tasks (or, for {@code single-task}, one per task). */
public interface Method {
  /** The name on the command line and in reports. */
  String name();

  /** Runs the method and scores the result on every task's test split. */
  MethodResult run(MethodContext ctx);
}
