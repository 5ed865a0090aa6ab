package org.cpift.model;

/** What a model variable is, for scopes such as "exclude embeddings and norms" and weight decay. */
public enum ParamKind {
  /** token embedding (also the tied output head) */
  TOKEN_EMBEDDING,
  /** learned position embedding */
  POSITION_EMBEDDING,
  /** attention projection matrix */
  ATTENTION,
  /** MLP matrix */
  MLP,
  /** bias vector of a linear layer */
  BIAS,
  /** gain or bias of a norm layer */
  NORM,
  /** an output head of its own (untied from the token embedding) */
  HEAD,
  /**
   * a LoRA factor ({@code h0/attn/wq.lora_A}, {@code .lora_B}) beside a frozen matrix, or its
   * constant keep mask ({@code .lora_keep})
   */
  ADAPTER,
  /** a WEMoE router's matrix or bias ({@code h0/router/w1}), the only part it trains */
  ROUTER,
  /** an expert's task vector of an MLP tensor in a WEMoE model ({@code h0/mlp/w1.task_vector_0}) */
  TASK_VECTOR,
  /** a diff-pruning tensor beside a frozen one ({@code wte.diff}, {@code wte.diff_gate}) */
  DIFF;

  /** The kind of a variable from its stable name (the naming of {@link TransformerLM}). */
  public static ParamKind ofName(String name) {
    String leaf = name.substring(name.lastIndexOf('/') + 1);
    if (Lora.isLoraTensor(name)) {
      return ADAPTER;
    }
    if (DiffPruning.isDiff(name)) {
      return DIFF;
    }
    if (Wemoe.isTaskVector(name)) {
      return TASK_VECTOR;
    }
    if (Wemoe.isRouter(name)) {
      return ROUTER;
    }
    if (name.equals("wte")) {
      return TOKEN_EMBEDDING;
    }
    if (name.equals("wpe")) {
      return POSITION_EMBEDDING;
    }
    if (name.equals("lm_head")) {
      return HEAD;
    }
    if (name.startsWith("ln_f/") || name.contains("/ln")) {
      return NORM;
    }
    if (leaf.startsWith("b")) {
      return BIAS;
    }
    if (name.contains("/attn/")) {
      return ATTENTION;
    }
    if (name.contains("/mlp/")) {
      return MLP;
    }
    throw new IllegalArgumentException("unknown parameter name " + name);
  }

  /** True for the token and position embeddings. */
  public boolean isEmbedding() {
    return this == TOKEN_EMBEDDING || this == POSITION_EMBEDDING;
  }

  /** Matrices and embeddings get weight decay; biases and norms do not (as in nanoGPT). */
  public boolean decays() {
    return this != BIAS && this != NORM;
  }
}
