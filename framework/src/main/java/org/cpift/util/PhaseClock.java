package org.cpift.util;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where a unit of work's wall time goes, by phase: a clock per thread that code marks with
 * {@code try (var t = PhaseClock.time(Phase.TRAIN)) { ... }}. Phases nest and each nanosecond is
 * charged to the innermost open phase only, so the phases partition the time between
 * {@link #begin} and {@link #end}; what no phase covers is reported as {@code other}. Where no
 * clock was begun on the thread, {@link #time} costs one thread-local read and records nothing.
 */
public final class PhaseClock {
  /** What a stretch of time was spent on. */
  public enum Phase {
    /** Building a model's TensorFlow graph and session (variables initialized). */
    GRAPH("graph"),
    /**
     * Training steps (forward, backward, masked update), and backward passes without an update
     * (the gradients of gradient-based core scores, Fisher and gradient × weight).
     */
    TRAIN("train"),
    /** Greedy decoding of answers (prompts and generated tokens). */
    DECODE("decode"),
    /** Teacher-forced answer loss (evaluation without decoding). */
    LOSS("loss"),
    /** Moving parameters between the host and a session. */
    WEIGHTS("weights"),
    /** Host-side merging: core selection, overlap, fusion, the merge baselines' arithmetic. */
    MERGE("merge"),
    /** Reading and writing cached models and training checkpoints (with their checksums). */
    STORAGE("storage"),
    /** Waiting for another process that holds a lock (an expert it is training, say). */
    WAIT("wait");

    private final String id;

    Phase(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  private static final ThreadLocal<PhaseClock> CURRENT = new ThreadLocal<>();
  private static final Timer NONE = () -> { };

  private final LongSupplier nanoTime;
  private final long[] nanos = new long[Phase.values().length];
  private final Deque<Phase> open = new ArrayDeque<>();
  private final long started;
  private long since;

  private PhaseClock(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    started = nanoTime.getAsLong();
    since = started;
  }

  /** A phase's timer; closing it ends the phase. */
  @FunctionalInterface
  public interface Timer extends AutoCloseable {
    @Override
    void close();
  }

  /** Starts a clock on this thread (replacing any earlier one). */
  public static void begin() {
    begin(System::nanoTime);
  }

  /** As {@link #begin}, reading time from {@code nanoTime} (tests). */
  static void begin(LongSupplier nanoTime) {
    CURRENT.set(new PhaseClock(nanoTime));
  }

  /**
   * Stops this thread's clock and returns seconds per phase, in {@link Phase} order, then
   * {@code other} (the time no phase covered); empty when no clock was begun.
   */
  public static Map<String, Double> end() {
    PhaseClock c = CURRENT.get();
    CURRENT.remove();
    if (c == null) {
      return Map.of();
    }
    long now = c.nanoTime.getAsLong();
    if (!c.open.isEmpty()) {
      c.nanos[c.open.peek().ordinal()] += now - c.since;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    long covered = 0;
    for (Phase p : Phase.values()) {
      out.put(p.id(), c.nanos[p.ordinal()] / 1e9);
      covered += c.nanos[p.ordinal()];
    }
    out.put("other", Math.max(0, now - c.started - covered) / 1e9);
    return out;
  }

  /** Opens {@code phase} on this thread's clock until the returned timer is closed. */
  public static Timer time(Phase phase) {
    PhaseClock c = CURRENT.get();
    if (c == null) {
      return NONE;
    }
    c.enter(phase);
    return () -> c.exit(phase);
  }

  private void enter(Phase phase) {
    long now = nanoTime.getAsLong();
    if (!open.isEmpty()) {
      nanos[open.peek().ordinal()] += now - since;
    }
    open.push(phase);
    since = now;
  }

  private void exit(Phase phase) {
    if (open.isEmpty() || open.peek() != phase) {
      return; // a clock begun again inside the phase: this timer belongs to the old one
    }
    long now = nanoTime.getAsLong();
    nanos[phase.ordinal()] += now - since;
    open.pop();
    since = now;
  }

  /** Seconds per phase summed over several clocks' {@link #end} maps (keys in first-seen order). */
  public static Map<String, Double> sum(Iterable<Map<String, Double>> maps) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map<String, Double> m : maps) {
      m.forEach((k, v) -> out.merge(k, v, Double::sum));
    }
    return out;
  }

  /** The phases as an ordered map with zero seconds each (a table's columns). */
  public static Map<String, Double> zero() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Phase p : Phase.values()) {
      out.put(p.id(), 0.0);
    }
    out.put("other", 0.0);
    return out;
  }
}
