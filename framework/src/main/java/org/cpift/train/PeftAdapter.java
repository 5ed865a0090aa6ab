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
 * target_modules, ...) and {@code adapter_model.safetensors} with {@code lora_A.weight}
 * {@code [r, in]} and {@code lora_B.weight} {@code [out, r]} per module (PyTorch's
 * {@code nn.Linear} layout; this project keeps A {@code [in, r]} and B {@code [r, out]}, so both
 * are transposed).
 *
 * <p>Llama-family models: {@code base_model.model.model.layers.<i>.self_attn.q_proj...}, one
 * module per matrix. GPT-2-layout models (gpt2 and this project's own GPT): {@code
 * base_model.model.transformer.h.<i>.attn.c_attn...}, where GPT-2 fuses query, key and value in
 * one Conv1D ({@code fan_in_fan_out} true): the adapters of the targeted q, k, v matrices are
 * written as one c_attn adapter of rank m·r (m of them targeted), A stacked and B block-diagonal
 * (the untargeted blocks zero), with {@code rank_pattern} and {@code alpha_pattern} giving c_attn
 * m·r and m·α so that its update keeps the scale α/r; reading one back gives each of q, k, v the
 * whole A and its block of B, the same update exactly.
 */
public final class PeftAdapter {
  public static final String CONFIG = "adapter_config.json";
  public static final String WEIGHTS = "adapter_model.safetensors";

  /** This project's matrix leaf → the Llama module it is. */
  static final Map<String, String> LLAMA_MODULES = Map.of("wq", "self_attn.q_proj",
      "wk", "self_attn.k_proj", "wv", "self_attn.v_proj", "wo", "self_attn.o_proj",
      "wg", "mlp.gate_proj", "w1", "mlp.up_proj", "w2", "mlp.down_proj");

  /** This project's matrix leaf → the GPT-2 module it is (q, k and v are one, c_attn). */
  static final Map<String, String> GPT2_MODULES = Map.of("wq", "attn.c_attn",
      "wk", "attn.c_attn", "wv", "attn.c_attn", "wo", "attn.c_proj", "w1", "mlp.c_fc",
      "w2", "mlp.c_proj");

