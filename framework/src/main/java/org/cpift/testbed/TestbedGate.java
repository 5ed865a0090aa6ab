package org.cpift.testbed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validity gate: each criterion of a testbed in CPI-FT's regime, measured (mean over seeds),
 * with its goal and whether it passes. The testbed is declared valid only when every required
 * criterion passes; the overlap criterion is reported but not required (it decides whether τ and
 * the linkage can be tested at all, not whether the regime is right).
 */
public final class TestbedGate {
  private TestbedGate() {}

  /**
   * The goals.
   *
   * @param maxRelativeNorm largest |δi| / |θ0| of any expert
   * @param baseMin lowest base score per task
   * @param baseMax highest base score per task
   * @param minGain smallest expert − base score per task
   * @param midpointKeep smallest share of an expert's score a pairwise midpoint keeps
   * @param taskArithmeticKeep smallest average normalized score of task arithmetic (λ from val)
   * @param averageKeep smallest average normalized score of the plain average of the experts
   * @param multiTaskMax largest average normalized score of multi-task SFT (a seesaw exists)
   * @param ceilingGap multi-task SFT must be at least this far below the contradiction ceiling
   * @param tau the grouping threshold whose reachability is reported
   */
  public record Criteria(double maxRelativeNorm, double baseMin, double baseMax, double minGain,
      double midpointKeep, double taskArithmeticKeep, double averageKeep, double multiTaskMax,
      double ceilingGap, double tau) {
    public Criteria {
      for (double v : new double[] {maxRelativeNorm, baseMin, baseMax, minGain, midpointKeep,
          taskArithmeticKeep, averageKeep, multiTaskMax, ceilingGap, tau}) {
        if (!Double.isFinite(v) || v < 0) {
          throw new IllegalArgumentException("testbed criteria must be finite and >= 0");
        }
      }
    }

    /** The goals of the testbed issue: the paper's regime as far as 2 cores can reach it. */
    public static Criteria defaults() {
      return new Criteria(0.03, 0.05, 0.30, 0.15, 0.80, 0.60, 0.50, 0.95, 0.05, 0.1);
    }
  }

  /** One criterion: what was measured, the goal, whether it passes, and per-item detail. */
  public record Criterion(String id, String description, double measured, String goal,
      boolean pass, boolean required, String detail) {}

  /** The gate's verdict. */
  public record Verdict(List<Criterion> criteria, boolean valid) {}

