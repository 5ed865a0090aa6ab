package org.cpift.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs documents for language-model pretraining: consecutive documents are joined with a blank
 * line into chunks of at most {@code maxChars}; a longer document is split at spaces. Each chunk
 * becomes a record with an empty prompt, so every token carries loss.
 */
public final class Packing {
  private Packing() {}

  public static List<SftRecord> pack(List<String> documents, int maxChars) {
    if (maxChars < 16) {
      throw new IllegalArgumentException("maxChars must be >= 16, got " + maxChars);
    }
    List<String> pieces = new ArrayList<>();
    for (String d : documents) {
      String rest = d.strip();
      while (rest.length() > maxChars) {
        int cut = rest.lastIndexOf(' ', maxChars);
        if (cut <= 0) {
          cut = maxChars;
        }
        pieces.add(rest.substring(0, cut).strip());
        rest = rest.substring(cut).strip();
      }
      if (!rest.isEmpty()) {
        pieces.add(rest);
      }
    }
    List<SftRecord> out = new ArrayList<>();
    StringBuilder chunk = new StringBuilder();
    for (String p : pieces) {
      if (chunk.length() > 0 && chunk.length() + 2 + p.length() > maxChars) {
        out.add(new SftRecord("", chunk.toString(), "chunk-" + out.size(), null));
        chunk.setLength(0);
      }
      if (chunk.length() > 0) {
        chunk.append("\n\n");
      }
      chunk.append(p);
    }
    if (chunk.length() > 0) {
      out.add(new SftRecord("", chunk.toString(), "chunk-" + out.size(), null));
    }
    return out;
  }
}
