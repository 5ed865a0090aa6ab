package org.cpift.report;

import static org.cpift.report.Svg.esc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cpift.testbed.TestbedCheck;
import org.cpift.testbed.TestbedGate;
import org.cpift.util.AtomicFiles;
import org.cpift.util.Json;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The testbed gate's report: {@code criteria.csv} (each criterion: measured, goal, pass),
 * {@code measurements.csv} (every measured quantity per seed, tidy), {@code manifest.json}, a
 * self-contained {@code report.html}, its two main tables as LaTeX ({@code table-criteria.tex},
 * {@code table-scores.tex}) and every chart as a standalone SVG ({@code fig-*.svg}).
 */
public final class TestbedReport {
  private TestbedReport() {}

  /** Writes the report's files into {@code dir}. */
  public static void write(Path dir, List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask, TestbedCheck.Ceiling ceiling,
      TestbedGate.Verdict verdict, Map<String, Object> manifest) {
    AtomicFiles.writeString(dir.resolve("criteria.csv"), ReportWriter.csv(criteria(verdict)));
    AtomicFiles.writeString(dir.resolve("measurements.csv"),
        ReportWriter.csv(measurements(m, multiTask)));
    manifest.put("valid", verdict.valid());
    manifest.put("criteria", verdict.criteria());
    Json.writeFile(dir.resolve("manifest.json"), manifest);
    Map<String, String> figures = new java.util.LinkedHashMap<>();
    AtomicFiles.writeString(dir.resolve("report.html"), html(m, multiTask, ceiling, verdict,
        manifest, figures));
    figures.forEach((name, svg) ->
        AtomicFiles.writeString(dir.resolve(name + ".svg"), Svg.standalone(svg)));
    AtomicFiles.writeString(dir.resolve("table-criteria.tex"), Latex.criteria(verdict, manifest));
    List<String> tasks = m.get(0).tasks();
    List<String> models = new ArrayList<>(List.of("base", "single-task expert",
        "task arithmetic (lambda from validation)", "average of the experts (lambda = 1/N)"));
    List<double[]> values = new ArrayList<>(List.of(means(tasks, m, x -> x.base()),
        means(tasks, m, x -> x.expert()), means(tasks, m, x -> x.taskArithmetic()),
        means(tasks, m, x -> x.average())));
    if (!multiTask.isEmpty()) {
      models.add("multi-task SFT");
      values.add(multiTaskMeans(tasks, multiTask));
    }
    AtomicFiles.writeString(dir.resolve("table-scores.tex"), Latex.plain("testbed check: "
        + splitWord(m.get(0).splitName())
        + " score per task, mean over seeds; the single-task experts are the reference.", models,
        1, tasks, values, manifest, "tab:testbed-scores"));
  }

  private static double[] means(List<String> tasks, List<TestbedCheck.Measurement> m,
      java.util.function.Function<TestbedCheck.Measurement, Map<String, Map<String, Double>>> f) {
    return series("", tasks, m, f).mean();
  }

  private static double[] multiTaskMeans(List<String> tasks,
      List<Map<String, Map<String, Double>>> multiTask) {
    double[] mt = new double[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      String t = tasks.get(i);
      mt[i] = multiTask.stream().mapToDouble(x -> x.get(t).get("score")).average()
          .orElse(Double.NaN);
    }
    return mt;
  }

  static Table criteria(TestbedGate.Verdict v) {
    List<TestbedGate.Criterion> c = v.criteria();
    return Table.create("criteria",
        StringColumn.create("criterion", c.stream().map(TestbedGate.Criterion::id).toList()),
        StringColumn.create("description", c.stream().map(TestbedGate.Criterion::description).toList()),
        DoubleColumn.create("measured", c.stream().mapToDouble(TestbedGate.Criterion::measured).toArray()),
        StringColumn.create("goal", c.stream().map(TestbedGate.Criterion::goal).toList()),
        BooleanColumn.create("pass", c.stream().map(TestbedGate.Criterion::pass).toList()),
        BooleanColumn.create("required", c.stream().map(TestbedGate.Criterion::required).toList()),
        StringColumn.create("detail", c.stream().map(TestbedGate.Criterion::detail).toList()));
  }

