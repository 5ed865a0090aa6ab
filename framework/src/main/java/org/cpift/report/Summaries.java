package org.cpift.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Aggregates tidy rows over seeds, and looks summaries and per-seed values up. */
public final class Summaries {
  private final List<Row> rows;
  private final Map<String, SummaryRow> byKey = new LinkedHashMap<>();

  public Summaries(List<Row> rows) {
    this.rows = rows;
    Map<String, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      groups.computeIfAbsent(key(r.variant(), r.method(), r.task(), r.metric()),
          k -> new ArrayList<>()).add(r);
    }
    for (List<Row> g : groups.values()) {
      Row f = g.get(0);
      double[] values = g.stream().mapToDouble(Row::value).toArray();
      Statistics.Summary s = Statistics.summarize(values);
      double[] boot = Statistics.bootstrapMean(values);
      byKey.put(key(f.variant(), f.method(), f.task(), f.metric()), new SummaryRow(f.experiment(),
          f.variant(), f.method(), f.task(), f.metric(), s.n(), s.mean(), s.std(), s.ciLow(),
          s.ciHigh(), boot[0], boot[1]));
    }
  }

  static String key(String variant, String method, String task, String metric) {
    return variant + "\u0000" + method + "\u0000" + task + "\u0000" + metric;
  }

  public List<SummaryRow> all() {
    return List.copyOf(byKey.values());
  }

  public List<Row> rows() {
    return rows;
  }

  public Optional<SummaryRow> get(String variant, String method, String task, String metric) {
    return Optional.ofNullable(byKey.get(key(variant, method, task, metric)));
  }

  /** Values by seed, for paired tests. */
  public Map<Long, Double> perSeed(String variant, String method, String task, String metric) {
    Map<Long, Double> out = new LinkedHashMap<>();
    for (Row r : rows) {
      if (r.variant().equals(variant) && r.method().equals(method) && r.task().equals(task)
          && r.metric().equals(metric)) {
        out.put(r.seed(), r.value());
      }
    }
    return out;
  }

  /**
   * The summary of a (variant, method) on a task/metric over those of its seeds in {@code seeds}
   * (the figures shown beside a paired test cover the seeds it pairs).
   */
  public Statistics.Summary summaryOver(String variant, String method, String task, String metric,
      java.util.Set<Long> seeds) {
    Map<Long, Double> v = perSeed(variant, method, task, metric);
    v.keySet().retainAll(seeds);
    return Statistics.summarize(v.values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Paired comparison of two (variant, method) pairs on a task/metric over their common seeds. */
  public Optional<Statistics.Paired> paired(String va, String ma, String vb, String mb, String task,
      String metric) {
    return paired(va, ma, vb, mb, task, metric, 1);
  }

  /** Paired comparison of a against {@code scaleB} times b (a − scaleB·b) over common seeds. */
  public Optional<Statistics.Paired> paired(String va, String ma, String vb, String mb, String task,
      String metric, double scaleB) {
    Map<Long, Double> a = perSeed(va, ma, task, metric);
    Map<Long, Double> b = perSeed(vb, mb, task, metric);
    List<Long> common = new ArrayList<>(a.keySet());
    common.retainAll(b.keySet());
    if (common.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Statistics.paired(common.stream().mapToDouble(a::get).toArray(),
        common.stream().mapToDouble(k -> scaleB * b.get(k)).toArray()));
  }

  /** Distinct (variant, method) pairs in first-seen order. */
  /** One line of a results table: a method under one variant of an experiment. */
  public record Arm(String variant, String method) {}

  public List<Arm> variantsAndMethods() {
    List<Arm> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Row r : rows) {
      if (seen.add(r.variant() + "\u0000" + r.method())) {
        out.add(new Arm(r.variant(), r.method()));
      }
    }
    return out;
  }

  /** Distinct task names (not average/all) in first-seen order. */
  public List<String> tasks() {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (!r.task().equals("average") && !r.task().equals("all") && !out.contains(r.task())) {
        out.add(r.task());
      }
    }
    return out;
  }
}
