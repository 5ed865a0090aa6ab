package org.cpift.report;

import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cpift.experiment.CellResult;
import org.cpift.util.AtomicFiles;
import org.cpift.util.Json;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Writes an experiment's report folder: {@code results.csv} (tidy), {@code summary.csv}
 * (n, mean, std, ci_low, ci_high, boot_low, boot_high), {@code manifest.json},
 * {@code report.html}, the tables as LaTeX ({@code table-*.tex}, see {@link Latex}) and every
 * chart of the page as a standalone SVG ({@code fig-*.svg}). Tables are Tablesaw tables; every
 * file is written atomically.
 */
public final class ReportWriter {
  private ReportWriter() {}

  public static Table resultsTable(List<Row> rows) {
    return Table.create("results",
        StringColumn.create("experiment", rows.stream().map(Row::experiment).toList()),
        StringColumn.create("variant", rows.stream().map(Row::variant).toList()),
        StringColumn.create("method", rows.stream().map(Row::method).toList()),
        StringColumn.create("task", rows.stream().map(Row::task).toList()),
        LongColumn.create("seed", rows.stream().mapToLong(Row::seed).toArray()),
        StringColumn.create("metric", rows.stream().map(Row::metric).toList()),
        DoubleColumn.create("value", rows.stream().mapToDouble(Row::value).toArray()),
        StringColumn.create("config_hash", rows.stream().map(Row::configHash).toList()));
  }

  public static Table summaryTable(List<SummaryRow> rows) {
    return Table.create("summary",
        StringColumn.create("experiment", rows.stream().map(SummaryRow::experiment).toList()),
        StringColumn.create("variant", rows.stream().map(SummaryRow::variant).toList()),
        StringColumn.create("method", rows.stream().map(SummaryRow::method).toList()),
        StringColumn.create("task", rows.stream().map(SummaryRow::task).toList()),
        StringColumn.create("metric", rows.stream().map(SummaryRow::metric).toList()),
        IntColumn.create("n", rows.stream().mapToInt(SummaryRow::n).toArray()),
        DoubleColumn.create("mean", rows.stream().mapToDouble(SummaryRow::mean).toArray()),
        DoubleColumn.create("std", rows.stream().mapToDouble(SummaryRow::std).toArray()),
        DoubleColumn.create("ci_low", rows.stream().mapToDouble(SummaryRow::ciLow).toArray()),
        DoubleColumn.create("ci_high", rows.stream().mapToDouble(SummaryRow::ciHigh).toArray()),
        DoubleColumn.create("boot_low", rows.stream().mapToDouble(SummaryRow::bootLow).toArray()),
        DoubleColumn.create("boot_high", rows.stream().mapToDouble(SummaryRow::bootHigh).toArray()));
  }

  static String csv(Table t) {
    StringWriter w = new StringWriter();
    t.write().csv(w);
    return w.toString();
  }

  /** Writes every format, checking the experiment's {@code checks}; returns the claims. */
  public static List<Claims.Claim> write(Path dir, String experiment, String description,
      List<CellResult> cells, Map<String, Object> manifest, List<Claims.Check> checks) {
    return write(dir, experiment, description, cells, manifest, checks, List.of(),
        ReportFormat.all());
  }

  /**
   * Writes {@code manifest.json} and the files of the given formats, checking the experiment's
   * {@code checks} and adding its own {@code sections} to the page; returns the claims. Every file
   * is rendered before the first is written, so a rendering that fails leaves the folder as it was
   * (each file is replaced atomically; only a failing disk can leave two renderings mixed).
   */
  public static List<Claims.Claim> write(Path dir, String experiment, String description,
      List<CellResult> cells, Map<String, Object> manifest, List<Claims.Check> checks,
      List<Section> sections, Set<ReportFormat> formats) {
    List<Row> rows = Tidy.rows(experiment, cells);
    Summaries s = new Summaries(rows);
    List<Claims.Claim> claims = Claims.evaluate(s, checks);
    Map<String, String> files = new LinkedHashMap<>(); // file name -> its text, in writing order
    if (formats.contains(ReportFormat.CSV)) {
      files.put("results.csv", csv(resultsTable(rows)));
      files.put("summary.csv", csv(summaryTable(s.all())));
    }
    manifest.put("claims", claims);
    files.put("manifest.json", Json.write(manifest) + "\n");
    Map<String, String> figures = new LinkedHashMap<>();
    String page = HtmlReport.render(experiment, description, s, cells, claims, manifest,
        sections, figures);
    if (formats.contains(ReportFormat.HTML)) {
      files.put("report.html", page);
    }
    if (formats.contains(ReportFormat.SVG)) {
      figures.forEach((name, svg) -> files.put(name + ".svg", Svg.standalone(svg)));
    }
    if (formats.contains(ReportFormat.TEX)) {
      Latex.tables(experiment, s, manifest).forEach((name, tex) -> files.put(name + ".tex", tex));
    }
    if (formats.contains(ReportFormat.MD)) {
      StringBuilder own = new StringBuilder();
      sections.forEach(section -> own.append(section.markdown(s, cells)));
      files.put("report.md", Markdown.report(experiment, s, claims, manifest)
          + Stages.markdown(cells) + own + Selections.markdown(cells));
    }
    files.forEach((name, text) -> AtomicFiles.writeString(dir.resolve(name), text));
    return claims;
  }
}