  /** "validation" or "test", for a measurement's split name. */
  private static String splitWord(String split) {
    return split.equals("val") ? "validation" : "test";
  }

  /**
   * Every quantity per seed: seed, split (the scores'; {@code expert_val_score} and
   * {@code task_arithmetic_val_normalized} are on validation whatever it says), quantity, task_a,
   * task_b, value.
   */
  static Table measurements(List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask) {
    Rows r = new Rows();
    for (int s = 0; s < m.size(); s++) {
      TestbedCheck.Measurement x = m.get(s);
      long seed = x.seed();
      r.split = x.splitName();
      metrics(r, seed, "base", x.base());
      metrics(r, seed, "expert", x.expert());
      x.expertValScore().forEach((t, v) -> r.add(seed, "expert_val_score", t, "", v));
      x.relativeNorm().forEach((t, v) -> r.add(seed, "relative_norm", t, "", v));
      for (int i = 0; i < x.tasks().size(); i++) {
        for (int j = i + 1; j < x.tasks().size(); j++) {
          r.add(seed, "cosine", x.tasks().get(i), x.tasks().get(j), x.cosine()[i][j]);
          r.add(seed, "jaccard", x.tasks().get(i), x.tasks().get(j), x.jaccard()[i][j]);
        }
      }
      for (TestbedCheck.Midpoint p : x.midpoints()) {
        r.add(seed, "midpoint_score", p.a(), p.b(), p.scoreA());
        r.add(seed, "midpoint_score", p.b(), p.a(), p.scoreB());
      }
      if (x.half() != null) {
        x.half().forEach((t, v) -> r.add(seed, "half_vector_score", t, "", v));
      }
      x.lambdaVal().forEach((l, v) -> r.add(seed, "task_arithmetic_val_normalized", "lambda=" + l,
          "", v));
      r.add(seed, "task_arithmetic_best_lambda", "", "", x.bestLambda());
      metrics(r, seed, "task_arithmetic", x.taskArithmetic());
      metrics(r, seed, "average", x.average());
      if (s < multiTask.size()) {
        metrics(r, seed, "multi_task", multiTask.get(s));
      }
    }
    return r.table();
  }

  private static void metrics(Rows r, long seed, String model,
      Map<String, Map<String, Double>> scores) {
    scores.forEach((t, v) -> v.forEach((metric, value) ->
        r.add(seed, model + "_" + metric, t, "", value)));
  }

  private static final class Rows {
    final List<Long> seed = new ArrayList<>();
    final List<String> splits = new ArrayList<>();
    String split = "test";
    final List<String> quantity = new ArrayList<>();
    final List<String> a = new ArrayList<>();
    final List<String> b = new ArrayList<>();
    final List<Double> value = new ArrayList<>();

    void add(long s, String q, String ta, String tb, double v) {
      seed.add(s);
      splits.add(split);
      quantity.add(q);
      a.add(ta);
      b.add(tb);
      value.add(v);
    }

    Table table() {
      return Table.create("measurements",
          LongColumn.create("seed", seed.stream().mapToLong(Long::longValue).toArray()),
          StringColumn.create("split", splits), StringColumn.create("quantity", quantity),
          StringColumn.create("task_a", a),
          StringColumn.create("task_b", b),
          DoubleColumn.create("value", value.stream().mapToDouble(Double::doubleValue).toArray()));
    }
  }

  static String html(List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask, TestbedCheck.Ceiling ceiling,
      TestbedGate.Verdict v, Map<String, Object> run) {
    return html(m, multiTask, ceiling, v, run, new java.util.LinkedHashMap<>());
  }

