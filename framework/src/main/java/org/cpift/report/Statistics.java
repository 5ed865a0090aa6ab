package org.cpift.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.apache.commons.math3.stat.inference.TTest;

/** Summaries over seeds and paired comparisons (Apache Commons Math). */
public final class Statistics {
  private Statistics() {}

  /**
   * n, mean, sample standard deviation and the 95% confidence interval of the mean (Student t);
   * with n = 1 the interval is the point and the deviation 0.
   */
  public record Summary(int n, double mean, double std, double ciLow, double ciHigh) {}

  public static Summary summarize(double[] values) {
    SummaryStatistics s = new SummaryStatistics();
    for (double v : values) {
      s.addValue(v);
    }
    int n = (int) s.getN();
    if (n == 0) {
      return new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = s.getMean();
    if (n == 1) {
      return new Summary(1, mean, 0, mean, mean);
    }
    double std = s.getStandardDeviation();
    double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
    return new Summary(n, mean, std, mean - half, mean + half);
  }

  /**
   * Holm's step-down adjustment of a family of p-values (NaN entries are not tests: left NaN and
   * not counted): sorted ascending, p_(i) becomes max over j ≤ i of min(1, (m − j)·p_(j)), m the
   * number of tests, j from 0. Returns the adjusted values in the input order.
   */
  public static double[] holm(double[] p) {
    Integer[] order = java.util.stream.IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i]))
        .boxed().sorted((a, b) -> Double.compare(p[a], p[b])).toArray(Integer[]::new);
    int m = order.length;
    double[] out = new double[p.length];
    java.util.Arrays.fill(out, Double.NaN);
    double running = 0;
    for (int j = 0; j < m; j++) {
      running = Math.max(running, Math.min(1, (m - j) * p[order[j]]));
      out[order[j]] = running;
    }
    return out;
  }

  /**
   * The 95% percentile bootstrap interval of the mean over {@code values} (resampling the seeds,
   * 10,000 resamples, seeded): it stays within the values' range, so within [0, 1] for scores. With
   * three seeds it is close to [min, max]; it is named as what it is wherever it is shown.
   */
  public static double[] bootstrapMean(double[] values) {
    if (values.length == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(0xB007L + values.length);
    int b = 10_000;
    double[] means = new double[b];
    for (int r = 0; r < b; r++) {
      double sum = 0;
      for (int i = 0; i < values.length; i++) {
        sum += values[rnd.nextInt(values.length)];
      }
      means[r] = sum / values.length;
    }
    java.util.Arrays.sort(means);
    return new double[] {means[(int) Math.floor(0.025 * (b - 1))],
        means[(int) Math.ceil(0.975 * (b - 1))]};
  }

  /**
   * A paired comparison of a and b over the same seeds: mean difference (a − b), its 95% CI, and
   * the two-sided paired t-test p-value (NaN when n < 2 or the differences do not spread).
   */
  public record Paired(int n, double meanDiff, double ciLow, double ciHigh, double pValue) {
    /**
     * Whether the differences are the same on every seed (n ≥ 2, a finite difference and no
     * p-value): there is no spread to test, and the interval is the point.
     */
    public boolean noVariance() {
      return n >= 2 && Double.isNaN(pValue) && Double.isFinite(meanDiff);
    }

    /** "+0.040 [+0.010, +0.070]": the mean difference and its 95% interval, as tables print it. */
    public String interval() {
      return String.format(java.util.Locale.ROOT, "%+.3f [%+.3f, %+.3f]", meanDiff, ciLow, ciHigh);
    }
  }

  /** A p-value as tables print it: three significant digits, "n/a" when there is none. */
  public static String formatP(double p) {
    return Double.isNaN(p) ? "n/a" : String.format(java.util.Locale.ROOT, "%.3g", p);
  }

  /**
   * Differences whose spread is within this share of the inputs' magnitude are taken as all equal:
   * the same one-item gap on two seeds ({@code 0.5 − 0.48} and {@code 0.36 − 0.34}) differs only
   * by rounding, which must not decide a test.
   */
  static final double NO_SPREAD = 1e-9;

  public static Paired paired(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("paired samples need equal lengths");
    }
    double[] d = new double[a.length];
    double scale = 0;
    for (int i = 0; i < d.length; i++) {
      if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
        // nothing to test: no difference, interval or p (and not "no spread")
        return new Paired(a.length, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      d[i] = a[i] - b[i];
      scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
    }
    Summary s = summarize(d);
    if (a.length >= 2 && !(s.std() > NO_SPREAD * scale)) {
      return new Paired(s.n(), s.mean(), s.mean(), s.mean(), Double.NaN);
    }
    double p = a.length >= 2 ? new TTest().pairedTTest(a, b) : Double.NaN;
    return new Paired(s.n(), s.mean(), s.ciLow(), s.ciHigh(), p);
  }

  /** {@code values} against the constant {@code mu}: the one-sample t-test, as a paired one. */
  public static Paired oneSample(double[] values, double mu) {
    double[] m = new double[values.length];
    java.util.Arrays.fill(m, mu);
    return paired(values, m);
  }
}
