package org.cpift.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.model.Lora;
import org.cpift.model.ModelConfig;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * LoRA adapters in the layout of Hugging Face PEFT, so that {@code PeftModel.from_pretrained}
 * and other tools load them: {@code adapter_config.json} (peft_type LORA, r, lora_alpha,
 * target_modules, ...) and {@code adapter_model.safetensors} with
 * {@code base_model.model.model.layers.<i>.self_attn.q_proj.lora_A.weight} {@code [r, in]} and
 * {@code ...lora_B.weight} {@code [out, r]} (PyTorch's {@code nn.Linear} layout; this project
 * keeps A {@code [in, r]} and B {@code [r, out]}, so both are transposed). Written for
 * llama-family models, whose module names these are.
 */
public final class PeftAdapter {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";

  /** This project's matrix leaf → the Llama module it is. */
  static final Map<String, String> LLAMA_MODULES = Map.of("wq", "self_attn.q_proj",
      "wk", "self_attn.k_proj", "wv", "self_attn.v_proj", "wo", "self_attn.o_proj",
      "wg", "mlp.gate_proj", "w1", "mlp.up_proj", "w2", "mlp.down_proj");

  private PeftAdapter() {}

  /** Adapters read back: their settings and the factors under this project's names. */
  public record Loaded(Lora lora, ParamSnapshot adapters) {}

  /**
   * Writes the adapters of {@code withAdapters} (a snapshot of a LoRA model: base and adapters)
   * into {@code dir}, each file atomically.
   *
   * @param baseModel what {@code base_model_name_or_path} names (a path or hub id)
   */
  public static void save(Path dir, ModelConfig config, Lora lora, ParamSnapshot withAdapters,
      String baseModel) {
    requireLlama(config, dir);
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : withAdapters.params()) {
      if (!Lora.isAdapter(p.name())) {
        continue;
      }
      String peft = peftName(p.name());
      int rows = (int) p.shape()[0];
      int cols = (int) p.shape()[1];
      out.put(new Param(peft, new long[] {cols, rows}, transpose(p.data(), rows, cols)));
    }
    if (out.names().isEmpty()) {
      throw new CpiftException("no LoRA adapters to save in " + dir + " (the model was fully "
          + "fine-tuned)");
    }
    ObjectNode cfg = Json.MAPPER.createObjectNode();
    cfg.put("peft_type", "LORA");
    cfg.put("task_type", "CAUSAL_LM");
    cfg.put("base_model_name_or_path", baseModel);
    cfg.put("r", lora.rank());
    cfg.put("lora_alpha", lora.alpha());
    cfg.put("lora_dropout", lora.dropout());
    cfg.put("bias", "none");
    cfg.put("fan_in_fan_out", false);
    cfg.put("inference_mode", true);
    var modules = cfg.putArray("target_modules");
    lora.targets().forEach(t -> modules.add(LLAMA_MODULES.get(t).substring(
        LLAMA_MODULES.get(t).indexOf('.') + 1)));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CpiftException("cannot create " + dir + ": " + e.getMessage());
    }
    Safetensors.write(dir.resolve(WEIGHTS), out, Map.of("format", "pt"));
    AtomicFiles.writeString(dir.resolve(CONFIG), Json.write(cfg));
  }

  /** Reads adapters {@link #save} (or PEFT) wrote for a model of {@code config}. */
  public static Loaded load(Path dir, ModelConfig config) {
    requireLlama(config, dir);
    Path cfgFile = dir.resolve(CONFIG);
    if (!Files.isRegularFile(cfgFile)) {
      throw new CpiftException("no " + CONFIG + " in " + dir + " (give a PEFT adapter directory)");
    }
    JsonNode cfg;
    try {
      cfg = Json.STRICT.readTree(cfgFile.toFile());
    } catch (IOException e) {
      throw new CpiftException(cfgFile + ": not valid JSON (" + e.getMessage() + ")");
    }
    if (!"LORA".equals(cfg.path("peft_type").asText())) {
      throw new CpiftException(cfgFile + ": peft_type is '" + cfg.path("peft_type").asText()
          + "'; only LORA adapters are read");
    }
    if (cfg.path("fan_in_fan_out").asBoolean(false)) {
      throw new CpiftException(cfgFile + ": fan_in_fan_out adapters (GPT-2's Conv1D) are not "
          + "read; only llama-family ones");
    }
    List<String> targets = new ArrayList<>();
    for (JsonNode m : cfg.path("target_modules")) {
      String leaf = null;
      for (Map.Entry<String, String> e : LLAMA_MODULES.entrySet()) {
        if (e.getValue().endsWith("." + m.asText())) {
          leaf = e.getKey();
        }
      }
      if (leaf == null) {
        throw new CpiftException(cfgFile + ": target module '" + m.asText() + "' is not one of "
            + "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
      }
      targets.add(leaf);
    }
    Lora lora = new Lora(cfg.path("r").asInt(), cfg.path("lora_alpha").asDouble(), targets,
        cfg.path("lora_dropout").asDouble(0));
    Map<String, String> ours = new LinkedHashMap<>();
    for (int i = 0; i < config.nLayers(); i++) {
      for (String leaf : lora.targets()) {
        String w = "h" + i + "/" + (java.util.Set.of("wq", "wk", "wv", "wo").contains(leaf)
            ? "attn/" : "mlp/") + leaf;
        ours.put(peftName(Lora.a(w)), Lora.a(w));
        ours.put(peftName(Lora.b(w)), Lora.b(w));
      }
    }
    ParamSnapshot file = Safetensors.read(dir.resolve(WEIGHTS)).params();
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : file.params()) {
      String name = ours.get(p.name());
      if (name == null) {
        throw new CpiftException(dir.resolve(WEIGHTS) + ": tensor " + p.name() + " is not an "
            + "adapter of this " + config.nLayers() + "-layer model's " + lora.targets());
      }
      int rows = (int) p.shape()[0];
      int cols = (int) p.shape()[1];
      if (name.endsWith(".lora_A") ? rows != lora.rank() : cols != lora.rank()) {
        throw new CpiftException(dir.resolve(WEIGHTS) + ": " + p.name() + " has shape ["
            + rows + ", " + cols + "], not rank " + lora.rank() + " as " + CONFIG + " says");
      }
      out.put(new Param(name, new long[] {cols, rows}, transpose(p.data(), rows, cols)));
    }
    if (out.names().size() != ours.size()) {
      List<String> missing = ours.values().stream().filter(n -> !out.contains(n)).toList();
      throw new CpiftException(dir.resolve(WEIGHTS) + " lacks adapters " + missing);
    }
    return new Loaded(lora, out);
  }

  /**
   * {@code h3/attn/wq.lora_A} → {@code base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight}
   * (the names PEFT saves a {@code LlamaForCausalLM}'s adapters under).
   */
  static String peftName(String adapter) {
    String matrix = Lora.matrixOf(adapter);
    String factor = adapter.substring(matrix.length() + 1); // lora_A or lora_B
    int slash = matrix.indexOf('/');
    String layer = matrix.substring(1, slash);
    String leaf = matrix.substring(matrix.lastIndexOf('/') + 1);
    return "base_model.model.model.layers." + layer + "." + LLAMA_MODULES.get(leaf) + "."
        + factor + ".weight";
  }

  private static void requireLlama(ModelConfig c, Path where) {
    if (c.family() != ModelConfig.Family.LLAMA) {
      throw new CpiftException("PEFT adapter files (" + where + ") are written and read for "
          + "llama-family models; this model is " + c.family().id());
    }
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = a[i * cols + j];
      }
    }
    return t;
  }
}
