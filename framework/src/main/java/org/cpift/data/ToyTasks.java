package org.cpift.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded synthetic tasks for smoke tests and the README's first run: copy or reverse a random
 * lower-case string. Deterministic: the same seed gives the same records.
 */
public final class ToyTasks {
  private ToyTasks() {}

  /** Prompts {@code "copy: abc"} with answer {@code "abc"}. */
  public static List<SftRecord> copy(int n, int minLen, int maxLen, long seed) {
    return make("copy", n, minLen, maxLen, seed, false);
  }

  /** Prompts {@code "reverse: abc"} with answer {@code "cba"}. */
  public static List<SftRecord> reverse(int n, int minLen, int maxLen, long seed) {
    return make("reverse", n, minLen, maxLen, seed, true);
  }

  private static List<SftRecord> make(String task, int n, int minLen, int maxLen, long seed,
      boolean reverse) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<SftRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int len = minLen + rnd.nextInt(maxLen - minLen + 1);
      StringBuilder sb = new StringBuilder(len);
      for (int j = 0; j < len; j++) {
        sb.append((char) ('a' + rnd.nextInt(26)));
      }
      String s = sb.toString();
      String answer = reverse ? new StringBuilder(s).reverse().toString() : s;
      out.add(new SftRecord(task + ": " + s, answer, task + "-" + i, task));
    }
    return out;
  }
}
