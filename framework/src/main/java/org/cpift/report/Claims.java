package org.cpift.report;

import java.util.ArrayList;
import java.util.HashMap;
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

  /**
   * A claim's check on a report's summaries, deciding each paired test it makes through
   * {@code sig}: by the tests' 95% intervals, then again by their Holm-adjusted p-values.
   */
  @FunctionalInterface
  public interface Check {
    Claim on(Summaries s, Significance sig);

    /** The check decided by the tests' own 95% intervals (before any correction). */
    default Claim on(Summaries s) {
      return on(s, Significance.INTERVAL);
    }
  }

  /** When a paired test counts as showing a difference, and in which direction. */
  @FunctionalInterface
  public interface Significance {
    /** +1 when a is decidedly above b, −1 when below, 0 when undecided. */
    int direction(Statistics.Paired p);

    /**
     * By the 95% t-interval of the mean difference (equivalently, two-sided p < 0.05); never
     * with fewer than two seeds or no spread across them.
     */
    Significance INTERVAL = p -> p.n() < 2 || p.noVariance() ? 0
        : p.ciLow() > 0 ? 1 : p.ciHigh() < 0 ? -1 : 0;

    /**
     * As {@link #INTERVAL}, and the test's Holm-adjusted p (looked up by its raw p, which
     * determines it: equal raw p-values get equal adjusted ones) below 0.05.
     */
    static Significance holm(Map<Double, Double> adjustedByRaw) {
      return p -> {
        int d = INTERVAL.direction(p);
        Double a = adjustedByRaw.get(p.pValue());
        return d != 0 && a != null && a < 0.05 ? d : 0;
      };
    }
  }

  /**
   * A claim of the paper checked on a run.
   *
   * @param statement the claim
   * @param status supported, not supported, inconclusive, ...; "before correction only (Holm;
   *     after correction: ...)" when deciding its tests by their Holm-adjusted p-values gives
   *     another status
   * @param evidence the figures behind the status
   * @param pValues the raw p-values of the paired tests that decide it (empty: none)
   * @param holmP the same tests' p-values after Holm's adjustment over every test the report's
   *     claims make (one family; a report's table of variants against the default is another)
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

  /**
   * Runs {@code checks} on {@code s} twice: deciding every paired test by its 95% interval, then
   * by its p-value after Holm's adjustment over all the tests the report's claims make (one
   * family). A claim whose status changes under the correction keeps the first status, marked
   * "before correction only", and names the status after it.
   */
  public static List<Claim> evaluate(Summaries s, List<Check> checks) {
    List<Claim> raw = new ArrayList<>();
    checks.forEach(c -> raw.add(c.on(s, Significance.INTERVAL)));
    List<Double> all = new ArrayList<>();
    raw.forEach(c -> all.addAll(c.pValues()));
    double[] adj = Statistics.holm(all.stream().mapToDouble(Double::doubleValue).toArray());
    Map<Double, Double> byRaw = new HashMap<>();
    for (int i = 0; i < adj.length; i++) {
      if (!Double.isNaN(all.get(i))) {
        byRaw.put(all.get(i), adj[i]);
      }
    }
    Significance corrected = Significance.holm(byRaw);
    int tests = byRaw.isEmpty() ? 0 : (int) all.stream().filter(p -> !Double.isNaN(p)).count();
    List<Claim> out = new ArrayList<>();
    int at = 0;
    for (int k = 0; k < raw.size(); k++) {
      Claim c = raw.get(k);
      List<Double> mine = new ArrayList<>();
      for (int i = 0; i < c.pValues().size(); i++) {
        mine.add(adj[at++]);
      }
      String status = c.status();
      String evidence = c.evidence();
      if (!mine.isEmpty()) {
        String after = checks.get(k).on(s, corrected).status();
        if (!after.equals(status)) {
          status += " — before correction only (Holm; after correction: " + after + ")";
        }
        Claim afterClaim = checks.get(k).on(s, corrected);
        evidence += afterCorrection(evidence, afterClaim.evidence());
        if (tests > 0) {
          evidence = (evidence.endsWith(".") ? evidence.substring(0, evidence.length() - 1)
              : evidence) + "; Holm-adjusted p over the " + tests + " tests of this report's "
              + "claims: " + String.join(", ", mine.stream().map(p -> Double.isNaN(p) ? "n/a"
                  : String.format(Locale.ROOT, "%.3g", p)).toList());
        }
      }
      out.add(new Claim(c.statement(), status, evidence, c.pValues(), mine));
    }
    return out;
  }

  /**
   * What a claim's evidence says differently when its tests are decided after Holm's correction
   * (a task listed as below the expert by its own interval but not after the correction, say):
   * the clauses of the corrected evidence that differ from the raw one's (or, when the correction
   * only removes clauses, those), or nothing when they agree.
   */
  static String afterCorrection(String raw, String corrected) {
    if (corrected.equals(raw)) {
      return "";
    }
    // compared clause by clause (a clause ends at "; " or ". "): the clauses between the common
    // beginning and the common end are what the correction changed
    List<String> a = List.of(raw.split("(?<=[.;]) "));
    List<String> b = List.of(corrected.split("(?<=[.;]) "));
    int head = 0;
    while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
      head++;
    }
    int tail = 0;
    while (tail < a.size() - head && tail < b.size() - head
        && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
      tail++;
    }
    List<String> removed = a.subList(head, a.size() - tail);
    List<String> added = b.subList(head, b.size() - tail);
    if (added.isEmpty()) {
      return " [after Holm's correction, no longer: " + clauses(removed) + "]";
    }
    return " [after Holm's correction: " + clauses(added) + "]";
  }

  private static String clauses(List<String> c) {
    String s = String.join(" ", c).strip();
    return s.endsWith(";") || s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** With fewer than two seeds there is no interval, so nothing is decided. */
  static final String ONE_SEED = "inconclusive (one seed: no interval)";

  /** With the same difference on every seed there is no spread, so no test. */
  static final String NO_SPREAD = "inconclusive (the same difference on every seed: no spread to "
      + "test)";

  /** "supported" when a is decidedly above b, "not supported" below, else inconclusive. */
  static String decide(Statistics.Paired p, Significance sig) {
    if (p.n() < 2) {
      return ONE_SEED;
    }
    if (p.noVariance()) {
      return NO_SPREAD;
    }
    int d = sig.direction(p);
    return d > 0 ? "supported" : d < 0 ? "not supported" : "inconclusive";
  }

  static String f(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String ci(SummaryRow r) {
    return f(r.mean()) + " [" + f(r.ciLow()) + ", " + f(r.ciHigh()) + "] (n=" + r.n() + ")";
  }

  static String ci(Statistics.Summary r) {
    return f(r.mean()) + " [" + f(r.ciLow()) + ", " + f(r.ciHigh()) + "] (n=" + r.n() + ")";
  }

  static double[] values(Map<Long, Double> bySeed) {
    return bySeed.values().stream().mapToDouble(Double::doubleValue).toArray();
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

  /**
   * Per task, multi-task's score ÷ the expert's (same seed) tested against 1: supported when some
   * task is decidedly below, not supported when every task is decidedly above, else inconclusive.
   */
  static Claim seesaw(Summaries s, Significance sig) {
    String st = "Seesaw: multi-task SFT falls below the single-task expert on some task.";
    List<String> below = new ArrayList<>();
    List<String> all = new ArrayList<>();
    List<Statistics.Paired> tests = new ArrayList<>();
    int above = 0;
    int n = Integer.MAX_VALUE;
    for (String t : s.tasks()) {
      Optional<SummaryRow> r = s.get("default", "multi-task", t, "normalized");
      if (r.isPresent()) {
        n = Math.min(n, r.get().n());
        all.add(t + " " + ci(r.get()));
        Statistics.Paired p = Statistics.oneSample(values(s.perSeed("default", "multi-task", t,
            "normalized")), 1);
        tests.add(p);
        int d = sig.direction(p);
        if (d < 0) {
          below.add(t);
        }
        above += d > 0 ? 1 : 0;
      }
    }
    if (tests.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    String status = n < 2 ? ONE_SEED : !below.isEmpty() ? "supported"
        : above == tests.size() ? "not supported"
        : "inconclusive (no task decidedly below the expert)";
    return new Claim(st, status, "multi-task score ÷ expert score: " + String.join("; ", all)
        + ". Below the expert: " + (below.isEmpty() ? "none" : below)
        + " (per task a t-test against 1, each in the Holm family of this report's claims)")
        .withP(tests.toArray(new Statistics.Paired[0]));
  }

  /**
   * Every stage order (variant) of sequential SFT, shown as {@code sequential}: its BWT (for a
   * pair, the first task's drop).
   */
  public static Check forgetting(String sequential) {
    return (s, sig) -> forgetting(s, sequential, sig);
  }

  static Claim forgetting(Summaries s, String sequential, Significance sig) {
    String st = "Forgetting: sequential SFT (A then B) loses performance on A.";
    List<String> evidence = new ArrayList<>();
    List<Statistics.Paired> tests = new ArrayList<>();
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
      Statistics.Paired p = Statistics.oneSample(values(s.perSeed(arm.variant(), arm.method(),
          "average", "bwt")), 0);
      tests.add(p);
      forgets += sig.direction(p) < 0 ? 1 : 0;
      keeps += sig.direction(p) > 0 ? 1 : 0;
      evidence.add(arm.variant() + " " + ci(r.get()));
    }
    if (orders == 0) {
      return new Claim(st, NOT_MEASURED, "");
    }
    String status = n < 2 ? ONE_SEED : forgets == orders ? "supported"
        : keeps == orders ? "not supported" : "inconclusive";
    return new Claim(st, status, "BWT of sequential SFT (score at the end minus at the end of the "
        + "task's own stage, mean over the tasks before the last): " + String.join("; ", evidence)
        + " (per order a t-test against 0)").withP(tests.toArray(new Statistics.Paired[0]));
  }

  /** CPI-FT above multi-task and multi-stage (random) SFT in the default variant. */
  public static Check beatsBaselines() {
    return Claims::beatsBaselines;
  }

  static Claim beatsBaselines(Summaries s, Significance sig) {
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
    boolean up = have.stream().allMatch(p -> sig.direction(p) > 0);
    boolean down = have.stream().anyMatch(p -> sig.direction(p) < 0);
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
   * {@code method} above the best of {@code rivals} on the average score, in the default variant:
   * the rival with the highest mean over the seeds that {@code method} and every rival that ran
   * share (each rival's own shared seeds when there are none) is taken, then tested paired over
   * all the seeds it shares with {@code method}. The rival is chosen on the same test scores, which favours it:
   * a "supported" is conservative against it, a "not supported" is not, and beating the best mean
   * is not a significant win over each rival. The evidence lists every rival's mean, so a reader
   * sees how far the runner-up is.
   */
  public static Check beatsBest(String statement, String method, List<String> rivals) {
    return (s, sig) -> {
      Map<Long, Double> mine = s.perSeed("default", method, "average", "score");
      Map<String, Map<Long, Double>> ran = new LinkedHashMap<>();
      for (String r : rivals) {
        Map<Long, Double> theirs = s.perSeed("default", r, "average", "score");
        if (theirs.keySet().stream().anyMatch(mine::containsKey)) {
          ran.put(r, theirs);
        }
      }
      // ranked on the seeds every rival that ran shares with the method (so a rival with one
      // lucky seed is not compared with others' averages), else each on its own shared seeds
      java.util.Set<Long> common = new java.util.TreeSet<>(mine.keySet());
      ran.values().forEach(t -> common.retainAll(t.keySet()));
      String best = null;
      double bestMean = Double.NEGATIVE_INFINITY;
      List<String> means = new ArrayList<>();
      int complete = 0;
      for (var e : ran.entrySet()) {
        Map<Long, Double> theirs = e.getValue();
        double[] over = (common.isEmpty() ? mine.keySet() : common).stream()
            .filter(theirs::containsKey).mapToDouble(theirs::get).toArray();
        complete += theirs.keySet().containsAll(mine.keySet()) ? 1 : 0;
        double mean = java.util.Arrays.stream(over).average().orElse(Double.NaN);
        means.add(e.getKey() + " " + f(mean) + " (n=" + over.length + ")");
        if (Double.isFinite(mean) && mean > bestMean) {
          bestMean = mean;
          best = e.getKey();
        }
      }
      Optional<Statistics.Paired> p = best == null ? Optional.empty()
          : s.paired("default", method, "default", best, "average", "score");
      if (p.isEmpty()) {
        return new Claim(statement, NOT_MEASURED, "");
      }
      String status = decide(p.get(), sig);
      if (complete < rivals.size()) {
        status += " (" + complete + " of " + rivals.size() + " rivals on all of " + method
            + "'s seeds so far)";
      }
      return new Claim(statement, status, "the best rival by mean average score on the "
          + (common.isEmpty() ? "seeds each shares with " + method : "seeds " + common
              + " that every rival shares with " + method) + ": " + best + " (chosen on these test scores, which favours "
          + "it; beating it is not a significant win over each rival); " + method + " − " + best
          + ": " + ci(p.get()) + "; every rival's mean average score: " + String.join(", ", means))
          .withP(p.get());
    };
  }

  /** One side of a comparison: a method in a variant. */
  public record ArmRef(String variant, String method) {
    String label() {
      return HtmlReport.label(new Summaries.Arm(variant, method));
    }
  }

  /**
   * {@code statement} holds when each comparison's first arm is above its second on the average
   * score (paired over seeds); not supported when any is below. The evidence gives each arm's own
   * fine-tuning steps, so a reader sees the budgets compared.
   */
  public static Check above(String statement, List<ArmRef[]> comparisons) {
    return (s, sig) -> {
      List<Statistics.Paired> have = new ArrayList<>();
      List<String> evidence = new ArrayList<>();
      for (ArmRef[] c : comparisons) {
        Optional<Statistics.Paired> p = s.paired(c[0].variant(), c[0].method(), c[1].variant(),
            c[1].method(), "average", "score");
        if (p.isEmpty()) {
          continue;
        }
        have.add(p.get());
        evidence.add(c[0].label() + " − " + c[1].label() + ": " + ci(p.get()) + " (steps "
            + f0(steps(s, c[0])) + " vs " + f0(steps(s, c[1])) + ")");
      }
      if (have.isEmpty()) {
        return new Claim(statement, NOT_MEASURED, "");
      }
      boolean up = have.stream().allMatch(p -> sig.direction(p) > 0);
      boolean someUp = have.stream().anyMatch(p -> sig.direction(p) > 0);
      boolean down = have.stream().anyMatch(p -> sig.direction(p) < 0);
      String status = have.stream().anyMatch(p -> p.n() < 2) ? ONE_SEED
          : up ? "supported" : down && someUp ? "mixed (above in one comparison, below in "
              + "another)" : down ? "not supported" : "inconclusive";
      if (have.size() < comparisons.size()) {
        status += " (" + have.size() + " of " + comparisons.size() + " comparisons so far)";
      }
      return new Claim(statement, status, String.join("; ", evidence))
          .withP(have.toArray(new Statistics.Paired[0]));
    };
  }

  /**
   * "More than half" is tested, per stage order, as CPI-FT's BWT − ½ × the baseline's BWT paired
   * over seeds: above 0 (both forget) means CPI-FT keeps more than half of what the baseline loses.
   * Supported when every order's interval is above 0, not supported when every one is below 0.
   */
  public static Check forgettingHalved(String sequential, String noFreeze) {
    return (s, sig) -> forgettingHalved(s, sequential, noFreeze, sig);
  }

  static Claim forgettingHalved(Summaries s, String sequential, String noFreeze,
      Significance sig) {
    String st = "CPI-FT cuts forgetting (BWT) by more than half relative to sequential "
        + "(multi-stage) SFT.";
    List<String> evidence = new ArrayList<>();
    OrderTally tally = new OrderTally();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!arm.method().equals("cpi-ft")) {
        continue;
      }
      String v = arm.variant();
      String baseline = s.get(v, sequential, "average", "bwt").isPresent() ? sequential
          : "multi-stage-random";
      Optional<Statistics.Paired> d = s.paired(v, "cpi-ft", v, baseline, "average", "bwt", 0.5);
      if (d.isEmpty()) {
        continue;
      }
      // the figures shown beside the test cover the seeds it pairs
      java.util.Set<Long> cpiSeeds = s.perSeed(v, "cpi-ft", "average", "bwt").keySet();
      Statistics.Summary c = s.summaryOver(v, "cpi-ft", "average", "bwt",
          s.perSeed(v, baseline, "average", "bwt").keySet());
      Statistics.Summary q = s.summaryOver(v, baseline, "average", "bwt", cpiSeeds);
      String line = v + ": BWT CPI-FT " + ci(c) + " vs " + baseline + " " + ci(q);
      if (q.mean() >= 0) {
        evidence.add(line + " — the baseline does not forget: nothing to cut");
        continue;
      }
      double cut = 1 - Math.min(0, c.mean()) / q.mean();
      String control = "";
      Optional<Statistics.Paired> iso = s.paired(v, "cpi-ft", v, noFreeze, "average", "bwt");
      if (iso.isPresent()) {
        control = "; without freezing (same start, budget and stage data) BWT "
            + ci(s.summaryOver(v, noFreeze, "average", "bwt", cpiSeeds))
            + ", freezing's part: CPI-FT − no-freeze " + ci(iso.get());
      }
      evidence.add(line + ", cut " + Math.round(100 * cut) + "%; CPI-FT − ½·" + baseline + " "
          + ci(d.get()) + control);
      tally.add(d.get(), sig);
    }
    if (tally.tests.isEmpty()) {
      return new Claim(st, evidence.isEmpty() ? NOT_MEASURED : "inconclusive",
          String.join("; ", evidence));
    }
    return tally.claim(st, String.join("; ", evidence));
  }

  /** A claim tested once per stage order: each order's decision, and the status over them. */
  private static final class OrderTally {
    final List<Statistics.Paired> tests = new ArrayList<>();
    int above;
    int below;
    int oneSeed;

    void add(Statistics.Paired p, Significance sig) {
      tests.add(p);
      String decided = decide(p, sig);
      oneSeed += decided.equals(ONE_SEED) ? 1 : 0;
      above += decided.equals("supported") ? 1 : 0;
      below += decided.equals("not supported") ? 1 : 0;
    }

    Claim claim(String statement, String evidence) {
      int orders = tests.size();
      // an order run on one seed is undecided, not a reason to ignore the orders that have more
      String single = oneSeed == 0 ? "" : "; one seed on " + oneSeed + " of " + orders;
      String status = oneSeed == orders ? ONE_SEED : above == orders ? "supported"
          : below == orders ? "not supported"
          : above + below == 0 ? "inconclusive" + (oneSeed == 0 ? ""
              : " (one seed on " + oneSeed + " of " + orders + " stage orders)")
          : below == 0 ? "partly supported (on " + above + " of " + orders + " stage orders; "
              + "inconclusive on the rest" + single + ")"
          : above == 0 ? "not supported on " + below + " of " + orders + " stage orders "
              + "(inconclusive on the rest" + single + ")"
          : "mixed (supported on " + above + ", not supported on " + below + " of " + orders
              + " stage orders)";
      return new Claim(statement, status, evidence).withP(tests.toArray(new Statistics.Paired[0]));
    }
  }

  /**
   * Core isolation's own part: per stage order, the BWT of {@code frozen} (CPI-FT) minus that of
   * {@code unfrozen} (the same run with nothing frozen), paired over seeds; supported when every
   * order's difference is above 0.
   */
  public static Check freezingCutsForgetting(String frozen, String unfrozen, String stageData) {
    return (s, sig) -> freezingCutsForgetting(s, frozen, unfrozen, stageData, sig);
  }

  static Claim freezingCutsForgetting(Summaries s, String frozen, String unfrozen,
      String stageData, Significance sig) {
    String st = "Freezing earlier stages' cores cuts forgetting: CPI-FT's BWT above the same run "
        + "with nothing frozen (" + stageData + ").";
    List<String> evidence = new ArrayList<>();
    OrderTally tally = new OrderTally();
    for (Summaries.Arm arm : s.variantsAndMethods()) {
      if (!arm.method().equals(frozen)) {
        continue;
      }
      Optional<Statistics.Paired> d = s.paired(arm.variant(), frozen, arm.variant(), unfrozen,
          "average", "bwt");
      if (d.isEmpty()) {
        continue;
      }
      evidence.add(arm.variant() + ": " + frozen + " − " + unfrozen + " " + ci(d.get()));
      tally.add(d.get(), sig);
    }
    if (tally.tests.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    return tally.claim(st, "BWT difference per stage order, paired over seeds: "
        + String.join("; ", evidence));
  }

  /**
   * CPI-FT at τ > 0 above τ = 0, the τ values read from variants named {@code prefix + τ}.
   */
  public static Check groupingHelps(String prefix) {
    return groupingHelps(prefix, null);
  }

  /**
   * As {@link #groupingHelps(String)}, with {@code matchedZero} the variant of τ = 0 trained at
   * the budget of one stage per task: τ = 0 is compared in whichever of the two variants trained
   * as many steps as the tested τ, and the claim is inconclusive when neither did.
   */
  public static Check groupingHelps(String prefix, String matchedZero) {
    return (s, sig) -> groupingHelps(s, prefix, matchedZero, sig);
  }

  static Claim groupingHelps(Summaries s, String prefix, String matchedZero, Significance sig) {
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
    List<String> arms = s.variantsAndMethods().stream()
        .filter(a -> a.variant().startsWith(prefix) && a.method().equals("cpi-ft"))
        .map(Summaries.Arm::variant).toList();
    // the curve compares τ on the seeds every τ ran, so that a τ is not ahead by its seeds alone
    java.util.Set<Long> common = null;
    boolean uneven = false;
    for (String v : arms) {
      java.util.Set<Long> seeds = s.perSeed(v, "cpi-ft", "average", "score").keySet();
      uneven |= common != null && !common.equals(seeds);
      if (common == null) {
        common = new java.util.TreeSet<>(seeds);
      } else {
        common.retainAll(seeds);
      }
    }
    boolean onCommon = uneven && common != null && !common.isEmpty();
    if (uneven && !onCommon) {
      curve.append("no seed common to every τ yet, so each τ's mean is over its own seeds: ");
    }
    if (onCommon) {
      curve.append("on the seeds every τ ran (").append(common.stream().map(String::valueOf)
          .collect(java.util.stream.Collectors.joining(", "))).append("): ");
    }
    for (String v : arms) {
      double mean = onCommon ? s.summaryOver(v, "cpi-ft", "average", "score", common).mean()
          : s.get(v, "cpi-ft", "average", "score").orElseThrow().mean();
      curve.append(v).append(": ").append(f(mean)).append("; ");
      if (!v.equals(zeroVariant)) {
        positive.put(v, mean);
        if (mean > bestMean) {
          bestMean = mean;
          best = v;
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
    // τ = 0 at the tested τ's budget: one stage of P steps trains less than K stages of P each
    double steps = steps(s, tested);
    String zeroArm = null;
    List<String> budgets = new ArrayList<>();
    for (String z : java.util.Arrays.asList(matchedZero, zeroVariant)) {
      if (z == null || s.get(z, "cpi-ft", "average", "score").isEmpty()) {
        continue;
      }
      budgets.add(z + " " + f0(steps(s, z)) + " steps");
      if (zeroArm == null && (Double.isNaN(steps) || Double.isNaN(steps(s, z))
          || Math.abs(steps(s, z) - steps) < 0.5)) {
        zeroArm = z;
      }
    }
    String budget = " Budgets: " + tested + " " + f0(steps) + " steps, " + String.join(", ",
        budgets) + ".";
    if (zeroArm == null) {
      return new Claim(st, "inconclusive (no τ = 0 run at the budget of " + tested + ")",
          curve + budget);
    }
    Optional<Statistics.Paired> paired = s.paired(tested, "cpi-ft", zeroArm, "cpi-ft",
        "average", "score");
    if (paired.isEmpty()) {
      return new Claim(st, "inconclusive (" + tested + " and " + zeroArm + " share no seed "
          + "yet)", curve.toString());
    }
    Statistics.Paired p = paired.get();
    boolean peakNear = tied.stream().mapToDouble(v -> Double.parseDouble(v.substring(prefix.length())))
        .allMatch(v -> v >= 0.05 && v <= 0.2);
    String shape = tied.size() > 1 ? "no peak: " + String.join(", ", tied) + " score the same"
        : "peak at " + best;
    String status = decide(p, sig);
    if (status.equals("supported") && !peakNear) {
      status = "partly supported (" + shape + ")";
    }
    return new Claim(st, status, curve + "best " + best + (tied.size() > 1 ? " (tied: "
        + String.join(", ", tied) + ")" : "") + "; " + tested + " − " + zeroArm + ": " + ci(p)
        + (tested.equals(best) && !tested.equals(paperVariant) ? " (the best of " + positive.size()
            + " values, not corrected for the choice)" : "")
        + "." + budget).withP(p);
  }

  /** CPI-FT's own fine-tuning steps in a variant (mean over seeds), NaN when not recorded. */
  private static double steps(Summaries s, String variant) {
    return steps(s, new ArmRef(variant, "cpi-ft"));
  }

  private static double steps(Summaries s, ArmRef arm) {
    return s.get(arm.variant(), arm.method(), "all", "train_steps").map(SummaryRow::mean)
        .orElse(Double.NaN);
  }

  private static String f0(double v) {
    return Double.isNaN(v) ? "?" : String.format(java.util.Locale.ROOT, "%.0f", v);
  }

  /** CPI-FT in variant {@code pipelined} above CPI-FT in variant {@code singleStage}. */
  public static Check pipelinedBeatsSingleStage(String pipelined, String singleStage) {
    return (s, sig) -> pipelinedBeatsSingleStage(s, pipelined, singleStage, sig);
  }

  static Claim pipelinedBeatsSingleStage(Summaries s, String pipelined, String singleStage,
      Significance sig) {
    String st = "Pipelined (multi-stage) training beats single-stage mixed training.";
    Optional<Statistics.Paired> p = s.paired(pipelined, "cpi-ft", singleStage, "cpi-ft",
        "average", "score");
    if (p.isEmpty()) {
      return new Claim(st, NOT_MEASURED, "");
    }
    return new Claim(st, decide(p.get(), sig), pipelined + " − " + singleStage + ": " + ci(p.get()))
        .withP(p.get());
  }
}