  private static final List<String> QKV = List.of("wq", "wk", "wv");

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
    boolean gpt = gpt2Layout(config);
    if (withAdapters.names().stream().noneMatch(Lora::isAdapter)) {
      throw new CpiftException("no LoRA adapters to save in " + dir + " (the model was fully "
          + "fine-tuned)");
    }
    if (withAdapters.names().stream().anyMatch(Lora::isKeep)) {
      throw new CpiftException("masked LoRA adapters (CPI-FT's pipeline) have no PEFT form; "
          + "nothing written to " + dir);
    }
    for (Param p : withAdapters.params()) {
      if (Lora.isAdapter(p.name()) && p.shape()[p.name().endsWith(".lora_A") ? 1 : 0]
          != lora.rank()) {
        throw new CpiftException(p.name() + " is " + java.util.Arrays.toString(p.shape())
            + ", not of rank " + lora.rank() + "; only adapters of the LoRA's own rank are "
            + "written (nothing written to " + dir + ")");
      }
    }
    ParamSnapshot out = new ParamSnapshot();
    List<String> qkv = QKV.stream().filter(lora.targets()::contains)
        .filter(t -> withAdapters.contains(Lora.a(matrix(0, t)))).toList();
    for (int i = 0; i < config.nLayers(); i++) {
      for (String leaf : lora.targets()) {
        String w = matrix(i, leaf);
        if (!withAdapters.contains(Lora.a(w))) {
          continue; // a target this family does not have (a SwiGLU gate on a GPT)
        }
        if (gpt && qkv.contains(leaf)) {
          if (leaf.equals(qkv.get(0))) {
            fusedQkv(out, withAdapters, config, i, qkv);
          }
          continue;
        }
        Param a = withAdapters.get(Lora.a(w));
        Param b = withAdapters.get(Lora.b(w));
        out.put(transposed(peftName(Lora.a(w), gpt), a));
        out.put(transposed(peftName(Lora.b(w), gpt), b));
      }
    }
    ObjectNode cfg = Json.MAPPER.createObjectNode();
    cfg.put("peft_type", "LORA");
    cfg.put("task_type", "CAUSAL_LM");
    cfg.put("base_model_name_or_path", baseModel);
    cfg.put("r", lora.rank());
    cfg.put("lora_alpha", lora.alpha());
    cfg.put("lora_dropout", lora.dropout());
    cfg.put("bias", "none");
    cfg.put("fan_in_fan_out", gpt);
    cfg.put("inference_mode", true);
    var modules = cfg.putArray("target_modules");
    Map<String, String> names = gpt ? GPT2_MODULES : LLAMA_MODULES;
    lora.targets().stream().filter(t -> names.containsKey(t)
        && withAdapters.contains(Lora.a(matrix(0, t))))
        .map(t -> gpt ? names.get(t).equals("attn.c_attn") ? "c_attn"
        : names.get(t) : names.get(t).substring(names.get(t).indexOf('.') + 1))
        .distinct().sorted().forEach(modules::add);
    if (gpt && qkv.size() > 1) {
      cfg.putObject("rank_pattern").put("c_attn", qkv.size() * lora.rank());
      cfg.putObject("alpha_pattern").put("c_attn", qkv.size() * lora.alpha());
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CpiftException("cannot create " + dir + ": " + e.getMessage());
    }
    Safetensors.write(dir.resolve(WEIGHTS), out, Map.of("format", "pt"));
    AtomicFiles.writeString(dir.resolve(CONFIG), Json.write(cfg));
  }

  /**
   * Layer i's q, k, v adapters as one c_attn adapter: A {@code [m·r, in]} the transposed A's
   * stacked, B {@code [3·d, m·r]} with each matrix's transposed B in its rows and columns.
   */
  private static void fusedQkv(ParamSnapshot out, ParamSnapshot withAdapters, ModelConfig config,
      int layer, List<String> qkv) {
    int d = config.dModel();
    if (config.kvHeads() != config.nHeads()) {
      throw new CpiftException("GPT-2's c_attn fuses q, k and v of width d each; this model's k "
          + "and v are narrower (grouped-query attention), so its adapters have no c_attn form");
    }
    int r = (int) withAdapters.get(Lora.a(matrix(layer, qkv.get(0)))).shape()[1];
    int rc = qkv.size() * r;
    float[] a = new float[rc * d];
    float[] b = new float[3 * d * rc];
    for (int m = 0; m < qkv.size(); m++) {
      String w = matrix(layer, qkv.get(m));
      float[] am = withAdapters.get(Lora.a(w)).data(); // [d, r]
      float[] bm = withAdapters.get(Lora.b(w)).data(); // [r, d]
      int block = QKV.indexOf(qkv.get(m)); // its output rows in c_attn: q, k, v
      for (int k = 0; k < r; k++) {
        for (int i = 0; i < d; i++) {
          a[(m * r + k) * d + i] = am[i * r + k];
        }
        for (int j = 0; j < d; j++) {
          b[(block * d + j) * rc + m * r + k] = bm[k * d + j];
        }
      }
    }
    String prefix = "base_model.model.transformer.h." + layer + ".attn.c_attn.";
    out.put(new Param(prefix + "lora_A.weight", new long[] {rc, d}, a));
    out.put(new Param(prefix + "lora_B.weight", new long[] {3L * d, rc}, b));
  }

  /**
   * Reads adapters {@link #save} (or PEFT) wrote for a model of {@code config}. A GPT-2 c_attn
   * adapter gives each of q, k and v the whole A and its block of B (factors as wide as c_attn's
   * rank, whose update {@link Lora#merge} scales by the file's α/r); every module must carry that
   * same scale.
   */
  public static Loaded load(Path dir, ModelConfig config) {
    boolean gpt = gpt2Layout(config);
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
    for (String unsupported : List.of("use_rslora", "use_dora")) {
      if (cfg.path(unsupported).asBoolean(false)) {
        throw new CpiftException(cfgFile + ": " + unsupported + " adapters are not read (only "
            + "plain LoRA, whose update is scaled by alpha/r)");
      }
    }
    if (cfg.path("fan_in_fan_out").asBoolean(false) != gpt) {
      throw new CpiftException(cfgFile + ": fan_in_fan_out is " + !gpt + ", but a "
          + config.family().id() + " model's adapters have it " + gpt);
    }
    Map<String, String> modules = gpt ? GPT2_MODULES : LLAMA_MODULES;
    List<String> targets = new ArrayList<>();
    for (JsonNode m : cfg.path("target_modules")) {
      List<String> leaves = new ArrayList<>();
      for (Map.Entry<String, String> e : modules.entrySet()) {
        if (("." + e.getValue()).endsWith("." + m.asText())) {
          leaves.add(e.getKey());
        }
      }
      if (leaves.isEmpty()) {
        throw new CpiftException(cfgFile + ": target module '" + m.asText() + "' is not one of "
            + modules.values().stream().distinct().sorted().toList());
      }
      targets.addAll(leaves);
    }
    int r = cfg.path("r").asInt();
    double alpha = cfg.path("lora_alpha").asDouble();
    Lora lora = new Lora(r, alpha, targets, cfg.path("lora_dropout").asDouble(0));
    ParamSnapshot file = Safetensors.read(dir.resolve(WEIGHTS)).params();
    ParamSnapshot out = new ParamSnapshot();
    for (int i = 0; i < config.nLayers(); i++) {
      for (String leaf : lora.targets()) {
        String w = matrix(i, leaf);
        String module = modules.get(leaf);
        int width = pattern(cfg, "rank_pattern", module, r);
        if (Math.abs(pattern(cfg, "alpha_pattern", module, alpha) / width - lora.scale())
            > 1e-12 * lora.scale()) {
          throw new CpiftException(cfgFile + ": module " + module + " scales its update by "
              + "alpha/r other than " + lora.scale() + "; adapters whose modules scale "
              + "differently are not read");
        }
        Param a = fileTensor(file, dir, peftName(Lora.a(w), gpt), width, -1);
        Param b = fileTensor(file, dir, peftName(Lora.b(w), gpt), -1, width);
        if (gpt && QKV.contains(leaf)) {
          // c_attn's B [3d, width]: this matrix's rows
          int d = config.dModel();
          if (b.shape()[0] != 3L * d) {
            throw new CpiftException(dir.resolve(WEIGHTS) + ": " + b.name() + " has "
                + b.shape()[0] + " rows, not 3 x " + d);
          }
          int block = QKV.indexOf(leaf);
          b = new Param(b.name(), new long[] {d, width}, java.util.Arrays.copyOfRange(b.data(),
              block * d * width, (block + 1) * d * width));
        }
        out.put(transposed(Lora.a(w), a));
        out.put(transposed(Lora.b(w), b));
      }
    }
    java.util.Set<String> used = new java.util.HashSet<>();
    for (String n : out.names()) {
      used.add(peftName(n, gpt));
    }
    for (String n : file.names()) {
      if (!used.contains(n)) {
        throw new CpiftException(dir.resolve(WEIGHTS) + ": tensor " + n + " is not an adapter "
            + "of this " + config.nLayers() + "-layer model's " + lora.targets());
      }
    }
    return new Loaded(lora, out);
  }

  /** {@code cfg[field][module]} (PEFT's per-module rank or alpha), else {@code otherwise}. */
  private static int pattern(JsonNode cfg, String field, String module, int otherwise) {
    return (int) pattern(cfg, field, module, (double) otherwise);
  }

  private static double pattern(JsonNode cfg, String field, String module, double otherwise) {
    JsonNode p = cfg.path(field);
    String leaf = module.substring(module.indexOf('.') + 1);
    for (String key : List.of(module, leaf)) {
      if (p.has(key)) {
        return p.get(key).asDouble();
      }
    }
    return otherwise;
  }

  /** A tensor of the adapter file, checked to have {@code rows} or {@code cols} (−1: any). */
  private static Param fileTensor(ParamSnapshot file, Path dir, String name, int rows, int cols) {
    if (!file.contains(name)) {
      throw new CpiftException(dir.resolve(WEIGHTS) + " lacks adapter " + name);
    }
    Param p = file.get(name);
    if (p.shape().length != 2 || rows >= 0 && p.shape()[0] != rows
        || cols >= 0 && p.shape()[1] != cols) {
      throw new CpiftException(dir.resolve(WEIGHTS) + ": " + name + " has shape "
          + java.util.Arrays.toString(p.shape()) + ", not of rank " + Math.max(rows, cols)
          + " as " + CONFIG + " says");
    }
    return p;
  }

  /** {@code p} transposed, under {@code name}. */
  private static Param transposed(String name, Param p) {
    int rows = (int) p.shape()[0];
    int cols = (int) p.shape()[1];
    return new Param(name, new long[] {cols, rows}, transpose(p.data(), rows, cols));
  }

  /** This project's name of layer i's matrix {@code leaf}. */
  private static String matrix(int layer, String leaf) {
    return "h" + layer + "/" + (QKV.contains(leaf) || leaf.equals("wo") ? "attn/" : "mlp/") + leaf;
  }

  /**
   * {@code h3/attn/wq.lora_A} → {@code base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight}
   * (Llama), {@code base_model.model.transformer.h.3.attn.c_attn.lora_A.weight} (GPT-2): the names
   * PEFT saves a model's adapters under.
   */
  static String peftName(String adapter, boolean gpt) {
    String matrix = Lora.matrixOf(adapter);
    String factor = adapter.substring(matrix.length() + 1); // lora_A or lora_B
    int slash = matrix.indexOf('/');
    String layer = matrix.substring(1, slash);
    String leaf = matrix.substring(matrix.lastIndexOf('/') + 1);
    return gpt ? "base_model.model.transformer.h." + layer + "." + GPT2_MODULES.get(leaf) + "."
        + factor + ".weight"
        : "base_model.model.model.layers." + layer + "." + LLAMA_MODULES.get(leaf) + "."
        + factor + ".weight";
  }

  /** Whether the model's adapters take GPT-2's names (else Llama's). */
  private static boolean gpt2Layout(ModelConfig c) {
    return switch (c.family()) {
      case LLAMA -> false;
      case GPT2, CPIFT_GPT -> true;
    };
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
