package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.cpift.model.Lora;
import org.cpift.model.ModelConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA adapters in PEFT's layout: names, shapes and config as PEFT writes them; round trip. */
class PeftAdapterTest {
  static final ModelConfig LLAMA = ModelConfig.tiny(101).withContextLength(32)
      .inFamily(ModelConfig.Family.LLAMA);
  @TempDir Path dir;

  static ParamSnapshot adapted(Lora lora) {
    ParamSnapshot base;
    try (ModelSession m = ModelSession.create(LLAMA, null, 7)) {
      base = m.parameters();
    }
    ParamSnapshot s = lora.initialize(base, 3);
    SplittableRandom r = new SplittableRandom(5);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : s.params()) {
      if (p.name().endsWith(".lora_B")) {
        float[] v = new float[p.size()];
        for (int j = 0; j < v.length; j++) {
          v[j] = (float) r.nextGaussian();
        }
        out.put(p.withData(v));
      } else {
        out.put(p);
      }
    }
    return out;
  }

  @Test
  void savesInPeftsLayoutAndReadsBackTheSameAdapters() throws Exception {
    Lora lora = new Lora(4, 8, List.of("wq", "wv", "w2", "wg"));
    ParamSnapshot s = adapted(lora);
    PeftAdapter.save(dir, LLAMA, lora, s, "benchmarks-data/base/tiny-llama");
    var cfg = Json.STRICT.readTree(dir.resolve(PeftAdapter.CONFIG).toFile());
    assertEquals("LORA", cfg.path("peft_type").asText());
    assertEquals(4, cfg.path("r").asInt());
    assertEquals(8.0, cfg.path("lora_alpha").asDouble());
    assertEquals("[\"down_proj\",\"gate_proj\",\"q_proj\",\"v_proj\"]",
        cfg.path("target_modules").toString());
    ParamSnapshot file = Safetensors.read(dir.resolve(PeftAdapter.WEIGHTS)).params();
    assertEquals(2 * 4 * 2, file.names().size());
    // PyTorch's nn.Linear layout: A [r, in], B [out, r]; ours transposed
    Param a = file.get("base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight");
    assertArrayEquals(new long[] {4, 64}, a.shape());
    Param b = file.get("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight");
    assertArrayEquals(new long[] {64, 4}, b.shape());
    // every entry, both factors: ours A [in, r] and B [r, out] are the file's transposes
    float[] oursA = s.get("h1/attn/wv.lora_A").data(); // [64, 4]
    float[] oursB = s.get("h0/mlp/w2.lora_B").data(); // [4, 64]
    for (int i = 0; i < 64; i++) {
      for (int k = 0; k < 4; k++) {
        assertEquals(oursA[i * 4 + k], a.data()[k * 64 + i], "A[" + i + "," + k + "]");
        assertEquals(oursB[k * 64 + i], b.data()[i * 4 + k], "B[" + k + "," + i + "]");
      }
    }
    PeftAdapter.Loaded back = PeftAdapter.load(dir, LLAMA);
    assertEquals(lora, back.lora());
    for (String n : back.adapters().names()) {
      assertArrayEquals(s.get(n).data(), back.adapters().get(n).data(), n);
    }
    assertEquals(s.names().stream().filter(Lora::isAdapter).count(), back.adapters().names()
        .size());
  }

  /**
   * A GPT's adapters in GPT-2's PEFT form: q and v become one c_attn adapter of rank 2r (A
   * stacked, B block-diagonal, k's block zero) with rank_pattern and alpha_pattern keeping α/r;
   * each module's update by PEFT's formula for a Conv1D, scaling·(B·A)ᵀ computed here from the
   * file, is what the merge adds to q, k, v, o and the MLP; read back and merged, every tensor
   * is bit-identical to the original merge.
   */
  @Test
  void gptAdaptersTakeGpt2sFusedForm() throws Exception {
    ModelConfig gpt = ModelConfig.tiny(101).withContextLength(32);
    Lora lora = new Lora(4, 8, List.of("wq", "wv", "wo", "w1"));
    ParamSnapshot base;
    try (ModelSession m = ModelSession.create(gpt, null, 7)) {
      base = m.parameters();
    }
    ParamSnapshot s = new ParamSnapshot();
    SplittableRandom r = new SplittableRandom(5);
    for (Param p : lora.initialize(base, 3).params()) {
      s.put(p.name().endsWith(".lora_B") ? p.withData(gaussian(r, p.size())) : p);
    }
    PeftAdapter.save(dir, gpt, lora, s, "x");
    var cfg = Json.STRICT.readTree(dir.resolve(PeftAdapter.CONFIG).toFile());
    assertTrue(cfg.path("fan_in_fan_out").asBoolean());
    assertEquals("[\"attn.c_proj\",\"c_attn\",\"mlp.c_fc\"]", cfg.path("target_modules").toString());
    assertEquals(8, cfg.path("rank_pattern").path("c_attn").asInt());
    assertEquals(16.0, cfg.path("alpha_pattern").path("c_attn").asDouble());
    ParamSnapshot file = Safetensors.read(dir.resolve(PeftAdapter.WEIGHTS)).params();
    ParamSnapshot merged = lora.merge(s);
    int d = gpt.dModel();
    for (int layer = 0; layer < 2; layer++) {
      String h = "base_model.model.transformer.h." + layer + ".";
      // c_attn: [d, 3d] = (α_c/r_c)·(B [3d, 8] · A [8, d])ᵀ, the q, k, v blocks side by side
      float[] c = peftDelta(file, h + "attn.c_attn.", 16.0 / 8);
      for (int m = 0; m < 3; m++) {
        String w = "h" + layer + "/attn/" + List.of("wq", "wk", "wv").get(m);
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < d; j++) {
            assertEquals(merged.get(w).data()[i * d + j] - base.get(w).data()[i * d + j],
                c[i * 3 * d + m * d + j], 1e-5, w + "[" + i + "," + j + "]");
          }
        }
      }
      float[] o = peftDelta(file, h + "attn.c_proj.", 8.0 / 4);
      String wo = "h" + layer + "/attn/wo";
      for (int j = 0; j < o.length; j++) {
        assertEquals(merged.get(wo).data()[j] - base.get(wo).data()[j], o[j], 1e-5, wo);
      }
    }
    assertArrayEquals(new long[] {8, d}, file.get(
        "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight").shape());
    assertArrayEquals(new long[] {4L * d, 4}, file.get(
        "base_model.model.transformer.h.0.mlp.c_fc.lora_B.weight").shape());
    PeftAdapter.Loaded back = PeftAdapter.load(dir, gpt);
    assertEquals(List.of("w1", "wk", "wo", "wq", "wv"), back.lora().targets());
    // rsLoRA scales by alpha/sqrt(r): refused, not read as alpha/r
    Path rs = dir.resolve("rs");
    PeftAdapter.save(rs, gpt, lora, s, "x");
    Files.writeString(rs.resolve(PeftAdapter.CONFIG), Files.readString(rs.resolve(
        PeftAdapter.CONFIG)).replace("{", "{\"use_rslora\":true,"));
    CpiftException e = assertThrows(CpiftException.class, () -> PeftAdapter.load(rs, gpt));
    assertTrue(e.getMessage().contains("use_rslora"), e.getMessage());
    // a SwiGLU gate among the targets of a GPT (which has none) is left out, not a crash
    Lora withGate = new Lora(4, 8, List.of("wq", "wg"));
    PeftAdapter.save(dir.resolve("gate"), gpt, withGate, withGate.initialize(base, 3), "x");
    assertEquals("[\"c_attn\"]", Json.STRICT.readTree(dir.resolve("gate").resolve(
        PeftAdapter.CONFIG).toFile()).path("target_modules").toString());
    ParamSnapshot both = new ParamSnapshot();
    base.params().forEach(both::put);
    back.adapters().params().forEach(both::put);
    ParamSnapshot again = back.lora().merge(both);
    for (Param p : base.params()) {
      assertArrayEquals(merged.get(p.name()).data(), again.get(p.name()).data(), 0f, p.name());
    }
  }

  /** PEFT's update of a Conv1D module from the file: scaling·(B·A)ᵀ, {@code [in, out]}. */
  private static float[] peftDelta(ParamSnapshot file, String module, double scaling) {
    Param a = file.get(module + "lora_A.weight"); // [r, in]
    Param b = file.get(module + "lora_B.weight"); // [out, r]
    int rank = (int) a.shape()[0];
    int in = (int) a.shape()[1];
    int out = (int) b.shape()[0];
    float[] delta = new float[in * out];
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        double acc = 0;
        for (int k = 0; k < rank; k++) {
          acc += (double) b.data()[j * rank + k] * a.data()[k * in + i];
        }
        delta[i * out + j] = (float) (scaling * acc);
      }
    }
    return delta;
  }

  private static float[] gaussian(SplittableRandom r, int n) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void refusesWhatItCannotWriteOrRead() throws Exception {
    Lora lora = new Lora(2, 4, List.of("wq"));
    CpiftException e = assertThrows(CpiftException.class, () -> PeftAdapter.save(dir,
        ModelConfig.tiny(101), lora, new ParamSnapshot(), "x"));
    assertTrue(e.getMessage().contains("no LoRA adapters"), e.getMessage());
    e = assertThrows(CpiftException.class, () -> PeftAdapter.load(dir, LLAMA));
    assertTrue(e.getMessage().contains("adapter_config.json"), e.getMessage());
    PeftAdapter.save(dir, LLAMA, lora, adapted(lora), "x");
    Files.writeString(dir.resolve(PeftAdapter.CONFIG), Files.readString(
        dir.resolve(PeftAdapter.CONFIG)).replace("q_proj", "qkv_proj"));
    e = assertThrows(CpiftException.class, () -> PeftAdapter.load(dir, LLAMA));
    assertTrue(e.getMessage().contains("qkv_proj"), e.getMessage());
  }
}
