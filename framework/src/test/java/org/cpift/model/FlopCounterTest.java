package org.cpift.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class FlopCounterTest {
  @Test
  void parameterCountMatchesTheGraph() {
    for (ModelConfig c : List.of(ModelConfig.tiny(101), ModelConfig.small(101),
        ModelConfig.tiny(50).withNorm(ModelConfig.Norm.RMS))) {
      try (Graph g = new Graph()) {
        TransformerLM<TFloat32> m = new TransformerLM<>(Ops.create(g), c, TFloat32.class, 1);
        long n = m.variables().stream().mapToLong(ModelVariable::size).sum();
        assertEquals(c.numParams(), n, c.toString());
      }
    }
  }

  /** The host-side layout (used by the merging benchmark) names and shapes what the graph has. */
  @Test
  void parameterLayoutMatchesTheGraph() {
    ModelConfig llama = new ModelConfig(50, 32, 2, 4, 64, 1, ModelConfig.Norm.RMS, 1e-6f, 0.02f,
        ModelConfig.Family.LLAMA, ModelConfig.Activation.SWIGLU,
        new ModelConfig.Architecture(88, 2, 10000, ModelConfig.Bias.NONE, false));
    for (ModelConfig c : List.of(ModelConfig.tiny(101), ModelConfig.tiny(50).withNorm(
        ModelConfig.Norm.RMS), llama, llama.withArch(new ModelConfig.Architecture(88, 1, 10000,
            ModelConfig.Bias.QKV, true)))) {
      try (Graph g = new Graph()) {
        TransformerLM<TFloat32> m = new TransformerLM<>(Ops.create(g), c, TFloat32.class, 1);
        var layout = ParameterLayout.of(c);
        assertEquals(m.variables().stream().map(ModelVariable::name).toList(), List.copyOf(layout.keySet()));
        for (ModelVariable<TFloat32> v : m.variables()) {
          assertArrayEquals(v.shape(), layout.get(v.name()), v.name());
        }
      }
    }
  }

  @Test
  void flopsByHand() {
    // d=4, L=1, V=10, ctx=8, mlp 2: wte 40, wpe 32, attn 4*16+4*4=80, mlp 2*4*8+8+4=76, norms 3*8=24
    ModelConfig c = new ModelConfig(10, 4, 1, 2, 8, 2, ModelConfig.Norm.LAYER, 1e-5f, 0.02f);
    assertEquals(40 + 32 + 80 + 76 + 24, c.numParams());
    assertEquals(c.numParams() - 32, FlopCounter.matmulParams(c));
    double perToken = 6.0 * 220 + 12.0 * 1 * 8 * 4;
    assertEquals(perToken, FlopCounter.trainingFlopsPerToken(c, 8), 1e-9);
    assertEquals(perToken * 2 * 8, FlopCounter.trainingFlopsPerStep(c, 2, 8), 1e-9);
    // 2×8 tokens in 4 ms: 4000 tokens/s; FLOPs / 0.004 s / 1e9
    assertEquals(4000.0, FlopCounter.tokensPerSecond(2, 8, 4.0), 1e-9);
    assertEquals(perToken * 16 / 0.004 / 1e9, FlopCounter.gflops(c, 2, 8, 4.0), 1e-12);
  }
}
