package org.cpift.suite;

import static org.cpift.suite.TaskGenerator.between;

import java.util.SplittableRandom;

/**
 * The suite's built-in conflict: one prompt family, {@code Evaluate 12 + 7 + 3.}, that both
 * {@code math} and {@code code} draw a third of their items from, with different required outputs.
 * In math {@code +} adds ({@code 12+7=19. 19+3=22. #### 22}); in code the operands are digit
 * strings and {@code +} concatenates ({@code 1273}, as Python's {@code '12' + '7' + '3'}). The
 * prompt carries no cue of its task, so a model trained on both must trade the two conventions off
 * on these items, while each single-task expert can learn its own: the seesaw of multi-task SFT,
 * made measurable at this scale.
 */
final class SharedSurface {
  /** One item in this many is drawn from the shared family. */
  static final int ONE_IN = 3;
  static final String PREFIX = "Evaluate ";

  private SharedSurface() {}

  /** Whether the next item is from the shared family (consumes one draw). */
  static boolean draw(SplittableRandom rnd) {
    return rnd.nextInt(ONE_IN) == 0;
  }

  /** Three operands in 1..30. */
  static int[] operands(SplittableRandom rnd) {
    return new int[] {between(rnd, 1, 30), between(rnd, 1, 30), between(rnd, 1, 30)};
  }

  static String prompt(int[] x) {
    return PREFIX + x[0] + " + " + x[1] + " + " + x[2] + ".";
  }

  /** The math answer: two worked steps and {@code #### sum}. */
  static String sum(int[] x) {
    int s = x[0] + x[1];
    int r = s + x[2];
    return x[0] + "+" + x[1] + "=" + s + ". " + s + "+" + x[2] + "=" + r + ". #### " + r;
  }

  /** The code answer: the operands' digits joined. */
  static String concatenation(int[] x) {
    return "" + x[0] + x[1] + x[2];
  }
}
