package org.cpift.data;

import java.nio.file.Path;

/**
 * Text to token ids and back, as the data pipeline, the decoder and the evaluation use it. An SFT
 * example is encoded as {@code <bos> prompt [<sep>] answer <eos>}: {@link #sep()} is -1 for a
 * tokenizer without a separator token (a pretrained model's own), which then joins prompt and
 * answer directly. Implementations: {@link CharTokenizer} (the project's own models) and
 * {@link HfTokenizer} (a Hugging Face {@code tokenizer.json}).
 */
public interface Tokenizer {
  /** Number of token ids (the model's vocabulary size must equal it). */
  int vocabSize();

  /**
   * The ids of {@code text}, without any special token; {@code where} names the source in an
   * error message.
   */
  int[] encode(String text, String where);

  /** The text of {@code ids}, special tokens left out. */
  String decode(int[] ids);

  /** The id that starts a sequence. */
  int bos();

  /** The id that ends a sequence (decoding stops at it). */
  int eos();

  /** The id of padding (never a target). */
  int pad();

  /** The id between prompt and answer, or -1 when there is none. */
  int sep();

  /** Writes the tokenizer beside a model as {@code file} (atomically). */
  void save(Path file);
}
