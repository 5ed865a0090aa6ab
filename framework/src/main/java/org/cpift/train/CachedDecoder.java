package org.cpift.train;

import java.util.ArrayList;
import java.util.List;
import org.cpift.model.LanguageModel;
import org.cpift.model.TransformerLM;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Greedy decoding with a key/value cache for {@code b} right-padded prompts, on a live
 * {@link ModelSession}: {@link ModelSession#startDecoding} runs the full forward once over the
 * prompts and keeps every layer's keys and values here; each {@link #step} feeds one new token per
 * row and attends over the cache. The cache is host tensors owned by this object: close it to
 * free them. Not thread-safe.
 */
public final class CachedDecoder implements AutoCloseable {
  private final Session session;
  private final LanguageModel<TFloat32> model;
  private final int b;
  private final int[] promptLength;
  private final int padded;
  private final List<TFloat32> keys = new ArrayList<>();
  private final List<TFloat32> values = new ArrayList<>();
  private int slots;

  private CachedDecoder(Session session, LanguageModel<TFloat32> model, int b, int padded,
      int[] promptLength) {
    this.session = session;
    this.model = model;
    this.b = b;
    this.padded = padded;
    this.promptLength = promptLength;
  }

  /**
   * Runs {@code b} prompts right-padded to {@code padded} tokens in {@code inputs} (row-major),
   * row i being {@code promptLength[i]} long; {@code first} receives each row's greedy next token.
   */
  static CachedDecoder start(Session session, LanguageModel<TFloat32> model, int[] inputs, int b,
      int padded, int[] promptLength, int[] first) {
    CachedDecoder dec = new CachedDecoder(session, model, b, padded, promptLength.clone());
    try {
      System.arraycopy(dec.runPrompts(inputs), 0, first, 0, b);
      return dec;
    } catch (RuntimeException e) {
      dec.close();
      throw e;
    }
  }

  private int[] runPrompts(int[] inputs) {
    Session.Runner r = session.runner();
    try (TInt32 in = TInt32.tensorOf(Shape.of(b, padded), DataBuffers.of(inputs, true, false))) {
      r.feed(model.inputs(), in).fetch(model.predictions());
      model.keys().forEach(r::fetch);
      model.values().forEach(r::fetch);
      Result res = r.run();
      int[] pred = new int[b * padded];
      ((TInt32) res.get(0)).copyTo(DataBuffers.of(pred, false, false));
      res.get(0).close();
      int layers = model.keys().size();
      for (int l = 0; l < layers; l++) {
        keys.add((TFloat32) res.get(1 + l));
        values.add((TFloat32) res.get(1 + layers + l));
      }
      slots = padded;
      int[] next = new int[b];
      for (int i = 0; i < b; i++) {
        next[i] = pred[i * padded + promptLength[i] - 1];
      }
      return next;
    }
  }

  /**
   * Appends {@code tokens[i]} at position {@code positions[i]} of each row (rows already
   * finished may pass anything) and returns each row's greedy next token.
   */
  public int[] step(int[] tokens, int[] positions) {
    float[] bias = new float[b * (slots + 1)];
    for (int i = 0; i < b; i++) {
      for (int j = promptLength[i]; j < padded; j++) {
        bias[i * (slots + 1) + j] = -1e9f; // padding after a shorter prompt
      }
    }
    TransformerLM.Decode<TFloat32> d = model.decode();
    List<Tensor> owned = new ArrayList<>();
    try {
      Session.Runner r = session.runner()
          .feed(d.tokens(), own(owned, TInt32.tensorOf(Shape.of(b), DataBuffers.of(tokens, true, false))))
          .feed(d.positions(), own(owned, TInt32.tensorOf(Shape.of(b), DataBuffers.of(positions, true, false))))
          .feed(d.bias(), own(owned, TFloat32.tensorOf(Shape.of(b, slots + 1), DataBuffers.of(bias, true, false))))
          .fetch(d.next());
      for (int l = 0; l < keys.size(); l++) {
        r.feed(d.pastKeys().get(l), keys.get(l)).feed(d.pastValues().get(l), values.get(l));
      }
      d.newKeys().forEach(r::fetch);
      d.newValues().forEach(r::fetch);
      Result res = r.run();
      int[] next = new int[b];
      ((TInt32) res.get(0)).copyTo(DataBuffers.of(next, false, false));
      res.get(0).close();
      int layers = keys.size();
      for (int l = 0; l < layers; l++) {
        keys.get(l).close();
        values.get(l).close();
        keys.set(l, (TFloat32) res.get(1 + l));
        values.set(l, (TFloat32) res.get(1 + layers + l));
      }
      slots++;
      return next;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }

  @Override
  public void close() {
    keys.forEach(Tensor::close);
    values.forEach(Tensor::close);
    keys.clear();
    values.clear();
  }
}
