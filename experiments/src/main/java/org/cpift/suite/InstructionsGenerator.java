package org.cpift.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;

/**
 * {@code instructions} (stands for Alpaca): instruction/input/output items built from the real
 * WordNet 3.0 database — which word a definition describes, the opposite of an adjective, a more
 * general word (hypernym) for a noun, and a fill-in-the-blank from WordNet's own example sentences.
 * Words are the common ones (WordNet sense-tagged frequency), first senses only.
 */
public final class InstructionsGenerator implements TaskGenerator {
  static final Pattern WORD = Pattern.compile("[a-z]{3,12}");
  static final int MAX_WORDS = 2500;

  /** One item, with the fact behind it (kept for the corpus and for re-checking). */
  record Item(String kind, String input, String answer, String word) {}

  private final List<Item> items = new ArrayList<>();
  private final Map<String, String> glossLines = new LinkedHashMap<>();

  public InstructionsGenerator(Path wordnetDir) {
    WordNet wn = WordNet.load(wordnetDir);
    List<WordNet.Lemma> common = new ArrayList<>(wn.lemmas().stream()
        .filter(l -> WORD.matcher(l.lemma()).matches() && l.tagSenseCount() >= 3)
        .sorted(Comparator.comparingInt(WordNet.Lemma::tagSenseCount).reversed()
            .thenComparing(WordNet.Lemma::lemma).thenComparing(l -> l.pos()))
        .toList());
    if (common.size() > MAX_WORDS) {
      common = new ArrayList<>(common.subList(0, MAX_WORDS));
    }
    for (WordNet.Lemma l : common) {
      WordNet.Synset s = wn.synset(l.pos(), l.synsets().get(0));
      if (s == null) {
        continue;
      }
      String def = s.definition();
      String posName = l.pos() == 'n' ? "noun" : l.pos() == 'v' ? "verb" : "adjective";
      glossLines.put(l.lemma() + "/" + l.pos(), l.lemma() + " (" + posName + "): " + s.gloss());
      boolean head = s.words().get(0).equalsIgnoreCase(l.lemma());
      if (head && def.length() >= 10 && def.length() <= 90 && !def.contains(l.lemma())) {
        items.add(new Item("define", def, l.lemma(), l.lemma()));
      }
      for (WordNet.Pointer p : s.pointers()) {
        WordNet.Synset t = wn.synset(p.pos(), p.target());
        if (t == null) {
          continue;
        }
        if (p.symbol().equals("!") && l.pos() == 'a') {
          int srcIdx = p.sourceWord() - 1;
          if (srcIdx >= 0 && srcIdx < s.words().size() && s.words().get(srcIdx).equals(l.lemma())) {
            String ant = t.words().get(Math.max(0, p.targetWord() - 1));
            if (WORD.matcher(ant).matches()) {
              items.add(new Item("antonym", l.lemma(), ant, l.lemma()));
              glossLines.merge(l.lemma() + "/" + l.pos(), " The opposite of " + l.lemma()
                  + " is " + ant + ".", String::concat);
            }
          }
        }
        if (p.symbol().equals("@") && l.pos() == 'n' && p.sourceWord() == 0) {
          String hyper = t.words().get(0);
          if (WORD.matcher(hyper).matches() && !hyper.equals(l.lemma())) {
            items.add(new Item("hypernym", l.lemma(), hyper, l.lemma()));
            glossLines.merge(l.lemma() + "/" + l.pos(), " A " + l.lemma() + " is a kind of "
                + hyper + ".", String::concat);
          }
        }
      }
      for (String ex : s.examples()) {
        String blanked = ex.replaceAll("\\b" + Pattern.quote(l.lemma()) + "\\b", "___");
        if (!blanked.equals(ex) && blanked.indexOf("___") == blanked.lastIndexOf("___")
            && ex.length() <= 90 && ex.chars().allMatch(c -> c >= 32 && c < 127)) {
          items.add(new Item("blank", blanked, l.lemma(), l.lemma()));
        }
      }
    }
  }

  public InstructionsGenerator() {
    this(WordNet.DEFAULT_DIR);
  }

  /** Number of distinct items this WordNet yields. */
  public int size() {
    return items.size();
  }

  List<Item> items() {
    return items;
  }

  @Override
  public String name() {
    return "instructions";
  }

  @Override
  public Metric metric() {
    return Metric.EXACT;
  }

  @Override
  public String description() {
    return "Stands for **Alpaca** (general instruction following). Instruction/input/output items "
        + "built from the real WordNet 3.0 database: give the word a definition describes, give "
        + "the opposite of an adjective, give a more general word for a noun, and fill in the "
        + "blank of one of WordNet's own example sentences. About " + MAX_WORDS + " common words "
        + "(WordNet's sense-tagged frequency >= 3), first senses only. It tests recall of lexical "
        + "knowledge under varied instructions; the base models saw WordNet's glosses (not these "
        + "items) in pretraining.";
  }

  @Override
  public String source() {
    return "WordNet 3.0, Debian package `wordnet-base` (`/usr/share/wordnet`). Licence: the "
        + "WordNet 3.0 licence (permissive; \"WordNet 3.0 Copyright 2006 by Princeton University. "
        + "All rights reserved.\"), which allows use, copying, modification and distribution with "
        + "this notice. Items are derived by `" + getClass().getName() + "`.";
  }

  @Override
  public SftRecord example(SplittableRandom rnd) {
    Item it = items.get(rnd.nextInt(items.size()));
    String instruction = switch (it.kind()) {
      case "define" -> "Give the word that this definition describes.";
      case "antonym" -> "Give the opposite of this word.";
      case "hypernym" -> "Give a more general word for this word.";
      default -> "Fill in the blank with one word.";
    };
    return new SftRecord("Instruction: " + instruction + "\nInput: " + it.input(), it.answer());
  }

  @Override
  public List<String> pretrainingText(SplittableRandom rnd, int documents) {
    List<String> lines = new ArrayList<>(glossLines.values());
    List<String> out = new ArrayList<>();
    // every gloss appears at least once; the rest are random repeats
    for (int i = 0; i < Math.max(documents, lines.size()); i++) {
      out.add(i < lines.size() ? lines.get(i) : lines.get(rnd.nextInt(lines.size())));
    }
    return out;
  }
}
