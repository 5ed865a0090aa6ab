package org.cpift.method;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one method run on one seed.
 *
 * @param method method name
 * @param seed the seed
 * @param scores task → metric → value ({@code score} always; {@code answer_loss} too)
 * @param cost training cost
 * @param jaccard task × task core overlap (CPI-FT, DPI), else null
 * @param groups groups in stage order, as task names (staged methods), else null
 * @param stageScores per stage, task → score after that stage (when asked), else empty
 * @param details method-specific facts for the manifest (core sizes, merge parameters, ...)
 */
public record MethodResult(String method, long seed, Map<String, Map<String, Double>> scores,
    Cost cost, double[][] jaccard, List<List<String>> groups,
    List<Map<String, Double>> stageScores, Map<String, Object> details) {}
