package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cpift.train.ModelCheckpoint;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A Hugging Face base of each family end to end through the CLI: for gpt2 a seeded model from
 * the PyTorch reference with the project's small BPE tokenizer
 * ({@code benchmarks-data/tokenizers/bpe-512}), for llama the tiny base pretrained here with it
 * ({@code benchmarks-data/base/tiny-llama}), runs multi-task and cpi-ft with {@code --base hf:DIR}, a run's model is saved, exported back as
 * a Hugging Face directory that loads again with the same parameters, and generates the same
 * tokens either way.
 */
class HfModelsCliTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run cli(String... args) {
    CommandLine cl = Cpift.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"gpt2", "llama"})
  void aHuggingFaceBaseRunsTheMethodsAndComesBack(String family) throws Exception {
    Path hf;
    if (family.equals("llama")) {
      // the tiny Llama-family base pretrained here with the project's BPE tokenizer
      hf = ROOT.resolve("benchmarks-data/base/tiny-llama");
    } else {
      boolean torch = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start()
          .waitFor() == 0;
      assumeTrue(torch, "the reference model needs PyTorch: apt-get install python3-torch "
          + "libopenblas0-pthread");
      hf = dir.resolve(family + "-bpe");
      Process p = new ProcessBuilder("/usr/bin/python3", ROOT.resolve(
          "benchmarks/reference/hf_models.py").toString(), "--family", family, "--out",
          hf.toString(), "--tokenizer", ROOT.resolve("benchmarks-data/tokenizers/bpe-512")
              .toString(), "--positions", "128", "--seed", "5").redirectErrorStream(true).start();
      String log = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), log);
    }
    String suite = ROOT.resolve("benchmarks-data/suite-v2").toString();
    for (String method : new String[] {"multi-task", "cpi-ft"}) {
      Run r = cli("run-method", "--method", method, "--base", "hf:" + hf, "--preset", "tiny",
          "--suite", suite, "--tasks", "math,code", "--expert-steps", "3", "--pipeline-steps",
          "2", "--stage-samples", "8", "--eval-limit", "3", "--out",
          dir.resolve(method).toString(), "--cache", dir.resolve("cache").toString(),
          "--save-model");
      assertEquals(0, r.code(), r.err());
      assertTrue(Files.readString(dir.resolve(method).resolve("manifest.json"))
          .contains("\"sha256\""));
    }
    Path saved = dir.resolve("cpi-ft").resolve("model");
    Path exported = dir.resolve("exported");
    Run e = cli("export-hf", saved.toString(), "--out", exported.toString());
    assertEquals(0, e.code(), e.err());
    ModelCheckpoint a = ModelCheckpoint.load(saved);
    ModelCheckpoint b = ModelCheckpoint.load(Path.of("hf:" + exported));
    assertEquals(a.config(), b.config());
    assertEquals(a.params(), b.params());
    // fine-tuning moved the model away from the base
    ModelCheckpoint base = ModelCheckpoint.load(Path.of("hf:" + hf));
    assertTrue(!base.params().equals(a.params()), "cpi-ft changed nothing");
    Run g1 = cli("generate", "--base", saved.toString(), "--prompt", "Evaluate 12 + 7.",
        "--max-new-tokens", "4", "--ids");
    Run g2 = cli("generate", "--base", "hf:" + exported, "--prompt", "Evaluate 12 + 7.",
        "--max-new-tokens", "4", "--ids");
    assertEquals(0, g1.code(), g1.err());
    assertTrue(g1.out().strip().matches("\\d+( \\d+){0,3}"), g1.out());
    assertEquals(g1.out(), g2.out());
    Run bad = cli("export-hf", ROOT.resolve("benchmarks-data/base/tiny").toString(), "--out",
        dir.resolve("no").toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("only models of a Hugging Face family"), bad.err());
  }

  /**
   * LoRA on the Llama-family base made here: multi-task SFT trains adapters only; the saved model
   * is the base with the PEFT adapter files it also wrote merged in, bit for bit, and every tensor
   * LoRA did not target is the base's.
   */
  @org.junit.jupiter.api.Test
  void loraOnTheLlamaBaseSavesPeftAdaptersThatGiveTheSavedModel() throws Exception {
    Path hf = ROOT.resolve("benchmarks-data/base/tiny-llama");
    Run r = cli("run-method", "--method", "multi-task", "--base", "hf:" + hf, "--preset", "tiny",
        "--suite", ROOT.resolve("benchmarks-data/suite-v2").toString(), "--tasks", "math,code",
        "--expert-steps", "3", "--eval-limit", "3", "--finetune", "lora", "--lora-rank", "4",
        "--lora-targets", "wq,wv,w2", "--out", dir.resolve("lora").toString(), "--cache",
        dir.resolve("cache").toString(), "--save-model");
    assertEquals(0, r.code(), r.err());
    ModelCheckpoint saved = ModelCheckpoint.load(dir.resolve("lora").resolve("model"));
    ModelCheckpoint base = ModelCheckpoint.load(Path.of("hf:" + hf));
    org.cpift.train.PeftAdapter.Loaded a = org.cpift.train.PeftAdapter.load(
        dir.resolve("lora").resolve("adapter"), base.config());
    assertEquals(java.util.List.of("w2", "wq", "wv"), a.lora().targets());
    org.cpift.params.ParamSnapshot both = new org.cpift.params.ParamSnapshot();
    base.params().params().forEach(both::put);
    a.adapters().params().forEach(both::put);
    org.cpift.params.ParamSnapshot merged = a.lora().merge(both);
    int moved = 0;
    for (String n : base.params().names()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(merged.get(n).data(),
          saved.params().get(n).data(), 0f, n);
      if (!java.util.Arrays.equals(base.params().get(n).data(), saved.params().get(n).data())) {
        assertTrue(a.lora().targets(n), n + " moved but LoRA does not target it");
        moved++;
      }
    }
    assertEquals(2 * 3, moved, "wq, wv and w2 of both layers trained");
    assertTrue(Files.readString(dir.resolve("lora").resolve("manifest.json"))
        .contains("\"lora\""));
  }

  /**
   * A base whose config allows 32,768 positions (as Qwen2's do) trains on short examples: the
   * memory check bounds a step by the longest example, not by the model's context.
   */
  @org.junit.jupiter.api.Test
  void aLongContextBaseTrainsOnShortExamples() throws Exception {
    assumeTrue(new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start().waitFor() == 0,
        "the reference model needs PyTorch: apt-get install python3-torch libopenblas0-pthread");
    Path hf = dir.resolve("qwen2-long");
    Process p = new ProcessBuilder("/usr/bin/python3", ROOT.resolve(
        "benchmarks/reference/hf_models.py").toString(), "--family", "qwen2", "--out",
        hf.toString(), "--tokenizer", ROOT.resolve("benchmarks-data/tokenizers/bpe-512")
            .toString(), "--positions", "32768", "--no-reference").redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    Path data = dir.resolve("rev.jsonl");
    assertEquals(0, cli("toy-data", "--task", "reverse", "--n", "50", "--out", data.toString())
        .code());
    Run r = cli("train", "--init", "hf:" + hf, "--data", data.toString(), "--steps", "2",
        "--out", dir.resolve("trained").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(32768, ModelCheckpoint.load(dir.resolve("trained")).config().contextLength());
  }
}
