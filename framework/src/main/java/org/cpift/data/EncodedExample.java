package org.cpift.data;

import java.util.ArrayList;
import java.util.List;
import org.cpift.util.CpiftException;

/**
 * An SFT record as token ids: {@code <bos> prompt <sep> answer <eos>}. The model reads
 * {@code tokens[0..n-1)} and predicts {@code tokens[1..n)}; only predictions of answer tokens and
 * the final {@code <eos>} carry loss.
 *
 * @param tokens the full sequence
 * @param answerStart index in {@code tokens} of the first answer token (just after {@code <sep>})
 * @param record the source record
 * @param promptTruncated whether the prompt was cut from the left to fit the context
 */
public record EncodedExample(int[] tokens, int answerStart, SftRecord record,
    boolean promptTruncated) {

  /** The generation prompt: {@code <bos> prompt <sep>}. */
  public int[] promptTokens() {
    return java.util.Arrays.copyOf(tokens, answerStart);
  }

  /**
   * Encodes {@code record}. When the sequence is longer than {@code contextLength + 1} tokens the
   * prompt is cut from the left (keeping {@code <bos>}); an answer that does not fit is an error.
   */
  public static EncodedExample encode(SftRecord record, Tokenizer tok, int contextLength,
      String where) {
    int[] p = tok.encode(record.prompt(), where + " (prompt)");
    int[] a = tok.encode(record.answer(), where + " (answer)");
    int specials = tok.sep() >= 0 ? 3 : 2; // bos, [sep,] eos
    int maxPrompt = contextLength + 1 - specials - a.length; // room left after the rest
    if (maxPrompt < 0) {
      throw new CpiftException(where + ": the answer has " + a.length + " tokens; with the "
          + specials + " special tokens (" + (specials == 3 ? "<bos>, <sep>, <eos>" : "<bos>, <eos>")
          + ") it needs a context of at least " + (a.length + specials - 1) + ", but the "
          + "model's context holds " + contextLength + " tokens; shorten the answer or use a "
          + "larger context");
    }
    int keep = Math.min(p.length, maxPrompt);
    int[] t = new int[specials + keep + a.length];
    int i = 0;
    t[i++] = tok.bos();
    System.arraycopy(p, p.length - keep, t, i, keep);
    i += keep;
    if (tok.sep() >= 0) {
      t[i++] = tok.sep();
    }
    int answerStart = i;
    System.arraycopy(a, 0, t, i, a.length);
    i += a.length;
    t[i] = tok.eos();
    return new EncodedExample(t, answerStart, record, keep < p.length);
  }

  /** Encodes a list; {@code source} (a file name) and the index name each record in errors. */
  public static List<EncodedExample> encodeAll(List<SftRecord> records, Tokenizer tok,
      int contextLength, String source) {
    List<EncodedExample> out = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      out.add(encode(records.get(i), tok, contextLength, source + " record " + (i + 1)));
    }
    return out;
  }
}
