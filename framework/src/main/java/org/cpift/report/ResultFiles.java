package org.cpift.report;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cpift.method.MethodResult;
import org.cpift.util.AtomicFiles;
import org.cpift.util.Json;

/**
 * Writes a method run's files: {@code scores.csv} ({@code method,task,seed,metric,value}),
 * {@code jaccard.csv} (task × task, header row and a first column of task names),
 * {@code groups.json} (groups in stage order) and {@code stage_scores.csv} when present.
 */
public final class ResultFiles {
  private ResultFiles() {}

  public static void write(Path dir, MethodResult r, List<String> tasks) {
    StringBuilder csv = new StringBuilder("method,task,seed,metric,value\n");
    r.scores().forEach((task, metrics) -> metrics.forEach((metric, value) ->
        csv.append(r.method()).append(',').append(task).append(',').append(r.seed()).append(',')
            .append(metric).append(',').append(num(value)).append('\n')));
    AtomicFiles.writeString(dir.resolve("scores.csv"), csv.toString());
    if (r.jaccard() != null) {
      StringBuilder j = new StringBuilder("task");
      tasks.forEach(t -> j.append(',').append(t));
      j.append('\n');
      for (int a = 0; a < tasks.size(); a++) {
        j.append(tasks.get(a));
        for (int b = 0; b < tasks.size(); b++) {
          j.append(',').append(num(r.jaccard()[a][b]));
        }
        j.append('\n');
      }
      AtomicFiles.writeString(dir.resolve("jaccard.csv"), j.toString());
    } else {
      deleteStale(dir.resolve("jaccard.csv"));
    }
    if (r.groups() != null) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("method", r.method());
      g.put("seed", r.seed());
      g.put("stages", r.groups());
      Json.writeFile(dir.resolve("groups.json"), g);
    } else {
      deleteStale(dir.resolve("groups.json"));
    }
    if (!r.stageScores().isEmpty()) {
      StringBuilder s = new StringBuilder("method,seed,stage,task,score\n");
      for (int k = 0; k < r.stageScores().size(); k++) {
        final int stage = k + 1;
        r.stageScores().get(k).forEach((task, v) -> s.append(r.method()).append(',')
            .append(r.seed()).append(',').append(stage).append(',').append(task).append(',')
            .append(num(v)).append('\n'));
      }
      AtomicFiles.writeString(dir.resolve("stage_scores.csv"), s.toString());
    } else {
      deleteStale(dir.resolve("stage_scores.csv"));
    }
  }

  /** A file an earlier method wrote into the same folder that this method does not produce. */
  private static void deleteStale(Path file) {
    try {
      java.nio.file.Files.deleteIfExists(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot remove the stale " + file + " left by an "
          + "earlier run in the same folder: " + e.getMessage(), e);
    }
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
