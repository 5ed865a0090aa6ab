package org.cpift.optim;

/**
 * Linear warm-up from 0 to {@code peak} over {@code warmupSteps}, then cosine decay to
 * {@code peak * minRatio} at {@code totalSteps}. Step indices are 0-based: step s trains with
 * {@code lr(s)}.
 */
public record LrSchedule(float peak, int warmupSteps, int totalSteps, float minRatio) {
  public LrSchedule {
    if (!(peak > 0) || warmupSteps < 0 || totalSteps < 1 || minRatio < 0 || minRatio > 1) {
      throw new IllegalArgumentException("LrSchedule: need peak > 0, warmupSteps >= 0, "
          + "totalSteps >= 1, 0 <= minRatio <= 1; got " + peak + ", " + warmupSteps + ", "
          + totalSteps + ", " + minRatio);
    }
  }

  public float lr(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / (warmupSteps + 1);
    }
    int decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    double cos = 0.5 * (1 + Math.cos(Math.PI * progress));
    return (float) (peak * (minRatio + (1 - minRatio) * cos));
  }
}
