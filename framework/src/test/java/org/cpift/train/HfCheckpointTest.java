package org.cpift.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cpift.model.ModelConfig;
import org.cpift.optim.OptimizerConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face checkpoints against an independent PyTorch implementation
 * (benchmarks/reference/hf_models.py, written from the published architecture): a seeded random
 * GPT-2 in the exact Hugging Face layout loads through {@code hf:DIR} and gives the reference's
 * logits; F16, BF16 and sharded files load; export gives back the same tensors; bad directories
 * are refused with what is wrong.
 */
class HfCheckpointTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final String PYTHON = "/usr/bin/python3";
  @TempDir static Path dir;

  @BeforeAll
  static void needsTorch() throws Exception {
    boolean torch = Files.isExecutable(Path.of(PYTHON)) && new ProcessBuilder(PYTHON, "-c",
        "import torch").start().waitFor() == 0;
    assumeTrue(torch, "these tests compare with PyTorch: apt-get install python3-torch "
        + "libopenblas0-pthread (Debian's /usr/bin/python3)");
  }

  static Path reference(String name, String... args) throws Exception {
    return referenceWith("gpt2", name, args);
  }

  static Path referenceWith(String tokenizer, String name, String... args) throws Exception {
    Path out = dir.resolve(name);
    if (Files.exists(out.resolve("reference.json"))) {
      return out;
    }
    List<String> cmd = new ArrayList<>(List.of(PYTHON, ROOT.resolve(
        "benchmarks/reference/hf_models.py").toString(), "--out", out.toString(), "--tokenizer",
        ROOT.resolve("benchmarks-data/tokenizers/" + tokenizer).toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    return out;
  }

  /** max |our logits − the reference's| on the reference's inputs. */
  static double maxLogitError(Path ref) throws IOException {
    ModelCheckpoint m = HfCheckpoint.load(ref);
    JsonNode r = Json.STRICT.readTree(ref.resolve("reference.json").toFile());
    int b = r.get("shape").get(0).asInt();
    int t = r.get("shape").get(1).asInt();
    int[] ids = new int[b * t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        ids[i * t + j] = r.get("inputs").get(i).get(j).asInt();
      }
    }
    float[] want = new float[b * t * m.config().vocabSize()];
    ByteBuffer.wrap(Files.readAllBytes(ref.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer().get(want);
    try (ModelSession s = ModelSession.create(m.config(), OptimizerConfig.sgd(), 1)) {
      s.loadParameters(m.params());
      float[] got = s.logits(ids, b, t);
      double max = 0;
      for (int i = 0; i < want.length; i++) {
        max = Math.max(max, Math.abs(got[i] - want[i]));
      }
      return max;
    }
  }

  @Test
  void gpt2LogitsMatchPyTorch() throws Exception {
    Path ref = reference("gpt2", "--family", "gpt2", "--seed", "3");
    ModelCheckpoint m = HfCheckpoint.load(ref);
    assertEquals(ModelConfig.Family.GPT2, m.config().family());
    assertEquals(ModelConfig.Activation.GELU_TANH, m.config().activation());
    assertEquals(50257, m.config().vocabSize());
    double err = maxLogitError(ref);
    System.out.printf("gpt2 (f32): max |logit - PyTorch's| = %.3g%n", err);
    assertTrue(err <= 1e-4, "max |logit error| " + err);
    assertGreedyAsPyTorch(ref, m);
  }

  /** The cached greedy decoder continues the first row as PyTorch's recomputation does. */
  static void assertGreedyAsPyTorch(Path ref, ModelCheckpoint m) throws IOException {
    JsonNode r = Json.STRICT.readTree(ref.resolve("reference.json").toFile());
    int[] prompt = new int[r.get("inputs").get(0).size()];
    for (int j = 0; j < prompt.length; j++) {
      prompt[j] = r.get("inputs").get(0).get(j).asInt();
    }
    int[] want = new int[r.get("greedy").size()];
    for (int j = 0; j < want.length; j++) {
      want[j] = r.get("greedy").get(j).asInt();
    }
    try (ModelSession s = ModelSession.create(m.config(), null, 0)) {
      s.loadParameters(m.params());
      assertArrayEquals(want, GreedyGenerator.generate(s, List.of(prompt), want.length, 1,
          -1).get(0));
    }
  }

  @Test
  void llamaWithGroupedQueryAttentionAndQwen2BiasesMatchPyTorch() throws Exception {
    // Llama: 4 query heads sharing 2 key/value heads, rope_theta 500000, untied head, an MLP
    // width that is no multiple of the model width; Qwen2: q/k/v biases, 1 key/value head,
    // rope_theta 1e6, tied head
    Path llama = referenceWith("bpe-512", "llama", "--family", "llama", "--seed", "6", "--heads",
        "4", "--kv-heads", "2", "--rope-theta", "500000");
    Path qwen = referenceWith("bpe-512", "qwen2", "--family", "qwen2", "--seed", "7", "--heads", "4",
        "--kv-heads", "1", "--rope-theta", "1000000", "--tie");
    for (Path ref : List.of(llama, qwen)) {
      ModelCheckpoint m = HfCheckpoint.load(ref);
      assertEquals(ModelConfig.Family.LLAMA, m.config().family());
      double err = maxLogitError(ref);
      System.out.printf("%s: max |logit - PyTorch's| = %.3g%n", ref.getFileName(), err);
      assertTrue(err <= 1e-4, ref.getFileName() + ": max |logit error| " + err);
      assertGreedyAsPyTorch(ref, m);
      Path out = dir.resolve(ref.getFileName() + "-exported");
      HfCheckpoint.export(m, out);
      assertSameTensors(ref.resolve("model.safetensors"), out.resolve("model.safetensors"));
      assertEquals(m.params(), HfCheckpoint.load(out).params());
    }
    assertEquals(2, HfCheckpoint.load(llama).config().kvHeads());
    assertEquals(ModelConfig.Bias.QKV, HfCheckpoint.load(qwen).config().arch().bias());
    assertTrue(HfCheckpoint.load(qwen).config().arch().tiedHead());
  }

  static void assertSameTensors(Path a, Path b) {
    ParamSnapshot original = Safetensors.read(a).params();
    ParamSnapshot exported = Safetensors.read(b).params();
    assertEquals(original.names(), exported.names());
    for (Param p : original.params()) {
      Param q = exported.get(p.name());
      assertArrayEquals(p.shape(), q.shape(), p.name());
      for (int i = 0; i < p.data().length; i++) {
        assertEquals(Float.floatToRawIntBits(p.data()[i]), Float.floatToRawIntBits(q.data()[i]),
            p.name() + "[" + i + "]");
      }
    }
  }

  @Test
  void halfPrecisionAndShardedFilesLoad() throws Exception {
    for (String dtype : new String[] {"f16", "bf16"}) {
      Path ref = reference("gpt2-" + dtype, "--family", "gpt2", "--seed", "4", "--dtype", dtype,
          "--shards", "3");
      assertTrue(Files.isRegularFile(ref.resolve("model.safetensors.index.json")));
      double err = maxLogitError(ref);
      System.out.printf("gpt2 (%s, 3 shards): max |logit - PyTorch's| = %.3g%n", dtype, err);
      assertTrue(err <= 1e-4, dtype + ": max |logit error| " + err);
    }
  }

  @Test
  void exportGivesBackTheImportedTensors() throws Exception {
    Path ref = reference("gpt2", "--family", "gpt2", "--seed", "3");
    ModelCheckpoint m = HfCheckpoint.load(ref);
    Path out = dir.resolve("exported");
    HfCheckpoint.export(m, out);
    assertSameTensors(ref.resolve("model.safetensors"), out.resolve("model.safetensors"));
    ModelCheckpoint again = HfCheckpoint.load(out);
    assertEquals(m.config(), again.config());
    assertEquals(m.params(), again.params());
    assertEquals(Files.readString(ref.resolve("tokenizer.json")),
        Files.readString(out.resolve("tokenizer.json")));
  }

  @Test
  void badDirectoriesAreRefusedWithWhatIsWrong() throws Exception {
    Path ref = reference("gpt2", "--family", "gpt2", "--seed", "3");
    Path bad = dir.resolve("bad");
    copy(ref, bad);
    ObjectNode cfg = (ObjectNode) Json.STRICT.readTree(ref.resolve("config.json").toFile());
    cfg.put("model_type", "bert");
    Files.writeString(bad.resolve("config.json"), Json.write(cfg));
    assertMessage(bad, "model_type 'bert' is not supported; supported: gpt2, llama, mistral, qwen2");
    cfg.put("model_type", "gpt2");
    cfg.put("n_embd", 64);
    Files.writeString(bad.resolve("config.json"), Json.write(cfg));
    assertMessage(bad, "has shape [50257, 32] but config.json implies [50257, 64]");
    cfg.put("n_embd", 32);
    cfg.put("n_layer", 1);
    Files.writeString(bad.resolve("config.json"), Json.write(cfg));
    assertMessage(bad, "are not part of a gpt2 model of 1 layers");
    cfg.put("n_layer", 2);
    cfg.put("vocab_size", 1000);
    Files.writeString(bad.resolve("config.json"), Json.write(cfg));
    assertMessage(bad, "has shape [50257, 32] but config.json implies [1000, 32]");
    Files.copy(ref.resolve("config.json"), bad.resolve("config.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    byte[] model = Files.readAllBytes(ref.resolve("model.safetensors"));
    Files.write(bad.resolve("model.safetensors"), java.util.Arrays.copyOf(model,
        model.length - 1000));
    assertMessage(bad, "model.safetensors");
    Path sharded = reference("gpt2-f16", "--family", "gpt2", "--seed", "4", "--dtype", "f16",
        "--shards", "3");
    Path missing = dir.resolve("missing-shard");
    copy(sharded, missing);
    Files.delete(missing.resolve("model-00002-of-00003.safetensors"));
    assertMessage(missing, "lists shard model-00002-of-00003.safetensors, which is missing");
    assertMessage(dir.resolve("nowhere"), "no such directory");
  }

  static void assertMessage(Path d, String part) {
    CpiftException e = assertThrows(CpiftException.class, () -> HfCheckpoint.load(d));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  /** A Hugging Face directory given without hf:, and hf: with no directory, say what to type. */
  @Test
  void aHuggingFaceDirectoryWithoutThePrefixIsToldToUseIt() {
    Path llama = ROOT.resolve("benchmarks-data/base/tiny-llama");
    CpiftException e = assertThrows(CpiftException.class, () -> ModelCheckpoint.load(llama));
    assertTrue(e.getMessage().endsWith("give it as hf:" + llama), e.getMessage());
    e = assertThrows(CpiftException.class, () -> ModelCheckpoint.load(Path.of("hf:")));
    assertTrue(e.getMessage().startsWith("'hf:' names no directory"), e.getMessage());
  }

  static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var s = Files.list(from)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
