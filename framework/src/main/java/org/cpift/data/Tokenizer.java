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

  /**
   * The most tokens text of up to {@code chars} characters can take: how far generation may go
   * for an answer capped in characters (a task's {@code max_answer_chars}) before
   * {@link #clip(String, int)} cuts the text back. The default bounds byte-level and byte-fallback
   * tokenizers: a character is at most four UTF-8 bytes, each at worst its own token, and one more
   * for a leading word-boundary token.
   */
  default int maxTokensFor(int chars) {
    return Math.addExact(Math.multiplyExact(4, chars), 1);
  }

  /** {@code text} cut to its first {@code chars} characters (code points); itself if shorter. */
  static String clip(String text, int chars) {
    if (text.length() <= chars || text.codePointCount(0, text.length()) <= chars) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, chars));
  }

  /**
   * The longest prefix of {@code ids} whose text has at most {@code chars} characters (code
   * points) and ends on a whole character (its text is a prefix of the whole text); {@code ids}
   * itself when its whole text fits. Scanned upward: a byte-level or byte-fallback tokenizer
   * shows each byte of an unfinished character as one U+FFFD, so a longer prefix can decode to a
   * few characters fewer than a shorter one, and the scan stops only once a prefix is more than
   * three characters over the cap (no later prefix can then fit).
   */
  default int[] clipTokens(int[] ids, int chars) {
    if (ids.length <= chars && maxTokensFor(chars) == chars) {
      return ids; // one character per token at most
    }
    String all = decode(ids);
    if (all.codePointCount(0, all.length()) <= chars) {
      return ids;
    }
    int best = 0;
    for (int k = 1; k < ids.length; k++) {
      String t = decode(java.util.Arrays.copyOf(ids, k));
      int n = t.codePointCount(0, t.length());
      if (n > chars + 3) {
        break;
      }
      if (n <= chars && all.startsWith(t)) {
        best = k;
      }
    }
    return java.util.Arrays.copyOf(ids, best);
  }
}
