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
  NORM;

  /** Matrices and embeddings get weight decay; biases and norms do not (as in nanoGPT). */
  public boolean decays() {
    return this != BIAS && this != NORM;
  }
}
