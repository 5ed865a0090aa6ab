package org.cpift.task;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.util.ContainedPath;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.cpift.util.Shuffle;

/**
 * A task: a folder with {@code task.json} (name, format, metric, files) and its train, val and
 * test splits, checked on load: {@code SHA256SUMS} (when present) must hold, no split may be empty,
 * and no val or test prompt may also be a train prompt.
 *
 * <pre>{@code
 * {"name": "math", "format": "canonical", "metric": "final_number",
 *  "files": {"train": "train.jsonl", "val": "val.jsonl", "test": "test.jsonl"},
 *  "max_answer_chars": 64, "description": "..."}
 * }</pre>
 *
 * @param name task name (unique in a suite)
 * @param dir the task's folder
 * @param format file format of the splits
 * @param metric how answers are scored
 * @param maxAnswerChars longest answer generation is allowed to produce
 * @param train training records
 * @param val validation records
 * @param test test records
 * @param checksums SHA-256 of each split file, by split name
 * @param slices named subsets of the items, each given by the prefix its prompts start with
 *     ({@code task.json} field {@code "slices": {"shared-surface": "Evaluate "}}); scored
 *     separately beside the whole split. Empty when the task declares none.
 */
public record Task(String name, Path dir, TaskFormat format, Metric metric, int maxAnswerChars,
    List<SftRecord> train, List<SftRecord> val, List<SftRecord> test, Map<String, String> checksums,
    Map<String, String> slices) {

  public Task {
    slices = slices == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new LinkedHashMap<>(slices));
  }

  /** The slice an item belongs to (the first whose prefix its prompt starts with), or null. */
  public String sliceOf(SftRecord r) {
    for (Map.Entry<String, String> e : slices.entrySet()) {
      if (r.prompt().startsWith(e.getValue())) {
        return e.getKey();
      }
    }
    return null;
  }

  public static final String SPEC_FILE = "task.json";
  public static final String SUMS_FILE = "SHA256SUMS";

  /** Loads and checks the task in {@code dir}. */
  public static Task load(Path dir) {
    Path specFile = dir.resolve(SPEC_FILE);
    JsonNode spec;
    try {
      spec = Json.STRICT.readTree(Files.readString(specFile));
    } catch (NoSuchFileException e) {
      throw new CpiftException("no " + SPEC_FILE + " in " + dir + " (a task folder needs one: "
          + "{\"name\", \"format\", \"metric\", \"files\": {\"train\", \"val\", \"test\"}})");
    } catch (IOException e) {
      throw new CpiftException(specFile + ": not valid JSON (" + e.getMessage() + ")");
    }
    String where = specFile.toString();
    if (spec == null || !spec.isObject()) {
      throw new CpiftException(where + ": expected a JSON object");
    }
    String name = field(spec, "name", where);
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new CpiftException(where + ": field \"name\" must be letters, digits, '_', '.' or '-'");
    }
    TaskFormat format = TaskFormat.parse(field(spec, "format", where), where + " field \"format\"");
    Metric metric = Metric.parse(field(spec, "metric", where), where + " field \"metric\"");
    JsonNode files = spec.get("files");
    if (files == null || !files.isObject()) {
      throw new CpiftException(where + ": missing field \"files\" ({\"train\", \"val\", \"test\"})");
    }
    Map<String, Path> paths = new LinkedHashMap<>();
    for (String split : List.of("train", "val", "test")) {
      paths.put(split, ContainedPath.resolve(dir, field(files, split, where + " field \"files\""),
          where + " field \"files\".\"" + split + "\""));
    }
    Map<String, String> sums = verifyChecksums(dir, paths);
    List<SftRecord> train = format.read(paths.get("train"), name);
    List<SftRecord> val = format.read(paths.get("val"), name);
    List<SftRecord> test = format.read(paths.get("test"), name);
    Map<String, Integer> trainPrompts = new HashMap<>();
    for (int i = 0; i < train.size(); i++) {
      trainPrompts.putIfAbsent(train.get(i).prompt(), i);
    }
    checkNoLeak(val, paths.get("val"), trainPrompts, paths.get("train"));
    checkNoLeak(test, paths.get("test"), trainPrompts, paths.get("train"));
    int longest = 0;
    for (SftRecord r : train) {
      longest = Math.max(longest, r.answer().length());
    }
    int maxChars = longest + longest / 2 + 8;
    JsonNode mac = spec.get("max_answer_chars");
    if (mac != null) {
      if (!mac.isIntegralNumber() || !mac.canConvertToInt() || mac.asInt() < 1
          || mac.asInt() > MAX_ANSWER_CHARS_LIMIT) {
        throw new CpiftException(where + ": field \"max_answer_chars\" is " + mac
            + "; give a whole number in 1.." + MAX_ANSWER_CHARS_LIMIT
            + " (a JSON number, not a string), or leave it out to use 1.5 times the longest "
            + "training answer");
      }
      maxChars = mac.asInt();
    }
    Map<String, String> slices = new LinkedHashMap<>();
    JsonNode sl = spec.get("slices");
    if (sl != null) {
      if (!sl.isObject()) {
        throw new CpiftException(where + ": field \"slices\" must be an object of slice name to "
            + "prompt prefix, e.g. {\"shared-surface\": \"Evaluate \"}");
      }
      for (var it = sl.fields(); it.hasNext(); ) {
        var e = it.next();
        if (!e.getKey().matches("[A-Za-z0-9_.-]+") || !e.getValue().isTextual()
            || e.getValue().asText().isEmpty() || e.getKey().equals("other")) {
          throw new CpiftException(where + ": slice \"" + e.getKey() + "\" needs a name of letters, "
              + "digits, '_', '.' or '-' (not \"other\") and a non-empty prompt prefix");
        }
        slices.put(e.getKey(), e.getValue().asText());
      }
    }
    return new Task(name, dir, format, metric, maxChars, List.copyOf(train), List.copyOf(val),
        List.copyOf(test), sums, slices);
  }

  /** Largest {@code max_answer_chars} accepted: the generated answer is decoded token by token. */
  static final int MAX_ANSWER_CHARS_LIMIT = 100_000;

  private static String field(JsonNode n, String f, String where) {
    JsonNode v = n.get(f);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new CpiftException(where + ": missing or empty string field \"" + f + "\"");
    }
    return v.asText();
  }

  /** Checks {@code SHA256SUMS} (sha256sum format) when the folder has one. */
  private static Map<String, String> verifyChecksums(Path dir, Map<String, Path> paths) {
    Map<String, String> actual = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : paths.entrySet()) {
      if (!Files.isRegularFile(e.getValue())) {
        throw new CpiftException("data file not found: " + e.getValue() + " (the " + e.getKey()
            + " split named in " + dir.resolve(SPEC_FILE) + ")");
      }
      actual.put(e.getKey(), Hashing.sha256(e.getValue()));
    }
    org.cpift.util.Checksums.verify(dir);
    return actual;
  }

  private static void checkNoLeak(List<SftRecord> split, Path file, Map<String, Integer> train,
      Path trainFile) {
    for (int i = 0; i < split.size(); i++) {
      Integer j = train.get(split.get(i).prompt());
      if (j != null) {
        throw new CpiftException(file + " record " + (i + 1) + " (line " + lineOf(file, i)
            + "): field \"prompt\" also appears in the training split " + trainFile + " (line "
            + lineOf(trainFile, j) + "); held-out prompts must not be trained on");
      }
    }
  }

  /** 1-based line of the {@code index}-th non-blank line of a JSONL file (for messages). */
  static int lineOf(Path file, int index) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      int seen = -1;
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).isBlank() && ++seen == index) {
          return i + 1;
        }
      }
    } catch (IOException ignored) {
      // fall through: the message then says line 0
    }
    return 0;
  }

  /**
   * This task with its training split cut to {@code fraction} (0, 1] of its records, or to
   * {@code count} records when {@code count > 0}, chosen by a seeded shuffle (for the low-resource
   * analysis).
   */
  public Task subsampleTrain(double fraction, int count, long seed) {
    int n = count > 0 ? count : (int) Math.round(fraction * train.size());
    if (count < 0 || (count == 0 && !(fraction > 0 && fraction <= 1)) || n < 1 || n > train.size()) {
      throw new CpiftException("task " + name + ": cannot subsample " + train.size()
          + " training records to " + (count > 0 ? count + " records" : "fraction " + fraction)
          + "; give a fraction in (0, 1] or a count in 1.." + train.size());
    }
    List<SftRecord> shuffled = new ArrayList<>(train);
    SplittableRandom rnd = new SplittableRandom(seed);
    Shuffle.inPlace(shuffled, rnd);
    List<SftRecord> kept = List.copyOf(shuffled.subList(0, n));
    // the subset is a different training set: its identity (and so every cache key built from
    // the checksums, e.g. an expert's) must differ from the full file's
    Map<String, String> sums = new LinkedHashMap<>(checksums);
    sums.put("train", Hashing.sha256(checksums.getOrDefault("train", "") + "|subsample n=" + n
        + " of " + train.size() + " seed=" + seed));
    // keep the entry order: cache keys are hashes of JSON written in iteration order
    return new Task(name, dir, format, metric, maxAnswerChars, kept, val, test,
        java.util.Collections.unmodifiableMap(sums), slices);
  }
}
