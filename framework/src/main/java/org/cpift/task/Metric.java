package org.cpift.task;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cpift.util.CpiftException;

/**
 * How a predicted answer is scored against the reference (1 = right, 0 = wrong). Declared per task
 * in {@code task.json}; implemented here, once.
 */
public enum Metric {
  /** Exact match after normalization: trimmed, lower-cased, inner whitespace collapsed. */
  EXACT("exact") {
    @Override
    public double score(String prediction, String reference) {
      return normalize(prediction).equals(normalize(reference)) ? 1 : 0;
    }
  },
  /** The number after {@code ####} (or else the last number) of each side must be equal. */
  FINAL_NUMBER("final_number") {
    @Override
    public double score(String prediction, String reference) {
      String want = finalNumber(reference);
      String got = finalNumber(prediction);
      return want != null && want.equals(got) ? 1 : 0;
    }
  },
  /** The first option letter (A-D, alone or followed by ')' '.' ':') of each side must agree. */
  OPTION_LETTER("option_letter") {
    @Override
    public double score(String prediction, String reference) {
      Character want = optionLetter(reference);
      return want != null && want.equals(optionLetter(prediction)) ? 1 : 0;
    }
  };

  private final String id;

  Metric(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  public abstract double score(String prediction, String reference);

  /** Parses a metric name as written in {@code task.json}. */
  public static Metric parse(String name, String where) {
    for (Metric m : values()) {
      if (m.id.equals(name)) {
        return m;
      }
    }
    throw new CpiftException(where + ": unknown metric '" + name
        + "'; use one of exact, final_number, option_letter");
  }

  static String normalize(String s) {
    return s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }

  private static final Pattern HASHES = Pattern.compile("####\\s*(-?[0-9][0-9,]*(?:\\.[0-9]+)?)");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9,]*(?:\\.[0-9]+)?");
  private static final Pattern LETTER = Pattern.compile("^\\s*\\(?([A-Da-d])(?:[).:]|\\s|$)");

  /** The answer number of a GSM8K-style text, without thousands separators, or null. */
  public static String finalNumber(String text) {
    Matcher m = HASHES.matcher(text);
    String found = null;
    if (m.find()) {
      found = m.group(1);
    } else {
      Matcher n = NUMBER.matcher(text);
      while (n.find()) {
        found = n.group();
      }
    }
    if (found == null) {
      return null;
    }
    found = found.replace(",", "");
    if (found.contains(".")) {
      found = found.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return found;
  }

  static Character optionLetter(String text) {
    Matcher m = LETTER.matcher(text);
    return m.find() ? Character.toUpperCase(m.group(1).charAt(0)) : null;
  }

  @Override
  public String toString() {
    return id.toUpperCase(Locale.ROOT);
  }
}
