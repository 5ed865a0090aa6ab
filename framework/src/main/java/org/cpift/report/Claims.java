package org.cpift.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The paper's claims, each checked against whatever data a report has: supported, not supported,
 * inconclusive (the interval includes no effect), or not measured here. What the data say is
 * reported, including "not supported". The checks are parameterized by the variant and method
 * labels they compare; each experiment declares the checks it owns with its own labels, so this
 * package knows no experiment's strings.
 */
public final class Claims {
  private Claims() {}

  /** A claim's check on a report's summaries. */
  @FunctionalInterface
  public interface Check {
    Claim on(Summaries s);
  }

  /**
   * A claim of the paper checked on a run.
   *
   * @param statement the claim
   * @param status supported, not supported, inconclusive, ...; "before correction only" when its
   *     interval excludes 0 but its Holm-adjusted p does not stay below 0.05
   * @param evidence the figures behind the status
   * @param pValues the raw p-values of the paired tests that decide it (empty: none)
   * @param holmP the same tests' p-values after Holm's adjustment over every test of the report
   */
  public record Claim(String statement, String status, String evidence, List<Double> pValues,
      List<Double> holmP) {
    public Claim {
      pValues = pValues == null ? List.of() : List.copyOf(pValues);
      holmP = holmP == null ? List.of() : List.copyOf(holmP);
    }

    public Claim(String statement, String status, String evidence) {
      this(statement, status, evidence, List.of(), List.of());
    }

    Claim withP(Statistics.Paired... tests) {
      List<Double> ps = new ArrayList<>();
      for (Statistics.Paired t : tests) {
        ps.add(t.pValue());
      }
      return new Claim(statement, status, evidence, ps, List.of());
    }
  }

  static final String NOT_MEASURED = "not measured here";

  /** Runs {@code checks} on {@code s}, with Holm's adjustment over all their tests. */
  public static List<Claim> evaluate(Summaries s, List<Check> checks) {
    List<Claim> out = new ArrayList<>();
    checks.forEach(c -> out.add(c.on(s)));
    return holm(out);
  }

  /**
   * Holm's adjustment over every paired test the report's claims make (one family); a claim
   * supported by its intervals whose adjusted p reaches 0.05 says it holds before correction only.
   */
  static List<Claim> holm(List<Claim> claims) {
    List<Double> all = new ArrayList<>();
    claims.forEach(c -> all.addAll(c.pValues()));
    double[] adj = Statistics.holm(all.stream().mapToDouble(Double::doubleValue).toArray());
    int tests = (int) all.stream().filter(p -> !Double.isNaN(p)).count();
    List<Claim> out = new ArrayList<>();
    int at = 0;
    for (Claim c : claims) {
      List<Double> mine = new ArrayList<>();
      for (int i = 0; i < c.pValues().size(); i++) {
        mine.add(adj[at++]);
      }
      String status = c.status();
      String evidence = c.evidence();
      if (!mine.isEmpty()) {
        boolean survives = mine.stream().allMatch(p -> !Double.isNaN(p) && p < 0.05);
        if ((status.startsWith("supported") || status.startsWith("partly supported")
            || status.startsWith("not supported")) && !survives) {
          status += " — before correction only (Holm)";
        }
        evidence += "; Holm-adjusted p over the report's " + tests + " tests: " + String.join(", ",
            mine.stream().map(p -> Double.isNaN(p) ? "n/a" : String.format(Locale.ROOT, "%.3g", p))
                .toList());
      }
      out.add(new Claim(c.statement(), status, evidence, c.pValues(), mine));
    }
    return out;
  }

  /** With fewer than two seeds there is no interval, so nothing is decided. */
  static final String ONE_SEED = "inconclusive (one seed: no interval)";

