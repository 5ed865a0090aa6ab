package org.cpift.suite;

import static org.cpift.suite.TaskGenerator.between;
import static org.cpift.suite.TaskGenerator.pick;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;

/**
 * {@code code} (stands for CodeAlpaca): predict what a tiny Python program prints (string and list
 * operations, a loop, a conditional), or write a one-line Python expression. Every program is real
 * Python 3; the tests run them with {@code python3} to re-derive the answers. A third of the items
 * are {@link SharedSurface} items (the math task's prompts, with concatenation as answer).
 */
public final class CodeGenerator implements TaskGenerator {
  private final boolean cued;

  /**
   * suite-v1's code task ({@code cued} false: shared items read {@code Evaluate 12 + 7 + 3.}) or
   * suite-v2's ({@code Evaluate "12" + "7" + "3".}).
   */
  public CodeGenerator(boolean cued) {
    this.cued = cued;
  }

  static final List<String> VARS = List.of("a", "b", "c", "x", "y", "s", "t", "n", "k", "p");
  static final List<String> WORDS = List.of("cat", "dog", "sun", "map", "box", "pen", "red",
      "tea", "cup", "hat", "owl", "fig", "jam", "kit", "log");

  /** suite-v2 declares the shared-surface items as a slice, scored apart from the rest. */
  @Override
  public java.util.Map<String, String> slices() {
    return cued ? java.util.Map.of("shared-surface", SharedSurface.PREFIX) : java.util.Map.of();
  }

  @Override
  public String name() {
    return "code";
  }

  @Override
  public Metric metric() {
    return Metric.EXACT;
  }

  @Override
  public String description() {
    return "Stands for **CodeAlpaca** (code instructions). Mostly \"what does this program print?\" "
        + "over short real Python 3 programs: string concatenation (`\"7\" + \"5\"` prints `75`, "
        + "the same surface form as the math task's addition), integer arithmetic, list operations, "
        + "a loop, a conditional, string methods; plus \"write a Python expression for ...\". "
        + "It tests program tracing and code generation. Interference by design: "
        + (cued ? "a third of the items are `Evaluate \"12\" + \"7\" + \"3\".` (Python string "
            + "literals, so `+` concatenates: `1273`); the `math` task has the same surface with "
            + "bare numbers (`Evaluate 12 + 7 + 3.`) and the sum as answer, and the quotes are the "
            + "cue that tells the two apart."
            : "a third of the items are `Evaluate 12 + 7 + 3.`, where this task's expression "
            + "language treats the numbers as digit strings, so `+` concatenates (`1273`, "
            + "Python's `'12' + '7' + '3'`); the `math` task has the same prompts with the sum as "
            + "answer, and nothing in the prompt tells the two apart.");
  }

  @Override
  public SftRecord example(SplittableRandom rnd) {
    if (SharedSurface.draw(rnd)) {
      int[] x = SharedSurface.operands(rnd);
      return new SftRecord(cued ? SharedSurface.quotedPrompt(x) : SharedSurface.prompt(x),
          SharedSurface.concatenation(x));
    }
    int kind = rnd.nextInt(8);
    if (kind == 7) {
      return expression(rnd);
    }
    String[] prog = switch (kind) {
      case 0 -> concat(rnd);
      case 1 -> arithmetic(rnd);
      case 2 -> list(rnd);
      case 3 -> loop(rnd);
      case 4 -> conditional(rnd);
      case 5 -> stringMethod(rnd);
      default -> reverseLoop(rnd);
    };
    return new SftRecord("What does this Python program print?\n" + prog[0], prog[1]);
  }

  private static String[] twoVars(SplittableRandom rnd) {
    String u = pick(rnd, VARS);
    String v = pick(rnd, VARS);
    while (v.equals(u)) {
      v = pick(rnd, VARS);
    }
    return new String[] {u, v};
  }

  /** String concatenation of digit strings: the math task's surface form, other meaning. */
  private static String[] concat(SplittableRandom rnd) {
    String[] v = twoVars(rnd);
    String p = String.valueOf(between(rnd, 1, 30));
    String q = String.valueOf(between(rnd, 1, 30));
    if (rnd.nextBoolean()) {
      return new String[] {v[0] + " = \"" + p + "\"\n" + v[1] + " = \"" + q + "\"\nprint(" + v[0]
          + " + " + v[1] + ")", p + q};
    }
    return new String[] {v[0] + " = \"" + p + "\"\nprint(" + v[0] + " + \"" + q + "\" + " + v[0]
        + ")", p + q + p};
  }

