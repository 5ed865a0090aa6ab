package org.cpift.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.JsonlWriter;
import org.cpift.data.SftRecord;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Shuffle;

/**
 * The generic corpus the base models are pretrained on: each generator's domain-flavoured text
 * (arithmetic facts, Python scripts without their outputs, statements about made-up categories,
 * WordNet glosses, short biographies) — never a task item. Written as JSONL records with an empty
 * prompt (so every token carries loss), shuffled, with a {@code SHA256SUMS}. Writing fails if any
 * held-out prompt of the suite occurs in the corpus.
 */
public final class PretrainCorpus {
  public static final String FILE = "corpus.jsonl";

  private PretrainCorpus() {}

  static void write(Path dir, List<TaskGenerator> generators, List<SftRecord> heldOut, long seed,
      int docsPerTask) {
    SplittableRandom root = new SplittableRandom(seed);
    List<SftRecord> docs = new ArrayList<>();
    for (TaskGenerator g : generators) {
      for (String text : g.pretrainingText(root.split(), docsPerTask)) {
        docs.add(new SftRecord("", text, "corpus-" + docs.size(), g.name()));
      }
    }
    for (SftRecord h : heldOut) {
      if (h.prompt().length() < 20) {
        continue; // short prompts (a single word) are not items; they occur in any text
      }
      for (SftRecord d : docs) {
        if (d.answer().contains(h.prompt())) {
          throw new CpiftException("the pretraining corpus contains held-out prompt " + h.id());
        }
      }
    }
    SplittableRandom rnd = root.split();
    Shuffle.inPlace(docs, rnd);
    Path file = dir.resolve(FILE);
    JsonlWriter.write(file, docs);
    AtomicFiles.writeString(dir.resolve("SHA256SUMS"), Hashing.sha256(file) + "  " + FILE + "\n");
  }
}
