package org.cpift.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cpift.data.CharTokenizer;
import org.cpift.data.HfTokenizer;
import org.cpift.data.Tokenizer;
import org.cpift.model.ModelConfig;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.Checksums;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;

/**
 * A model on disk: {@code model.safetensors} (F32 tensors keyed by stable variable name; the model
 * config as JSON in the {@code __metadata__} entry {@code cpift.model_config}) and
 * {@code tokenizer.json} beside it.
 */
public record ModelCheckpoint(ModelConfig config, ParamSnapshot params, Tokenizer tokenizer) {
  public static final String MODEL_FILE = "model.safetensors";
  public static final String TOKENIZER_FILE = "tokenizer.json";
  static final String CONFIG_KEY = "cpift.model_config";

  /**
   * Writes the model and tokenizer into {@code dir} (each file atomically), and their SHA-256 in
   * {@code SHA256SUMS}, which {@link #load} checks.
   */
  public void save(Path dir) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put(CONFIG_KEY, Json.write(config));
    Checksums.rewrite(dir, java.util.List.of(MODEL_FILE, TOKENIZER_FILE),
        java.util.List.of(org.cpift.data.HfTokenizer.CONFIG_FILE), () -> {
      Safetensors.write(dir.resolve(MODEL_FILE), params, meta);
      tokenizer.save(dir.resolve(TOKENIZER_FILE));
    });
  }

  /**
   * The SHA-256 that identifies a base for cache keys and manifests: of its model file, or for a
   * Hugging Face directory ({@code hf:DIR}) of its config, weight files and tokenizer together;
   * each file's hash must be the one its folder's {@code SHA256SUMS} lists, if any.
   */
  public static String digest(Path base) {
    if (HfCheckpoint.names(base)) {
      StringBuilder all = new StringBuilder();
      for (Path f : HfCheckpoint.files(HfCheckpoint.dir(base))) {
        String h = Hashing.sha256(f);
        Checksums.confirm(f.getParent(), f.getFileName().toString(), h);
        all.append(f.getFileName()).append(' ').append(h).append('\n');
      }
      return Hashing.sha256(all.toString());
    }
    String h = Hashing.sha256(base.resolve(MODEL_FILE));
    Checksums.confirm(base, MODEL_FILE, h);
    return h;
  }

  /** The tokenizer file of a base (a model directory, or {@code hf:DIR}). */
  public static Path tokenizerFile(Path base) {
    return (HfCheckpoint.names(base) ? HfCheckpoint.dir(base) : base).resolve(TOKENIZER_FILE);
  }

  /**
   * Loads a model directory written by {@link #save}, or a Hugging Face directory given as
   * {@code hf:DIR} ({@link HfCheckpoint}).
   */
  public static ModelCheckpoint load(Path dir) {
    if (HfCheckpoint.names(dir)) {
      Checksums.verify(HfCheckpoint.dir(dir)); // when it has SHA256SUMS (the shipped tiny-llama)
      return HfCheckpoint.load(HfCheckpoint.dir(dir));
    }
    Path model = dir.resolve(MODEL_FILE);
    if (!Files.isRegularFile(model)) {
      throw new CpiftException("no " + MODEL_FILE + " in " + dir
          + " (expected a model directory as training or pretraining writes it; the repository "
          + "ships base models for the tiny and small presets only)" + hfHint(dir));
    }
    // the shipped bases predate the digest inside the file: their SHA256SUMS guards them
    Checksums.verify(dir);
    Safetensors.Contents c = Safetensors.read(model);
    String cfg = c.metadata().get(CONFIG_KEY);
    if (cfg == null) {
      throw new CpiftException(model + ": metadata has no " + CONFIG_KEY
          + "; it was not written by this project" + hfHint(dir));
    }
    ModelConfig config;
    try {
      config = Json.STRICT.readValue(cfg, ModelConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new CpiftException(model + ": invalid " + CONFIG_KEY + ": " + e.getMessage());
    }
    // a model of a Hugging Face family keeps its Hugging Face tokenizer.json
    Tokenizer tok = config.family() == ModelConfig.Family.CPIFT_GPT
        ? CharTokenizer.load(dir.resolve(TOKENIZER_FILE)) : HfTokenizer.load(dir);
    if (config.family() == ModelConfig.Family.CPIFT_GPT ? tok.vocabSize() != config.vocabSize()
        : tok.vocabSize() > config.vocabSize()) {
      throw new CpiftException(dir + ": tokenizer has " + tok.vocabSize()
          + " tokens but the model's vocabulary is " + config.vocabSize());
    }
    for (var p : c.params().params()) {
      float[] d = p.data();
      for (int j = 0; j < d.length; j++) {
        if (!Float.isFinite(d[j])) {
          throw new CpiftException(model + ": tensor " + p.name() + " holds " + d[j] + " at entry "
              + j + "; a model with non-finite weights gives meaningless scores. The file is "
              + "corrupt or the run that wrote it diverged: write it again");
        }
      }
    }
    return new ModelCheckpoint(config, c.params(), tok);
  }

  /** For a Hugging Face directory given without {@code hf:}: what to type; else "". */
  private static String hfHint(Path dir) {
    return Files.isRegularFile(dir.resolve(HfCheckpoint.CONFIG_FILE)) ? ". " + dir + " holds a "
        + "config.json, as a Hugging Face model directory does: give it as hf:" + dir : "";
  }
}