  /** "supported" when the interval is above 0, "not supported" below, else inconclusive. */
  static String decide(Statistics.Paired p) {
    return p.n() < 2 ? ONE_SEED : p.ciLow() > 0 ? "supported" : p.ciHigh() < 0 ? "not supported"
        : "inconclusive";
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String ci(SummaryRow r) {
    return f(r.mean()) + " [" + f(r.ciLow()) + ", " + f(r.ciHigh()) + "] (n=" + r.n() + ")";
  }

  static String ci(Statistics.Paired p) {
    return f(p.meanDiff()) + " [" + f(p.ciLow()) + ", " + f(p.ciHigh()) + "], paired t p="
        + (Double.isNaN(p.pValue()) ? "n/a" : String.format(Locale.ROOT, "%.3g", p.pValue()))
        + " (n=" + p.n() + ")";
  }

  /** Multi-task SFT of the default variant below an expert on some task. */
  public static Check seesaw() {
    return Claims::seesaw;
  }

  static Claim seesaw(Summaries s) {
    String st = "Seesaw: multi-task SFT falls below the single-task expert on some task.";
    List<String> below = new ArrayList<>();
    List<String> all = new ArrayList<>();
    boolean any = false;
    int n = Integer.MAX_VALUE;
    for (String t : s.tasks()) {
      Optional<SummaryRow> r = s.get("default", "multi-task", t, "normalized");
      if (r.isPresent()) {
        any = true;
        n = Math.min(n, r.get().n());
        all.add(t + " " + ci(r.get()));
        if (r.get().ciHigh() < 1) {
          below.add(t);
        }
      }
    }
    if (!any) {
      return new Claim(st, NOT_MEASURED, "");
    }
    return new Claim(st, n < 2 ? ONE_SEED : below.isEmpty() ? "not supported" : "supported",
        "multi-task score ÷ expert score: " + String.join("; ", all)
            + (below.isEmpty() ? "" : ". Below the expert (CI under 1): " + below));
  }

  /**
   * Every stage order (variant) of sequential SFT, shown as {@code sequential}: its BWT (for a
   * pair, the first task's drop).
   */
  public static Check forgetting(String sequential) {
    return s -> forgetting(s, sequential);
  }

  static Claim forgetting(Summaries s, String sequential) {
    String st = "Forgetting: sequential SFT (A then B) loses performance on A.";
    List<String> evidence = new ArrayList<>();
    int forgets = 0;
    int keeps = 0;
    int orders = 0;
    int n = Integer.MAX_VALUE;
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      Optional<SummaryRow> r = s.get(arm.variant(), arm.method(), "average", "bwt");
      if (!arm.method().equals(sequential) || r.isEmpty()) {
        continue;
      }
      orders++;
      n = Math.min(n, r.get().n());
      forgets += r.get().ciHigh() < 0 ? 1 : 0;
      keeps += r.get().ciLow() > 0 ? 1 : 0;
      evidence.add(arm.variant() + " " + ci(r.get()));
    }
    if (orders == 0) {
      return new Claim(st, NOT_MEASURED, "");
    }
    String status = n < 2 ? ONE_SEED : forgets == orders ? "supported"
        : keeps == orders ? "not supported" : "inconclusive";
    return new Claim(st, status, "BWT of sequential SFT (score at the end minus at the end of the "
        + "task's own stage, mean over the tasks before the last): " + String.join("; ", evidence));
  }

  /** CPI-FT above multi-task and multi-stage (random) SFT in the default variant. */
  public static Check beatsBaselines() {
    return Claims::beatsBaselines;
  }

