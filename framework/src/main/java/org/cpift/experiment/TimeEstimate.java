package org.cpift.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cpift.data.Batch;
import org.cpift.data.EncodedExample;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodRunner;
import org.cpift.method.Methods;
import org.cpift.method.SuiteEvaluator;
import org.cpift.method.Workload;
import org.cpift.task.Task;
import org.cpift.train.ModelSession;
import org.cpift.util.Shuffle;

/**
 * How long a set of cells will take on this machine, said before they run: every unfinished
 * cell's {@link Workload} (training steps, items decoded, the experts it needs that are not
 * cached yet, each counted once) priced with rates measured here by {@link #calibrate} (a few
 * training steps and a few decoded items of the preset's model, seconds in all). While cells run,
 * a {@link Tracker} scales what remains by how the finished cells' time compared with their
 * estimate, so the ETA stays honest when the model of a cell's cost is off.
 */
public final class TimeEstimate {
  private TimeEstimate() {}

  /** Seconds per training step (the preset's batch) and per decoded item, and how measured. */
  public record Rates(double secondsPerStep, double secondsPerItem, String measured) {}

  /**
   * Estimated time of cells.
   *
   * @param cells cells asked for (distinct)
   * @param finished of them, already finished
   * @param perCell unfinished cell key → estimated seconds (the experts it is first to need
   *     included)
   * @param trainSteps training steps to run, experts included
   * @param evalItems items to decode
   * @param unknown unfinished cells whose method cannot estimate itself (not counted)
   * @param byMethod where the time goes: per method, its unfinished cells' training and decoding
   */
  public record Estimate(int cells, int finished, Map<String, Double> perCell, long trainSteps,
      long evalItems, int unknown, Rates rates, Map<String, Kind> byMethod) {
    public double seconds() {
      return perCell.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Per method: cells, training time, decoding time, as a text table. */
    public String table() {
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-24s %6s %10s %10s %10s%n",
          "method", "cells", "training", "decoding", "total"));
      byMethod.forEach((m, k) -> b.append(String.format(Locale.ROOT, "%-24s %6d %10s %10s %10s%n",
          m, k.cells, duration(k.trainSeconds), duration(k.evalSeconds),
          duration(k.trainSeconds + k.evalSeconds))));
      return b.toString();
    }

