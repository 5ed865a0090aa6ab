package org.cpift.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.cpift.util.AtomicFiles;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, e.g. GPT-2's byte-level BPE or a Llama
 * SentencePiece-BPE), run by the Hugging Face {@code tokenizers} library through DJL, never
 * re-implemented here. Text is encoded without special tokens; the special ids come from
 * {@code tokenizer_config.json} beside the file ({@code bos_token}, {@code eos_token},
 * {@code pad_token}) resolved through the file's {@code added_tokens}, or, without a config, from
 * its one special added token (GPT-2's {@code <|endoftext|>} serves as bos, eos and pad). There is
 * no separator: prompt and answer are joined directly, as a pretrained model saw text.
 */
public final class HfTokenizer implements Tokenizer, AutoCloseable {
  /** The file beside {@code tokenizer.json} that names its special tokens. */
  public static final String CONFIG_FILE = "tokenizer_config.json";

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final int bos;
  private final int eos;
  private final int pad;

  private HfTokenizer(Path file, HuggingFaceTokenizer tokenizer, int vocabSize, int bos, int eos,
      int pad) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.bos = bos;
    this.eos = eos;
    this.pad = pad;
  }

  /** Loads {@code tokenizer.json} from {@code dir} (a directory, or the file itself). */
  public static HfTokenizer load(Path dir) {
    Path file = Files.isDirectory(dir) ? dir.resolve("tokenizer.json") : dir;
    if (!Files.isRegularFile(file)) {
      throw new CpiftException("no tokenizer.json at " + file + " (a Hugging Face model "
          + "directory holds one beside config.json)");
    }
    JsonNode spec;
    try {
      spec = Json.STRICT.readTree(file.toFile());
    } catch (IOException e) {
      throw new CpiftException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")");
    }
    Map<String, Integer> added = new HashMap<>();
    String onlySpecial = null;
    int specials = 0;
    int maxId = -1;
    for (JsonNode t : spec.path("added_tokens")) {
      added.put(t.path("content").asText(), t.path("id").asInt());
      maxId = Math.max(maxId, t.path("id").asInt());
      if (t.path("special").asBoolean(false)) {
        specials++;
        onlySpecial = t.path("content").asText();
      }
    }
    for (JsonNode id : spec.path("model").path("vocab")) {
      maxId = Math.max(maxId, id.asInt()); // BPE and WordPiece: token -> id
    }
    if (spec.path("model").path("vocab").isArray()) {
      maxId = Math.max(maxId, spec.path("model").path("vocab").size() - 1); // Unigram: [token, score]
    }
    if (maxId < 0) {
      throw new CpiftException(file + ": no vocabulary (model.vocab) and no added tokens");
    }
    Map<String, String> names = specialNames(file.resolveSibling(CONFIG_FILE));
    String fallback = specials == 1 ? onlySpecial : null;
    int bos = id(names.getOrDefault("bos_token", fallback), added, file, "bos_token");
    int eos = id(names.getOrDefault("eos_token", fallback), added, file, "eos_token");
    String padName = names.getOrDefault("pad_token", null);
    int pad = padName == null ? eos : id(padName, added, file, "pad_token");
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false",
          "truncation", "false", "padding", "false"));
    } catch (IOException | RuntimeException e) {
      throw new CpiftException(file + ": the Hugging Face tokenizers library cannot load it ("
          + e.getMessage() + ")");
    }
    return new HfTokenizer(file, hf, maxId + 1, bos, eos, pad);
  }

  /** bos/eos/pad token strings from tokenizer_config.json (a string or {"content": ...}). */
  private static Map<String, String> specialNames(Path config) {
    Map<String, String> out = new HashMap<>();
    if (!Files.isRegularFile(config)) {
      return out;
    }
    JsonNode c;
    try {
      c = Json.STRICT.readTree(config.toFile());
    } catch (IOException e) {
      throw new CpiftException(config + ": not valid JSON (" + e.getMessage() + ")");
    }
    for (String k : new String[] {"bos_token", "eos_token", "pad_token"}) {
      JsonNode v = c.path(k);
      if (v.isTextual()) {
        out.put(k, v.asText());
      } else if (v.isObject() && v.path("content").isTextual()) {
        out.put(k, v.path("content").asText());
      }
    }
    return out;
  }

  private static int id(String token, Map<String, Integer> added, Path file, String role) {
    if (token == null) {
      throw new CpiftException(file + ": cannot tell the " + role + " (no tokenizer_config.json "
          + "naming it and not exactly one special added token); add a tokenizer_config.json "
          + "with \"" + role + "\"");
    }
    Integer id = added.get(token);
    if (id == null) {
      throw new CpiftException(file + ": the " + role + " '" + token + "' is not among the "
          + "file's added_tokens");
    }
    return id;
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int[] encode(String text, String where) {
    Encoding e = tokenizer.encode(text, false, false);
    long[] ids = e.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  @Override
  public String decode(int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, true);
  }

  @Override
  public int bos() {
    return bos;
  }

  @Override
  public int eos() {
    return eos;
  }

  @Override
  public int pad() {
    return pad;
  }

  @Override
  public int sep() {
    return -1;
  }

  /**
   * Copies the tokenizer's files ({@code tokenizer.json}, its config) beside a model; a config
   * left there by an earlier tokenizer is removed when this one has none (it would be read).
   */
  @Override
  public void save(Path target) {
    try {
      byte[] json = Files.readAllBytes(file);
      Path config = file.resolveSibling(CONFIG_FILE);
      byte[] c = Files.isRegularFile(config) ? Files.readAllBytes(config) : null;
      AtomicFiles.write(target, out -> out.write(json));
      if (c != null) {
        AtomicFiles.write(target.resolveSibling(CONFIG_FILE), out -> out.write(c));
      } else {
        Files.deleteIfExists(target.resolveSibling(CONFIG_FILE));
      }
    } catch (IOException e) {
      throw new CpiftException("cannot copy the tokenizer " + file + " to " + target + ": "
          + e.getMessage());
    }
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
