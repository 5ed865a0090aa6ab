package org.cpift.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.cpift.method.ArtifactCache;
import org.cpift.method.MethodContext;
import org.cpift.method.MethodResult;
import org.cpift.method.MethodRunner;
import org.cpift.method.Methods;
import org.cpift.task.Task;
import org.cpift.train.RunManifest;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.FileLocks;
import org.cpift.util.Json;
import org.cpift.util.PhaseClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an experiment's cells. Each finished cell is stored as {@code <runDir>/cells/<key>.json},
 * the key a hash of everything that determines it (method, full configuration, seed, tasks,
 * low-resource fractions, base weights, task data), so experiments share cells and a rerun — or
 * a run resumed after a kill — recomputes nothing that finished. A cell is computed under a claim
 * ({@code <runDir>/locks/cells/<key>.lock}, a lock the operating system releases when its holder
 * dies), so several processes (local workers, Slurm array tasks, two commands started at once)
 * can share one run directory and compute every cell once. Experts are shared through the
 * artifact cache in {@code <runDir>/cache}, under the same kind of lock.
 */
public final class ExperimentRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ExperimentRunner.class);
  private static final AtomicBoolean HOOKED = new AtomicBoolean();
  private static volatile Path running;

  private ExperimentRunner() {}

  /** Runs every cell of {@code experiment} (or loads it) and returns them in order. */
  public static List<CellResult> run(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir) {
    return run(cells, inputs, runDir, null);
  }

  /**
   * As {@link #run(List, MethodRunner.Inputs, Path)}, the ETA taken from {@code tracker} (an
   * estimate made before the run, over these cells and maybe more; null: the time per cell so far
   * times the cells left), which is told of every cell that finishes.
   */
  public static List<CellResult> run(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir,
      TimeEstimate.Tracker tracker) {
    return inRunDir(runDir, () -> runCells(cells, inputs, runDir, tracker));
  }

  /**
   * As {@link #run(List, MethodRunner.Inputs, Path, TimeEstimate.Tracker)}, but without waiting:
   * every cell that is finished or free is loaded or computed, and a cell another process is
   * computing is skipped. Returns the cells skipped (in order), which a caller runs later — a
   * process working through a run seed by seed goes on to the next seed instead of idling while
   * another process finishes a long cell of this one.
   */
  public static List<Cell> runFree(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir,
      TimeEstimate.Tracker tracker) {
    return inRunDir(runDir, () -> firstPass(cells, inputs, runDir,
        new Progress(cells.size(), tracker)).claimedElsewhere().stream().map(cells::get).toList());
  }

  /**
   * Runs {@code work} on {@code runDir}: an interruption says how to resume, and temporaries
   * that dead writers left are removed first.
   */
  private static <T> T inRunDir(Path runDir, Supplier<T> work) {
    installInterruptMessage();
    running = runDir;
    try {
      AtomicFiles.removeOrphanedTemporaries(runDir);
      return work.get();
    } finally {
      // a failure (not an interruption) is not "stopped: run again to resume"
      running = null;
    }
  }

  private static List<CellResult> runCells(List<Cell> cells, MethodRunner.Inputs inputs,
      Path runDir, TimeEstimate.Tracker tracker) {
    Progress progress = new Progress(cells.size(), tracker);
    FirstPass first = firstPass(cells, inputs, runDir, progress);
    CellResult[] out = first.out();
    // second pass: wait for each cell another process held; compute it if that process stopped
    for (int i : first.claimedElsewhere()) {
      Lookup l = first.looked()[i]; // its result is read again under the claim
      try (FileLocks.Held claim = FileLocks.lock(claimFile(runDir, l.key()))) {
        out[i] = computeUnlessDone(cells.get(i), l.ctx(), l.key(), runDir, i, progress);
      }
    }
    return List.of(out);
  }

  /** The first pass's results (null where another process held the cell) and those it skipped. */
  private record FirstPass(CellResult[] out, Lookup[] looked, List<Integer> claimedElsewhere) {}

  /**
   * Every cell no other process is computing, loaded or computed; a cell another process holds
   * is left for later, so that workers sharing the run directory spread over the cells.
   */
  private static FirstPass firstPass(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir,
      Progress progress) {
    CellResult[] out = new CellResult[cells.size()];
    List<Integer> claimedElsewhere = new ArrayList<>();
    Lookup[] looked = new Lookup[cells.size()];
    for (int i = 0; i < cells.size(); i++) {
      Lookup l = lookup(cells.get(i), inputs, runDir);
      looked[i] = l;
      if (l.result() != null) {
        out[i] = done(cells.get(i), l, i, cells.size());
        continue;
      }
      try (FileLocks.Held claim = FileLocks.tryLock(claimFile(runDir, l.key()))) {
        if (claim == null) {
          LOG.info("cell {}/{}: {} {} seed {} — being computed by another process; later", i + 1,
              cells.size(), cells.get(i).label(), cells.get(i).variant(), cells.get(i).seed());
          claimedElsewhere.add(i);
          continue;
        }
        out[i] = computeUnlessDone(cells.get(i), l.ctx(), l.key(), runDir, i, progress);
      }
    }
    return new FirstPass(out, looked, claimedElsewhere);
  }

  private static CellResult done(Cell cell, Lookup l, int i, int n) {
    LOG.info("cell {}/{}: {} {} seed {} — done before (cached)", i + 1, n, cell.label(),
        cell.variant(), cell.seed());
    return new CellResult(cell, l.key(), l.result());
  }

  /** Progress and ETA over the cells this process computes. */
  private static final class Progress {
    final int total;
    final long t0 = System.nanoTime();
    final TimeEstimate.Tracker tracker;
    int computed;
    String commit;

    Progress(int total, TimeEstimate.Tracker tracker) {
      this.total = total;
      this.tracker = tracker;
    }
  }

  /** With the cell's claim held: the stored result if another process finished it, else computed. */
  private static CellResult computeUnlessDone(Cell cell, MethodContext ctx, String key,
      Path runDir, int i, Progress p) {
    MethodResult r = load(cellFile(runDir, key), cell, ctx.taskNames());
    if (r != null) {
      LOG.info("cell {}/{}: {} {} seed {} — finished by another process", i + 1, p.total,
          cell.label(), cell.variant(), cell.seed());
      if (p.tracker != null) {
        p.tracker.finished(key, Double.NaN);
      }
      return new CellResult(cell, key, r);
    }
    double elapsed = (System.nanoTime() - p.t0) / 1e9;
    String eta;
    if (p.tracker != null) {
      eta = String.format(java.util.Locale.ROOT, "%s (the estimate × %.2f, as measured so far)",
          TimeEstimate.duration(p.tracker.remainingSeconds()), p.tracker.correction());
    } else {
      eta = p.computed == 0 ? "?" : String.format("%.0f min",
          elapsed / p.computed * (p.total - i) / 60);
    }
    LOG.info("cell {}/{}: {} {} seed {} (elapsed {} min, ETA {} if all remaining cells run)", i + 1,
        p.total, cell.label(), cell.variant(), cell.seed(), String.format("%.1f", elapsed / 60),
        eta);
    long c0 = System.nanoTime();
    PhaseClock.begin();
    Map<String, Double> phases;
    try {
      r = Methods.create(cell.method()).run(ctx);
    } finally {
      phases = PhaseClock.end();
    }
    // the whole cell (training, fusion, evaluation, loading), for the per-experiment wall time
    Map<String, Object> details = new LinkedHashMap<>(r.details());
    details.put("cell_wall_seconds", (System.nanoTime() - c0) / 1e9);
    // and where it went (training steps, decoding, graph building, storage, ...: PhaseClock)
    details.put("phase_seconds", phases);
    // the code that computed it (a resumed run's manifest spans cells of several commits)
    if (p.commit == null) {
      p.commit = RunManifest.gitCommit();
    }
    details.put("git_commit", p.commit);
    details.putAll(ctx.loraSizes());
    r = new MethodResult(r.method(), r.seed(), r.scores(), r.cost(), r.jaccard(), r.groups(),
        r.stageScores(), details);
    Json.writeFile(cellFile(runDir, key), r);
    p.computed++;
    if (p.tracker != null) {
      p.tracker.finished(key, (System.nanoTime() - c0) / 1e9);
    }
    return new CellResult(cell, key, r);
  }

  /** The lock a process holds while it computes a cell (see {@link FileLocks}). */
  public static Path claimFile(Path runDir, String key) {
    return runDir.resolve("locks").resolve("cells").resolve(key + ".lock");
  }

  /** A cell not finished yet: its position in the experiment's cells and its key. */
  public record Pending(int index, String key) {}

  /**
   * Whether another process is computing this unfinished cell now (it holds the cell's claim).
   * Called where this process holds no claim of its own on the cell.
   */
  public static boolean heldElsewhere(Path runDir, Pending cell) {
    Path claim = claimFile(runDir, cell.key());
    if (!Files.exists(claim)) {
      return false;
    }
    try (FileLocks.Held h = FileLocks.tryLock(claim)) {
      return h == null;
    }
  }

  /** The cells of {@code cells} not finished yet, in order. */
  public static List<Pending> unfinished(List<Cell> cells, MethodRunner.Inputs inputs,
      Path runDir) {
    List<Pending> out = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      Lookup l = lookup(cells.get(i), inputs, runDir);
      if (l.result() == null) {
        out.add(new Pending(i, l.key()));
      }
    }
    return out;
  }

  /** The cells that have finished (in a run that may still be going or was stopped). */
  public static List<CellResult> finished(List<Cell> cells, MethodRunner.Inputs inputs, Path runDir) {
    List<CellResult> out = new ArrayList<>();
    for (Cell cell : cells) {
      Lookup l = lookup(cell, inputs, runDir);
      if (l.result() != null) {
        out.add(new CellResult(cell, l.key(), l.result()));
      }
    }
    return out;
  }

  /** A cell's context, cache key, and stored result (null when it has not finished). */
  record Lookup(MethodContext ctx, String key, MethodResult result) {}

  static Lookup lookup(Cell cell, MethodRunner.Inputs inputs, Path runDir) {
    MethodContext ctx = context(cell, inputs, runDir);
    String key = key(cell, ctx);
    return new Lookup(ctx, key, load(cellFile(runDir, key), cell, ctx.taskNames()));
  }

  private static Path cellFile(Path runDir, String key) {
    return runDir.resolve("cells").resolve(key + ".json");
  }

  static MethodContext context(Cell cell, MethodRunner.Inputs in, Path runDir) {
    MethodContext base = MethodRunner.context(new MethodRunner.Inputs(in.base(), in.suite(),
        cell.tasks(), runDir.resolve("cache")), cell.config());
    if (cell.trainFraction().isEmpty()) {
      return base;
    }
    List<Task> tasks = new ArrayList<>();
    for (Task t : base.tasks()) {
      Double f = cell.trainFraction().get(t.name());
      tasks.add(f == null ? t : t.subsampleTrain(f, 0, base.seed("low-resource/" + t.name())));
    }
    for (String name : cell.trainFraction().keySet()) {
      if (!base.taskNames().contains(name)) {
        throw new CpiftException("low-resource fraction names unknown task " + name
            + "; name one of " + base.taskNames());
      }
    }
    return new MethodContext(base.base(), base.baseHash(), base.baseDir(), tasks, cell.config(),
        base.cache());
  }

  static String key(Cell cell, MethodContext ctx) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("method", cell.method());
    org.cpift.method.Methods.putRevision(k, cell.method());
    k.put("config", cell.config());
    if (cell.config().training().lora() != null) {
      // LoRA experts start from one shared adapter initialization (as their cache key says):
      // cells computed with per-task starts are not reused
      k.put("lora_experts", "shared start");
    }
    Methods.putDiffGates(k, cell.config());
    k.put("tasks", ctx.taskNames());
    k.put("train_fraction", new java.util.TreeMap<>(cell.trainFraction()));
    k.put("base", ctx.baseHash());
    k.put("data", ctx.dataChecksums());
    return ArtifactCache.key(k);
  }

  /**
   * The result stored for {@code cell} in {@code file}; null when there is none, or when it cannot
   * be read or does not hold what the cell computes (warned: it then counts as not finished, and
   * the next run computes it again).
   */
  private static MethodResult load(Path file, Cell cell, List<String> tasks) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    MethodResult r;
    try {
      r = Json.STRICT.readValue(file.toFile(), MethodResult.class);
    } catch (IOException e) {
      warnIgnored(file, "it is unreadable (" + e.getMessage() + ")");
      return null;
    }
    String problem = problem(r, cell, tasks);
    if (problem != null) {
      warnIgnored(file, problem);
      return null;
    }
    return r;
  }

  /** The damaged cell files warned about in this process, with why: each is warned about once. */
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /**
   * Warns that the cell file {@code file} is ignored because of {@code problem}, once per file
   * and problem in a process (a run or status looks a cell up several times).
   */
  static boolean warnIgnored(Path file, String problem) {
    if (!WARNED.add(file.toAbsolutePath().normalize() + "\n" + problem)) {
      return false;
    }
    LOG.warn("ignoring cell {}: {}; it counts as not finished, and the next run computes it "
        + "again", file, problem);
    return true;
  }

  /**
   * What is wrong with {@code r} as {@code cell}'s result over {@code tasks} (null when nothing):
   * the method and seed it names must be the cell's, and it must score every task, each score
   * a number in [0, 1].
   */
  static String problem(MethodResult r, Cell cell, List<String> tasks) {
    if (!cell.method().equals(r.method())) {
      return "it holds method '" + r.method() + "', while its key is of '" + cell.method() + "'";
    }
    if (r.seed() != cell.seed()) {
      return "it holds seed " + r.seed() + ", while its key is of seed " + cell.seed();
    }
    if (r.scores() == null) {
      return "it has no \"scores\"";
    }
    if (!r.scores().keySet().equals(new java.util.HashSet<>(tasks))) {
      return "it scores tasks " + r.scores().keySet() + ", while the cell's are " + tasks;
    }
    for (var e : r.scores().entrySet()) {
      Double v = e.getValue() == null ? null : e.getValue().get("score");
      if (v == null || !(v >= 0 && v <= 1)) {
        return "its score on " + e.getKey() + " is " + v + " (a score is a number in [0, 1])";
      }
    }
    return null;
  }

  /** On Ctrl-C mid-run: say what is saved and how to resume (files are never half-written). */
  private static void installInterruptMessage() {
    if (HOOKED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        Path dir = running;
        if (dir != null) {
          System.err.println("cpift: stopped. Finished cells are saved in " + dir.resolve("cells")
              + "; run the same command again to resume (the cell in flight restarts).");
        }
      }));
    }
  }
}
