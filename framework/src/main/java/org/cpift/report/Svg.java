package org.cpift.report;

import java.util.List;
import java.util.Locale;

/** Small inline-SVG charts for the self-contained HTML report (no scripts, nothing loaded). */
final class Svg {
  private Svg() {}

  /** The style sheet of the charts, shared by the page and the standalone SVG files. */
  static final String CSS = ".ct{font-size:13px;font-weight:600}.ax{font-size:11px;fill:#444}"
      + ".hv{font-size:11px}.grid{stroke:#eee}.err{stroke:#222;stroke-width:1.2}"
      + ".ref{stroke:#c00;stroke-dasharray:4 3}.dend{fill:none;stroke:#4e79a7;stroke-width:2}"
      + ".band{fill:#4e79a7;opacity:.2}.line{fill:none;stroke:#4e79a7;stroke-width:2}"
      + ".pt{fill:#4e79a7}";

  /** The widest a bar chart is drawn (user units); wider content wraps into rows of groups. */
  static final int MAX_WIDTH = 760;

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String n(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /**
   * The opening tag of a chart: a viewBox and no fixed size, so the page scales it to its width
   * (never beyond its natural width {@code w}).
   */
  static String open(int w, int h, String title) {
    return "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + w + " " + h
        + "\" preserveAspectRatio=\"xMinYMin meet\" style=\"max-width:" + w
        + "px\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + esc(title) + "</title>";
  }

  /**
   * A chart of the page as a standalone SVG file: an XML declaration, its intrinsic size (the
   * viewBox's) and the chart style sheet inside, so it renders the same without the page.
   */
  static String standalone(String chart) {
    var m = java.util.regex.Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(chart);
    if (!chart.startsWith("<svg") || !m.find()) {
      throw new IllegalArgumentException("not a chart of this class");
    }
    String head = chart.substring(0, chart.indexOf('>') + 1)
        .replaceFirst(" style=\"max-width:\\d+px\"", "")
        .replaceFirst("<svg ", "<svg width=\"" + m.group(1) + "\" height=\"" + m.group(2) + "\" ");
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + head
        + "<style>text{font-family:Helvetica,Arial,sans-serif}" + CSS + "</style>"
        + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        + chart.substring(chart.indexOf('>') + 1) + "\n";
  }

  /** An id for the chart's definitions, from its title (unique within a page). */
  static String id(String title) {
    return "c" + Integer.toHexString(title.hashCode());
  }

  /** One bar series: a name and per-category mean with an interval (NaN = missing). */
  record Series(String name, double[] mean, double[] low, double[] high) {}

  /**
   * Grouped bars with interval whiskers; {@code ref} draws a dashed reference line (NaN: none).
   * The groups are laid out in rows of at most {@link #MAX_WIDTH}: with many series a row holds
   * fewer groups rather than the chart growing wider than a page. Each series has its method's
   * {@link Palette} style; the legend shows it.
   */
  static String bars(String title, List<String> categories, List<Series> series, double yMax,
      double ref, String yLabel) {
    int left = 50;
    int plotH = 180;
    int k = Math.max(1, series.size());
    // a group: every series' bar at 6 to 14 units, and a gap
    double minGroup = k * 6 + 14;
    int perRow = (int) Math.max(1, Math.min(categories.size(),
        Math.floor((MAX_WIDTH - left - 20) / minGroup)));
    int rows = (categories.size() + perRow - 1) / perRow;
    double groupW = Math.min(k * 14 + 24, (MAX_WIDTH - left - 20.0) / perRow);
    int w = (int) Math.ceil(Math.max(420, left + 20 + groupW * perRow));
    double barW = Math.max(3, Math.min(14, (groupW - 10) / k));
    int rowH = plotH + 40;
    List<Palette.Style> styles = Palette.assign(series.stream().map(Series::name).toList());
    String chartId = id(title);
    int maxName = series.stream().mapToInt(s -> s.name().length()).max().orElse(8);
    int colW = (int) Math.ceil(22 + 6.3 * maxName);
    int cols = Math.max(1, (w - left) / colW);
    int legendTop = 30 + rows * rowH + 14;
    int height = legendTop + 16 * ((series.size() + cols - 1) / cols) + 6;
    StringBuilder sb = new StringBuilder(open(w, height, title));
    sb.append(Palette.defs(chartId, styles));
    sb.append("<text x=\"").append(left).append("\" y=\"18\" class=\"ct\">").append(esc(title)).append("</text>");
    for (int row = 0; row < rows; row++) {
      int top = 30 + row * rowH;
      for (int i = 0; i <= 4; i++) {
        double v = yMax * i / 4;
        double y = top + plotH - plotH * i / 4.0;
        sb.append("<line x1=\"").append(left).append("\" x2=\"").append(w - 10).append("\" y1=\"")
            .append(n(y)).append("\" y2=\"").append(n(y)).append("\" class=\"grid\"/>");
        sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(n(y + 4))
            .append("\" class=\"ax\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%.2f", v))
            .append("</text>");
      }
      sb.append("<text x=\"12\" y=\"").append(top + plotH / 2).append("\" class=\"ax\" transform=\"rotate(-90 12 ")
          .append(top + plotH / 2).append(")\" text-anchor=\"middle\">").append(esc(yLabel)).append("</text>");
      for (int c = row * perRow; c < Math.min(categories.size(), (row + 1) * perRow); c++) {
        int col = c - row * perRow;
        double gx = left + col * groupW + (groupW - barW * series.size()) / 2;
        for (int s = 0; s < series.size(); s++) {
          Series se = series.get(s);
          double m = se.mean()[c];
          if (Double.isNaN(m)) {
            continue;
          }
          double x = gx + s * barW;
          double bh = plotH * Math.max(0, Math.min(m, yMax)) / yMax;
          sb.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(top + plotH - bh))
              .append("\" width=\"").append(n(barW - 1)).append("\" height=\"").append(n(bh))
              .append("\" fill=\"").append(styles.get(s).fill(chartId))
              .append("\" stroke=\"").append(styles.get(s).colour()).append("\" stroke-width=\"0.5\"><title>")
              .append(esc(se.name() + " / " + categories.get(c) + ": "
                  + String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m, se.low()[c], se.high()[c])))
              .append("</title></rect>");
          if (!Double.isNaN(se.low()[c]) && se.high()[c] > se.low()[c]) {
            double y1 = top + plotH - plotH * Math.max(0, Math.min(se.low()[c], yMax)) / yMax;
            double y2 = top + plotH - plotH * Math.max(0, Math.min(se.high()[c], yMax)) / yMax;
            double cx = x + (barW - 1) / 2;
            sb.append("<line x1=\"").append(n(cx)).append("\" x2=\"").append(n(cx)).append("\" y1=\"")
                .append(n(y1)).append("\" y2=\"").append(n(y2)).append("\" class=\"err\" data-low=\"")
                .append(String.format(Locale.ROOT, "%.6g", se.low()[c])).append("\" data-high=\"")
                .append(String.format(Locale.ROOT, "%.6g", se.high()[c])).append("\"/>");
          }
        }
        sb.append("<text x=\"").append(n(left + col * groupW + groupW / 2)).append("\" y=\"")
            .append(top + plotH + 16).append("\" class=\"ax\" text-anchor=\"middle\">")
            .append(esc(categories.get(c))).append("</text>");
      }
      if (!Double.isNaN(ref)) {
        double y = top + plotH - plotH * ref / yMax;
        sb.append("<line x1=\"").append(left).append("\" x2=\"").append(w - 10).append("\" y1=\"")
            .append(n(y)).append("\" y2=\"").append(n(y)).append("\" class=\"ref\"/>");
      }
    }
    legend(sb, series.stream().map(Series::name).toList(), styles, chartId, left, legendTop,
        cols, colW);
    return sb.append("</svg>").toString();
  }

  static void legend(StringBuilder sb, List<String> names, List<Palette.Style> styles,
      String chartId, int left, int y0, int cols, int colW) {
    for (int i = 0; i < names.size(); i++) {
      int x = left + (i % cols) * colW;
      int y = y0 + (i / cols) * 16;
      Palette.Style st = styles.get(i);
      sb.append("<g class=\"key\" data-name=\"").append(esc(names.get(i))).append("\" data-colour=\"")
          .append(st.colour()).append("\" data-pattern=\"").append(st.pattern()).append("\">")
          .append("<rect x=\"").append(x).append("\" y=\"").append(y - 9)
          .append("\" width=\"12\" height=\"12\" fill=\"").append(st.fill(chartId))
          .append("\" stroke=\"").append(st.colour()).append("\"/><text x=\"").append(x + 16)
          .append("\" y=\"").append(y + 1).append("\" class=\"ax\">").append(esc(names.get(i)))
          .append("</text></g>");
    }
  }

  /** A task × task heatmap with values in the cells. */
  static String heatmap(String title, List<String> labels, double[][] m) {
    int longest = labels.stream().mapToInt(String::length).max().orElse(4);
    // wide enough that the column labels (11 px text) do not run into each other
    int cell = Math.max(56, (int) Math.ceil(6.6 * longest) + 12);
    int left = Math.max(100, (int) Math.ceil(6.6 * longest) + 16);
    int top = 40;
    int size = left + cell * labels.size() + 20;
    int height = top + cell * labels.size() + 20;
    StringBuilder sb = new StringBuilder(open(size, height, title) + "<text x=\"10\" y=\"18\" "
        + "class=\"ct\">" + esc(title) + "</text>");
    double max = 0;
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m.length; j++) {
        if (i != j) {
          max = Math.max(max, m[i][j]);
        }
      }
    }
    for (int i = 0; i < labels.size(); i++) {
      sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(top + i * cell + cell / 2 + 4)
          .append("\" class=\"ax\" text-anchor=\"end\">").append(esc(labels.get(i))).append("</text>");
      sb.append("<text x=\"").append(left + i * cell + cell / 2).append("\" y=\"").append(top - 6)
          .append("\" class=\"ax\" text-anchor=\"middle\">").append(esc(labels.get(i))).append("</text>");
      for (int j = 0; j < labels.size(); j++) {
        double v = m[i][j];
        double t = i == j ? 1 : max > 0 ? v / max : 0;
        int shade = (int) Math.round(255 - 180 * Math.max(0, Math.min(1, t)));
        String fill = String.format(Locale.ROOT, "#%02x%02xff", shade, shade);
        sb.append("<rect x=\"").append(left + j * cell).append("\" y=\"").append(top + i * cell)
            .append("\" width=\"").append(cell - 2).append("\" height=\"").append(cell - 2)
            .append("\" fill=\"").append(fill).append("\"/>");
        // black or white, whichever has the higher WCAG contrast with this cell (≥ 4.5:1)
        sb.append("<text x=\"").append(left + j * cell + cell / 2 - 1).append("\" y=\"")
            .append(top + i * cell + cell / 2 + 3).append("\" class=\"hv\" fill=\"")
            .append(Palette.textOn(fill)).append("\" text-anchor=\"middle\">")
            .append(String.format(Locale.ROOT, "%.3f", v)).append("</text>");
      }
    }
    return sb.append("</svg>").toString();
  }

  /** A dendrogram: merges (member index lists, similarity) drawn against similarity. */
  static String dendrogram(String title, List<String> labels, List<int[][]> merges,
      List<Double> sims, double tau) {
    int n = labels.size();
    int w = 560;
    int left = 110;
    int top = 40;
    int row = 26;
    int h = top + row * n + 40;
    double plotW = w - left - 30;
    StringBuilder sb = new StringBuilder(open(w, h, title) + "<text x=\"10\" y=\"18\" class=\"ct\">"
        + esc(title) + "</text>");
    // leaves in an order where merged clusters are adjacent: the order of the last merge's members
    List<Integer> order = new java.util.ArrayList<>();
    if (!merges.isEmpty()) {
      int[][] last = merges.get(merges.size() - 1);
      for (int x : last[0]) {
        order.add(x);
      }
      for (int x : last[1]) {
        order.add(x);
      }
    }
    for (int i = 0; i < n; i++) {
      if (!order.contains(i)) {
        order.add(i);
      }
    }
    double[] y = new double[n];
    double[] x = new double[n];
    java.util.Map<String, double[]> node = new java.util.HashMap<>();
    for (int k = 0; k < n; k++) {
      int leaf = order.get(k);
      y[leaf] = top + k * row + row / 2.0;
      x[leaf] = left;
      node.put(String.valueOf(leaf), new double[] {left, y[leaf]});
      sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(n(y[leaf] + 4))
          .append("\" class=\"ax\" text-anchor=\"end\">").append(esc(labels.get(leaf))).append("</text>");
    }
    // x = (1 − similarity) scaled: leaves at distance 0 on the left
    for (int k = 0; k < merges.size(); k++) {
      double d = 1 - sims.get(k);
      double mx = left + plotW * d;
      double[] a = node.get(key(merges.get(k)[0]));
      double[] b = node.get(key(merges.get(k)[1]));
      sb.append("<path d=\"M").append(n(a[0])).append(' ').append(n(a[1])).append(" H").append(n(mx))
          .append(" V").append(n(b[1])).append(" H").append(n(b[0])).append("\" class=\"dend\"/>");
      int[] joined = java.util.stream.IntStream.concat(java.util.Arrays.stream(merges.get(k)[0]),
          java.util.Arrays.stream(merges.get(k)[1])).sorted().toArray();
      node.put(key(joined), new double[] {mx, (a[1] + b[1]) / 2});
    }
    double tx = left + plotW * (1 - tau);
    sb.append("<line x1=\"").append(n(tx)).append("\" x2=\"").append(n(tx)).append("\" y1=\"").append(top - 10)
        .append("\" y2=\"").append(top + row * n).append("\" class=\"ref\"/><text x=\"").append(n(tx + 3))
        .append("\" y=\"").append(top - 12).append("\" class=\"ax\">cut 1−τ</text>");
    for (int i = 0; i <= 4; i++) {
      double xx = left + plotW * i / 4;
      sb.append("<text x=\"").append(n(xx)).append("\" y=\"").append(top + row * n + 16)
          .append("\" class=\"ax\" text-anchor=\"middle\">").append(String.format(Locale.ROOT, "%.2f", i / 4.0))
          .append("</text>");
    }
    sb.append("<text x=\"").append(n(left + plotW / 2)).append("\" y=\"").append(top + row * n + 32)
        .append("\" class=\"ax\" text-anchor=\"middle\">distance 1 − J (linkage)</text>");
    return sb.append("</svg>").toString();
  }

  private static String key(int[] members) {
    int[] s = members.clone();
    java.util.Arrays.sort(s);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length; i++) {
      b.append(i > 0 ? "," : "").append(s[i]);
    }
    return b.toString();
  }

  /** A line with a CI band over numeric x values. */
  /** A tick label without trailing zeros: 0.1, 0.05, 2, 10. */
  static String tick(double v) {
    String t = String.format(Locale.ROOT, "%.3g", v);
    if (t.contains(".") && !t.contains("e")) {
      t = t.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return t;
  }

  static String curve(String title, String xLabel, double[] xs, double[] mean, double[] low,
      double[] high, String yLabel) {
    int w = 520;
    int h = 280;
    int left = 55;
    int top = 30;
    int plotW = w - left - 20;
    int plotH = 200;
    double xMin = java.util.Arrays.stream(xs).min().orElse(0);
    double xMax = java.util.Arrays.stream(xs).max().orElse(1);
    double yMin = java.util.Arrays.stream(low).filter(v -> !Double.isNaN(v)).min().orElse(0);
    double yMax = java.util.Arrays.stream(high).filter(v -> !Double.isNaN(v)).max().orElse(1);
    if (yMax - yMin < 1e-9) {
      yMax = yMin + 0.1;
    }
    double pad = (yMax - yMin) * 0.1;
    final double y0 = yMin - pad;
    final double y1 = yMax + pad;
    // a sweep over orders of magnitude (p = 0.1 … 10%) is drawn on a log axis, else the small
    // values' labels overlap
    final boolean log = xMin > 0 && xMax / xMin >= 20;
    final double x0 = log ? Math.log10(xMin) : xMin;
    final double x1 = log ? Math.log10(xMax) : xMax > xMin ? xMax : xMin + 1;
    java.util.function.DoubleUnaryOperator px = v -> left + plotW * ((log ? Math.log10(v) : v) - x0)
        / (x1 - x0);
    java.util.function.DoubleUnaryOperator py = v -> top + plotH - plotH * (v - y0) / (y1 - y0);
    StringBuilder sb = new StringBuilder(open(w, h, title) + "<text x=\"" + left
        + "\" y=\"18\" class=\"ct\">" + esc(title) + "</text>");
    StringBuilder band = new StringBuilder("M");
    for (int i = 0; i < xs.length; i++) {
      band.append(i > 0 ? " L" : "").append(n(px.applyAsDouble(xs[i]))).append(' ').append(n(py.applyAsDouble(high[i])));
    }
    for (int i = xs.length - 1; i >= 0; i--) {
      band.append(" L").append(n(px.applyAsDouble(xs[i]))).append(' ').append(n(py.applyAsDouble(low[i])));
    }
    sb.append("<path d=\"").append(band).append(" Z\" class=\"band\"/>");
    StringBuilder line = new StringBuilder("M");
    for (int i = 0; i < xs.length; i++) {
      line.append(i > 0 ? " L" : "").append(n(px.applyAsDouble(xs[i]))).append(' ').append(n(py.applyAsDouble(mean[i])));
      sb.append("<circle cx=\"").append(n(px.applyAsDouble(xs[i]))).append("\" cy=\"")
          .append(n(py.applyAsDouble(mean[i]))).append("\" r=\"3\" class=\"pt\"><title>")
          .append(String.format(Locale.ROOT, "%s=%.3g: %.3f [%.3f, %.3f]", xLabel, xs[i], mean[i], low[i], high[i]))
          .append("</title></circle>");
      sb.append("<text x=\"").append(n(px.applyAsDouble(xs[i]))).append("\" y=\"").append(top + plotH + 16)
          .append("\" class=\"ax\" text-anchor=\"middle\">").append(tick(xs[i])).append("</text>");
    }
    sb.append("<path d=\"").append(line).append("\" class=\"line\"/>");
    for (int i = 0; i <= 4; i++) {
      double v = y0 + (y1 - y0) * i / 4;
      sb.append("<text x=\"").append(left - 6).append("\" y=\"").append(n(py.applyAsDouble(v) + 4))
          .append("\" class=\"ax\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%.3f", v)).append("</text>");
    }
    sb.append("<text x=\"").append(left + plotW / 2).append("\" y=\"").append(top + plotH + 34)
        .append("\" class=\"ax\" text-anchor=\"middle\">").append(esc(xLabel + (log ? ", log scale" : "")))
        .append("</text>");
    sb.append("<text x=\"12\" y=\"").append(top + plotH / 2).append("\" class=\"ax\" transform=\"rotate(-90 12 ")
        .append(top + plotH / 2).append(")\" text-anchor=\"middle\">").append(esc(yLabel)).append("</text>");
    return sb.append("</svg>").toString();
  }
}
