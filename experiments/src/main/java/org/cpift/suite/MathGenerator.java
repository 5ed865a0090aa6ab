package org.cpift.suite;

import static org.cpift.suite.TaskGenerator.between;
import static org.cpift.suite.TaskGenerator.pick;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;

/**
 * {@code math} (stands for GSM8K): two-step word problems over small integers, and a third of
 * {@link SharedSurface} items. The answer shows
 * the worked steps, {@code a+b=c. c-d=e.}, and ends with {@code #### e}; scored on the final
 * number.
 */
public final class MathGenerator implements TaskGenerator {
  private final boolean cued;

  /** suite-v1's math task ({@code cued} false) or suite-v2's (code's shared items are cued). */
  public MathGenerator(boolean cued) {
    this.cued = cued;
  }

  static final List<String> ITEMS = List.of("apples", "pens", "marbles", "stickers", "books",
      "coins", "cookies", "shells", "stamps", "cards", "eggs", "beads", "plums", "rocks", "toys",
      "cups", "seeds", "bricks", "notes", "bells");

  /** suite-v2 declares the shared-surface items as a slice, scored apart from the rest. */
  @Override
  public java.util.Map<String, String> slices() {
    return cued ? java.util.Map.of("shared-surface", SharedSurface.PREFIX) : java.util.Map.of();
  }

  @Override
  public String name() {
    return "math";
  }

  @Override
  public Metric metric() {
    return Metric.FINAL_NUMBER;
  }

  @Override
  public String description() {
    return "Stands for **GSM8K** (grade-school math word problems). Two-step problems over small "
        + "integers with addition, subtraction, multiplication and exact division; the answer "
        + "writes each step as `a+b=c.` and ends with `#### <number>`, as GSM8K does. It tests "
        + "multi-step arithmetic. Interference by design: a third of the items are "
        + "`Evaluate 12 + 7 + 3.`, a prompt the `code` task also uses with another required output "
        + "(there `+` concatenates digit strings: `1273`); "
        + (cued ? "there the operands are string literals (`Evaluate \"12\" + \"7\" + \"3\".`), "
            + "the cue that tells the two apart." : "nothing in the prompt tells the two apart.");
  }

  @Override
  public SftRecord example(SplittableRandom rnd) {
    if (SharedSurface.draw(rnd)) {
      int[] x = SharedSurface.operands(rnd);
      return new SftRecord(SharedSurface.prompt(x), SharedSurface.sum(x));
    }
    String n = pick(rnd, NAMES);
    String m = pick(rnd, NAMES);
    while (m.equals(n)) {
      m = pick(rnd, NAMES);
    }
    String item = pick(rnd, ITEMS);
    int kind = rnd.nextInt(6);
    int a;
    int b;
    int c;
    String q;
    String steps;
    int result;
    switch (kind) {
      case 0 -> {
        a = between(rnd, 2, 30);
        b = between(rnd, 2, 30);
        c = between(rnd, 1, a + b);
        int s1 = a + b;
        result = s1 - c;
        q = n + " has " + a + " " + item + ". " + n + " buys " + b + " more, then gives " + c
            + " to " + m + ". How many " + item + " does " + n + " have now?";
        steps = a + "+" + b + "=" + s1 + ". " + s1 + "-" + c + "=" + result + ".";
      }
      case 1 -> {
        a = between(rnd, 2, 9);
        b = between(rnd, 2, 9);
        int s1 = a * b;
        c = between(rnd, 1, s1);
        result = s1 - c;
        q = n + " has " + a + " bags with " + b + " " + item + " in each. " + n + " gives away "
            + c + " " + item + ". How many " + item + " are left?";
        steps = a + "*" + b + "=" + s1 + ". " + s1 + "-" + c + "=" + result + ".";
      }
      case 2 -> {
        a = between(rnd, 2, 9);
        b = between(rnd, 2, 9);
        c = between(rnd, 1, 30);
        int s1 = a * b;
        result = s1 + c;
        q = n + " buys " + a + " packs of " + item + " with " + b + " in each pack. " + n
            + " already had " + c + ". How many " + item + " does " + n + " have in all?";
        steps = a + "*" + b + "=" + s1 + ". " + s1 + "+" + c + "=" + result + ".";
      }
      case 3 -> {
        a = between(rnd, 2, 30);
        b = between(rnd, 1, 20);
        int s1 = a + b;
        result = a + s1;
        q = n + " has " + a + " " + item + ". " + m + " has " + b + " more than " + n
            + ". How many " + item + " do they have together?";
        steps = a + "+" + b + "=" + s1 + ". " + a + "+" + s1 + "=" + result + ".";
      }
      case 4 -> {
        b = between(rnd, 2, 9);
        int each = between(rnd, 2, 9);
        a = b * each;
        c = between(rnd, 1, 20);
        result = each + c;
        q = n + " shares " + a + " " + item + " equally among " + b + " friends. Each friend then"
            + " gets " + c + " more. How many " + item + " does each friend have?";
        steps = a + "/" + b + "=" + each + ". " + each + "+" + c + "=" + result + ".";
      }
      default -> {
        a = between(rnd, 3, 40);
        b = between(rnd, 1, a - 1);
        int k = between(rnd, 2, 4);
        int s1 = a - b;
        result = s1 * k;
        q = n + " had " + a + " " + item + " and lost " + b + ". Then the number left grew " + k
            + " times. How many " + item + " does " + n + " have?";
        steps = a + "-" + b + "=" + s1 + ". " + s1 + "*" + k + "=" + result + ".";
      }
    }
    return new SftRecord(q, steps + " #### " + result);
  }

