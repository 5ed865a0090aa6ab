package org.cpift.model;

import org.cpift.util.CacheKey;

/**
 * Shape of the decoder-only transformer LM. Validated at construction.
 *
 * @param vocabSize tokens in the vocabulary (the tokenizer's size)
 * @param dModel width of the residual stream
 * @param nLayers number of transformer blocks
 * @param nHeads attention heads per block ({@code dModel % nHeads == 0})
 * @param contextLength longest input sequence (positions embedded)
 * @param mlpRatio MLP hidden width as a multiple of {@code dModel}
 * @param norm LayerNorm or RMSNorm, applied before attention and MLP (pre-norm) and at the end
 * @param normEps epsilon inside the norm's square root
 * @param initStd standard deviation of the truncated-normal weight initialization
 * @param family the checkpoint layout the model is read from and written to
 * @param activation the MLP's nonlinearity
 */
public record ModelConfig(int vocabSize, int dModel, int nLayers, int nHeads, int contextLength,
    int mlpRatio, Norm norm, float normEps, float initStd, Family family, Activation activation)
    implements CacheKey.Evolving {

  /** Normalization layer kind. */
  public enum Norm { LAYER, RMS }

  /**
   * Model families: the same pre-norm decoder (learned positions, biases, tied head) in two
   * checkpoint layouts. {@code CPIFT_GPT} is this project's own (every committed result);
   * {@code GPT2} is Hugging Face's GPT-2 ({@code model_type} "gpt2", tanh-GELU).
   */
  public enum Family {
    CPIFT_GPT("cpift-gpt"), GPT2("gpt2");

    private final String id;

    Family(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** The MLP's nonlinearity: exact GELU x·Φ(x), or GPT-2's tanh approximation ("gelu_new"). */
  public enum Activation { GELU, GELU_TANH }

  /** The shape of this project's own models (family cpift-gpt, exact GELU). */
  public ModelConfig(int vocabSize, int dModel, int nLayers, int nHeads, int contextLength,
      int mlpRatio, Norm norm, float normEps, float initStd) {
    this(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio, norm, normEps, initStd,
        Family.CPIFT_GPT, Activation.GELU);
  }

  /** Family and activation were added after results were cached; their defaults key out. */
  @Override
  public java.util.Map<String, Object> addedWithDefaults() {
    return java.util.Map.of("family", Family.CPIFT_GPT, "activation", Activation.GELU);
  }

  public ModelConfig {
    // configurations written before families existed carry neither field
    family = family == null ? Family.CPIFT_GPT : family;
    activation = activation == null ? Activation.GELU : activation;
    require(vocabSize >= 2, "vocabSize must be >= 2, got " + vocabSize);
    require(dModel >= 1, "dModel must be >= 1, got " + dModel);
    require(nLayers >= 1, "nLayers must be >= 1, got " + nLayers);
    require(nHeads >= 1 && dModel % nHeads == 0,
        "nHeads must divide dModel, got dModel=" + dModel + " nHeads=" + nHeads);
    require(contextLength >= 2, "contextLength must be >= 2, got " + contextLength);
    require(mlpRatio >= 1, "mlpRatio must be >= 1, got " + mlpRatio);
    require(norm != null, "norm must be given");
    require(normEps > 0, "normEps must be > 0, got " + normEps);
    require(initStd > 0, "initStd must be > 0, got " + initStd);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("ModelConfig: " + message);
    }
  }

  /** The {@code tiny} preset: about 0.12 M parameters; for tests and CI. */
  public static ModelConfig tiny(int vocabSize) {
    return new ModelConfig(vocabSize, 64, 2, 4, 256, 4, Norm.LAYER, 1e-5f, 0.02f);
  }

  /** The {@code small} preset: about 1.9 M parameters; the reference reproduction. */
  public static ModelConfig small(int vocabSize) {
    return new ModelConfig(vocabSize, 192, 4, 6, 256, 4, Norm.LAYER, 1e-5f, 0.02f);
  }

  /**
   * The {@code paper} preset: GPT-2-small shaped (d = 768, 12 layers, 12 heads, context 512),
   * about 85 M parameters besides the embeddings; for a GPU, not run on the 2-core machine.
   */
  public static ModelConfig paper(int vocabSize) {
    return new ModelConfig(vocabSize, 768, 12, 12, 512, 4, Norm.LAYER, 1e-5f, 0.02f);
  }

  public int headSize() {
    return dModel / nHeads;
  }

  public int mlpWidth() {
    return dModel * mlpRatio;
  }

  public ModelConfig withNorm(Norm n) {
    return new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio, n, normEps,
        initStd, family, activation);
  }

  public ModelConfig withContextLength(int t) {
    return new ModelConfig(vocabSize, dModel, nLayers, nHeads, t, mlpRatio, norm, normEps, initStd,
        family, activation);
  }

  public ModelConfig withVocabSize(int v) {
    return new ModelConfig(v, dModel, nLayers, nHeads, contextLength, mlpRatio, norm, normEps,
        initStd, family, activation);
  }

  /** Parameters of one norm layer (gain, plus bias for LayerNorm). */
  public long normParams() {
    return norm == Norm.LAYER ? 2L * dModel : dModel;
  }

  /** Total trainable parameters (the output head is tied to the token embedding). */
  public long numParams() {
    long d = dModel;
    long attn = 4 * d * d + 4 * d;
    long mlp = 2 * d * mlpWidth() + mlpWidth() + d;
    long block = attn + mlp + 2 * normParams();
    return (long) vocabSize * d + (long) contextLength * d + nLayers * block + normParams();
  }
}
