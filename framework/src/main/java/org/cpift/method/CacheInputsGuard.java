package org.cpift.method;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.cpift.task.Task;
import org.cpift.train.ModelCheckpoint;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;

/**
 * Guards a cache directory against inputs that change a result without changing its key.
 *
 * <p>Cache keys hash the base model's weights and each task's data files. How a task is scored
 * ({@code task.json}: format, metric, longest answer) and the base model's tokenizer are not in the
 * keys, so that editing them would silently reuse experts and cells computed under the old
 * definition. This guard records them in {@code <cache>/inputs.json} the first time they are seen
 * (per task data, per base weights) and refuses a later run whose definitions differ, saying what
 * changed and what to do.
 */
public final class CacheInputsGuard {
  static final String FILE = "inputs.json";
  private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

  private CacheInputsGuard() {}

  /** Checks (and records) the tasks' scoring definitions and the base tokenizer for this cache. */
  public static void check(Path cacheDir, Path baseDir, String baseHash, List<Task> tasks) {
    Map<String, Map<String, String>> now = new TreeMap<>();
    Map<String, String> what = new TreeMap<>(); // each record's subject, for the message
    String base = "base " + baseHash;
    now.put(base, Map.of("tokenizer_sha256",
        Hashing.sha256(ModelCheckpoint.tokenizerFile(baseDir))));
    what.put(base, "the tokenizer of base model " + baseDir);
    for (Task t : tasks) {
      String key = "task " + t.name() + " " + Hashing.sha256(Json.write(t.checksums()));
      now.put(key, Map.of("format", t.format().name(), "metric", t.metric().name(),
          "max_answer_chars", Integer.toString(t.maxAnswerChars())));
      what.put(key, "the definition of task " + t.name() + " (its task.json)");
    }
    String memo = cacheDir.toAbsolutePath().normalize() + "|" + Json.write(now);
    if (CHECKED.contains(memo)) {
      return;
    }
    Path file = cacheDir.resolve(FILE);
    Map<String, Map<String, String>> recorded = read(file);
    boolean added = false;
    for (Map.Entry<String, Map<String, String>> e : now.entrySet()) {
      Map<String, String> old = recorded.get(e.getKey());
      if (old == null) {
        recorded.put(e.getKey(), e.getValue());
        added = true;
      } else if (!old.equals(e.getValue())) {
        throw new CpiftException(what.get(e.getKey()) + " changed since the cache " + cacheDir
            + " was made: "
            + "recorded " + new TreeMap<>(old) + ", now " + new TreeMap<>(e.getValue())
            + ". Its experts and cells were scored under the old definition and their keys "
            + "cannot tell. Use a fresh cache directory (a new run directory), "
            + "delete " + cacheDir + " and the cells next to it, or restore the old definition "
            + "(recorded in " + file + ").");
      }
    }
    if (added) {
      Json.writeFile(file, recorded);
    }
    CHECKED.add(memo);
  }

  private static Map<String, Map<String, String>> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return new TreeMap<>();
    }
    try {
      return new TreeMap<>(Json.STRICT.readValue(file.toFile(),
          new TypeReference<Map<String, Map<String, String>>>() {}));
    } catch (IOException e) {
      throw new CpiftException(file + ": not a readable inputs record (" + e.getMessage()
          + "); delete it to record the current inputs afresh");
    }
  }
}
