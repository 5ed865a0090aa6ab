package org.cpift.suite;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cpift.util.CpiftException;

/**
 * A reader of the WordNet 3.0 database files ({@code index.*}, {@code data.*}) as shipped by
 * Debian's {@code wordnet-base} in {@code /usr/share/wordnet}. Only what the suite needs: each
 * lemma's senses in frequency order, each synset's words, pointers and gloss.
 */
public final class WordNet {
  /** Where Debian's {@code wordnet-base} installs the database. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/wordnet");

  /** A pointer from one synset (or one of its words) to another. */
  public record Pointer(String symbol, String target, char pos, int sourceWord, int targetWord) {}

  /** A synset: its words (as written, with underscores), pointers and gloss. */
  public record Synset(String offset, char pos, List<String> words, List<Pointer> pointers,
      String gloss) {

    /** The definition: the gloss up to the first example, without trailing punctuation. */
    public String definition() {
      String d = gloss;
      int q = d.indexOf("; \"");
      if (q >= 0) {
        d = d.substring(0, q);
      } else if (d.startsWith("\"")) {
        d = "";
      }
      return d.strip().replaceAll("[;:,]$", "");
    }

    /** The quoted example sentences of the gloss. */
    public List<String> examples() {
      List<String> out = new ArrayList<>();
      int i = 0;
      while ((i = gloss.indexOf('"', i)) >= 0) {
        int j = gloss.indexOf('"', i + 1);
        if (j < 0) {
          break;
        }
        out.add(gloss.substring(i + 1, j));
        i = j + 1;
      }
      return out;
    }
  }

  /** A lemma's entry in {@code index.pos}: its synsets, most frequent first. */
  public record Lemma(String lemma, char pos, int tagSenseCount, List<String> synsets) {}

  private final Map<String, Synset> synsets = new HashMap<>();
  private final Map<Character, Map<String, String>> irregular = new HashMap<>();
  private Path dir;
  private final List<Lemma> lemmas = new ArrayList<>();

  private WordNet() {}

  /** Loads nouns, verbs and adjectives from {@code dir}. */
  public static WordNet load(Path dir) {
    if (!Files.isRegularFile(dir.resolve("data.noun"))) {
      throw new CpiftException("WordNet not found in " + dir + "; install it with "
          + "'apt-get install wordnet-base' (Debian) or pass the folder that holds data.noun");
    }
    WordNet wn = new WordNet();
    wn.dir = dir;
    for (String pos : List.of("noun", "verb", "adj")) {
      try {
        wn.readData(dir.resolve("data." + pos));
        wn.readIndex(dir.resolve("index." + pos));
      } catch (IOException e) {
        throw new CpiftException("cannot read WordNet in " + dir + ": " + e.getMessage());
      }
    }
    return wn;
  }

  private void readData(Path file) throws IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith(" ")) {
        continue; // licence header
      }
      int bar = line.indexOf(" | ");
      String[] t = line.substring(0, bar < 0 ? line.length() : bar).split(" ");
      String gloss = bar < 0 ? "" : line.substring(bar + 3).strip();
      String offset = t[0];
      char pos = t[2].charAt(0) == 's' ? 'a' : t[2].charAt(0);
      int wCnt = Integer.parseInt(t[3], 16);
      List<String> words = new ArrayList<>();
      int i = 4;
      for (int w = 0; w < wCnt; w++) {
        String word = t[i];
        int paren = word.indexOf('(');
        words.add(paren >= 0 ? word.substring(0, paren) : word); // adjective markers like (a)
        i += 2;
      }
      int pCnt = Integer.parseInt(t[i++]);
      List<Pointer> ptrs = new ArrayList<>();
      for (int p = 0; p < pCnt; p++) {
        String st = t[i + 3];
        char tpos = t[i + 2].charAt(0) == 's' ? 'a' : t[i + 2].charAt(0);
        ptrs.add(new Pointer(t[i], t[i + 1], tpos, Integer.parseInt(st.substring(0, 2), 16),
            Integer.parseInt(st.substring(2, 4), 16)));
        i += 4;
      }
      synsets.put(pos + offset, new Synset(offset, pos, words, ptrs, gloss));
    }
  }

  private void readIndex(Path file) throws IOException {
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith(" ")) {
        continue;
      }
      String[] t = line.strip().split(" ");
      char pos = t[1].charAt(0);
      int synsetCnt = Integer.parseInt(t[2]);
      int pCnt = Integer.parseInt(t[3]);
      int at = 4 + pCnt;
      int tagSense = Integer.parseInt(t[at + 1]);
      List<String> offs = new ArrayList<>();
      for (int s = 0; s < synsetCnt; s++) {
        offs.add(t[at + 2 + s]);
      }
      lemmas.add(new Lemma(t[0], pos, tagSense, offs));
    }
  }

  /**
   * Irregular inflections from {@code <pos>.exc} ('n' → noun.exc): base form → its first listed
   * inflected form.
   */
  public Map<String, String> irregular(char pos) {
    return irregular.computeIfAbsent(pos, p -> {
      String file = p == 'n' ? "noun.exc" : p == 'v' ? "verb.exc" : "adj.exc";
      Map<String, String> m = new java.util.LinkedHashMap<>();
      try {
        for (String line : Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8)) {
          String[] t = line.strip().split(" ");
          if (t.length >= 2 && !t[0].equals(t[1])) {
            m.putIfAbsent(t[1], t[0]);
          }
        }
      } catch (IOException e) {
        throw new CpiftException("cannot read " + dir.resolve(file) + ": " + e.getMessage());
      }
      return m;
    });
  }

  /** Inflected form → base forms, from {@code <pos>.exc} (for re-checking). */
  public Map<String, List<String>> exceptions(char pos) {
    String file = pos == 'n' ? "noun.exc" : pos == 'v' ? "verb.exc" : "adj.exc";
    Map<String, List<String>> m = new HashMap<>();
    try {
      for (String line : Files.readAllLines(dir.resolve(file), StandardCharsets.UTF_8)) {
        String[] t = line.strip().split(" ");
        for (int i = 1; i < t.length; i++) {
          m.computeIfAbsent(t[0], k -> new ArrayList<>()).add(t[i]);
        }
      }
    } catch (IOException e) {
      throw new CpiftException("cannot read " + dir.resolve(file) + ": " + e.getMessage());
    }
    return m;
  }

  public List<Lemma> lemmas() {
    return lemmas;
  }

  /** The synset at {@code offset} of part of speech {@code pos} ('n', 'v' or 'a'). */
  public Synset synset(char pos, String offset) {
    return synsets.get(pos + offset);
  }
}
