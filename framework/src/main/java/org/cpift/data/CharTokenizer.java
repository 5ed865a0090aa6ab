package org.cpift.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * Character-level tokenizer over a fixed vocabulary: the special tokens pad, bos, eos, sep and
 * unk (ids 0..4), then newline and the 95 printable ASCII characters. Saved as
 * {@code tokenizer.json} beside every model, so all models fine-tuned from one base share it.
 * Text outside the vocabulary fails with the offending character and position, unless the
 * tokenizer is configured to map it to {@code <unk>}.
 */
public final class CharTokenizer implements Tokenizer {
  public static final int PAD = 0;
  public static final int BOS = 1;
  public static final int EOS = 2;
  public static final int SEP = 3;
  public static final int UNK = 4;
  static final String[] SPECIALS = {"<pad>", "<bos>", "<eos>", "<sep>", "<unk>"};

  /** Newline then printable ASCII 32..126. */
  public static final String DEFAULT_CHARS;

  static {
    StringBuilder sb = new StringBuilder("\n");
    for (char c = 32; c < 127; c++) {
      sb.append(c);
    }
    DEFAULT_CHARS = sb.toString();
  }

  private final String chars;
  private final boolean mapUnknown;
  private final int[] idOfChar = new int[128];

  public CharTokenizer(String chars, boolean mapUnknown) {
    this.chars = chars;
    this.mapUnknown = mapUnknown;
    java.util.Arrays.fill(idOfChar, -1);
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      if (c >= 128) {
        throw new IllegalArgumentException("tokenizer characters must be ASCII, found U+"
            + Integer.toHexString(c));
      }
      if (idOfChar[c] >= 0) {
        throw new IllegalArgumentException("duplicate tokenizer character " + (int) c);
      }
      idOfChar[c] = SPECIALS.length + i;
    }
  }

  /** The default vocabulary (101 tokens), failing on unknown characters. */
  public static CharTokenizer standard() {
    return new CharTokenizer(DEFAULT_CHARS, false);
  }

  @Override
  public int bos() {
    return BOS;
  }

  @Override
  public int eos() {
    return EOS;
  }

  @Override
  public int pad() {
    return PAD;
  }

  @Override
  public int sep() {
    return SEP;
  }

  @Override
  public int vocabSize() {
    return SPECIALS.length + chars.length();
  }

  /** Encodes {@code text}; {@code where} names the source in an error message. */
  @Override
  public int[] encode(String text, String where) {
    int[] ids = new int[text.length()];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int id = c < 128 ? idOfChar[c] : -1;
      if (id < 0) {
        if (!mapUnknown) {
          throw new CpiftException(where + ": character " + describe(c) + " at position " + i
              + " is not in the tokenizer's vocabulary (printable ASCII and newline); "
              + "clean the text or configure the tokenizer to map unknown characters to <unk>");
        }
        id = UNK;
      }
      ids[i] = id;
    }
    return ids;
  }

  public int[] encode(String text) {
    return encode(text, "text");
  }

  /** Decodes ids, skipping special tokens other than unk (shown as U+FFFD). */
  public String decode(int[] ids, int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      int id = ids[i];
      if (id == UNK) {
        sb.append('\uFFFD');
      } else if (id >= SPECIALS.length && id < vocabSize()) {
        sb.append(chars.charAt(id - SPECIALS.length));
      }
    }
    return sb.toString();
  }

  @Override
  public String decode(int[] ids) {
    return decode(ids, 0, ids.length);
  }

  /** One character per token, so exactly {@code chars}. */
  @Override
  public int maxTokensFor(int chars) {
    return chars;
  }

  private static String describe(char c) {
    return (c >= 32 && c < 127 ? "'" + c + "' " : "") + String.format("(U+%04X)", (int) c);
  }

  /** Writes {@code tokenizer.json} (atomically). */
  @Override
  public void save(Path file) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "char");
    m.put("specials", SPECIALS);
    m.put("chars", chars);
    m.put("map_unknown", mapUnknown);
    m.put("vocab_size", vocabSize());
    Json.writeFile(file, m);
  }

  /** Loads a tokenizer written by {@link #save}. */
  public static CharTokenizer load(Path file) {
    JsonNode n;
    try {
      n = Json.STRICT.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new CpiftException("tokenizer file not found: " + file);
    } catch (IOException e) {
      throw new CpiftException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")");
    }
    if (!"char".equals(n.path("type").asText()) || !n.path("chars").isTextual()) {
      throw new CpiftException(file + ": expected a char tokenizer with \"type\": \"char\" and "
          + "\"chars\"");
    }
    JsonNode specials = n.path("specials");
    for (int i = 0; i < SPECIALS.length; i++) {
      if (!SPECIALS[i].equals(specials.path(i).asText())) {
        throw new CpiftException(file + ": special tokens must be " + String.join(",", SPECIALS));
      }
    }
    return new CharTokenizer(n.get("chars").asText(), n.path("map_unknown").asBoolean(false));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CharTokenizer t && t.chars.equals(chars) && t.mapUnknown == mapUnknown;
  }

  @Override
  public int hashCode() {
    return chars.hashCode();
  }
}
