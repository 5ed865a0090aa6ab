package org.cpift.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cpift.data.HfTokenizer;
import org.cpift.data.Tokenizer;
import org.cpift.model.ModelConfig;
import org.cpift.model.ParameterLayout;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * A Hugging Face model directory as a base, and any model written back as one: {@code config.json},
 * {@code model.safetensors} (or shards listed in {@code model.safetensors.index.json}; F32, F16 or
 * BF16) and {@code tokenizer.json}. A base named {@code hf:DIR} is read through here.
 *
 * <p>Families: {@code gpt2} ({@code model_type} "gpt2"): learned positions, biases, LayerNorm,
 * tanh-GELU ("gelu_new"), {@code Conv1D} weights stored {@code [in, out]} (as this project's
 * linear layers), query, key and value fused in {@code c_attn}, the head tied to the token
 * embedding. Its tensors map one to one onto this project's variables (c_attn split in three),
 * so an imported model trains, merges and is scored like the project's own, and exporting it
 * gives back the same tensors.
 */
public final class HfCheckpoint {
  /** The prefix that marks a base as a Hugging Face directory: {@code hf:DIR}. */
  public static final String PREFIX = "hf:";
  static final String CONFIG_FILE = "config.json";
  static final String INDEX_FILE = "model.safetensors.index.json";
  /** Exported tensors carry GPT2LMHeadModel's prefix, as save_pretrained writes them. */
  static final String GPT2_PREFIX = "transformer.";

  private HfCheckpoint() {}

  /** True when {@code base} names a Hugging Face directory ({@code hf:DIR}). */
  public static boolean names(Path base) {
    return base.toString().startsWith(PREFIX);
  }

  /** The directory of {@code hf:DIR}. */
  public static Path dir(Path base) {
    String d = base.toString().substring(PREFIX.length());
    if (d.isBlank()) {
      throw new CpiftException("'" + base + "' names no directory: give hf: and a Hugging Face "
          + "model directory, e.g. hf:benchmarks-data/base/tiny-llama");
    }
    return Path.of(d);
  }

  /** The files whose bytes define the model (config, weights, tokenizer), for digests. */
  public static List<Path> files(Path dir) {
    List<Path> out = new ArrayList<>(List.of(dir.resolve(CONFIG_FILE)));
    out.addAll(weightFiles(dir));
    out.add(dir.resolve("tokenizer.json"));
    return out;
  }