    /** One line: cells, time, and what it is made of. */
    public String summary() {
      return String.format(Locale.ROOT, "%d cells, %d finished, %d to compute: about %s on this "
          + "machine (%,d training steps at %.3f s, %,d decoded items at %.4f s; rates %s)%s",
          cells, finished, perCell.size(), duration(seconds()), trainSteps,
          rates.secondsPerStep(), evalItems, rates.secondsPerItem(), rates.measured(),
          unknown > 0 ? "; " + unknown + " cells of methods that cannot estimate their cost "
              + "not counted" : "");
    }
  }

  /** One method's share of an estimate. */
  public static final class Kind {
    int cells;
    double trainSeconds;
    double evalSeconds;

    public int cells() {
      return cells;
    }

    public double trainSeconds() {
      return trainSeconds;
    }

    public double evalSeconds() {
      return evalSeconds;
    }
  }

  /**
   * Measures the rates on the cells' base, suite and preset: 3 + 8 training steps on batches
   * drawn from every task's training data, and greedy decoding of up to 64 test items per task.
   */
  public static Rates calibrate(Cell cell, MethodRunner.Inputs inputs, Path runDir) {
    MethodContext ctx = ExperimentRunner.context(cell, inputs, runDir);
    List<EncodedExample> pool = new ArrayList<>();
    for (Task t : ctx.tasks()) {
      pool.addAll(ctx.encode(t.train(), t.name() + " train"));
    }
    Shuffle.inPlace(pool, new SplittableRandom(0));
    int bs = ctx.config().training().batchSize();
    int warm = 3;
    int timed = 8;
    double perStep;
    double perItem;
    try (ModelSession m = ctx.session(ctx.base().params(), 0)) {
      long t0 = 0;
      for (int i = 0; i < warm + timed; i++) {
        if (i == warm) {
          t0 = System.nanoTime();
        }
        int from = (i * bs) % Math.max(1, pool.size() - bs);
        m.trainStep(Batch.of(pool.subList(from, Math.min(pool.size(), from + bs))), 1e-12f);
      }
      perStep = (System.nanoTime() - t0) / 1e9 / timed;
      long items = 0;
      long t1 = System.nanoTime();
      for (Task t : ctx.tasks()) {
        int n = Math.min(64, t.test().size()); // one batch of the evaluator's size
        SuiteEvaluator.evaluate(m, ctx.base().tokenizer(), t, SuiteEvaluator.Split.TEST, n);
        items += n;
      }
      perItem = (System.nanoTime() - t1) / 1e9 / Math.max(1, items);
    }
    return new Rates(perStep, perItem, "measured now on " + ctx.config().preset().id());
  }

  /** The estimate of {@code cells} (duplicates, as experiments share cells, counted once). */
  public static Estimate of(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir,
      Rates rates) {
    Set<String> seen = new HashSet<>();
    Set<String> expertsCounted = new HashSet<>();
    Map<String, Double> perCell = new LinkedHashMap<>();
    Map<String, Kind> byMethod = new LinkedHashMap<>();
    int finished = 0;
    int unknown = 0;
    long steps = 0;
    long items = 0;
    for (Cell c : cells) {
      ExperimentRunner.Lookup l = ExperimentRunner.lookup(c, inputs, runDir);
      if (!seen.add(l.key())) {
        continue;
      }
      if (l.result() != null) {
        finished++;
        continue;
      }
      Workload w = Methods.create(c.method()).workload(l.ctx());
      if (w == null) {
        unknown++;
        continue;
      }
      long cellSteps = w.trainSteps();
      long cellItems = w.evalItems();
      for (Map.Entry<String, Workload.Expert> e : w.experts().entrySet()) {
        if (!l.ctx().cache().has("experts", e.getKey()) && expertsCounted.add(e.getKey())) {
          cellSteps += e.getValue().steps();
          cellItems += e.getValue().valItems();
        }
      }
      steps += cellSteps;
      items += cellItems;
      perCell.put(l.key(), cellSteps * rates.secondsPerStep() + cellItems * rates.secondsPerItem());
      Kind k = byMethod.computeIfAbsent(c.method(), m -> new Kind());
      k.cells++;
      k.trainSeconds += cellSteps * rates.secondsPerStep();
      k.evalSeconds += cellItems * rates.secondsPerItem();
    }
    return new Estimate(seen.size(), finished, perCell, steps, items, unknown, rates, byMethod);
  }

  /**
   * Remaining time as cells finish: the estimates of the cells not done yet, scaled by the ratio
   * of the finished cells' measured time to their estimate.
   */
  public static final class Tracker {
    private final Map<String, Double> remaining;
    private final double prior;
    private double actual;
    private double estimated;

    /**
     * Starts from {@code e}. The correction is damped by a prior of 2% of the whole estimate (1 s
     * to 10 min) counted as on time, so the first cheap cells (a graph built for seconds of
     * work) do not swing the ETA by an order of magnitude.
     */
    public Tracker(Estimate e) {
      this.remaining = new HashMap<>(e.perCell());
      this.prior = Math.max(1, Math.min(600, 0.02 * e.seconds()));
    }

    /** Records that the cell of {@code key} took {@code seconds} (or finished elsewhere: NaN). */
    public synchronized void finished(String key, double seconds) {
      Double est = remaining.remove(key);
      if (est != null && !Double.isNaN(seconds) && est > 0) {
        actual += seconds;
        estimated += est;
      }
    }

    /** The measured-to-estimated ratio so far, damped (1 before any cell finished here). */
    public synchronized double correction() {
      return (actual + prior) / (estimated + prior);
    }

    /** Seconds left: the remaining cells' estimates × the correction. */
    public synchronized double remainingSeconds() {
      return remaining.values().stream().mapToDouble(Double::doubleValue).sum() * correction();
    }
  }

  /** 42 s, 17 min, 3.4 h. */
  public static String duration(double seconds) {
    if (seconds < 90) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 90 * 60) {
      return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }
}