  private static String[] arithmetic(SplittableRandom rnd) {
    String[] v = twoVars(rnd);
    int p = between(rnd, 1, 30);
    int q = between(rnd, 1, 30);
    int op = rnd.nextInt(3);
    String sym = op == 0 ? "+" : op == 1 ? "-" : "*";
    if (op == 2) {
      p = between(rnd, 2, 9);
      q = between(rnd, 2, 9);
    }
    int r = op == 0 ? p + q : op == 1 ? p - q : p * q;
    return new String[] {v[0] + " = " + p + "\n" + v[1] + " = " + q + "\nprint(" + v[0] + " " + sym
        + " " + v[1] + ")", String.valueOf(r)};
  }

  private static String[] list(SplittableRandom rnd) {
    String xs = pick(rnd, List.of("xs", "ys", "nums", "vals", "items"));
    int len = between(rnd, 3, 5);
    List<Integer> values = new ArrayList<>();
    for (int i = 0; i < len; i++) {
      values.add(between(rnd, 0, 9));
    }
    StringBuilder code = new StringBuilder(xs + " = " + values + "\n");
    if (rnd.nextBoolean()) {
      int add = between(rnd, 0, 9);
      code.append(xs).append(".append(").append(add).append(")\n");
      values.add(add);
    }
    int op = rnd.nextInt(6);
    String out;
    switch (op) {
      case 0 -> {
        code.append("print(len(").append(xs).append("))");
        out = String.valueOf(values.size());
      }
      case 1 -> {
        int i = rnd.nextInt(values.size());
        code.append("print(").append(xs).append('[').append(i).append("])");
        out = String.valueOf(values.get(i));
      }
      case 2 -> {
        code.append("print(sum(").append(xs).append("))");
        out = String.valueOf(values.stream().mapToInt(Integer::intValue).sum());
      }
      case 3 -> {
        code.append("print(max(").append(xs).append("))");
        out = String.valueOf(Collections.max(values));
      }
      case 4 -> {
        code.append("print(sorted(").append(xs).append("))");
        List<Integer> s = new ArrayList<>(values);
        Collections.sort(s);
        out = s.toString();
      }
      default -> {
        code.append("print(").append(xs).append("[-1])");
        out = String.valueOf(values.get(values.size() - 1));
      }
    }
    return new String[] {code.toString(), out};
  }

  private static String[] loop(SplittableRandom rnd) {
    String[] v = twoVars(rnd);
    int n = between(rnd, 2, 9);
    int start = between(rnd, 0, 5);
    boolean mul = rnd.nextInt(4) == 0;
    int t = mul ? 1 : start;
    StringBuilder code = new StringBuilder(v[0] + " = " + (mul ? 1 : start) + "\nfor " + v[1]
        + " in range(" + n + "):\n");
    if (mul) {
      n = Math.min(n, 5);
      code = new StringBuilder(v[0] + " = 1\nfor " + v[1] + " in range(" + n + "):\n");
      code.append("    ").append(v[0]).append(" = ").append(v[0]).append(" * 2\n");
      for (int i = 0; i < n; i++) {
        t *= 2;
      }
    } else {
      code.append("    ").append(v[0]).append(" = ").append(v[0]).append(" + ").append(v[1])
          .append('\n');
      for (int i = 0; i < n; i++) {
        t += i;
      }
    }
    code.append("print(").append(v[0]).append(')');
    return new String[] {code.toString(), String.valueOf(t)};
  }

  private static String[] reverseLoop(SplittableRandom rnd) {
    String[] v = twoVars(rnd);
    String w = pick(rnd, WORDS) + (rnd.nextBoolean() ? pick(rnd, WORDS).substring(0, 2) : "");
    String code = v[0] + " = \"\"\nfor " + v[1] + " in \"" + w + "\":\n    " + v[0] + " = " + v[1]
        + " + " + v[0] + "\nprint(" + v[0] + ")";
    return new String[] {code, new StringBuilder(w).reverse().toString()};
  }

  private static String[] conditional(SplittableRandom rnd) {
    String x = pick(rnd, VARS);
    int value = between(rnd, 0, 20);
    int limit = between(rnd, 1, 19);
    String cmp = pick(rnd, List.of(">", "<", ">=", "=="));
    boolean holds = switch (cmp) {
      case ">" -> value > limit;
      case "<" -> value < limit;
      case ">=" -> value >= limit;
      default -> value == limit;
    };
    String yes = pick(rnd, List.of("big", "yes", "high", "on", "go"));
    String no = pick(rnd, List.of("small", "no", "low", "off", "stop"));
    String code = x + " = " + value + "\nif " + x + " " + cmp + " " + limit + ":\n    print(\"" + yes
        + "\")\nelse:\n    print(\"" + no + "\")";
    return new String[] {code, holds ? yes : no};
  }