  /** The page; its charts also go into {@code figures} by file name without extension. */
  static String html(List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask, TestbedCheck.Ceiling ceiling,
      TestbedGate.Verdict v, Map<String, Object> run, Map<String, String> figures) {
    List<String> tasks = m.get(0).tasks();
    String split = m.get(0).splitName();
    StringBuilder b = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<title>CPI-FT-J: testbed check</title><style>" + HtmlReport.CSS + "</style></head><body>");
    b.append("<h1>CPI-FT-J — testbed check</h1><p>Is this testbed (base model, suite, fine-tuning "
        + "budgets) in the regime CPI-FT presumes: experts that stay close to a base that already "
        + "half knows the tasks, so that merging keeps their skills, and a multi-task seesaw that "
        + "comes from shared parameters rather than from items no single model can answer?</p>");
    b.append("<p><small>preset ").append(esc(String.valueOf(run.get("preset"))))
        .append(" · seeds ").append(esc(String.valueOf(run.get("seeds")))).append(" · commit ")
        .append(esc(String.valueOf(run.get("git_commit")))).append(" · ")
        .append(esc(String.valueOf(run.get("finished_at")))).append("</small></p>");
    b.append("<h2>Verdict: <span class=\"").append(v.valid() ? "supported\">valid" : "not\">not valid")
        .append("</span></h2><div class=\"tw\"><table><tr><th>criterion</th><th>measured (mean over seeds)</th>"
            + "<th>goal</th><th>pass</th><th>detail</th></tr>");
    for (TestbedGate.Criterion c : v.criteria()) {
      b.append("<tr><td>").append(esc(c.description())).append(c.required() ? ""
          : " <small>(reported, not required)</small>").append("</td><td>")
          .append(HtmlReport.fmt(c.measured())).append("</td><td>").append(esc(c.goal()))
          .append("</td><td class=\"").append(c.pass() ? "supported\">pass" : "not\">fail")
          .append("</td><td style=\"text-align:left\"><small>").append(esc(c.detail()))
          .append("</small></td></tr>");
    }
    b.append("</table></div>");

    b.append("<p>Every score is on the <b>").append(splitWord(split))
        .append("</b> split").append(split.equals("val") ? " (the gate chooses between testbed "
            + "designs, so it must not look at test; task arithmetic's λ is chosen on the same "
            + "split, so its score is optimistic by that choice)" : " (as in the first gate "
            + "runs; deciding testbed designs on test lets the test split steer them: use the "
            + "default, validation)").append(".</p>");
    if (run.get("multi_task_retrained_vs_cell") instanceof Map<?, ?> same) {
      b.append("<p>Multi-task SFT on validation is trained again as its main-results cell trains "
          + "it; the retrained model against the cell, per seed: ")
          .append(esc(same.toString())).append(" (identical test scores: the same model).</p>");
    }
    b.append("<h2>Scores per task (").append(split).append(" split, mean over seeds)</h2>"
        + "<table><tr><th>model</th>");
    tasks.forEach(t -> b.append("<th>").append(esc(t)).append("</th>"));
    b.append("</tr>");
    row(b, "base", tasks, m, x -> x.base(), "score");
    row(b, "single-task expert", tasks, m, x -> x.expert(), "score");
    row(b, "task arithmetic (λ from validation)", tasks, m, x -> x.taskArithmetic(), "score");
    row(b, "average of the experts (λ = 1/N)", tasks, m, x -> x.average(), "score");
    if (!multiTask.isEmpty()) {
      b.append("<tr><td>multi-task SFT</td>");
      for (String t : tasks) {
        double s = multiTask.stream().mapToDouble(x -> x.get(t).get("score")).average().orElse(Double.NaN);
        b.append("<td>").append(HtmlReport.fmt(s)).append("</td>");
      }
      b.append("</tr>");
    }
    b.append("<tr><td>|θi − θ0| / |θ0|</td>");
    tasks.forEach(t -> b.append("<td>").append(HtmlReport.fmt(m.stream()
        .mapToDouble(x -> x.relativeNorm().get(t)).average().orElse(Double.NaN))).append("</td>"));
    b.append("</tr><tr><td>ambiguous ").append(split).append(" items (template shared with "
        + "another task)</td>");
    tasks.forEach(t -> b.append("<td>").append(HtmlReport.fmt(ceiling.ambiguousShare().get(t)))
        .append("</td>"));
    b.append("</tr></table>");
    b.append(slices(m, multiTask, tasks));

    List<Svg.Series> series = new ArrayList<>();
    series.add(series("base", tasks, m, x -> x.base()));
    series.add(series("expert", tasks, m, x -> x.expert()));
    series.add(series("task arithmetic", tasks, m, x -> x.taskArithmetic()));
    series.add(series("average", tasks, m, x -> x.average()));
    if (!multiTask.isEmpty()) {
      series.add(new Svg.Series("multi-task", multiTaskMeans(tasks, multiTask), nan(tasks.size()),
          nan(tasks.size())));
    }
    String word = splitWord(split);
    String bars = Svg.bars(Character.toUpperCase(word.charAt(0)) + word.substring(1)
        + " score per task",
        tasks, series, 1.0, Double.NaN, "score");
    figures.put("fig-scores-by-task", bars);
    b.append(bars);

    b.append("<h2>Pairwise midpoints θ0 + (δi + δj)/2: share of each expert's score kept</h2>"
        + "<table><tr><th>pair</th><th>keeps of i</th><th>keeps of j</th></tr>");
    TestbedCheck.Measurement first = m.get(0);
    for (int k = 0; k < first.midpoints().size(); k++) {
      final int kk = k;
      TestbedCheck.Midpoint p = first.midpoints().get(k);
      double ka = m.stream().mapToDouble(x -> x.midpoints().get(kk).scoreA()
          / x.expert().get(p.a()).get("score")).average().orElse(Double.NaN);
      double kb = m.stream().mapToDouble(x -> x.midpoints().get(kk).scoreB()
          / x.expert().get(p.b()).get("score")).average().orElse(Double.NaN);
      b.append("<tr><td>").append(esc(p.a() + " + " + p.b())).append("</td><td>")
          .append(HtmlReport.fmt(ka)).append("</td><td>").append(HtmlReport.fmt(kb))
          .append("</td></tr>");
    }
    b.append("</table>");
    if (m.stream().allMatch(x -> x.half() != null)) {
      b.append("<h2>Half task vectors θ0 + δi/2: share of the expert's score kept</h2><p>Beside "
          + "the midpoints: a midpoint that keeps about what the half vector keeps loses its skill "
          + "to the halving (the skill needs the whole task vector), not to the other task's "
          + "vector.</p><table><tr><th>task</th><th>half vector keeps</th><th>worst midpoint "
          + "keeps</th></tr>");
      for (String t : first.tasks()) {
        double h = m.stream().mapToDouble(x -> x.half().get(t) / x.expert().get(t).get("score"))
            .average().orElse(Double.NaN);
        double worst = m.stream().mapToDouble(x -> x.midpoints().stream()
            .filter(p -> p.a().equals(t) || p.b().equals(t))
            .mapToDouble(p -> (p.a().equals(t) ? p.scoreA() : p.scoreB())
                / x.expert().get(t).get("score")).min().orElse(Double.NaN))
            .average().orElse(Double.NaN);
        b.append("<tr><td>").append(esc(t)).append("</td><td>").append(HtmlReport.fmt(h))
            .append("</td><td>").append(HtmlReport.fmt(worst)).append("</td></tr>");
      }
      b.append("</table>");
    }

    List<String> lambdas = new ArrayList<>(first.lambdaVal().keySet());
    double[] xs = lambdas.stream().mapToDouble(Double::parseDouble).toArray();
    double[] ys = new double[xs.length];
    for (int i = 0; i < xs.length; i++) {
      String l = lambdas.get(i);
      ys[i] = m.stream().mapToDouble(x -> x.lambdaVal().get(l)).average().orElse(Double.NaN);
    }
    String curve = Svg.curve("Average normalized validation score", "λ", xs, ys, ys, ys,
        "normalized");
    String cosine = Svg.heatmap("Cosine of task vectors", tasks, first.cosine());
    String jaccard = Svg.heatmap("Jaccard overlap of core regions", tasks, first.jaccard());
    figures.put("fig-task-arithmetic-lambda", curve);
    figures.put("fig-cosine", cosine);
    figures.put("fig-jaccard", jaccard);
    b.append("<h2>Task arithmetic: validation score against λ</h2>").append(curve);
    b.append("<h2>Task vectors and core regions (seed ").append(first.seed()).append(")</h2>")
        .append(cosine).append(jaccard);
    b.append("<h2>Configuration</h2><pre>").append(esc(Json.write(run))).append("</pre>");
    return b.append("</body></html>\n").toString();
  }

