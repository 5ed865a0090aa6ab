package org.cpift.report;

/**
 * One tidy result: a metric of a method (variant) on a task for a seed, in an experiment.
 * {@code task} is a task name, {@code average} (mean over tasks) or {@code all} (costs).
 */
public record Row(String experiment, String variant, String method, String task, long seed,
    String metric, double value, String configHash) {}
