package org.cpift.report;

/** A metric aggregated over seeds: n, mean, std, and the 95% CI of the mean. */
public record SummaryRow(String experiment, String variant, String method, String task,
    String metric, int n, double mean, double std, double ciLow, double ciHigh) {}
