package org.cpift.report;

import java.util.List;
import java.util.Locale;

/** Small inline-SVG charts for the self-contained HTML report (no scripts, nothing loaded). */
final class Svg {
  private Svg() {}

  static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
      "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#ff7f0e", "#2ca02c",
      "#d62728", "#9467bd"};

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static String n(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** One bar series: a name and per-category mean with CI (NaN = missing). */
  record Series(String name, double[] mean, double[] low, double[] high) {}

  /** Grouped bars with 95% CI whiskers; {@code ref} draws a dashed reference line (NaN: none). */
  static String bars(String title, List<String> categories, List<Series> series, double yMax,
      double ref, String yLabel) {
    int w = Math.max(520, 40 + categories.size() * (series.size() * 14 + 24));
    int h = 300;
    int left = 50;
    int top = 30;
    int plotH = 200;
    double groupW = (w - left - 20.0) / categories.size();
    double barW = Math.max(3, Math.min(14, (groupW - 10) / Math.max(1, series.size())));
    int cols = Math.max(1, (w - left) / 150);
    int height = h + 20 + 16 * ((series.size() + cols - 1) / cols);
    StringBuilder sb = new StringBuilder("<svg class=\"chart\" role=\"img\" width=\"" + w
        + "\" height=\"" + height + "\" viewBox=\"0 0 " + w + " " + height
        + "\" xmlns=\"http://www.w3.org/2000/svg\">");
    sb.append("<title>").append(esc(title)).append("</title>");
    sb.append("<text x=\"").append(left).append("\" y=\"18\" class=\"ct\">").append(esc(title)).append("</text>");
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
    for (int c = 0; c < categories.size(); c++) {
      double gx = left + c * groupW + (groupW - barW * series.size()) / 2;
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
            .append("\" fill=\"").append(PALETTE[s % PALETTE.length]).append("\"><title>")
            .append(esc(se.name() + " / " + categories.get(c) + ": "
                + String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", m, se.low()[c], se.high()[c])))
            .append("</title></rect>");
        if (!Double.isNaN(se.low()[c]) && se.high()[c] > se.low()[c]) {
          double y1 = top + plotH - plotH * Math.max(0, Math.min(se.low()[c], yMax)) / yMax;
          double y2 = top + plotH - plotH * Math.max(0, Math.min(se.high()[c], yMax)) / yMax;
          double cx = x + (barW - 1) / 2;
          sb.append("<line x1=\"").append(n(cx)).append("\" x2=\"").append(n(cx)).append("\" y1=\"")
              .append(n(y1)).append("\" y2=\"").append(n(y2)).append("\" class=\"err\"/>");
        }
      }
      sb.append("<text x=\"").append(n(left + c * groupW + groupW / 2)).append("\" y=\"")
          .append(top + plotH + 16).append("\" class=\"ax\" text-anchor=\"middle\">")
          .append(esc(categories.get(c))).append("</text>");
    }
    if (!Double.isNaN(ref)) {
      double y = top + plotH - plotH * ref / yMax;
      sb.append("<line x1=\"").append(left).append("\" x2=\"").append(w - 10).append("\" y1=\"")
          .append(n(y)).append("\" y2=\"").append(n(y)).append("\" class=\"ref\"/>");
    }
    legend(sb, series.stream().map(Series::name).toList(), left, top + plotH + 36, w - left);
    return sb.append("</svg>").toString();
  }

  static void legend(StringBuilder sb, List<String> names, int left, int y0, int width) {
    int cols = Math.max(1, width / 150);
    for (int i = 0; i < names.size(); i++) {
      int x = left + (i % cols) * 150;
      int y = y0 + (i / cols) * 16;
      sb.append("<rect x=\"").append(x).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(PALETTE[i % PALETTE.length]).append("\"/><text x=\"").append(x + 14).append("\" y=\"")
          .append(y).append("\" class=\"ax\">").append(esc(names.get(i))).append("</text>");
    }
  }

  /** A task × task heatmap with values in the cells. */
  static String heatmap(String title, List<String> labels, double[][] m) {
    int cell = 56;
    int left = 100;
    int top = 40;
    int size = left + cell * labels.size() + 20;
    StringBuilder sb = new StringBuilder("<svg class=\"chart\" role=\"img\" width=\"" + size + "\" height=\""
        + (top + cell * labels.size() + 20) + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>"
        + esc(title) + "</title><text x=\"10\" y=\"18\" class=\"ct\">" + esc(title) + "</text>");
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
        int shade = (int) Math.round(255 - 180 * t);
        sb.append("<rect x=\"").append(left + j * cell).append("\" y=\"").append(top + i * cell)
            .append("\" width=\"").append(cell - 2).append("\" height=\"").append(cell - 2)
            .append("\" fill=\"rgb(").append(shade).append(',').append(shade).append(",255)\"/>");
        sb.append("<text x=\"").append(left + j * cell + cell / 2 - 1).append("\" y=\"")
            .append(top + i * cell + cell / 2 + 3).append("\" class=\"ax\" text-anchor=\"middle\">")
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
    StringBuilder sb = new StringBuilder("<svg class=\"chart\" role=\"img\" width=\"" + w + "\" height=\"" + h
        + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + esc(title) + "</title><text x=\"10\" y=\"18\" class=\"ct\">"
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
    StringBuilder sb = new StringBuilder("<svg class=\"chart\" role=\"img\" width=\"" + w + "\" height=\"" + h
        + "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + esc(title) + "</title><text x=\"" + left
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
