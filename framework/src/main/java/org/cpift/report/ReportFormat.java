package org.cpift.report;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The files a report folder can hold besides {@code manifest.json} (always written):
 * {@code html} the page, {@code csv} results.csv and summary.csv, {@code tex} the tables as
 * LaTeX, {@code svg} every chart as a standalone SVG file, {@code md} the results table and the
 * claims as Markdown.
 */
public enum ReportFormat {
  HTML, CSV, TEX, SVG, MD;

  /** Every format. */
  public static Set<ReportFormat> all() {
    return EnumSet.allOf(ReportFormat.class);
  }

  /** Formats by name ({@code html}, {@code csv}, {@code tex}, {@code svg}, {@code md}). */
  public static Set<ReportFormat> parse(List<String> names) {
    Set<ReportFormat> out = EnumSet.noneOf(ReportFormat.class);
    for (String n : names) {
      String t = n.trim().toLowerCase(Locale.ROOT);
      try {
        out.add(valueOf(t.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new org.cpift.util.CpiftException("ReportFormat: formats: unknown format '" + n
            + "'; use any of html, csv, tex, svg, md (comma-separated)");
      }
    }
    if (out.isEmpty()) {
      throw new org.cpift.util.CpiftException("ReportFormat: formats: name at least one of html, csv, tex, svg, "
          + "md");
    }
    return out;
  }
}
