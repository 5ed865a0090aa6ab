package org.cpift.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cpift.util.CpiftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local executor's extra processes: the same JVM (options and classpath) running the same
 * {@code reproduce} command on the same run directory, each with its reports written apart
 * ({@code <run-dir>/workers/wK/}) and its log in {@code <run-dir>/workers/wK.log}. The cells are
 * shared through the run directory's claims, so no cell is computed twice.
 */
final class LocalWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(LocalWorkers.class);

  private LocalWorkers() {}

  /** A started worker and its log. */
  record Worker(int index, Process process, Path log) {}

  static List<Worker> start(int n, List<String> args, Path runDir) {
    List<Worker> out = new ArrayList<>();
    for (int k = 1; k <= n; k++) {
      Path dir = runDir.resolve("workers").resolve("w" + k);
      List<String> cmd = thisJvm(args);
      cmd.add("--out");
      cmd.add(dir.resolve("reports").toAbsolutePath().toString());
      Path log = runDir.resolve("workers").resolve("w" + k + ".log");
      try {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        out.add(new Worker(k, p, log));
        LOG.info("local worker {} started (pid {}), log {}", k, p.pid(), log);
      } catch (IOException e) {
        throw new CpiftException("cannot start local worker " + k + " (" + e.getMessage() + ")");
      }
    }
    return out;
  }

  /** This JVM's command line (executable, options, classpath) running the CLI with {@code args}. */
  static List<String> thisJvm(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Cpift.class.getName());
    cmd.addAll(args);
    return cmd;
  }

  /** Waits for every worker; a worker that failed is reported with its log (its cells are done). */
  static void awaitAll(List<Worker> workers) {
    for (Worker w : workers) {
      try {
        int code = w.process().waitFor();
        if (code != 0) {
          LOG.warn("local worker {} ended with exit code {}; see {} (this process computed what "
              + "it left)", w.index(), code, w.log());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        w.process().destroy();
      }
    }
  }
}
