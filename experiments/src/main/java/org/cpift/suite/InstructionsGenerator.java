package org.cpift.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.cpift.data.SftRecord;
import org.cpift.task.Metric;
import org.cpift.util.Shuffle;

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
  /** Answers of each knowledge kind, the pool multiple-choice distractors are drawn from. */
  private final Map<String, List<String>> answersByKind = new LinkedHashMap<>();
  private final Map<String, List<Item>> ruleItems = new LinkedHashMap<>();
  private final Set<String> heldOutInputs = new HashSet<>();

  public InstructionsGenerator(Path wordnetDir) {
    WordNet wn = WordNet.load(wordnetDir);
    Map<String, String> irregularPlural = wn.irregular('n');
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
      if (l.pos() == 'n') {
        String plural = irregularPlural.getOrDefault(l.lemma(), regularPlural(l.lemma()));
        if (WORD.matcher(plural).matches()) {
          items.add(new Item("plural", l.lemma(), plural, l.lemma()));
        }
      }
      if (l.pos() == 'v' && !IRREGULAR_THIRD.contains(l.lemma())) {
        items.add(new Item("third", l.lemma(), thirdPerson(l.lemma()), l.lemma()));
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

  /** Verbs whose third person singular breaks the spelling rule (is, has). */
  static final java.util.Set<String> IRREGULAR_THIRD = java.util.Set.of("be", "have");

  /** The regular English plural: -es after s, x, z, ch, sh; -ies after consonant + y; else -s. */
  static String regularPlural(String w) {
    if (w.matches(".*(s|x|z|ch|sh)")) {
      return w + "es";
    }
    if (w.matches(".*[^aeiou]y")) {
      return w.substring(0, w.length() - 1) + "ies";
    }
    return w + "s";
  }

  /** Third person singular: -es after s, x, z, ch, sh, o; -ies after consonant + y; else -s. */
  static String thirdPerson(String w) {
    if (w.matches(".*(s|x|z|ch|sh|o)")) {
      return w + "es";
    }
    if (w.matches(".*[^aeiou]y")) {
      return w.substring(0, w.length() - 1) + "ies";
    }
    return w + "s";
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
        + "built from the real WordNet 3.0 database over about " + MAX_WORDS + " common words "
        + "(WordNet's sense-tagged frequency >= 3, first senses): the plural of a noun (WordNet's "
        + "irregular forms from noun.exc, else the spelling rules), the present-tense form after "
        + "\"she\" of a verb, and four knowledge questions answered by choosing one of three "
        + "words: which word a definition describes, the opposite of an adjective, a more general "
        + "word for a noun, and the word that fills the blank of one of WordNet's example "
        + "sentences. It tests following varied instructions: rule-like morphology plus recall of "
        + "lexical knowledge the base models saw (as glosses, not as these items) in pretraining.";
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
    int index = rnd.nextInt(items.size());
    Item it = items.get(index);
    String instruction = switch (it.kind()) {
      case "plural" -> "Give the plural of this noun.";
      case "third" -> "Give the form of this verb after \"she\" (present tense).";
      case "define" -> "Which of the options does this definition describe?";
      case "antonym" -> "Which of the options is the opposite of this word?";
      case "hypernym" -> "Which of the options is a more general word for this word?";
      default -> "Which of the options fills the blank?";
    };
    String input = it.input();
    if (!it.kind().equals("plural") && !it.kind().equals("third")) {
      // knowledge items are multiple choice among three words of the same kind
      List<String> pool = answersByKind.computeIfAbsent(it.kind(), k -> items.stream()
          .filter(x -> x.kind().equals(k)).map(Item::answer).distinct().sorted().toList());
      // the options depend on the item only, so an item yields one prompt and cannot reach two
      // splits with different distractors
      SplittableRandom own = new SplittableRandom(0x5EEDL * 31 + index);
      List<String> options = new ArrayList<>(List.of(it.answer()));
      while (options.size() < 3 && pool.size() >= 3) {
        String d = pool.get(own.nextInt(pool.size()));
        if (!options.contains(d) && !d.equals(it.word())) {
          options.add(d);
        }
      }
      Shuffle.inPlace(options, own);
      input = input + "\nOptions: " + String.join(", ", options);
    }
    return new SftRecord("Instruction: " + instruction + "\nInput: " + input, it.answer());
  }

  /** {@code Instruction:}/{@code Input:} → {@code Task:}/{@code Word:}. */
  @Override
  public String reword(String prompt) {
    return prompt.replace("Instruction: ", "Task: ").replace("\nInput: ", "\nWord: ");
  }

  /** Leaves the words of held-out plural and verb-form items out of the warm-up set. */
  @Override
  public void excludeFromWarmup(List<SftRecord> heldOut) {
    for (SftRecord r : heldOut) {
      int at = r.prompt().lastIndexOf("\nInput: ");
      if (at >= 0) {
        heldOutInputs.add(r.prompt().substring(at + "\nInput: ".length()));
      }
    }
    ruleItems.clear();
  }

  /**
   * The two rule-like kinds only (plural, verb form after "she"), worded differently from the
   * task's instructions; the task also asks four kinds of lexical multiple choice.
   */
  @Override
  public SftRecord warmupExample(SplittableRandom rnd) {
    List<Item> rules = ruleItems.computeIfAbsent("rules", k -> items.stream()
        .filter(x -> x.kind().equals("plural") || x.kind().equals("third"))
        .filter(x -> !heldOutInputs.contains(x.input())).toList());
    Item it = rules.get(rnd.nextInt(rules.size()));
    String instruction = it.kind().equals("plural") ? "Write this noun in the plural."
        : "Write this verb as in \"he ...\" today.";
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
