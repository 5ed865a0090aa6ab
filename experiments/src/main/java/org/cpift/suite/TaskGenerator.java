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
