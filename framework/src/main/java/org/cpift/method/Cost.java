package org.cpift.method;

/**
 * What a method cost: its own fine-tuning (steps, tokens, wall time), and separately the shared
 * artifacts it used (experts / probes), which are trained once and reused across methods.
 */
public record Cost(long steps, long tokens, double wallSeconds, long sharedSteps,
    long sharedTokens, double sharedWallSeconds) {
  public static final Cost NONE = new Cost(0, 0, 0, 0, 0, 0);

  public Cost plus(Cost o) {
    return new Cost(steps + o.steps, tokens + o.tokens, wallSeconds + o.wallSeconds,
        sharedSteps + o.sharedSteps, sharedTokens + o.sharedTokens,
        sharedWallSeconds + o.sharedWallSeconds);
  }

  /** This cost, counted as shared (it was paid by an artifact others reuse). */
  public Cost asShared() {
    return new Cost(0, 0, 0, steps + sharedSteps, tokens + sharedTokens,
        wallSeconds + sharedWallSeconds);
  }

  public Cost withWall(double seconds) {
    return new Cost(steps, tokens, seconds, sharedSteps, sharedTokens, sharedWallSeconds);
  }
}