  private static String slices(List<TestbedCheck.Measurement> m,
      List<Map<String, Map<String, Double>>> multiTask, List<String> tasks) {
    StringBuilder b = new StringBuilder();
    for (String t : tasks) {
      List<String> metrics = m.get(0).base().get(t).keySet().stream()
          .filter(k -> k.startsWith("score[")).toList();
      if (metrics.isEmpty()) {
        continue;
      }
      if (b.length() == 0) {
        b.append("<h2>Per-slice ").append(m.get(0).splitName())
            .append(" scores (mean over seeds)</h2><table><tr><th>task · slice</th>"
            + "<th>base</th><th>expert</th><th>task arithmetic</th><th>average</th>"
            + "<th>multi-task</th></tr>");
      }
      for (String metric : metrics) {
        b.append("<tr><td>").append(esc(t + " · " + metric.substring(6, metric.length() - 1)))
            .append("</td>");
        for (java.util.function.Function<TestbedCheck.Measurement, Map<String, Map<String, Double>>> f
            : List.<java.util.function.Function<TestbedCheck.Measurement, Map<String, Map<String, Double>>>>of(
                TestbedCheck.Measurement::base, TestbedCheck.Measurement::expert,
                TestbedCheck.Measurement::taskArithmetic, TestbedCheck.Measurement::average)) {
          b.append("<td>").append(HtmlReport.fmt(m.stream().mapToDouble(x -> value(f.apply(x), t,
              metric)).average().orElse(Double.NaN))).append("</td>");
        }
        b.append("<td>").append(HtmlReport.fmt(multiTask.stream().mapToDouble(x -> value(x, t,
            metric)).average().orElse(Double.NaN))).append("</td></tr>");
      }
    }
    return b.length() == 0 ? "" : b.append("</table>").toString();
  }

