package org.cpift.merge;

import java.util.Locale;

/**
 * A merge hyperparameter as a method declares it: its name in {@link MergeOptions}, the option that
 * sets it, a line of help, and its valid interval (checked by {@link #check}).
 *
 * @param name the {@link MergeOptions} component
 * @param option the command-line option
 * @param help one line on what it does
 * @param min lower bound
 * @param minIncluded whether {@code min} itself is valid
 * @param max upper bound ({@code Double.POSITIVE_INFINITY}: none)
 * @param maxIncluded whether {@code max} itself is valid
 */
public record MergeParam(String name, String option, String help, double min, boolean minIncluded,
    double max, boolean maxIncluded) {
  public static final MergeParam LAMBDA = new MergeParam("lambda", "--lambda",
      "scaling of the summed task vectors", 0, false, Double.POSITIVE_INFINITY, false);
  public static final MergeParam TIES_LAMBDA = new MergeParam("tiesLambda", "--ties-lambda",
      "scaling of the sign-elected, averaged task vector", 0, false, Double.POSITIVE_INFINITY,
      false);
  public static final MergeParam TIES_K = new MergeParam("tiesTopPercent", "--ties-k",
      "percentage of each task vector's entries kept, by magnitude", 0, false, 100, true);
  public static final MergeParam DARE_P = new MergeParam("dareDropRate", "--dare-p",
      "probability of dropping a delta entry (the kept ones are rescaled by 1/(1-p))", 0, true,
      1, false);

  public static final MergeParam LINES_BETA = new MergeParam("linesBeta", "--lines-beta",
      "LiNeS: how much more the last block's task vector is scaled than the first's", 0, true,
      Double.POSITIVE_INFINITY, false);

  public static final MergeParam COPA_LAMBDA = new MergeParam("copaLambda", "--copa-lambda",
      "CoPA: scaling of the merged adapters' product", 0, false, Double.POSITIVE_INFINITY, false);

  /** The interval, e.g. {@code (0, 100]}. */
  public String range() {
    return (minIncluded ? "[" : "(") + fmt(min) + ", "
        + (Double.isInfinite(max) ? "∞" : fmt(max)) + (maxIncluded ? "]" : ")");
  }

  /**
   * Refuses a value outside the interval (or not finite), naming the option.
   *
   * @throws IllegalArgumentException naming the option, the interval and the value
   */
  public void check(double v) {
    boolean ok = Double.isFinite(v) && (minIncluded ? v >= min : v > min)
        && (maxIncluded ? v <= max : v < max);
    if (!ok) {
      throw new IllegalArgumentException(option + " must be a finite number in " + range()
          + "; got " + v);
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
  }
}
