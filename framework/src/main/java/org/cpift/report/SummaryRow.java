package org.cpift.report;

/**
 * A metric aggregated over seeds: n, mean, std, the 95% t-interval of the mean, and the 95%
 * percentile bootstrap interval over seeds (which stays inside the values' range, e.g. [0, 1]).
 */
public record SummaryRow(String experiment, String variant, String method, String task,
    String metric, int n, double mean, double std, double ciLow, double ciHigh, double bootLow,
    double bootHigh) {}
