package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executors against one another: a quick tiny reproduction (three experiments sharing cells,
 * two seeds) computed by one process, by two
 * local workers, by two {@code reproduce} commands started at once on one run directory, and by
 * a Slurm job array, must report the same results, cell for cell, with every cell computed
 * exactly once. Tagged "cluster" ({@code mvn -B test -Pcluster}; about 15 minutes on 2 cores alone, 28 while other jobs ran)
 * because it needs a running Slurm ({@code scripts/slurm-local.sh start}, as root) and minutes
 * of training per run. Prints the wall times and the per-cell cost of one process per cell.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExecutorsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String COMPUTED = "(elapsed "; // the runner's line for a cell it computes itself
  // three experiments that share cells (main-results' experts and baselines), two seeds: about
  // 50 cells, so that four runs fit the CI budget
  static final String SEEDS = "1,2";
  static final String EXPERIMENTS = "main-results,tau-sweep,forgetting";

  @TempDir static Path work;
  static Map<String, List<String>> reference;
  static double referenceSeconds;

  static List<String> reproduce(Path runDir, String... more) {
    return reproduce(runDir, runDir.resolve("reports"), more);
  }

  static List<String> reproduce(Path runDir, Path reports, String... more) {
    List<String> a = new ArrayList<>(List.of("reproduce", "--preset", "tiny", "--quick",
        "--seeds", SEEDS, "--experiments", EXPERIMENTS,
        "--data-root", ROOT.resolve("benchmarks-data").toString(), "--run-dir",
        runDir.toString(), "--out", reports.toString()));
    a.addAll(List.of(more));
    return a;
  }

  static Process start(List<String> args, Path log) throws IOException {
    Files.createDirectories(log.getParent());
    return new ProcessBuilder(LocalWorkers.thisJvm(args)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
  }

  static void await(Process p, Path log) throws Exception {
    if (!p.waitFor(60, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("no end after an hour; see " + log);
    }
    assertEquals(0, p.exitValue(), () -> "exit " + p.exitValue() + ": " + tail(log));
  }

  static String tail(Path log) {
    try {
      List<String> l = Files.readAllLines(log);
      return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Every experiment's results.csv, without the wall-time rows (which differ run to run). */
  static Map<String, List<String>> results(Path reports) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(reports)) {
      for (Path f : s.filter(f -> f.getFileName().toString().equals("results.csv")).toList()) {
        out.put(reports.relativize(f).toString(), Files.readAllLines(f).stream()
            .filter(l -> !l.matches(".*,[a-z_]*seconds,.*")).toList());
      }
    }
    return out;
  }

  static long cellFiles(Path runDir) throws IOException {
    try (Stream<Path> s = Files.list(runDir.resolve("cells"))) {
      return s.filter(f -> f.toString().endsWith(".json")).count();
    }
  }

  static long computedLines(List<Path> logs) throws IOException {
    long n = 0;
    for (Path log : logs) {
      n += Files.readAllLines(log).stream().filter(l -> l.contains(COMPUTED)).count();
    }
    return n;
  }

  static void assertSameAsReference(Path reports) throws IOException {
    Map<String, List<String>> got = results(reports);
    assertEquals(reference.keySet(), got.keySet(), "the same experiments reported");
    for (var e : reference.entrySet()) {
      assertEquals(e.getValue(), got.get(e.getKey()), e.getKey() + " differs from the inline run's");
    }
  }

  @BeforeAll
  static void inlineRun() throws Exception {
    Path run = work.resolve("inline");
    long t0 = System.nanoTime();
    await(start(reproduce(run), work.resolve("inline.log")), work.resolve("inline.log"));
    referenceSeconds = (System.nanoTime() - t0) / 1e9;
    reference = results(run.resolve("reports"));
    assertEquals(3, reference.size(), "the quick reproduction reports its experiments: "
        + reference.keySet());
    assertEquals(cellFiles(run), computedLines(List.of(work.resolve("inline.log"))),
        "one process computes each cell once");
    System.out.printf("executors: inline %.0f s, %d cells%n", referenceSeconds, cellFiles(run));
  }

  @Test
  @Order(1)
  void localWorkersReportWhatOneProcessReports() throws Exception {
    Path run = work.resolve("local");
    Path log = work.resolve("local.log");
    long t0 = System.nanoTime();
    await(start(reproduce(run, "--executor", "local", "--workers", "2"), log), log);
    double s = (System.nanoTime() - t0) / 1e9;
    assertSameAsReference(run.resolve("reports"));
    assertEquals(cellFiles(run), computedLines(List.of(log, run.resolve("workers/w1.log"))),
        "every cell computed exactly once by the two processes");
    System.out.printf("executors: local --workers 2 %.0f s (inline %.0f s, speed-up %.2fx)%n", s,
        referenceSeconds, referenceSeconds / s);
  }

  @Test
  @Order(2)
  void twoCommandsStartedAtOnceComputeEachCellOnce() throws Exception {
    Path run = work.resolve("twice");
    Path logA = work.resolve("twice-a.log");
    Path logB = work.resolve("twice-b.log");
    Process a = start(reproduce(run), logA);
    Process b = start(reproduce(run, work.resolve("twice-b-reports")), logB);
    await(a, logA);
    await(b, logB);
    assertSameAsReference(run.resolve("reports"));
    assertSameAsReference(work.resolve("twice-b-reports"));
    assertEquals(cellFiles(run), computedLines(List.of(logA, logB)),
        "every cell computed exactly once by the two commands");
  }

  @Test
  @Order(3)
  void aSlurmJobArrayReportsWhatOneProcessReports() throws Exception {
    Process sinfo = new ProcessBuilder("sinfo", "-h", "-o", "%t").redirectErrorStream(true).start();
    String nodes = new String(sinfo.getInputStream().readAllBytes()).strip();
    assertTrue(sinfo.waitFor() == 0 && nodes.matches("(?s).*(idle|mix|alloc).*"),
        "no Slurm node is up (sinfo: '" + nodes + "'); as root, scripts/slurm-local.sh start");
    Path run = work.resolve("slurm");
    Path log = work.resolve("slurm-submit.log");
    long t0 = System.nanoTime();
    await(start(reproduce(run, "--executor", "slurm"), log), log);
    Path sub;
    try (Stream<Path> s = Files.list(run.resolve("slurm"))) {
      sub = s.findFirst().orElseThrow();
    }
    Map<String, String> jobs = new TreeMap<>();
    for (String l : Files.readAllLines(sub.resolve(SlurmExecutor.JOBS))) {
      jobs.put(l.split("\t")[0], l.split("\t")[1]);
    }
    String ids = jobs.get("array") + "," + jobs.get("report");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
    while (true) {
      Process q = new ProcessBuilder("squeue", "-h", "-j", ids).redirectErrorStream(true).start();
      String left = new String(q.getInputStream().readAllBytes()).strip();
      q.waitFor();
      if (left.isEmpty() || left.contains("Invalid job id")) {
        break;
      }
      assertTrue(System.nanoTime() < deadline, "Slurm jobs still queued after an hour:\n" + left);
      Thread.sleep(5000);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    assertSameAsReference(run.resolve("reports"));
    // each array task's log ends with its timing: seconds before the cell's work, seconds in it
    List<Path> cellLogs;
    try (Stream<Path> l = Files.list(sub.resolve("logs"))) {
      cellLogs = l.filter(f -> f.getFileName().toString().startsWith("cell-")).toList();
    }
    assertEquals(cellFiles(run), computedLines(cellLogs), "each array task computed its cell");
    List<Double> before = new ArrayList<>();
    double in = 0;
    for (Path f : cellLogs) {
      for (String line : Files.readAllLines(f)) {
        int at = line.indexOf(RunCellCommand.TIMING);
        if (at >= 0) {
          String[] x = line.substring(at).split("\t");
          before.add(Double.parseDouble(x[2]));
          in += Double.parseDouble(x[3]);
        }
      }
    }
    assertEquals(cellLogs.size(), before.size(), "every array task logged its timing");
    double out = before.stream().mapToDouble(Double::doubleValue).sum();
    before.sort(null);
    System.out.printf("executors: slurm %.0f s for %d array tasks (inline %.0f s); per task "
        + "before the cell's work: median %.2f s, max %.2f s; %.1f%% of the tasks' time%n", s,
        cellLogs.size(), referenceSeconds, before.get(before.size() / 2),
        before.get(before.size() - 1), 100 * out / (out + in));
    Path status = work.resolve("status.log");
    await(start(List.of("status", run.toString(), "--preset", "tiny", "--quick", "--seeds", SEEDS,
        "--data-root", ROOT.resolve("benchmarks-data").toString()), status), status);
    String text = Files.readString(status);
    assertTrue(text.contains(" 0 failed") && text.contains(" 0 queued"), text);
    System.out.println(text);
  }
}
