package org.cpift.suite;

import static org.cpift.suite.TaskGenerator.pick;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;
import org.cpift.util.Shuffle;

/**
 * {@code logic} (stands for LogiQA): multiple-choice deductions over made-up categories. Premises
 * ("All wumps are daxes.", "No daxes are feps.", "Kim is a wump.") in shuffled order, the question
 * "Which must be true?" and four options, exactly one entailed; the answer is its letter.
 */
public final class LogicGenerator implements TaskGenerator {
  static final List<String> KINDS = List.of("wump", "dax", "fep", "blick", "tove", "zorb", "glim",
      "plonk", "snib", "vorp", "trell", "quan", "mirl", "drab", "yelt", "kesh", "lurn", "nopt",
      "rilk", "sweb", "tarn", "vusk", "zell", "frob", "gorn", "hask", "jint", "mave", "pib", "wug");

  @Override
  public String name() {
    return "logic";
  }

  @Override
  public Metric metric() {
    return Metric.OPTION_LETTER;
  }

  @Override
  public String description() {
    return "Stands for **LogiQA** (multiple-choice logical reasoning). Each item gives 2-4 premises "
        + "about made-up categories (chains of \"All X are Y.\", \"No X are Y.\", membership and "
        + "non-membership of a person), in shuffled order, and asks which of four statements must "
        + "be true; exactly one is entailed. The answer is the option letter. It tests deduction "
        + "(chaining, negation, modus tollens) without world knowledge.";
  }

  private static String plural(String k) {
    return k.endsWith("x") || k.endsWith("sh") || k.endsWith("s") ? k + "es" : k + "s";
  }

  @Override
  public SftRecord example(SplittableRandom rnd) {
    List<String> kinds = new ArrayList<>(KINDS);
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      chosen.add(kinds.remove(rnd.nextInt(kinds.size())));
    }
    String a = chosen.get(0);
    String b = chosen.get(1);
    String c = chosen.get(2);
    String d = chosen.get(3);
    String e = chosen.get(4);
    String who = pick(rnd, NAMES);
    List<String> premises = new ArrayList<>();
    String correct;
    List<String> wrong = new ArrayList<>();
    switch (rnd.nextInt(4)) {
      case 0 -> { // chain of two: a -> b -> c
        premises.add(all(a, b));
        premises.add(all(b, c));
        premises.add(is(who, a));
        correct = is(who, c);
        wrong.add(isNot(who, b));
        wrong.add(isNot(who, c));
        wrong.add(is(who, d));
      }
      case 1 -> { // chain of three: a -> b -> c -> d
        premises.add(all(a, b));
        premises.add(all(b, c));
        premises.add(all(c, d));
        premises.add(is(who, a));
        correct = is(who, d);
        wrong.add(isNot(who, d));
        wrong.add(isNot(who, b));
        wrong.add(is(who, e));
      }
      case 2 -> { // negation: a -> b, no b is c
        premises.add(all(a, b));
        premises.add(no(b, c));
        premises.add(is(who, a));
        correct = isNot(who, c);
        wrong.add(is(who, c));
        wrong.add(isNot(who, b));
        wrong.add(is(who, d));
      }
      default -> { // modus tollens: a -> b -> c, not c
        premises.add(all(a, b));
        premises.add(all(b, c));
        premises.add(isNot(who, c));
        correct = isNot(who, a);
        wrong.add(is(who, a));
        wrong.add(is(who, b));
        wrong.add(is(who, d));
      }
    }
    Shuffle.inPlace(premises, rnd);
    List<String> options = new ArrayList<>(wrong);
    int at = rnd.nextInt(4);
    options.add(at, correct);
    StringBuilder q = new StringBuilder(String.join(" ", premises)).append("\nWhich must be true?");
    for (int i = 0; i < 4; i++) {
      q.append('\n').append((char) ('A' + i)).append(") ").append(options.get(i));
    }
    return new SftRecord(q.toString(), String.valueOf((char) ('A' + at)));
  }

  /** {@code Which must be true?} → {@code Which statement follows?}. */
  @Override
  public String reword(String prompt) {
    return prompt.replace("\nWhich must be true?", "\nWhich statement follows?");
  }

  /**
   * One-premise deductions ("All feps are lurns. Quinn is a fep."), where the task chains two or
   * three premises.
   */
  @Override
  public SftRecord warmupExample(SplittableRandom rnd) {
    List<String> kinds = new ArrayList<>(KINDS);
    String a = kinds.remove(rnd.nextInt(kinds.size()));
    String b = kinds.remove(rnd.nextInt(kinds.size()));
    String c = kinds.remove(rnd.nextInt(kinds.size()));
    String who = pick(rnd, NAMES);
    List<String> premises = new ArrayList<>(List.of(all(a, b), is(who, a)));
    Shuffle.inPlace(premises, rnd);
    List<String> options = new ArrayList<>(List.of(isNot(who, b), is(who, c), isNot(who, a)));
    int at = rnd.nextInt(4);
    options.add(at, is(who, b));
    StringBuilder q = new StringBuilder(String.join(" ", premises)).append("\nWhich must be true?");
    for (int i = 0; i < 4; i++) {
      q.append('\n').append((char) ('A' + i)).append(") ").append(options.get(i));
    }
    return new SftRecord(q.toString(), String.valueOf((char) ('A' + at)));
  }

  static String all(String x, String y) {
    return "All " + plural(x) + " are " + plural(y) + ".";
  }

  static String no(String x, String y) {
    return "No " + plural(x) + " are " + plural(y) + ".";
  }

  static String is(String who, String x) {
    return who + " is a " + x + ".";
  }

  static String isNot(String who, String x) {
    return who + " is not a " + x + ".";
  }

  @Override
  public List<String> pretrainingText(SplittableRandom rnd, int documents) {
    List<String> out = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      String x = pick(rnd, KINDS);
      String y = pick(rnd, KINDS);
      String who = pick(rnd, NAMES);
      out.add("Every " + x + " is a kind of thing. " + who + " met a " + y + " today. Some "
          + plural(x) + " live near the " + plural(y) + ". If it rains, " + who + " stays in.");
    }
    return out;
  }
}
