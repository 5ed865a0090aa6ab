package org.cpift.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What Slurm says of a submission's jobs: {@code sacct} for tasks that ended (where the cluster
 * keeps accounting) and {@code squeue} for the live ones, which overrides. Empty where Slurm is
 * not installed, does not know the job any more, or keeps no accounting; the caller then falls
 * back on the logs.
 */
final class SlurmStatus {
  private SlurmStatus() {}

  /** Array task (1-based) to its Slurm state, e.g. PENDING, RUNNING, FAILED, CANCELLED. */
  static Map<Integer, String> arrayTasks(String arrayJob) {
    Map<Integer, String> out = new HashMap<>();
    for (String line : run("sacct", "-n", "-P", "-X", "-j", arrayJob, "-o", "JobID,State")) {
      put(out, arrayJob, line);
    }
    for (String line : run("squeue", "-h", "-r", "-j", arrayJob, "-o", "%i|%T")) {
      put(out, arrayJob, line);
    }
    return out;
  }

  /** One job's state, or null when Slurm does not say. */
  static String job(String jobId) {
    String state = null;
    for (String line : run("sacct", "-n", "-P", "-X", "-j", jobId, "-o", "JobID,State")) {
      String[] f = line.split("\\|");
      if (f.length == 2 && f[0].equals(jobId)) {
        state = f[1].split(" ")[0];
      }
    }
    for (String line : run("squeue", "-h", "-j", jobId, "-o", "%i|%T")) {
      String[] f = line.split("\\|");
      if (f.length == 2 && f[0].equals(jobId)) {
        state = f[1];
      }
    }
    return state;
  }

  /** Whether a state means the task may still produce its cell. */
  static boolean live(String state) {
    return state != null && List.of("PENDING", "RUNNING", "CONFIGURING", "COMPLETING",
        "REQUEUED", "RESIZING", "SUSPENDED").contains(state);
  }

  private static void put(Map<Integer, String> out, String arrayJob, String line) {
    String[] f = line.strip().split("\\|");
    if (f.length != 2 || !f[0].startsWith(arrayJob + "_")) {
      return;
    }
    try { // "123_4"; pending ranges such as "123_[5-9%2]" are not split out
      out.put(Integer.parseInt(f[0].substring(arrayJob.length() + 1)), f[1].split(" ")[0]);
    } catch (NumberFormatException e) {
      // a range: squeue -r lists its tasks one by one, sacct may not; the logs decide those
    }
  }

  private static List<String> run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return List.of();
      }
      List<String> lines = new ArrayList<>();
      for (String l : text.split("\n")) {
        if (!l.isBlank()) {
          lines.add(l);
        }
      }
      return lines;
    } catch (IOException e) {
      return List.of(); // not installed here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }
}
