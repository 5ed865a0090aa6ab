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
    float[] ours = s.get("h0/mlp/w2.lora_B").data(); // [4, 64]
    assertEquals(ours[2 * 64 + 17], b.data()[17 * 4 + 2]);
    PeftAdapter.Loaded back = PeftAdapter.load(dir, LLAMA);
    assertEquals(lora, back.lora());
    for (String n : back.adapters().names()) {
      assertArrayEquals(s.get(n).data(), back.adapters().get(n).data(), n);
    }
    assertEquals(s.names().stream().filter(Lora::isAdapter).count(), back.adapters().names()
        .size());
  }

  @Test
  void refusesWhatItCannotWriteOrRead() throws Exception {
    Lora lora = new Lora(2, 4, List.of("wq"));
    CpiftException e = assertThrows(CpiftException.class, () -> PeftAdapter.save(dir,
        ModelConfig.tiny(101), lora, new ParamSnapshot(), "x"));
    assertTrue(e.getMessage().contains("llama-family"), e.getMessage());
    e = assertThrows(CpiftException.class, () -> PeftAdapter.load(dir, LLAMA));
    assertTrue(e.getMessage().contains("adapter_config.json"), e.getMessage());
    PeftAdapter.save(dir, LLAMA, lora, adapted(lora), "x");
    Files.writeString(dir.resolve(PeftAdapter.CONFIG), Files.readString(
        dir.resolve(PeftAdapter.CONFIG)).replace("q_proj", "qkv_proj"));
    e = assertThrows(CpiftException.class, () -> PeftAdapter.load(dir, LLAMA));
    assertTrue(e.getMessage().contains("qkv_proj"), e.getMessage());
  }
}
