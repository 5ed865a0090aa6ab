package org.cpift.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names and shapes of a {@link TransformerLM}'s variables, in the model's order, computed
 * without building a graph (for host-side work such as the merging benchmark on models too large to
 * train here). A test checks it against the graph's own variables.
 */
public final class ParameterLayout {
  private ParameterLayout() {}

  public static Map<String, long[]> of(ModelConfig c) {
    long d = c.dModel();
    long m = c.mlpWidth();
    long kv = (long) c.kvHeads() * c.headSize();
    ModelConfig.Bias bias = c.arch().bias();
    Map<String, long[]> out = new LinkedHashMap<>();
    out.put("wte", new long[] {c.vocabSize(), d});
    if (!c.rotary()) {
      out.put("wpe", new long[] {c.contextLength(), d});
    }
    for (int i = 0; i < c.nLayers(); i++) {
      String h = "h" + i;
      norm(out, h + "/ln1", c);
      for (String w : new String[] {"q", "k", "v", "o"}) {
        out.put(h + "/attn/w" + w, new long[] {d, w.equals("k") || w.equals("v") ? kv : d});
        if (bias == ModelConfig.Bias.ALL || (bias == ModelConfig.Bias.QKV && !w.equals("o"))) {
          out.put(h + "/attn/b" + w, new long[] {w.equals("k") || w.equals("v") ? kv : d});
        }
      }
      norm(out, h + "/ln2", c);
      if (c.activation() == ModelConfig.Activation.SWIGLU) {
        out.put(h + "/mlp/wg", new long[] {d, m});
        out.put(h + "/mlp/w1", new long[] {d, m});
        out.put(h + "/mlp/w2", new long[] {m, d});
      } else {
        out.put(h + "/mlp/w1", new long[] {d, m});
        if (bias == ModelConfig.Bias.ALL) {
          out.put(h + "/mlp/b1", new long[] {m});
        }
        out.put(h + "/mlp/w2", new long[] {m, d});
        if (bias == ModelConfig.Bias.ALL) {
          out.put(h + "/mlp/b2", new long[] {d});
        }
      }
    }
    norm(out, "ln_f", c);
    if (!c.arch().tiedHead()) {
      out.put("lm_head", new long[] {c.vocabSize(), d});
    }
    return Collections.unmodifiableMap(out);
  }

  private static void norm(Map<String, long[]> out, String s, ModelConfig c) {
    out.put(s + "/g", new long[] {c.dModel()});
    if (c.norm() == ModelConfig.Norm.LAYER) {
      out.put(s + "/b", new long[] {c.dModel()});
    }
  }
}
