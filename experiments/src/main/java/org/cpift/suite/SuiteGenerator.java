package org.cpift.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cpift.data.JsonlWriter;
import org.cpift.data.SftRecord;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the five-task suite: for each generator, distinct prompts are drawn with a seed split
 * from the suite seed, the first {@code test} go to the test split, the next {@code val} to val,
 * the rest to train; then {@code task.json}, {@code README.md} and {@code SHA256SUMS}. The same
 * seed writes the same bytes. Also writes the pretraining corpus ({@link PretrainCorpus}).
 */
public final class SuiteGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(SuiteGenerator.class);

  private SuiteGenerator() {}

  /** Split sizes. */
  public record Sizes(int train, int val, int test) {
    public Sizes {
      if (train < 1 || val < 1 || test < 1) {
        throw new IllegalArgumentException("split sizes must be >= 1");
      }
    }

    int total() {
      return train + val + test;
    }
  }

  /** The generators of suite-v1, in suite order. */
  public static List<TaskGenerator> defaultGenerators(Path wordnetDir) {
    return generators(wordnetDir, 1);
  }

  /**
   * The generators of a suite version, in suite order: v1's shared-surface items carry no cue of
   * their task, v2's code items write their operands as string literals.
   */
  public static List<TaskGenerator> generators(Path wordnetDir, int version) {
    if (version != 1 && version != 2) {
      throw new CpiftException("unknown suite version " + version + "; choose 1 or 2");
    }
    boolean cued = version == 2;
    return List.of(new MathGenerator(cued), new CodeGenerator(cued), new LogicGenerator(),
        new InstructionsGenerator(wordnetDir), new DialogueGenerator());
  }

  /** Draws the splits of one task. */
  public static Map<String, List<SftRecord>> splits(TaskGenerator g, Sizes sizes, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Set<String> seen = new LinkedHashSet<>();
    List<SftRecord> drawn = new ArrayList<>();
    long attempts = 0;
    while (drawn.size() < sizes.total()) {
      if (++attempts > 100L * sizes.total()) {
        throw new CpiftException("task " + g.name() + ": only " + drawn.size()
            + " distinct prompts after " + (attempts - 1) + " draws; ask for fewer than "
            + sizes.total() + " records");
      }
      SftRecord r = g.example(rnd);
      if (seen.add(r.prompt())) {
        drawn.add(r);
      }
    }
    Map<String, List<SftRecord>> out = new LinkedHashMap<>();
    out.put("test", tag(drawn.subList(0, sizes.test()), g.name(), "test"));
    out.put("val", tag(drawn.subList(sizes.test(), sizes.test() + sizes.val()), g.name(), "val"));
    out.put("train", tag(drawn.subList(sizes.test() + sizes.val(), drawn.size()), g.name(), "train"));
    return out;
  }

  private static List<SftRecord> tag(List<SftRecord> records, String task, String split) {
    List<SftRecord> out = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      SftRecord r = records.get(i);
      out.add(new SftRecord(r.prompt(), r.answer(), task + "-" + split + "-" + i, task));
    }
    return out;
  }

  /** Writes every task folder, {@code suite.json} and the pretraining corpus. */
  public static void write(Path suiteDir, Path corpusDir, List<TaskGenerator> generators,
      Sizes sizes, long seed, int corpusDocsPerTask) {
    write(suiteDir, corpusDir, generators, sizes, seed, corpusDocsPerTask, 0);
  }

  /**
   * As {@link #write(Path, Path, List, Sizes, long, int)}, and with {@code warmupPerTask > 0} also
   * the warm-up set ({@link WarmupSet}) next to the corpus.
   */
  public static void write(Path suiteDir, Path corpusDir, List<TaskGenerator> generators,
      Sizes sizes, long seed, int corpusDocsPerTask, int warmupPerTask) {
    List<SftRecord> every = new ArrayList<>();
    SplittableRandom root = new SplittableRandom(seed);
    List<String> names = new ArrayList<>();
    List<SftRecord> heldOut = new ArrayList<>();
    for (TaskGenerator g : generators) {
      long taskSeed = root.split().nextLong();
      Map<String, List<SftRecord>> splits = splits(g, sizes, taskSeed);
      Path dir = suiteDir.resolve(g.name());
      StringBuilder sums = new StringBuilder();
      for (String split : List.of("train", "val", "test")) {
        Path f = dir.resolve(split + ".jsonl");
        JsonlWriter.write(f, splits.get(split));
        sums.append(Hashing.sha256(f)).append("  ").append(split).append(".jsonl\n");
      }
      heldOut.addAll(splits.get("val"));
      heldOut.addAll(splits.get("test"));
      splits.values().forEach(every::addAll);
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("name", g.name());
      spec.put("format", "canonical");
      spec.put("metric", g.metric().id());
      Map<String, String> files = new LinkedHashMap<>();
      files.put("train", "train.jsonl");
      files.put("val", "val.jsonl");
      files.put("test", "test.jsonl");
      spec.put("files", files);
      if (!g.slices().isEmpty()) {
        spec.put("slices", new java.util.TreeMap<>(g.slices()));
      }
      spec.put("description", g.description());
      spec.put("generator", g.getClass().getName());
      spec.put("seed", taskSeed);
      Json.writeFile(dir.resolve("task.json"), spec);
      AtomicFiles.writeString(dir.resolve("SHA256SUMS"), sums.toString());
      AtomicFiles.writeString(dir.resolve("README.md"), readme(g, splits, seed));
      names.add(g.name());
      LOG.info("wrote {}: {} train, {} val, {} test", dir, splits.get("train").size(),
          splits.get("val").size(), splits.get("test").size());
    }
    Map<String, Object> suiteSpec = new LinkedHashMap<>();
    suiteSpec.put("tasks", names);
    suiteSpec.put("seed", seed);
    Json.writeFile(suiteDir.resolve("suite.json"), suiteSpec);
    PretrainCorpus.write(corpusDir, generators, heldOut, root.split().nextLong(), corpusDocsPerTask);
    if (warmupPerTask > 0) {
      WarmupSet.write(corpusDir, generators, every, heldOut, root.split().nextLong(),
          warmupPerTask);
    }
  }

  static String readme(TaskGenerator g, Map<String, List<SftRecord>> splits, long suiteSeed) {
    List<SftRecord> train = splits.get("train");
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(g.name()).append("\n\n").append(g.description()).append("\n\n");
    sb.append("## Source and licence\n").append(g.source()).append("\n\n");
    sb.append("## Format\nCanonical JSONL: `{\"id\", \"task\", \"prompt\", \"answer\"}`, one object per "
        + "line. Splits: `train.jsonl` (").append(train.size()).append("), `val.jsonl` (")
        .append(splits.get("val").size()).append("), `test.jsonl` (").append(splits.get("test").size())
        .append("). No val or test prompt occurs in train (checked on load), and `SHA256SUMS` is "
        + "verified on load.\n\n");
    sb.append("## Metric\n`").append(g.metric().id()).append("`: ").append(switch (g.metric()) {
      case EXACT -> "exact match after trimming, lower-casing and collapsing spaces.";
      case FINAL_NUMBER -> "the number after `####` must equal the reference's.";
      case OPTION_LETTER -> "the first option letter (A-D) must equal the reference's.";
    }).append("\n\n## Examples\n");
    for (int i = 0; i < 2; i++) {
      SftRecord r = train.get(i);
      sb.append("\nPrompt:\n```\n").append(r.prompt()).append("\n```\nAnswer:\n```\n")
          .append(r.answer()).append("\n```\n");
    }
    sb.append("\n## How it was made\n`./cpift make-suite` with suite seed ").append(suiteSeed)
        .append(" (generator `").append(g.getClass().getSimpleName())
        .append("`; the suite's README.md gives the whole command); the same seed writes the same "
            + "bytes.\n");
    return sb.toString();
  }
}
