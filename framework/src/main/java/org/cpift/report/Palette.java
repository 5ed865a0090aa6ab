package org.cpift.report;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cpift.method.Methods;

/**
 * Colours and fill patterns of the charts' series. The colours are Paul Tol's "muted" qualitative
 * scheme (nine colours told apart with the common forms of colour blindness); when a chart has
 * more series than colours the colours repeat with a fill pattern (stripes, dots, cross-hatch), so
 * every series keeps a distinct look. A method of the paper's table ({@link Methods#NAMES}, then
 * {@link Methods#EXTRA}) always has the same style, in every report; other series (variants such
 * as {@code cpi-ft (no-fusion)}) take the first style not used in their chart, starting at a
 * place fixed by their name.
 */
final class Palette {
  private Palette() {}

  /** Tol's muted scheme (https://personal.sron.nl/~pault/), in its published order. */
  static final String[] COLOURS = {"#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE",
      "#882255", "#44AA99", "#999933", "#AA4499"};

  /** Fill patterns, in the order they are used once the colours run out. */
  static final String[] PATTERNS = {"solid", "stripes", "dots", "crosshatch"};

  /** How many series can be told apart: every colour with every pattern. */
  static final int SLOTS = COLOURS.length * PATTERNS.length;

  /** A series' look: colour and pattern, and its slot (colour + 9 × pattern). */
  record Style(int slot, String colour, String pattern) {
    Style {
      if (slot < 0 || slot >= SLOTS) {
        throw new IllegalArgumentException("slot " + slot + " outside 0.." + (SLOTS - 1));
      }
    }

    static Style of(int slot) {
      return new Style(slot, COLOURS[slot % COLOURS.length],
          PATTERNS[slot / COLOURS.length]);
    }

    /** The SVG fill: the colour, or a reference to the pattern defined in the chart. */
    String fill(String chartId) {
      return pattern.equals("solid") ? colour : "url(#" + chartId + "-p" + slot + ")";
    }
  }

  /**
   * The fixed slot of a method of the paper's table, or -1 for any other name. The gate's page
   * names some in words: "expert" is single-task, "task arithmetic" task-arithmetic.
   */
  static int methodSlot(String name) {
    name = name.equals("expert") ? "single-task" : name.replace(' ', '-');
    int i = Methods.NAMES.indexOf(name);
    if (i >= 0) {
      return i;
    }
    int j = Methods.EXTRA.indexOf(name);
    return j >= 0 ? Methods.NAMES.size() + j : -1;
  }

  /**
   * Styles for the series of one chart, in their order: methods their fixed style, the others the
   * first free slot from a place fixed by their name (distinct while there are at most
   * {@link #SLOTS} series; beyond that the styles repeat).
   */
  static List<Style> assign(List<String> names) {
    List<Style> out = new ArrayList<>();
    Set<Integer> used = new HashSet<>();
    for (String n : names) {
      int s = methodSlot(n);
      if (s >= 0) {
        used.add(s);
      }
    }
    for (String n : names) {
      int s = methodSlot(n);
      if (s < 0) {
        s = Math.floorMod(n.hashCode(), SLOTS);
        for (int k = 0; k < SLOTS && used.contains(s); k++) {
          s = (s + 1) % SLOTS;
        }
        used.add(s);
      }
      out.add(Style.of(s));
    }
    return out;
  }

  /** The {@code <pattern>} definitions a chart's patterned styles refer to. */
  static String defs(String chartId, List<Style> styles) {
    StringBuilder b = new StringBuilder();
    Set<Integer> done = new HashSet<>();
    for (Style s : styles) {
      if (s.pattern().equals("solid") || !done.add(s.slot())) {
        continue;
      }
      b.append("<pattern id=\"").append(chartId).append("-p").append(s.slot())
          .append("\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"")
          .append(s.pattern().equals("stripes") ? " patternTransform=\"rotate(45)\"" : "")
          .append("><rect width=\"6\" height=\"6\" fill=\"").append(s.colour()).append("\"/>");
      switch (s.pattern()) {
        case "stripes" -> b.append("<rect width=\"2.2\" height=\"6\" fill=\"#fff\"/>");
        case "dots" -> b.append("<circle cx=\"3\" cy=\"3\" r=\"1.4\" fill=\"#fff\"/>");
        default -> b.append("<path d=\"M0 0L6 6M6 0L0 6\" stroke=\"#fff\" stroke-width=\"1.3\"/>");
      }
      b.append("</pattern>");
    }
    return b.length() == 0 ? "" : "<defs>" + b + "</defs>";
  }

  /** WCAG 2 relative luminance of a {@code #rrggbb} colour. */
  static double luminance(String hex) {
    double[] c = new double[3];
    for (int i = 0; i < 3; i++) {
      double v = Integer.parseInt(hex.substring(1 + 2 * i, 3 + 2 * i), 16) / 255.0;
      c[i] = v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  /** WCAG 2 contrast ratio of two colours (1 to 21). */
  static double contrast(String a, String b) {
    double la = luminance(a);
    double lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /** Black or white, whichever contrasts more with {@code background} (always ≥ 4.5:1). */
  static String textOn(String background) {
    return contrast(background, "#000000") >= contrast(background, "#ffffff") ? "#000000"
        : "#ffffff";
  }
}
