package org.cpift.merge;

/**
 * Hyperparameters of the merging baselines (each method reads the ones it uses).
 *
 * @param lambda scaling of the summed task vectors in task arithmetic and DARE-TA
 * @param tiesLambda scaling of the TIES-merged (averaged) task vector, in TIES and DARE-TIES
 * @param tiesTopPercent TIES: keep the top-k% |δ| entries of each task vector
 * @param dareDropRate DARE: probability of dropping a delta entry
 * @param seed DARE's random drops
 * @param selectOnValidation choose the method's hyperparameters from its grid
 *     ({@link MergeRegistry#grid}) by the average normalized validation score, as the methods'
 *     papers do; false: use the values given here
 * @param linesBeta LiNeS: the task vector's scaling grows by β from the first block to the last
 */
public record MergeOptions(double lambda, double tiesLambda, double tiesTopPercent,
    double dareDropRate, long seed, boolean selectOnValidation, double linesBeta,
    double copaLambda)
    implements org.cpift.util.CacheKey.Evolving {
  /** LiNeS's β when not chosen on validation (its value before LiNeS existed keys it out). */
  public static final double DEFAULT_LINES_BETA = 0.5;

  /** CoPA's λ when not chosen on validation (the paper's). */
  public static final double DEFAULT_COPA_LAMBDA = 2.0;

  /** LiNeS's β and CoPA's λ were added after results were cached: keyed out at defaults. */
  @Override
  public java.util.Map<String, Object> addedWithDefaults() {
    return java.util.Map.of("linesBeta", DEFAULT_LINES_BETA, "copaLambda", DEFAULT_COPA_LAMBDA);
  }

  /** The options as before CoPA's λ existed. */
  public MergeOptions(double lambda, double tiesLambda, double tiesTopPercent,
      double dareDropRate, long seed, boolean selectOnValidation, double linesBeta) {
    this(lambda, tiesLambda, tiesTopPercent, dareDropRate, seed, selectOnValidation, linesBeta,
        DEFAULT_COPA_LAMBDA);
  }

  public MergeOptions {
    MergeParam.LAMBDA.check(lambda);
    MergeParam.TIES_LAMBDA.check(tiesLambda);
    MergeParam.TIES_K.check(tiesTopPercent);
    MergeParam.DARE_P.check(dareDropRate);
    MergeParam.LINES_BETA.check(linesBeta);
    MergeParam.COPA_LAMBDA.check(copaLambda);
  }

  /** The value of a declared parameter. */
  public double get(MergeParam p) {
    return switch (p.name()) {
      case "lambda" -> lambda;
      case "tiesLambda" -> tiesLambda;
      case "tiesTopPercent" -> tiesTopPercent;
      case "dareDropRate" -> dareDropRate;
      case "linesBeta" -> linesBeta;
      case "copaLambda" -> copaLambda;
      default -> throw new IllegalArgumentException("no merge option " + p.name());
    };
  }

  /** These options with a declared parameter set to {@code v}. */
  public MergeOptions with(MergeParam p, double v) {
    return switch (p.name()) {
      case "lambda" -> withLambda(v);
      case "tiesLambda" -> withTiesLambda(v);
      case "tiesTopPercent" -> withTiesTopPercent(v);
      case "dareDropRate" -> withDareDropRate(v);
      case "linesBeta" -> withLinesBeta(v);
      case "copaLambda" -> withCopaLambda(v);
      default -> throw new IllegalArgumentException("no merge option " + p.name());
    };
  }

  /**
   * Hyperparameters chosen on validation; without selection λ = 0.3 for task arithmetic, λ = 1
   * for TIES, TIES k = 20%, DARE p = 0.5, LiNeS β = 0.5, CoPA λ = 2.
   */
  public static MergeOptions defaults() {
    return new MergeOptions(0.3, 1.0, 20, 0.5, 0, true, DEFAULT_LINES_BETA);
  }

  public MergeOptions withLambda(double l) {
    return new MergeOptions(l, tiesLambda, tiesTopPercent, dareDropRate, seed,
        selectOnValidation, linesBeta, copaLambda);
  }

  public MergeOptions withTiesLambda(double l) {
    return new MergeOptions(lambda, l, tiesTopPercent, dareDropRate, seed,
        selectOnValidation, linesBeta, copaLambda);
  }

  public MergeOptions withTiesTopPercent(double k) {
    return new MergeOptions(lambda, tiesLambda, k, dareDropRate, seed,
        selectOnValidation, linesBeta, copaLambda);
  }

  public MergeOptions withDareDropRate(double p) {
    return new MergeOptions(lambda, tiesLambda, tiesTopPercent, p, seed,
        selectOnValidation, linesBeta, copaLambda);
  }

  public MergeOptions withSeed(long s) {
    return new MergeOptions(lambda, tiesLambda, tiesTopPercent, dareDropRate, s,
        selectOnValidation, linesBeta, copaLambda);
  }

  public MergeOptions withSelectOnValidation(boolean select) {
    return new MergeOptions(lambda, tiesLambda, tiesTopPercent, dareDropRate, seed,
        select, linesBeta, copaLambda);
  }

  public MergeOptions withLinesBeta(double b) {
    return new MergeOptions(lambda, tiesLambda, tiesTopPercent, dareDropRate, seed,
        selectOnValidation, b, copaLambda);
  }

  public MergeOptions withCopaLambda(double l) {
    return new MergeOptions(lambda, tiesLambda, tiesTopPercent, dareDropRate, seed,
        selectOnValidation, linesBeta, l);
  }
}
