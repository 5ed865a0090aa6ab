package org.cpift.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.cpift.data.JsonlWriter;
import org.cpift.data.SftRecord;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Shuffle;

/**
 * The warm-up set: for every task, records of an easier item family than the task's own (see
 * {@link TaskGenerator#warmupExample}), in the task's prompt/answer format, and a share
 * {@link #OWN_FAMILY_SHARE} of the task's own item families in another wording
 * ({@link TaskGenerator#reword}), drawn apart from the suite's items. The base models of
 * suite-v2 are trained on it, mixed with the generic corpus, after pretraining, so that they hold
 * each task's format and skills at a low level before supervised fine-tuning, as a pretrained
 * language model does. No warm-up prompt is a prompt of the suite (any split); written as
 * shuffled canonical JSONL, {@code warmup.jsonl}, with its checksum in {@code SHA256SUMS}.
 */
public final class WarmupSet {
  public static final String FILE = "warmup.jsonl";

  /** The share of warm-up records drawn from the task's own families, reworded. */
  public static final double OWN_FAMILY_SHARE = 0.3;

  private WarmupSet() {}

  static void write(Path dir, List<TaskGenerator> generators, List<SftRecord> suiteRecords,
      List<SftRecord> heldOut, long seed, int perTask) {
    Set<String> suitePrompts = new HashSet<>();
    suiteRecords.forEach(r -> suitePrompts.add(r.prompt()));
    SplittableRandom root = new SplittableRandom(seed);
    List<SftRecord> out = new ArrayList<>();
    for (TaskGenerator g : generators) {
      g.excludeFromWarmup(heldOut.stream().filter(r -> g.name().equals(r.task())).toList());
      SplittableRandom rnd = root.split();
      Set<String> seen = new LinkedHashSet<>();
      long attempts = 0;
      while (seen.size() < perTask) {
        if (++attempts > 100L * perTask) {
          throw new CpiftException("warm-up set of " + g.name() + ": only " + seen.size()
              + " distinct prompts outside the suite after " + (attempts - 1) + " draws; ask "
              + "for fewer than " + perTask);
        }
        SftRecord r;
        if (rnd.nextDouble() < OWN_FAMILY_SHARE) {
          SftRecord own = g.example(rnd);
          // an item of the suite (any split) stays out, in whatever wording
          r = suitePrompts.contains(own.prompt()) ? null
              : new SftRecord(g.reword(own.prompt()), own.answer());
        } else {
          r = g.warmupExample(rnd);
        }
        if (r != null && !suitePrompts.contains(r.prompt()) && seen.add(r.prompt())) {
          out.add(new SftRecord(r.prompt(), r.answer(), g.name() + "-warmup-" + seen.size(),
              g.name()));
        }
      }
    }
    SplittableRandom shuffle = root.split();
    Shuffle.inPlace(out, shuffle);
    Path file = dir.resolve(FILE);
    JsonlWriter.write(file, out);
    String sums = Hashing.sha256(dir.resolve(PretrainCorpus.FILE)) + "  " + PretrainCorpus.FILE
        + "\n" + Hashing.sha256(file) + "  " + FILE + "\n";
    AtomicFiles.writeString(dir.resolve("SHA256SUMS"), sums);
  }
}