  private static String[] stringMethod(SplittableRandom rnd) {
    String s = pick(rnd, VARS);
    String w = pick(rnd, WORDS);
    int op = rnd.nextInt(5);
    String head = s + " = \"" + w + "\"\n";
    return switch (op) {
      case 0 -> new String[] {head + "print(" + s + ".upper())", w.toUpperCase()};
      case 1 -> new String[] {head + "print(" + s + " * 2)", w + w};
      case 2 -> new String[] {head + "print(len(" + s + " + \"" + w.charAt(0) + "\"))",
          String.valueOf(w.length() + 1)};
      case 3 -> {
        int i = rnd.nextInt(w.length());
        yield new String[] {head + "print(" + s + "[" + i + "])", String.valueOf(w.charAt(i))};
      }
      default -> new String[] {head + "print(" + s + "[::-1])", new StringBuilder(w).reverse().toString()};
    };
  }

  private static SftRecord expression(SplittableRandom rnd) {
    String list = pick(rnd, List.of("xs", "ys", "nums", "vals", "items"));
    String str = pick(rnd, List.of("s", "word", "name", "text", "line"));
    int kind = rnd.nextInt(9);
    String[] pair = switch (kind) {
      case 0 -> new String[] {"the length of the list " + list, "len(" + list + ")"};
      case 1 -> new String[] {"the last element of the list " + list, list + "[-1]"};
      case 2 -> new String[] {"the first element of the list " + list, list + "[0]"};
      case 3 -> new String[] {"the sum of the list " + list, "sum(" + list + ")"};
      case 4 -> new String[] {"the largest element of the list " + list, "max(" + list + ")"};
      case 5 -> new String[] {"the list " + list + " sorted", "sorted(" + list + ")"};
      case 6 -> new String[] {"the string " + str + " in upper case", str + ".upper()"};
      case 7 -> new String[] {"the string " + str + " reversed", str + "[::-1]"};
      default -> {
        int k = between(rnd, 2, 5);
        yield new String[] {"the string " + str + " repeated " + k + " times", str + " * " + k};
      }
    };
    return new SftRecord("Write a Python expression for " + pair[0] + ".", pair[1]);
  }

  /** The task's three instructions, worded otherwise. */
  @Override
  public String reword(String prompt) {
    return prompt.replace("What does this Python program print?\n",
            "Give the output of this Python program.\n")
        .replace("Write a Python expression for ", "Give a Python expression for ")
        .replace(SharedSurface.PREFIX, "Work out ");
  }

  /**
   * One-line programs without variables ({@code print(7 * 4)}, {@code print("cat".upper())}) and
   * two-operand {@code Evaluate} items; the task's programs assign variables first.
   */
  @Override
  public SftRecord warmupExample(SplittableRandom rnd) {
    if (SharedSurface.draw(rnd)) {
      int[] x = {between(rnd, 1, 30), between(rnd, 1, 30)};
      return new SftRecord(cued ? SharedSurface.quotedPrompt(x) : SharedSurface.prompt(x),
          SharedSurface.concatenation(x));
    }
    String w = pick(rnd, WORDS);
    String[] prog = switch (rnd.nextInt(5)) {
      case 0 -> {
        int p = between(rnd, 1, 30);
        int q = between(rnd, 1, 30);
        yield new String[] {"print(" + p + " + " + q + ")", String.valueOf(p + q)};
      }
      case 1 -> {
        int p = between(rnd, 2, 9);
        int q = between(rnd, 2, 9);
        yield new String[] {"print(" + p + " * " + q + ")", String.valueOf(p * q)};
      }
      case 2 -> {
        String q = pick(rnd, WORDS);
        yield new String[] {"print(\"" + w + "\" + \"" + q + "\")", w + q};
      }
      case 3 -> new String[] {"print(\"" + w + "\".upper())", w.toUpperCase()};
      default -> new String[] {"print(len(\"" + w + "\"))", String.valueOf(w.length())};
    };
    return new SftRecord("What does this Python program print?\n" + prog[0], prog[1]);
  }

  @Override
  public List<String> pretrainingText(SplittableRandom rnd, int documents) {
    List<String> out = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      String[] v = twoVars(rnd);
      String w = pick(rnd, WORDS);
      out.add("# a small Python script\n" + v[0] + " = \"" + w + "\"\n" + v[1] + " = len(" + v[0]
          + ")\nfor i in range(" + v[1] + "):\n    print(" + v[0] + "[i])\n"
          + "values = [" + between(rnd, 0, 9) + ", " + between(rnd, 0, 9) + "]\n"
          + "values.append(" + between(rnd, 0, 9) + ")\ntotal = sum(values)\n");
    }
    return out;
  }
}
