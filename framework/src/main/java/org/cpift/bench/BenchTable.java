package org.cpift.bench;

import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cpift.util.AtomicFiles;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The figures one {@code cpift bench} run measured, one row per (benchmark, case, metric): printed
 * as a table and written as CSV (Tablesaw, atomically).
 */
public final class BenchTable {
  /** One figure. */
  public record Row(String benchmark, String caseName, String metric, double value, String unit,
      String note) {}

  private final List<Row> rows = new ArrayList<>();

  public BenchTable add(String benchmark, String caseName, String metric, double value,
      String unit, String note) {
    rows.add(new Row(benchmark, caseName, metric, value, unit, note == null ? "" : note));
    return this;
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** The value of a figure, or NaN when it was not measured. */
  public double value(String benchmark, String caseName, String metric) {
    return rows.stream().filter(r -> r.benchmark.equals(benchmark) && r.caseName.equals(caseName)
        && r.metric.equals(metric)).mapToDouble(Row::value).findFirst().orElse(Double.NaN);
  }

  public Table table() {
    return Table.create("bench",
        StringColumn.create("benchmark", rows.stream().map(Row::benchmark).toList()),
        StringColumn.create("case", rows.stream().map(Row::caseName).toList()),
        StringColumn.create("metric", rows.stream().map(Row::metric).toList()),
        DoubleColumn.create("value", rows.stream().mapToDouble(Row::value).toArray()),
        StringColumn.create("unit", rows.stream().map(Row::unit).toList()),
        StringColumn.create("note", rows.stream().map(Row::note).toList()));
  }

  public void writeCsv(Path file) {
    StringWriter w = new StringWriter();
    table().write().csv(w);
    AtomicFiles.writeString(file, w.toString());
  }

  public void print(PrintStream out) {
    int wb = 10;
    int wc = 4;
    int wm = 6;
    for (Row r : rows) {
      wb = Math.max(wb, r.benchmark.length());
      wc = Math.max(wc, r.caseName.length());
      wm = Math.max(wm, r.metric.length());
    }
    String fmt = "%-" + wb + "s  %-" + wc + "s  %-" + wm + "s  %12s  %-8s %s%n";
    out.printf(fmt, "benchmark", "case", "metric", "value", "unit", "note");
    for (Row r : rows) {
      out.printf(Locale.ROOT, fmt, r.benchmark, r.caseName, r.metric, format(r.value), r.unit, r.note);
    }
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 1000 || a == 0) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.01) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.2e", v);
  }
}
