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
 *
 * <p>suite-v1 uses the uncued prompts; suite-v2 gives code's items the cue a real code dataset
 * carries, string literals ({@code Evaluate "12" + "7" + "3".}), so one model can answer both
 * tasks and any seesaw left comes from shared parameters, not from contradictory answers.
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

  /** The code task's prompt in suite-v2: the operands are string literals. */
  static String quotedPrompt(int[] x) {
    StringBuilder sb = new StringBuilder(PREFIX);
    for (int i = 0; i < x.length; i++) {
      sb.append(i > 0 ? " + " : "").append('"').append(x[i]).append('"');
    }
    return sb.append('.').toString();
  }

  /** The math answer: two worked steps and {@code #### sum}. */
  static String sum(int[] x) {
    StringBuilder sb = new StringBuilder();
    int s = x[0];
    for (int i = 1; i < x.length; i++) {
      int next = s + x[i];
      sb.append(s).append('+').append(x[i]).append('=').append(next).append(". ");
      s = next;
    }
    return sb.append("#### ").append(s).toString();
  }

  /** Math's prompt with any number of operands (the warm-up's two-operand variant). */
  static String prompt(int... x) {
    StringBuilder sb = new StringBuilder(PREFIX);
    for (int i = 0; i < x.length; i++) {
      sb.append(i > 0 ? " + " : "").append(x[i]);
    }
    return sb.append('.').toString();
  }

  /** The code answer: the operands' digits joined. */
  static String concatenation(int[] x) {
    StringBuilder sb = new StringBuilder();
    for (int v : x) {
      sb.append(v);
    }
    return sb.toString();
  }
}
