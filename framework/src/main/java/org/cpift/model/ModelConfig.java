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
 * @param arch what differs between the families' blocks (positions, key/value heads, biases,
 *     MLP width, head tying); {@link Architecture#GPT} for this project's own models and GPT-2
 */
public record ModelConfig(int vocabSize, int dModel, int nLayers, int nHeads, int contextLength,
    int mlpRatio, Norm norm, float normEps, float initStd, Family family, Activation activation,
    Architecture arch) implements CacheKey.Evolving {

  /** Normalization layer kind. */
  public enum Norm { LAYER, RMS }

  /**
   * Model families, each a checkpoint layout of the one pre-norm decoder this class describes.
   * {@code CPIFT_GPT} is this project's own (every committed result); {@code GPT2} is Hugging
   * Face's GPT-2 ({@code model_type} "gpt2": learned positions, biases, tanh-GELU, tied head);
   * {@code LLAMA} is Hugging Face's Llama layout ({@code model_type} "llama", "mistral", "qwen2":
   * RMSNorm, rotary positions, SwiGLU, grouped-query attention, no biases but Qwen2's q/k/v
   * ones, untied head unless the config ties it).
   */
  public enum Family {
    CPIFT_GPT("cpift-gpt"), GPT2("gpt2"), LLAMA("llama");

    private final String id;

    Family(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /**
   * The MLP: exact GELU x·Φ(x), GPT-2's tanh approximation ("gelu_new"), or the gated SwiGLU
   * down(silu(gate(x)) ⊙ up(x)) of the Llama family.
   */
  public enum Activation { GELU, GELU_TANH, SWIGLU }

  /** Which linear layers have biases: all (GPT), query/key/value only (Qwen2), none (Llama). */
  public enum Bias { ALL, QKV, NONE }

  /**
   * What differs between the families' blocks.
   *
   * @param intermediateSize the MLP's hidden width; 0: {@code mlpRatio · dModel}
   * @param kvHeads key/value heads (grouped-query attention; divides {@code nHeads}); 0: as many
   *     as the query heads
   * @param ropeTheta rotary position embedding base θ; 0: learned position embeddings
   * @param bias which linear layers have biases
   * @param tiedHead the output head is the token embedding (else its own {@code lm_head})
   */
  public record Architecture(int intermediateSize, int kvHeads, double ropeTheta, Bias bias,
      boolean tiedHead) {
    /** GPT: learned positions, every bias, one key/value head per query head, tied head. */
    public static final Architecture GPT = new Architecture(0, 0, 0, Bias.ALL, true);

    public Architecture {
      if (intermediateSize < 0 || kvHeads < 0 || !(ropeTheta >= 0) || bias == null) {
        throw new IllegalArgumentException("ModelConfig: architecture needs intermediateSize >= "
            + "0, kvHeads >= 0, ropeTheta >= 0 and a bias kind; got " + intermediateSize + ", "
            + kvHeads + ", " + ropeTheta + ", " + bias);
      }
    }
  }

  /** The shape of this project's own models (family cpift-gpt, exact GELU). */
  public ModelConfig(int vocabSize, int dModel, int nLayers, int nHeads, int contextLength,
      int mlpRatio, Norm norm, float normEps, float initStd) {
    this(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio, norm, normEps, initStd,
        Family.CPIFT_GPT, Activation.GELU, Architecture.GPT);
  }

  /** Family, activation and architecture were added after results were cached: keyed out. */
  @Override
  public java.util.Map<String, Object> addedWithDefaults() {
    return java.util.Map.of("family", Family.CPIFT_GPT, "activation", Activation.GELU, "arch",
        Architecture.GPT);
  }

  public ModelConfig {
    // configurations written before families existed carry neither field
    family = family == null ? Family.CPIFT_GPT : family;
    activation = activation == null ? Activation.GELU : activation;
    arch = arch == null ? Architecture.GPT : arch;
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
    require(arch.kvHeads() == 0 || nHeads % arch.kvHeads() == 0,
        "kvHeads must divide nHeads, got nHeads=" + nHeads + " kvHeads=" + arch.kvHeads());
    require(arch.ropeTheta() == 0 || (dModel / nHeads) % 2 == 0,
        "rotary positions need an even head size, got " + dModel / nHeads);
    require((activation == Activation.SWIGLU) == (family == Family.LLAMA),
        "SwiGLU is the llama family's MLP and only its; got " + activation + " for " + family);
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
    return arch.intermediateSize() > 0 ? arch.intermediateSize() : dModel * mlpRatio;
  }

  /** Key/value heads: fewer than the query heads under grouped-query attention. */
  public int kvHeads() {
    return arch.kvHeads() > 0 ? arch.kvHeads() : nHeads;
  }

  /** Whether positions are rotary (no learned position embedding). */
  public boolean rotary() {
    return arch.ropeTheta() > 0;
  }

  public ModelConfig withArch(Architecture a) {
    return new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio, norm, normEps,
        initStd, family, activation, a);
  }

  public ModelConfig withNorm(Norm n) {
    return new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio, n, normEps,
        initStd, family, activation, arch);
  }

  public ModelConfig withContextLength(int t) {
    return new ModelConfig(vocabSize, dModel, nLayers, nHeads, t, mlpRatio, norm, normEps, initStd,
        family, activation, arch);
  }

  public ModelConfig withVocabSize(int v) {
    return new ModelConfig(v, dModel, nLayers, nHeads, contextLength, mlpRatio, norm, normEps,
        initStd, family, activation, arch);
  }

  /**
   * This shape as a model of {@code f}, for a model made here rather than loaded: {@code gpt2}
   * keeps the layout with LayerNorm and tanh-GELU; {@code llama} takes RMSNorm, rotary positions
   * (θ = 10,000), SwiGLU with an intermediate size of ⅔ of the GPT MLP's width rounded up to a
   * multiple of 8 (about the same parameters), half as many key/value heads as query heads where
   * the heads divide evenly (grouped-query attention), no biases and an untied head.
   */
  public ModelConfig inFamily(Family f) {
    return switch (f) {
      case CPIFT_GPT -> new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength,
          mlpRatio, norm, normEps, initStd);
      case GPT2 -> new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio,
          Norm.LAYER, normEps, initStd, Family.GPT2, Activation.GELU_TANH, Architecture.GPT);
      case LLAMA -> new ModelConfig(vocabSize, dModel, nLayers, nHeads, contextLength, mlpRatio,
          Norm.RMS, normEps, initStd, Family.LLAMA, Activation.SWIGLU, new Architecture(
              (2 * mlpRatio * dModel / 3 + 7) / 8 * 8, nHeads % 2 == 0 ? nHeads / 2 : nHeads,
              10000, Bias.NONE, false));
    };
  }

  /** Parameters of one norm layer (gain, plus bias for LayerNorm). */
  public long normParams() {
    return norm == Norm.LAYER ? 2L * dModel : dModel;
  }

  /** Total trainable parameters (every variable of {@link ParameterLayout#of}). */
  public long numParams() {
    long n = 0;
    for (long[] shape : ParameterLayout.of(this).values()) {
      long k = 1;
      for (long x : shape) {
        k *= x;
      }
      n += k;
    }
    return n;
  }
}