  /** {@code Evaluate} → {@code Work out}; word problems get a {@code Word problem:} heading. */
  @Override
  public String reword(String prompt) {
    return prompt.startsWith(SharedSurface.PREFIX)
        ? "Work out " + prompt.substring(SharedSurface.PREFIX.length())
        : "Word problem: " + prompt;
  }

  /** One-step problems and two-operand {@code Evaluate} items (the task needs two steps). */
  @Override
  public SftRecord warmupExample(SplittableRandom rnd) {
    if (SharedSurface.draw(rnd)) {
      int a = between(rnd, 1, 30);
      int b = between(rnd, 1, 30);
      return new SftRecord(SharedSurface.prompt(a, b), SharedSurface.sum(new int[] {a, b}));
    }
    String n = pick(rnd, NAMES);
    String item = pick(rnd, ITEMS);
    return switch (rnd.nextInt(4)) {
      case 0 -> {
        int a = between(rnd, 2, 30);
        int b = between(rnd, 2, 30);
        yield new SftRecord(n + " has " + a + " " + item + " and finds " + b + " more. How many "
            + item + " does " + n + " have?", a + "+" + b + "=" + (a + b) + ". #### " + (a + b));
      }
      case 1 -> {
        int a = between(rnd, 3, 40);
        int b = between(rnd, 1, a - 1);
        yield new SftRecord(n + " has " + a + " " + item + " and loses " + b + ". How many "
            + item + " are left?", a + "-" + b + "=" + (a - b) + ". #### " + (a - b));
      }
      case 2 -> {
        int a = between(rnd, 2, 9);
        int b = between(rnd, 2, 9);
        yield new SftRecord(n + " has " + a + " boxes of " + b + " " + item + ". How many " + item
            + " is that?", a + "*" + b + "=" + (a * b) + ". #### " + (a * b));
      }
      default -> {
        int b = between(rnd, 2, 9);
        int each = between(rnd, 2, 9);
        int a = b * each;
        yield new SftRecord(n + " splits " + a + " " + item + " into " + b + " equal piles. How "
            + "many " + item + " are in a pile?", a + "/" + b + "=" + each + ". #### " + each);
      }
    };
  }

  @Override
  public List<String> pretrainingText(SplittableRandom rnd, int documents) {
    List<String> out = new ArrayList<>();
    String[] ops = {"+", "-", "*"};
    for (int d = 0; d < documents; d++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        int a = between(rnd, 0, 30);
        int b = between(rnd, 0, 12);
        String op = ops[rnd.nextInt(3)];
        int r = switch (op) {
          case "+" -> a + b;
          case "-" -> a - b;
          default -> a * b;
        };
        sb.append(a).append(' ').append(op).append(' ').append(b).append(" = ").append(r).append(". ");
      }
      String n = pick(rnd, NAMES);
      String item = pick(rnd, ITEMS);
      int x = between(rnd, 2, 20);
      int y = between(rnd, 2, 20);
      sb.append(n).append(" counted ").append(x).append(' ').append(item).append(" and then ")
          .append(y).append(" more, ").append(x + y).append(" in all.");
      out.add(sb.toString());
    }
    return out;
  }
}
