package org.cpift.suite;

import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;

/**
 * A seeded generator of one suite task. {@link #example} draws one record from the task's
 * distribution; {@link SuiteGenerator} draws until it has enough distinct prompts and splits them.
 */
public interface TaskGenerator {
  /** The task's name (its folder under the suite). */
  String name();

  /** How answers are scored. */
  Metric metric();

  /** One record (prompt and answer; id and task are filled in by the suite generator). */
  SftRecord example(SplittableRandom rnd);

  /** The paper dataset this task stands for, and what it tests (for the task README). */
  String description();

  /** Source and licence of any real data used. */
  default String source() {
    return "Synthetic: written by the generator `" + getClass().getName() + "` (this repository, "
        + "Apache-2.0); no external data.";
  }

  /**
   * One record of the task's warm-up set: an easier variant of the task, from an item family that
   * never occurs in the task's own splits (one step where the task needs two, one fact where it
   * holds several, ...), in the task's format. A base model trained on these holds the task's
   * formats and skills at a low level, as a pretrained language model does before supervised
   * fine-tuning.
   */
  SftRecord warmupExample(SplittableRandom rnd);

  /**
   * A task prompt in another wording with the same content (the warm-up set's own-family items:
   * the task's skill, not its exact instructions).
   */
  String reword(String prompt);

  /**
   * Told the task's val and test records before warm-up records are drawn, so that a generator
   * whose warm-up items can state a held-out fact in other words (the same noun's plural) leaves
   * those facts out.
   */
  default void excludeFromWarmup(List<SftRecord> heldOut) {}

  /**
   * Named slices of the task's items by prompt prefix, written to {@code task.json} and scored
   * separately (empty: none).
   */
  default java.util.Map<String, String> slices() {
    return java.util.Map.of();
  }

  /** Generic, domain-flavoured pretraining text (never in the SFT format of this task). */
  List<String> pretrainingText(SplittableRandom rnd, int documents);

  static <T> T pick(SplittableRandom rnd, List<T> items) {
    return items.get(rnd.nextInt(items.size()));
  }

  static int between(SplittableRandom rnd, int lo, int hi) {
    return lo + rnd.nextInt(hi - lo + 1);
  }

  List<String> NAMES = List.of("Ana", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo",
      "Jade", "Kim", "Leo", "Mia", "Noor", "Omar", "Pia", "Quinn", "Raj", "Sara", "Tom", "Uma",
      "Vic", "Wen", "Yara", "Zed", "Lena", "Max", "Nina", "Otto", "Rosa");
}
