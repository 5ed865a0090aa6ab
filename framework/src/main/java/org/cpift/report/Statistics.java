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
   * A paired comparison of a and b over the same seeds: mean difference (a − b), its 95% CI, and
   * the two-sided paired t-test p-value (NaN when n < 2 or the differences are all equal).
   */
  public record Paired(int n, double meanDiff, double ciLow, double ciHigh, double pValue) {}

  public static Paired paired(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("paired samples need equal lengths");
    }
    double[] d = new double[a.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = a[i] - b[i];
    }
    Summary s = summarize(d);
    double p = Double.NaN;
    if (a.length >= 2 && s.std() > 0) {
      p = new TTest().pairedTTest(a, b);
    }
    return new Paired(s.n(), s.mean(), s.ciLow(), s.ciHigh(), p);
  }
}