  /** Loads {@code dir} (config, weights in this project's names, tokenizer). */
  public static ModelCheckpoint load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new CpiftException("hf:" + dir + ": no such directory (give hf: and a Hugging Face "
          + "model directory holding config.json, model.safetensors and tokenizer.json)");
    }
    ModelConfig config = config(dir);
    // the tensors by name; the conversion takes each out as it converts it, so the model is held
    // once (plus the tensor being converted), not in both layouts at once
    Map<String, Param> hf = new LinkedHashMap<>();
    for (Path f : weightFiles(dir)) {
      for (Param p : Safetensors.read(f).params().params()) {
        if (hf.put(p.name(), p) != null) {
          throw new CpiftException(f + ": tensor " + p.name() + " is also in another shard");
        }
      }
    }
    ParamSnapshot params = config.family() == ModelConfig.Family.GPT2 ? fromGpt2(hf, config, dir)
        : fromLlama(hf, config, dir);
    Tokenizer tok = HfTokenizer.load(dir);
    if (tok.vocabSize() > config.vocabSize()) {
      throw new CpiftException(dir + ": tokenizer.json has " + tok.vocabSize() + " tokens but "
          + "the model's embedding has " + config.vocabSize() + " rows; the tokenizer is not this "
          + "model's");
    }
    return new ModelCheckpoint(config, params, tok);
  }

  /** The model's configuration from {@code config.json}. */
  static ModelConfig config(Path dir) {
    Path file = dir.resolve(CONFIG_FILE);
    JsonNode c;
    try {
      c = Json.STRICT.readTree(file.toFile());
    } catch (IOException e) {
      throw new CpiftException(file + ": " + (Files.exists(file) ? "not valid JSON ("
          + e.getMessage() + ")" : "missing; a Hugging Face model directory has one"));
    }
    String type = c.path("model_type").asText("");
    if (LLAMA_TYPES.contains(type)) {
      return llamaConfig(c, file, type);
    }
    if (!type.equals("gpt2")) {
      throw new CpiftException(file + ": model_type '" + type + "' is not supported; supported: "
          + "gpt2, " + String.join(", ", LLAMA_TYPES));
    }
    int d = intField(c, file, "n_embd");
    int inner = c.path("n_inner").isNull() || c.path("n_inner").isMissingNode() ? 4 * d
        : intField(c, file, "n_inner");
    if (inner % d != 0) {
      throw new CpiftException(file + ": n_inner " + inner + " is not a multiple of n_embd " + d
          + "; this model's MLP width must be");
    }
    String act = c.path("activation_function").asText("gelu_new");
    ModelConfig.Activation activation = switch (act) {
      case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> ModelConfig.Activation.GELU_TANH;
      case "gelu" -> ModelConfig.Activation.GELU;
      default -> throw new CpiftException(file + ": activation_function '" + act + "' is not "
          + "supported; supported: gelu_new, gelu_pytorch_tanh, gelu");
    };
    if (!c.path("tie_word_embeddings").asBoolean(true)) {
      throw new CpiftException(file + ": tie_word_embeddings is false; gpt2 models here tie the "
          + "head to the token embedding");
    }
    try {
      return new ModelConfig(intField(c, file, "vocab_size"), d, intField(c, file, "n_layer"),
          intField(c, file, "n_head"), intField(c, file, "n_positions"), inner / d,
          ModelConfig.Norm.LAYER, (float) c.path("layer_norm_epsilon").asDouble(1e-5),
          (float) c.path("initializer_range").asDouble(0.02), ModelConfig.Family.GPT2,
          activation, ModelConfig.Architecture.GPT);
    } catch (IllegalArgumentException e) {
      throw new CpiftException(file + ": " + e.getMessage());
    }
  }

  /** The model types read as the llama family. */
  static final List<String> LLAMA_TYPES = List.of("llama", "mistral", "qwen2");

  /** A Llama-family config: Llama, Mistral (no sliding window within the context), Qwen2. */
  static ModelConfig llamaConfig(JsonNode c, Path file, String type) {
    int d = intField(c, file, "hidden_size");
    int heads = intField(c, file, "num_attention_heads");
    int kv = c.has("num_key_value_heads") && !c.get("num_key_value_heads").isNull()
        ? intField(c, file, "num_key_value_heads") : heads;
    if (c.has("head_dim") && !c.get("head_dim").isNull()
        && c.get("head_dim").asInt() * heads != d) {
      throw new CpiftException(file + ": head_dim " + c.get("head_dim") + " × "
          + heads + " heads is not hidden_size " + d + "; such models are not supported");
    }
    String act = c.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new CpiftException(file + ": hidden_act '" + act + "' is not supported; the llama "
          + "family here is SwiGLU (silu)");
    }
    if (c.has("rope_scaling") && !c.get("rope_scaling").isNull()) {
      throw new CpiftException(file + ": rope_scaling " + c.get("rope_scaling") + " is not "
          + "supported; only plain rotary positions (rope_theta) are");
    }
    int context = intField(c, file, "max_position_embeddings");
    JsonNode window = c.path("sliding_window");
    if (window.isIntegralNumber() && c.path("use_sliding_window").asBoolean(
        type.equals("mistral")) && window.asInt() < context) {
      throw new CpiftException(file + ": sliding_window " + window.asInt() + " is shorter than "
          + "max_position_embeddings " + context + "; sliding-window attention is not supported");
    }
    boolean qkvBias = type.equals("qwen2") || c.path("attention_bias").asBoolean(false);
    if (c.path("mlp_bias").asBoolean(false)) {
      throw new CpiftException(file + ": mlp_bias true is not supported");
    }
    try {
      return new ModelConfig(intField(c, file, "vocab_size"), d,
          intField(c, file, "num_hidden_layers"), heads, context, 1, ModelConfig.Norm.RMS,
          (float) c.path("rms_norm_eps").asDouble(1e-6),
          (float) c.path("initializer_range").asDouble(0.02), ModelConfig.Family.LLAMA,
          ModelConfig.Activation.SWIGLU, new ModelConfig.Architecture(
              intField(c, file, "intermediate_size"), kv, c.path("rope_theta").asDouble(10000),
              qkvBias ? ModelConfig.Bias.QKV : ModelConfig.Bias.NONE,
              c.path("tie_word_embeddings").asBoolean(false)));
    } catch (IllegalArgumentException e) {
      throw new CpiftException(file + ": " + e.getMessage());
    }
  }

  /**
   * Llama-family tensors in this project's names: {@code nn.Linear} weights {@code [out, in]}
   * transposed to {@code [in, out]}; the rotary buffers older checkpoints carry dropped.
   */
  static ParamSnapshot fromLlama(Map<String, Param> hf, ModelConfig c, Path where) {
    Map<String, Param> byName = hf;
    byName.keySet().removeIf(n -> n.endsWith("rotary_emb.inv_freq"));
    Map<String, long[]> layout = ParameterLayout.of(c);
    ParamSnapshot out = new ParamSnapshot();
    out.put(take(byName, "model.embed_tokens.weight", "wte", layout, where));
    for (int i = 0; i < c.nLayers(); i++) {
      String l = "model.layers." + i + ".";
      String h = "h" + i + "/";
      out.put(take(byName, l + "input_layernorm.weight", h + "ln1/g", layout, where));
      for (String x : new String[] {"q", "k", "v", "o"}) {
        out.put(transposed(byName, l + "self_attn." + x + "_proj.weight", h + "attn/w" + x,
            layout, where));
        if (layout.containsKey(h + "attn/b" + x)) {
          out.put(take(byName, l + "self_attn." + x + "_proj.bias", h + "attn/b" + x, layout,
              where));
        }
      }
      out.put(take(byName, l + "post_attention_layernorm.weight", h + "ln2/g", layout, where));
      out.put(transposed(byName, l + "mlp.gate_proj.weight", h + "mlp/wg", layout, where));
      out.put(transposed(byName, l + "mlp.up_proj.weight", h + "mlp/w1", layout, where));
      out.put(transposed(byName, l + "mlp.down_proj.weight", h + "mlp/w2", layout, where));
    }
    out.put(take(byName, "model.norm.weight", "ln_f/g", layout, where));
    if (c.arch().tiedHead()) {
      Param head = byName.remove("lm_head.weight");
      if (head != null && !java.util.Arrays.equals(head.data(), out.get("wte").data())) {
        throw new CpiftException(where + ": tie_word_embeddings is true but lm_head.weight "
            + "differs from model.embed_tokens.weight");
      }
    } else {
      out.put(take(byName, "lm_head.weight", "lm_head", layout, where));
    }
    if (!byName.isEmpty()) {
      throw new CpiftException(where + ": tensors " + byName.keySet() + " are not part of a "
          + "llama model of " + c.nLayers() + " layers as config.json describes it");
    }
    return out;
  }

  private static Param transposed(Map<String, Param> byName, String hfName, String name,
      Map<String, long[]> layout, Path where) {
    long[] ours = layout.get(name);
    Param p = byName.remove(hfName);
    check(p, hfName, new long[] {ours[1], ours[0]}, where);
    return new Param(name, ours, transpose(p.data(), (int) ours[1], (int) ours[0]));
  }

  /** The transpose of a row-major {@code [rows, cols]} matrix. */
  static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < cols; k++) {
        t[k * rows + r] = a[r * cols + k];
      }
    }
    return t;
  }

  /** This project's llama variables in Hugging Face's names ({@code [out, in]} weights). */
  static ParamSnapshot toLlama(ParamSnapshot params, ModelConfig c) {
    ParamSnapshot out = new ParamSnapshot();
    out.put(rename(params.get("wte"), "model.embed_tokens.weight"));
    for (int i = 0; i < c.nLayers(); i++) {
      String l = "model.layers." + i + ".";
      String h = "h" + i + "/";
      out.put(rename(params.get(h + "ln1/g"), l + "input_layernorm.weight"));
      for (String x : new String[] {"q", "k", "v", "o"}) {
        out.put(untransposed(params.get(h + "attn/w" + x), l + "self_attn." + x + "_proj.weight"));
        if (params.contains(h + "attn/b" + x)) {
          out.put(rename(params.get(h + "attn/b" + x), l + "self_attn." + x + "_proj.bias"));
        }
      }
      out.put(rename(params.get(h + "ln2/g"), l + "post_attention_layernorm.weight"));
      out.put(untransposed(params.get(h + "mlp/wg"), l + "mlp.gate_proj.weight"));
      out.put(untransposed(params.get(h + "mlp/w1"), l + "mlp.up_proj.weight"));
      out.put(untransposed(params.get(h + "mlp/w2"), l + "mlp.down_proj.weight"));
    }
    out.put(rename(params.get("ln_f/g"), "model.norm.weight"));
    if (!c.arch().tiedHead()) {
      out.put(rename(params.get("lm_head"), "lm_head.weight"));
    }
    return out;
  }

  private static Param untransposed(Param p, String name) {
    int rows = (int) p.shape()[0];
    int cols = (int) p.shape()[1];
    return new Param(name, new long[] {cols, rows}, transpose(p.data(), rows, cols));
  }

  private static int intField(JsonNode c, Path file, String name) {
    JsonNode v = c.path(name);
    if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
      throw new CpiftException(file + ": " + name + " must be a positive integer, got "
          + (v.isMissingNode() ? "nothing" : v.toString()));
    }
    return v.asInt();
  }

  /** model.safetensors, or the shards its index lists (each once, in order). */
  static List<Path> weightFiles(Path dir) {
    Path single = dir.resolve("model.safetensors");
    Path index = dir.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      JsonNode map;
      try {
        map = Json.STRICT.readTree(index.toFile()).path("weight_map");
      } catch (IOException e) {
        throw new CpiftException(index + ": not valid JSON (" + e.getMessage() + ")");
      }
      if (!map.isObject() || map.isEmpty()) {
        throw new CpiftException(index + ": no weight_map");
      }
      Set<Path> shards = new LinkedHashSet<>();
      for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
        Path shard = dir.resolve(it.next().asText()).normalize();
        if (!shard.startsWith(dir.normalize())) {
          throw new CpiftException(index + ": shard " + shard + " is outside the directory");
        }
        if (!Files.isRegularFile(shard)) {
          throw new CpiftException(index + " lists shard " + dir.relativize(shard)
              + ", which is missing; download every shard");
        }
        shards.add(shard);
      }
      return new ArrayList<>(shards);
    }
    if (!Files.isRegularFile(single)) {
      throw new CpiftException(dir + ": neither model.safetensors nor " + INDEX_FILE
          + " (only safetensors weights are read; convert a .bin checkpoint first)");
    }
    return List.of(single);
  }

  /** GPT-2's tensors in this project's names: c_attn split into q, k, v; buffers dropped. */
  static ParamSnapshot fromGpt2(Map<String, Param> hf, ModelConfig c, Path where) {
    Map<String, Param> byName = new LinkedHashMap<>();
    for (Param p : hf.values()) {
      String n = p.name().startsWith(GPT2_PREFIX) ? p.name().substring(GPT2_PREFIX.length())
          : p.name();
      if (n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias")) {
        continue; // the causal-mask buffers older checkpoints carry
      }
      byName.put(n, p);
    }
    hf.clear();
    Param head = byName.remove("lm_head.weight");
    int d = c.dModel();
    Map<String, long[]> layout = ParameterLayout.of(c);
    ParamSnapshot out = new ParamSnapshot();
    out.put(take(byName, "wte.weight", "wte", layout, where));
    out.put(take(byName, "wpe.weight", "wpe", layout, where));
    if (head != null && !java.util.Arrays.equals(head.data(), out.get("wte").data())) {
      throw new CpiftException(where + ": lm_head.weight differs from wte.weight, but the head "
          + "is tied to the token embedding here");
    }
    for (int i = 0; i < c.nLayers(); i++) {
      String hf0 = "h." + i + ".";
      String h = "h" + i + "/";
      out.put(take(byName, hf0 + "ln_1.weight", h + "ln1/g", layout, where));
      out.put(take(byName, hf0 + "ln_1.bias", h + "ln1/b", layout, where));
      Param w = byName.remove(hf0 + "attn.c_attn.weight");
      Param b = byName.remove(hf0 + "attn.c_attn.bias");
      check(w, hf0 + "attn.c_attn.weight", new long[] {d, 3L * d}, where);
      check(b, hf0 + "attn.c_attn.bias", new long[] {3L * d}, where);
      String[] qkv = {"q", "k", "v"};
      for (int k = 0; k < 3; k++) {
        float[] wk = new float[d * d];
        for (int r = 0; r < d; r++) {
          System.arraycopy(w.data(), r * 3 * d + k * d, wk, r * d, d);
        }
        float[] bk = new float[d];
        System.arraycopy(b.data(), k * d, bk, 0, d);
        out.put(new Param(h + "attn/w" + qkv[k], new long[] {d, d}, wk));
        out.put(new Param(h + "attn/b" + qkv[k], new long[] {d}, bk));
      }
      out.put(take(byName, hf0 + "attn.c_proj.weight", h + "attn/wo", layout, where));
      out.put(take(byName, hf0 + "attn.c_proj.bias", h + "attn/bo", layout, where));
      out.put(take(byName, hf0 + "ln_2.weight", h + "ln2/g", layout, where));
      out.put(take(byName, hf0 + "ln_2.bias", h + "ln2/b", layout, where));
      out.put(take(byName, hf0 + "mlp.c_fc.weight", h + "mlp/w1", layout, where));
      out.put(take(byName, hf0 + "mlp.c_fc.bias", h + "mlp/b1", layout, where));
      out.put(take(byName, hf0 + "mlp.c_proj.weight", h + "mlp/w2", layout, where));
      out.put(take(byName, hf0 + "mlp.c_proj.bias", h + "mlp/b2", layout, where));
    }
    out.put(take(byName, "ln_f.weight", "ln_f/g", layout, where));
    out.put(take(byName, "ln_f.bias", "ln_f/b", layout, where));
    if (!byName.isEmpty()) {
      throw new CpiftException(where + ": tensors " + byName.keySet() + " are not part of a "
          + "gpt2 model of " + c.nLayers() + " layers (config.json's n_layer disagrees with "
          + "the weights?)");
    }
    return out;
  }

  private static Param take(Map<String, Param> byName, String hfName, String name,
      Map<String, long[]> layout, Path where) {
    Param p = byName.remove(hfName);
    check(p, hfName, layout.get(name), where);
    return new Param(name, p.shape(), p.data());
  }

  private static void check(Param p, String hfName, long[] shape, Path where) {
    if (p == null) {
      throw new CpiftException(where + ": tensor " + hfName + " is missing (a shard is missing, "
          + "or config.json does not describe these weights)");
    }
    if (!java.util.Arrays.equals(p.shape(), shape)) {
      throw new CpiftException(where + ": tensor " + hfName + " has shape "
          + java.util.Arrays.toString(p.shape()) + " but config.json implies "
          + java.util.Arrays.toString(shape));
    }
  }

  /** This project's variables in GPT-2's names (q, k, v fused into c_attn), with its prefix. */
  static ParamSnapshot toGpt2(ParamSnapshot params, ModelConfig c) {
    int d = c.dModel();
    ParamSnapshot out = new ParamSnapshot();
    String t = GPT2_PREFIX;
    out.put(rename(params.get("wte"), t + "wte.weight"));
    out.put(rename(params.get("wpe"), t + "wpe.weight"));
    for (int i = 0; i < c.nLayers(); i++) {
      String hf0 = t + "h." + i + ".";
      String h = "h" + i + "/";
      out.put(rename(params.get(h + "ln1/g"), hf0 + "ln_1.weight"));
      out.put(rename(params.get(h + "ln1/b"), hf0 + "ln_1.bias"));
      float[] w = new float[d * 3 * d];
      float[] b = new float[3 * d];
      String[] qkv = {"q", "k", "v"};
      for (int k = 0; k < 3; k++) {
        float[] wk = params.get(h + "attn/w" + qkv[k]).data();
        for (int r = 0; r < d; r++) {
          System.arraycopy(wk, r * d, w, r * 3 * d + k * d, d);
        }
        System.arraycopy(params.get(h + "attn/b" + qkv[k]).data(), 0, b, k * d, d);
      }
      out.put(new Param(hf0 + "attn.c_attn.weight", new long[] {d, 3L * d}, w));
      out.put(new Param(hf0 + "attn.c_attn.bias", new long[] {3L * d}, b));
      out.put(rename(params.get(h + "attn/wo"), hf0 + "attn.c_proj.weight"));
      out.put(rename(params.get(h + "attn/bo"), hf0 + "attn.c_proj.bias"));
      out.put(rename(params.get(h + "ln2/g"), hf0 + "ln_2.weight"));
      out.put(rename(params.get(h + "ln2/b"), hf0 + "ln_2.bias"));
      out.put(rename(params.get(h + "mlp/w1"), hf0 + "mlp.c_fc.weight"));
      out.put(rename(params.get(h + "mlp/b1"), hf0 + "mlp.c_fc.bias"));
      out.put(rename(params.get(h + "mlp/w2"), hf0 + "mlp.c_proj.weight"));
      out.put(rename(params.get(h + "mlp/b2"), hf0 + "mlp.c_proj.bias"));
    }
    out.put(rename(params.get("ln_f/g"), t + "ln_f.weight"));
    out.put(rename(params.get("ln_f/b"), t + "ln_f.bias"));
    return out;
  }

  private static Param rename(Param p, String name) {
    return new Param(name, p.shape(), p.data());
  }

  /**
   * Writes {@code m} as a Hugging Face gpt2 directory: config.json, model.safetensors (F32) and
   * the tokenizer. The model must be a gpt2-family model whose tokenizer is a Hugging Face one
   * (this project's own char-level models have no Hugging Face family to be loaded as).
   */
  public static void export(ModelCheckpoint m, Path dir) {
    ModelConfig c = m.config();
    if (c.family() == ModelConfig.Family.CPIFT_GPT) {
      throw new CpiftException("only models of a Hugging Face family (gpt2, llama) can be "
          + "exported; this one is " + c.family().id() + " (the project's own layout, with a "
          + "character tokenizer Hugging Face cannot load)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new CpiftException("cannot create " + dir + ": " + e.getMessage());
    }
    if (c.family() == ModelConfig.Family.LLAMA) {
      writeModel(dir, llamaConfigJson(c, m.tokenizer()), toLlama(m.params(), c), m.tokenizer());
      return;
    }
    ObjectNode cfg = Json.MAPPER.createObjectNode();
    cfg.put("model_type", "gpt2");
    cfg.putArray("architectures").add("GPT2LMHeadModel");
    cfg.put("vocab_size", c.vocabSize());
    cfg.put("n_embd", c.dModel());
    cfg.put("n_layer", c.nLayers());
    cfg.put("n_head", c.nHeads());
    cfg.put("n_positions", c.contextLength());
    cfg.put("n_ctx", c.contextLength());
    cfg.put("n_inner", c.mlpWidth());
    cfg.put("activation_function", c.activation() == ModelConfig.Activation.GELU_TANH
        ? "gelu_new" : "gelu");
    cfg.put("layer_norm_epsilon", Double.parseDouble(Float.toString(c.normEps())));
    cfg.put("initializer_range", Double.parseDouble(Float.toString(c.initStd())));
    cfg.put("tie_word_embeddings", true);
    cfg.put("bos_token_id", m.tokenizer().bos());
    cfg.put("eos_token_id", m.tokenizer().eos());
    cfg.put("torch_dtype", "float32");
    writeModel(dir, cfg, toGpt2(m.params(), c), m.tokenizer());
  }

  private static void writeModel(Path dir, ObjectNode cfg, ParamSnapshot tensors, Tokenizer tok) {
    if (Files.exists(dir.resolve(INDEX_FILE))) {
      // a loader reads the shards the index lists before model.safetensors: the old weights
      throw new CpiftException(dir + " holds a sharded checkpoint (" + INDEX_FILE + "), which "
          + "would be loaded instead of the model written here; write into an empty folder");
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    org.cpift.util.Checksums.rewrite(dir, List.of(CONFIG_FILE, "model.safetensors",
        "tokenizer.json"), List.of(org.cpift.data.HfTokenizer.CONFIG_FILE), () -> {
          Safetensors.write(dir.resolve("model.safetensors"), tensors, meta);
          tok.save(dir.resolve("tokenizer.json"));
          AtomicFiles.writeString(dir.resolve(CONFIG_FILE), Json.write(cfg) + "\n");
        });
  }


  /** config.json of a llama-family model: "qwen2" when it has q/k/v biases, else "llama". */
  private static ObjectNode llamaConfigJson(ModelConfig c, Tokenizer tok) {
    boolean qwen = c.arch().bias() == ModelConfig.Bias.QKV;
    ObjectNode cfg = Json.MAPPER.createObjectNode();
    cfg.put("model_type", qwen ? "qwen2" : "llama");
    cfg.putArray("architectures").add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    cfg.put("vocab_size", c.vocabSize());
    cfg.put("hidden_size", c.dModel());
    cfg.put("intermediate_size", c.mlpWidth());
    cfg.put("num_hidden_layers", c.nLayers());
    cfg.put("num_attention_heads", c.nHeads());
    cfg.put("num_key_value_heads", c.kvHeads());
    cfg.put("max_position_embeddings", c.contextLength());
    cfg.put("rms_norm_eps", Double.parseDouble(Float.toString(c.normEps())));
    cfg.put("rope_theta", c.arch().ropeTheta());
    cfg.put("hidden_act", "silu");
    cfg.put("attention_bias", qwen);
    cfg.put("tie_word_embeddings", c.arch().tiedHead());
    cfg.put("initializer_range", Double.parseDouble(Float.toString(c.initStd())));
    cfg.put("bos_token_id", tok.bos());
    cfg.put("eos_token_id", tok.eos());
    cfg.put("torch_dtype", "float32");
    return cfg;
  }
}
