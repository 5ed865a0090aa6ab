package org.cpift.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * What training, decoding, evaluation, checkpointing, core selection and fusion need of a
 * decoder-only language model built as a TensorFlow graph: its named variables (with their kind),
 * the feeds and fetches of a supervised step, and a cached decoding step. {@link #build} makes
 * the model a configuration's family calls for.
 *
 * <p>Feeds: {@link #inputs} and {@link #targets} {@code [B, T]} token ids, {@link #weights}
 * {@code [B, T]} the loss weight of each target (1 for answer tokens, 0 for prompt and padding).
 * The loss is {@code Σ w·(−log p(target)) / max(Σ w, 1)}.
 *
 * @param <T> float type of the graph
 */
public interface LanguageModel<T extends TFloating> {
  ModelConfig config();

  /** The trainable variables in creation order; their names are the checkpoint keys. */
  List<ModelVariable<T>> variables();

  Placeholder<TInt32> inputs();

  Placeholder<TInt32> targets();

  Placeholder<T> weights();

  /** {@code [B*T, V]} next-token logits. */
  Operand<T> logits();

  /** Σ w·nll over the batch. */
  Operand<T> lossSum();

  /** Σ w over the batch. */
  Operand<T> weightSum();

  /** The training loss, {@code lossSum / max(weightSum, 1)}. */
  Operand<T> loss();

  /**
   * Mean entropy of the next-token distribution over the weighted positions, {@code Σ w·H /
   * max(Σ w, 1)} (an unsupervised objective; targets are not read).
   */
  Operand<T> entropy();

  /**
   * LoRA dropout's feeds, null when the model has none: the seed pair {@code [2]} of the step's
   * dropout masks, and the probability of keeping an entry (both default to no dropout: feed
   * them in training steps only).
   */
  org.tensorflow.Operand<org.tensorflow.types.TInt64> noiseSeed();

  Operand<T> adapterKeep();

  /**
   * The input of every matrix a linear layer applies ({@code h0/attn/wq} → its {@code [.., in]}
   * activations) in the full forward, keyed by the matrix's name: what OSRM's LoRA
   * initialization reads. Matrices that share an input (q, k, v) share the operand.
   */
  java.util.Map<String, Operand<T>> matrixInputs();

  /** Diff pruning's gate noise, 0 by default (deterministic gates); feed 1 in training steps. */
  Operand<T> diffNoise();

  /** Diff pruning's λ·Σ expected open gates, to add to the loss; null without diff pruning. */
  Operand<T> penalty();

  /** {@code [B, T]} greedy next token at every position. */
  Operand<TInt32> predictions();

  /** Per layer, the full forward's keys {@code [B, nkv, T, hs]}: what a decode step continues. */
  List<Operand<T>> keys();

  /** Per layer, the full forward's values {@code [B, nkv, T, hs]}. */
  List<Operand<T>> values();

  /** One cached greedy decoding step sharing the model's variables. */
  TransformerLM.Decode<T> decode();

  /** The model of {@code config}'s family, built into {@code tf}'s graph, initialized from seed. */
  static <T extends TFloating> LanguageModel<T> build(Ops tf, ModelConfig config, Class<T> dtype,
      long seed) {
    return build(tf, config, dtype, seed, null);
  }

  /** As above, with LoRA adapters on the matrices {@code lora} targets (null: none). */
  static <T extends TFloating> LanguageModel<T> build(Ops tf, ModelConfig config, Class<T> dtype,
      long seed, Lora lora) {
    return build(tf, config, dtype, seed, lora, null);
  }

  /** As above, with every MLP a {@link Wemoe} module (null: plain MLPs). */
  static <T extends TFloating> LanguageModel<T> build(Ops tf, ModelConfig config, Class<T> dtype,
      long seed, Lora lora, Wemoe wemoe) {
    return build(tf, config, dtype, seed, lora, wemoe, null);
  }

  /** As above, under {@link DiffPruning} (null: none). */
  static <T extends TFloating> LanguageModel<T> build(Ops tf, ModelConfig config, Class<T> dtype,
      long seed, Lora lora, Wemoe wemoe, DiffPruning diff) {
    return switch (config.family()) {
      case CPIFT_GPT, GPT2, LLAMA -> new TransformerLM<>(tf, config, dtype, seed, lora, wemoe,
          diff);
    };
  }
}