  private static double value(Map<String, Map<String, Double>> s, String task, String metric) {
    Map<String, Double> v = s.get(task);
    return v == null || !v.containsKey(metric) ? Double.NaN : v.get(metric);
  }

  private static void row(StringBuilder b, String label, List<String> tasks,
      List<TestbedCheck.Measurement> m,
      java.util.function.Function<TestbedCheck.Measurement, Map<String, Map<String, Double>>> f,
      String metric) {
    b.append("<tr><td>").append(esc(label)).append("</td>");
    for (String t : tasks) {
      b.append("<td>").append(HtmlReport.fmt(m.stream().mapToDouble(x -> value(f.apply(x), t,
          metric)).average().orElse(Double.NaN))).append("</td>");
    }
    b.append("</tr>");
  }

  private static Svg.Series series(String name, List<String> tasks,
      List<TestbedCheck.Measurement> m,
      java.util.function.Function<TestbedCheck.Measurement, Map<String, Map<String, Double>>> f) {
    double[] mean = new double[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      String t = tasks.get(i);
      mean[i] = m.stream().mapToDouble(x -> value(f.apply(x), t, "score")).average()
          .orElse(Double.NaN);
    }
    return new Svg.Series(name, mean, nan(tasks.size()), nan(tasks.size()));
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, Double.NaN);
    return a;
  }
}