  /**
   * Judges the measurements.
   *
   * @param m one measurement per seed
   * @param multiTask per seed (same order), multi-task SFT's metrics per task on the
   *     measurements' split
   * @param ceiling the suite's contradiction ceiling, counted on the same split
   */
  public static Verdict judge(List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask, TestbedCheck.Ceiling ceiling,
      Criteria c) {
    if (m.isEmpty()) {
      throw new IllegalArgumentException("no measurements to judge");
    }
    List<String> tasks = m.get(0).tasks();
    String split = m.get(0).splitName();
    for (TestbedCheck.Measurement x : m) {
      if (!x.splitName().equals(split)) {
        throw new IllegalArgumentException("measurements on different splits (" + split + ", "
            + x.splitName() + "): judge one split at a time");
      }
    }
    List<Criterion> out = new ArrayList<>();

    Map<String, Double> rel = meanPerTask(m, tasks, x -> x.relativeNorm());
    double maxRel = rel.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    out.add(new Criterion("task-vector-size", "largest |θi − θ0| / |θ0| of any expert", maxRel,
        "≤ " + f(c.maxRelativeNorm()), maxRel <= c.maxRelativeNorm(), true, perTask(rel)));

    Map<String, Double> base = meanPerTask(m, tasks, x -> scores(x.base()));
    double baseLo = min(base);
    double baseHi = max(base);
    out.add(new Criterion("base-score", "base model's " + split + " score, every task", baseLo,
        f(c.baseMin()) + "–" + f(c.baseMax()), baseLo >= c.baseMin() && baseHi <= c.baseMax(),
        true, "range " + f(baseLo) + "–" + f(baseHi) + "; " + perTask(base)));

    Map<String, Double> gain = meanPerTask(m, tasks, x -> {
      Map<String, Double> g = new LinkedHashMap<>();
      x.tasks().forEach(t -> g.put(t, x.expert().get(t).get("score")
          - x.base().get(t).get("score")));
      return g;
    });
    double minGain = min(gain);
    out.add(new Criterion("expert-gain", "smallest expert − base " + split + " score of any task", minGain,
        "≥ " + f(c.minGain()), minGain >= c.minGain(), true, perTask(gain)));

    double worstMid = Double.POSITIVE_INFINITY;
    String worstPair = "";
    Map<String, double[]> midKeep = new LinkedHashMap<>();
    for (TestbedCheck.Measurement x : m) {
      for (TestbedCheck.Midpoint p : x.midpoints()) {
        double ka = keep(p.scoreA(), x.expert().get(p.a()).get("score"));
        double kb = keep(p.scoreB(), x.expert().get(p.b()).get("score"));
        double[] acc = midKeep.computeIfAbsent(p.a() + "+" + p.b(), k -> new double[3]);
        acc[0] += ka;
        acc[1] += kb;
        acc[2]++;
      }
    }
    StringBuilder midDetail = new StringBuilder();
    for (Map.Entry<String, double[]> e : midKeep.entrySet()) {
      double ka = e.getValue()[0] / e.getValue()[2];
      double kb = e.getValue()[1] / e.getValue()[2];
      // an expert scoring 0 leaves the share undefined: the criterion fails rather than
      // skipping the pair
      if (Double.isNaN(ka) || Double.isNaN(kb)) {
        if (!Double.isNaN(worstMid)) {
          worstMid = Double.NaN;
          worstPair = e.getKey() + ", whose expert scores 0 on some seed";
        }
      } else if (Math.min(ka, kb) < worstMid) {
        worstMid = Math.min(ka, kb);
        worstPair = e.getKey();
      }
      midDetail.append(midDetail.length() > 0 ? "; " : "").append(e.getKey()).append(' ')
          .append(f(ka)).append('/').append(f(kb));
    }
    if (midKeep.isEmpty()) {
      worstMid = Double.NaN; // no pair measured: nothing passes by default
    }
    out.add(new Criterion("midpoint-retention", "smallest share of an expert's score kept by a "
        + "pairwise midpoint θ0 + (δi + δj)/2 (worst: " + worstPair + ")", worstMid,
        "≥ " + f(c.midpointKeep()), worstMid >= c.midpointKeep(), true, midDetail.toString()));

    double ta = mean(m, x -> normalized(x.taskArithmetic(), scores(x.expert())));
    double lambdas = mean(m, TestbedCheck.Measurement::bestLambda);
    out.add(new Criterion("task-arithmetic", "task arithmetic at the λ chosen on validation: "
        + "average normalized " + split + " score"
        + (split.equals("val") ? " (optimistic: validation also chose λ)" : ""), ta, "≥ " + f(c.taskArithmeticKeep()),
        ta >= c.taskArithmeticKeep(), true, "λ chosen: " + joinLambdas(m) + " (mean "
        + f(lambdas) + ")"));

    double avg = mean(m, x -> normalized(x.average(), scores(x.expert())));
    out.add(new Criterion("average-merge", "plain average of the experts (λ = 1/N): average "
        + "normalized " + split + " score", avg, "≥ " + f(c.averageKeep()), avg >= c.averageKeep(), true,
        ""));

    double mt = Double.NaN;
    if (!multiTask.isEmpty()) {
      double sum = 0;
      for (int i = 0; i < multiTask.size(); i++) {
        sum += normalized(multiTask.get(i), scores(m.get(i).expert()));
      }
      mt = sum / multiTask.size();
    }
    double limit = Math.min(c.multiTaskMax(), ceiling.value() - c.ceilingGap());
    out.add(new Criterion("seesaw", "multi-task SFT's average normalized " + split + " score (a seesaw: "
        + "below the experts, and below what one model could reach)", mt,
        "≤ min(" + f(c.multiTaskMax()) + ", ceiling " + f(ceiling.value()) + " − "
            + f(c.ceilingGap()) + ") = " + f(limit), mt <= limit, true,
        "ambiguous " + split + " items per task (template shared with another task): " + perTask(ceiling.ambiguousShare())));

    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (TestbedCheck.Measurement x : m) {
      for (int i = 0; i < x.jaccard().length; i++) {
        for (int j = i + 1; j < x.jaccard().length; j++) {
          lo = Math.min(lo, x.jaccard()[i][j]);
          hi = Math.max(hi, x.jaccard()[i][j]);
        }
      }
    }
    out.add(new Criterion("tau-reachable", "largest core-region Jaccard overlap of any pair (can "
        + "τ group anything?)", hi, "≥ τ = " + f(c.tau()), hi >= c.tau(), false,
        "range " + f(lo) + "–" + f(hi) + (hi >= c.tau() ? "" : "; no pair reaches τ, so τ and "
            + "the linkage cannot be tested on this testbed")));

    boolean valid = out.stream().filter(Criterion::required).allMatch(Criterion::pass);
    return new Verdict(out, valid);
  }

  /**
   * The average normalized score, NaN (so the criterion fails) when an expert scores 0: a task
   * the experts did not learn is not left out of a criterion about keeping what they learned.
   */
  static double normalized(Map<String, Map<String, Double>> scores, Map<String, Double> expert) {
    return expert.values().stream().anyMatch(v -> !(v > 0)) ? Double.NaN
        : TestbedCheck.normalizedAverage(scores, expert);
  }

  private static double keep(double score, double expert) {
    return expert > 0 ? score / expert : Double.NaN;
  }

  private static Map<String, Double> scores(Map<String, Map<String, Double>> s) {
    Map<String, Double> out = new LinkedHashMap<>();
    s.forEach((t, v) -> out.put(t, v.get("score")));
    return out;
  }

  private static Map<String, Double> meanPerTask(List<TestbedCheck.Measurement> m,
      List<String> tasks, java.util.function.Function<TestbedCheck.Measurement, Map<String, Double>> f) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String t : tasks) {
      out.put(t, m.stream().mapToDouble(x -> f.apply(x).get(t)).average().orElse(Double.NaN));
    }
    return out;
  }

  private static double mean(List<TestbedCheck.Measurement> m,
      java.util.function.ToDoubleFunction<TestbedCheck.Measurement> f) {
    return m.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  private static double min(Map<String, Double> v) {
    return v.values().stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  private static double max(Map<String, Double> v) {
    return v.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  private static String joinLambdas(List<TestbedCheck.Measurement> m) {
    return String.join(", ", m.stream().map(x -> f(x.bestLambda()).replaceAll("0+$", "")
        .replaceAll("\\.$", ".0")).toList());
  }

  static String perTask(Map<String, Double> v) {
    List<String> parts = new ArrayList<>();
    v.forEach((t, x) -> parts.add(t + " " + f(x)));
    return String.join(", ", parts);
  }

  static String f(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.3f", v);
  }
}