  static Claim beatsBaselines(Summaries s) {
    String st = "CPI-FT beats multi-task SFT and multi-stage SFT on the average score.";
    Optional<Statistics.Paired> mt = s.paired("default", "cpi-ft", "default", "multi-task",
        "average", "score");
    Optional<Statistics.Paired> ms = s.paired("default", "cpi-ft", "default",
        "multi-stage-random", "average", "score");
    if (mt.isEmpty() && ms.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    List<Statistics.Paired> have = new ArrayList<>();
    mt.ifPresent(have::add);
    ms.ifPresent(have::add);
    boolean up = have.stream().allMatch(p -> p.ciLow() > 0);
    boolean down = have.stream().anyMatch(p -> p.ciHigh() < 0);
    String status = have.stream().anyMatch(p -> p.n() < 2) ? ONE_SEED
        : up ? "supported" : down ? "not supported" : "inconclusive";
    if (mt.isEmpty() || ms.isEmpty()) {
      status += " (only against " + (mt.isPresent() ? "multi-task" : "multi-stage") + " so far)";
    }
    return new Claim(st, status, (mt.map(p -> "CPI-FT − multi-task: " + ci(p)).orElse("multi-task: not run"))
        + "; " + (ms.map(p -> "CPI-FT − multi-stage (random): " + ci(p)).orElse("multi-stage (random): not run")))
        .withP(have.toArray(new Statistics.Paired[0]));
  }

  /**
   * "More than half" is tested, per stage order, as CPI-FT's BWT − ½ × the baseline's BWT paired
   * over seeds: above 0 (both forget) means CPI-FT keeps more than half of what the baseline loses.
   * Supported when every order's interval is above 0, not supported when every one is below 0.
   */
  public static Check forgettingHalved(String sequential, String noFreeze) {
    return s -> forgettingHalved(s, sequential, noFreeze);
  }

  static Claim forgettingHalved(Summaries s, String sequential, String noFreeze) {
    String st = "CPI-FT cuts forgetting (BWT) by more than half relative to multi-stage SFT.";
    List<String> evidence = new ArrayList<>();
    List<Statistics.Paired> tests = new ArrayList<>();
    int above = 0;
    int below = 0;
    int orders = 0;
    boolean oneSeed = false;
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!arm.method().equals("cpi-ft")) {
        continue;
      }
      String v = arm.variant();
      String baseline = s.get(v, sequential, "average", "bwt").isPresent() ? sequential
          : "multi-stage-random";
      Optional<SummaryRow> c = s.get(v, "cpi-ft", "average", "bwt");
      Optional<SummaryRow> q = s.get(v, baseline, "average", "bwt");
      Optional<Statistics.Paired> d = s.paired(v, "cpi-ft", v, baseline, "average", "bwt", 0.5);
      if (c.isEmpty() || q.isEmpty() || d.isEmpty()) {
        continue;
      }
      String line = v + ": BWT CPI-FT " + ci(c.get()) + " vs " + baseline + " " + ci(q.get());
      if (q.get().mean() >= 0) {
        evidence.add(line + " — the baseline does not forget: nothing to cut");
        continue;
      }
      orders++;
      double cut = 1 - Math.min(0, c.get().mean()) / q.get().mean();
      String control = "";
      Optional<SummaryRow> nf = s.get(v, noFreeze, "average", "bwt");
      Optional<Statistics.Paired> iso = s.paired(v, "cpi-ft", v, noFreeze, "average", "bwt");
      if (nf.isPresent() && iso.isPresent()) {
        control = "; without freezing (same start, budget and replay) BWT " + ci(nf.get())
            + ", freezing's part: CPI-FT − no-freeze " + ci(iso.get());
      }
      evidence.add(line + ", cut " + Math.round(100 * cut) + "%; CPI-FT − ½·" + baseline + " "
          + ci(d.get()) + control);
      tests.add(d.get());
      String decided = decide(d.get());
      oneSeed |= decided.equals(ONE_SEED);
      above += decided.equals("supported") ? 1 : 0;
      below += decided.equals("not supported") ? 1 : 0;
    }
    if (orders == 0) {
      return new Claim(st, evidence.isEmpty() ? NOT_MEASURED : "inconclusive",
          String.join("; ", evidence));
    }
    String status = oneSeed ? ONE_SEED : above == orders ? "supported" : below == orders ? "not supported"
        : above + below == 0 ? "inconclusive"
        : below == 0 ? "partly supported (on " + above + " of " + orders + " stage orders; "
            + "inconclusive on the rest)"
        : above == 0 ? "not supported on " + below + " of " + orders + " stage orders "
            + "(inconclusive on the rest)"
        : "mixed (supported on " + above + ", not supported on " + below + " of " + orders
            + " stage orders)";
    return new Claim(st, status, String.join("; ", evidence))
        .withP(tests.toArray(new Statistics.Paired[0]));
  }

  /**
   * CPI-FT at τ > 0 above τ = 0, the τ values read from variants named {@code prefix + τ}.
   */
  public static Check groupingHelps(String prefix) {
    return s -> groupingHelps(s, prefix);
  }

  static Claim groupingHelps(Summaries s, String prefix) {
    String st = "Grouping by overlap (τ > 0) beats no grouping (τ = 0), with a peak near τ = 0.1.";
    String zeroVariant = prefix + "0";
    String paperVariant = prefix + "0.1";
    Optional<SummaryRow> zero = s.get(zeroVariant, "cpi-ft", "average", "score");
    if (zero.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    String best = null;
    double bestMean = Double.NEGATIVE_INFINITY;
    StringBuilder curve = new StringBuilder();
    Map<String, Double> positive = new LinkedHashMap<>();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (arm.variant().startsWith(prefix) && arm.method().equals("cpi-ft")) {
        SummaryRow r = s.get(arm.variant(), "cpi-ft", "average", "score").orElseThrow();
        curve.append(arm.variant()).append(": ").append(f(r.mean())).append("; ");
        if (!arm.variant().equals(zeroVariant)) {
          positive.put(arm.variant(), r.mean());
          if (r.mean() > bestMean) {
            bestMean = r.mean();
            best = arm.variant();
          }
        }
      }
    }
    if (best == null) {
      return new Claim(st, NOT_MEASURED, "");
    }
    // several τ can give the same groups and so the same scores: then there is no peak, a plateau
    final double top = bestMean;
    List<String> tied = positive.entrySet().stream().filter(e -> e.getValue() == top)
        .map(Map.Entry::getKey).toList();
    // the test is of the paper's τ = 0.1 when it ran (chosen before the data, so no winner's curse);
    // else of the best τ > 0, which favours "supported"
    String tested = positive.containsKey(paperVariant) ? paperVariant : best;
    Statistics.Paired p = s.paired(tested, "cpi-ft", zeroVariant, "cpi-ft", "average", "score")
        .orElseThrow();
    boolean peakNear = tied.stream().mapToDouble(v -> Double.parseDouble(v.substring(prefix.length())))
        .allMatch(v -> v >= 0.05 && v <= 0.2);
    String shape = tied.size() > 1 ? "no peak: " + String.join(", ", tied) + " score the same"
        : "peak at " + best;
    String status = decide(p);
    if (status.equals("supported") && !peakNear) {
      status = "partly supported (" + shape + ")";
    }
    return new Claim(st, status, curve + "best " + best + (tied.size() > 1 ? " (tied: "
        + String.join(", ", tied) + ")" : "") + "; " + tested + " − " + zeroVariant + ": " + ci(p)
        + (tested.equals(best) && !tested.equals(paperVariant) ? " (the best of " + positive.size()
            + " values, not corrected for the choice)" : "")
        + ". Budgets differ: τ = 0 puts every task in one stage (P steps in all), τ > 0 one "
        + "stage per group (P steps each); stage-vs-single compares at equal budget").withP(p);
  }

  /** CPI-FT in variant {@code pipelined} above CPI-FT in variant {@code singleStage}. */
  public static Check pipelinedBeatsSingleStage(String pipelined, String singleStage) {
    return s -> pipelinedBeatsSingleStage(s, pipelined, singleStage);
  }

  static Claim pipelinedBeatsSingleStage(Summaries s, String pipelined, String singleStage) {
    String st = "Pipelined (multi-stage) training beats single-stage mixed training.";
    Optional<Statistics.Paired> p = s.paired(pipelined, "cpi-ft", singleStage, "cpi-ft",
        "average", "score");
    if (p.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    return new Claim(st, decide(p.get()), pipelined + " − " + singleStage + ": " + ci(p.get()))
        .withP(p.get());
  }
}
