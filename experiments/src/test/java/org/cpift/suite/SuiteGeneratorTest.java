package org.cpift.suite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cpift.data.SftRecord;
import org.cpift.task.Suite;
import org.cpift.task.Task;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's generators are deterministic, and every committed answer is re-derived by an
 * evaluator that does not share the generator's code: arithmetic re-done from the worked steps,
 * programs run by python3, deductions re-solved, dialogue facts found in earlier turns, WordNet
 * items looked up again.
 */
class SuiteGeneratorTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Suite SUITE = Suite.load(ROOT.resolve("benchmarks-data/suite-v1"));
  @TempDir Path dir;

  static List<SftRecord> all(String task) {
    Task t = SUITE.task(task);
    List<SftRecord> out = new ArrayList<>(t.train());
    out.addAll(t.val());
    out.addAll(t.test());
    return out;
  }

  @Test
  void sameSeedSameRecords() {
    for (TaskGenerator g : List.of(new MathGenerator(false), new CodeGenerator(false), new LogicGenerator(),
        new DialogueGenerator())) {
      var a = SuiteGenerator.splits(g, new SuiteGenerator.Sizes(50, 10, 20), 9);
      var b = SuiteGenerator.splits(g, new SuiteGenerator.Sizes(50, 10, 20), 9);
      assertEquals(a, b, g.name());
      Set<String> train = new HashSet<>();
      a.get("train").forEach(r -> train.add(r.prompt()));
      a.get("test").forEach(r -> assertTrue(!train.contains(r.prompt())));
    }
  }

  @Test
  void committedSuiteIsExactlyWhatTheGeneratorWrites() throws IOException {
    assumeTrue(Files.isRegularFile(WordNet.DEFAULT_DIR.resolve("data.noun")),
        "WordNet (apt-get install wordnet-base) is needed to regenerate the instructions task");
    long seed = Json.MAPPER.readTree(ROOT.resolve("benchmarks-data/suite-v1/suite.json").toFile())
        .get("seed").asLong();
    SuiteGenerator.write(dir.resolve("suite"), dir.resolve("corpus"),
        SuiteGenerator.defaultGenerators(WordNet.DEFAULT_DIR), new SuiteGenerator.Sizes(3000, 200, 400),
        seed, 4000);
    for (String task : SUITE.names()) {
      for (String f : List.of("train.jsonl", "val.jsonl", "test.jsonl", "SHA256SUMS", "task.json")) {
        assertArrayEquals(Files.readAllBytes(ROOT.resolve("benchmarks-data/suite-v1").resolve(task).resolve(f)),
            Files.readAllBytes(dir.resolve("suite").resolve(task).resolve(f)), task + "/" + f);
      }
    }
    assertArrayEquals(Files.readAllBytes(ROOT.resolve("benchmarks-data/corpus-v1/corpus.jsonl")),
        Files.readAllBytes(dir.resolve("corpus/corpus.jsonl")));
  }

  static final Pattern STEP = Pattern.compile("(\\d+)([-+*/])(\\d+)=(\\d+)\\.");

  @Test
  void mathAnswersRecomputedFromTheirSteps() {
    for (SftRecord r : all("math")) {
      Matcher m = STEP.matcher(r.answer());
      List<Integer> results = new ArrayList<>();
      Set<String> numbersInPrompt = new HashSet<>(List.of(r.prompt().replaceAll("[^0-9]+", " ").trim().split(" ")));
      while (m.find()) {
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(3));
        int c = Integer.parseInt(m.group(4));
        int want = switch (m.group(2)) {
          case "+" -> a + b;
          case "-" -> a - b;
          case "*" -> a * b;
          default -> a / b;
        };
        if (m.group(2).equals("/")) {
          assertEquals(0, a % b, r.id());
        }
        assertEquals(want, c, r.id() + ": " + r.answer());
        for (String operand : List.of(m.group(1), m.group(3))) {
          assertTrue(numbersInPrompt.contains(operand) || results.contains(Integer.parseInt(operand)),
              r.id() + ": operand " + operand + " comes from nowhere");
        }
        results.add(c);
      }
      assertEquals(2, results.size(), r.id());
      assertTrue(results.get(1) >= 0, r.id());
      assertTrue(r.answer().endsWith("#### " + results.get(1)), r.id());
    }
  }

  @Test
  void codeOutputsReDerivedByPython() throws Exception {
    assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 needed");
    List<SftRecord> records = new ArrayList<>(all("code"));
    // suite-v2's code task differs from v1's only in its cued shared-surface items
    Task v2 = Suite.load(ROOT.resolve("benchmarks-data/suite-v2")).task("code");
    records.addAll(v2.train());
    records.addAll(v2.val());
    records.addAll(v2.test());
    StringBuilder script = new StringBuilder("import io, contextlib, json, sys\nitems = json.load(sys.stdin)\n"
        + "bad = []\nchecks = {\n"
        + " 'the length of the list': lambda v: ('len(%s)' % v),\n"
        + " 'the last element of the list': lambda v: ('%s[-1]' % v),\n"
        + " 'the first element of the list': lambda v: ('%s[0]' % v),\n"
        + " 'the sum of the list': lambda v: ('sum(%s)' % v),\n"
        + " 'the largest element of the list': lambda v: ('max(%s)' % v),\n"
        + "}\n"
        + "for rid, prompt, answer in items:\n"
        + "  if prompt.startswith('What does this Python program print?\\n'):\n"
        + "    code = prompt.split('\\n', 1)[1]\n"
        + "    buf = io.StringIO()\n"
        + "    with contextlib.redirect_stdout(buf):\n"
        + "      exec(code, {})\n"
        + "    if buf.getvalue().rstrip('\\n') != answer: bad.append((rid, buf.getvalue(), answer))\n"
        + "  elif prompt.startswith('Evaluate \"'):\n"
        + "    if eval(prompt[len('Evaluate '):-1], {}) != answer: bad.append((rid, prompt, answer))\n"
        + "  elif prompt.startswith('Evaluate '):\n"
        + "    parts = prompt[len('Evaluate '):-1].split(' + ')\n"
        + "    if len(parts) != 3 or eval(' + '.join(repr(x) for x in parts)) != answer: bad.append((rid, parts, answer))\n"
        + "  else:\n"
        + "    desc = prompt[len('Write a Python expression for '):-1]\n"
        + "    env = {v: [3, 1, 2] for v in ['xs','ys','nums','vals','items']}\n"
        + "    env.update({v: 'abc' for v in ['s','word','name','text','line']})\n"
        + "    value = eval(answer, {}, env)\n"
        + "    var = desc.split()[-1] if desc.split()[-1] in env else [w for w in desc.split() if w in env][0]\n"
        + "    x = env[var]\n"
        + "    want = {'length': len(x), 'last': x[-1], 'first': x[0], 'sum': None, 'largest': None}\n"
        + "    if 'length' in desc: ok = value == len(x)\n"
        + "    elif 'last element' in desc: ok = value == x[-1]\n"
        + "    elif 'first element' in desc: ok = value == x[0]\n"
        + "    elif 'sum' in desc: ok = value == sum(x)\n"
        + "    elif 'largest' in desc: ok = value == max(x)\n"
        + "    elif 'sorted' in desc: ok = value == sorted(x)\n"
        + "    elif 'upper case' in desc: ok = value == x.upper()\n"
        + "    elif 'reversed' in desc: ok = value == x[::-1]\n"
        + "    elif 'repeated' in desc: ok = value == x * int(desc.split()[-2])\n"
        + "    else: ok = False\n"
        + "    if not ok: bad.append((rid, repr(value), answer))\n"
        + "print(json.dumps({'checked': len(items), 'bad': bad[:5], 'nbad': len(bad)}))\n");
    Path py = dir.resolve("check.py");
    Files.writeString(py, script);
    List<List<String>> items = new ArrayList<>();
    records.forEach(r -> items.add(List.of(r.id(), r.prompt(), r.answer())));
    Process p = new ProcessBuilder("python3", py.toString()).redirectErrorStream(true).start();
    p.getOutputStream().write(Json.write(items).getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    var result = Json.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
    assertEquals(records.size(), result.path("checked").asInt(), out);
    assertEquals(0, result.path("nbad").asInt(), out);
  }

  static final Pattern ALL = Pattern.compile("All (\\w+) are (\\w+)\\.");
  static final Pattern NO = Pattern.compile("No (\\w+) are (\\w+)\\.");
  static final Pattern IS = Pattern.compile("(\\w+) is a (\\w+)\\.");
  static final Pattern IS_NOT = Pattern.compile("(\\w+) is not a (\\w+)\\.");

  /** A forward-chaining solver over the premise language, written independently. */
  @Test
  void logicAnswersReSolved() {
    for (SftRecord r : all("logic")) {
      String[] parts = r.prompt().split("\nWhich must be true\\?\n");
      String premises = parts[0];
      Map<String, String> plural = new java.util.HashMap<>();
      List<String[]> all = new ArrayList<>();
      List<String[]> no = new ArrayList<>();
      Set<String> pos = new HashSet<>();
      Set<String> neg = new HashSet<>();
      Matcher m = ALL.matcher(premises);
      while (m.find()) {
        all.add(new String[] {m.group(1), m.group(2)});
      }
      m = NO.matcher(premises);
      while (m.find()) {
        no.add(new String[] {m.group(1), m.group(2)});
      }
      for (String sentence : premises.split("(?<=\\.) ")) {
        Matcher a = IS_NOT.matcher(sentence);
        Matcher b = IS.matcher(sentence);
        if (a.matches()) {
          neg.add(a.group(2));
        } else if (b.matches() && !sentence.startsWith("All ") && !sentence.startsWith("No ")) {
          pos.add(b.group(2));
        }
      }
      boolean changed = true;
      while (changed) {
        changed = false;
        for (String[] rule : all) {
          String from = singular(rule[0]);
          String to = singular(rule[1]);
          changed |= pos.contains(from) && pos.add(to);
          changed |= neg.contains(to) && neg.add(from);
        }
        for (String[] rule : no) {
          changed |= pos.contains(singular(rule[0])) && neg.add(singular(rule[1]));
        }
      }
      List<Character> entailed = new ArrayList<>();
      for (String option : parts[1].split("\n")) {
        char letter = option.charAt(0);
        String stmt = option.substring(3);
        Matcher a = IS_NOT.matcher(stmt);
        Matcher b = IS.matcher(stmt);
        if ((a.matches() && neg.contains(a.group(2))) || (!a.matches() && b.matches() && pos.contains(b.group(2)))) {
          entailed.add(letter);
        }
      }
      assertEquals(List.of(r.answer().charAt(0)), entailed, r.id() + "\n" + r.prompt());
      assertTrue(plural.isEmpty());
    }
  }

  /** WordNet's morphy detachment rules: every base form a suffix rule yields. */
  static List<String> morphy(String word, String[][] rules) {
    List<String> out = new ArrayList<>();
    for (String[] r : rules) {
      if (word.endsWith(r[0])) {
        out.add(word.substring(0, word.length() - r[0].length()) + r[1]);
      }
    }
    return out;
  }

  static String singular(String p) {
    return p.endsWith("xes") || p.endsWith("shes") || p.endsWith("ses") ? p.substring(0, p.length() - 2)
        : p.substring(0, p.length() - 1);
  }

  @Test
  void dialogueAnswersRecallAnEarlierTurn() {
    Map<String, String[]> forms = Map.of(
        "Where do I live?", new String[] {"You live in (.+)\\.", "I live in %s."},
        "What is my job?", new String[] {"You work as a (.+)\\.", "I work as a %s."},
        "What pets do I have?", new String[] {"You have (.+)\\.", "I have %s."},
        "What is my favorite color?", new String[] {"Your favorite color is (.+)\\.", "My favorite color is %s."},
        "What do I like to do?", new String[] {"You like (.+)\\.", "I like %s."},
        "How old am I?", new String[] {"You are (\\d+) years old\\.", "I am %s years old."});
    for (SftRecord r : all("dialogue")) {
      String[] lines = r.prompt().split("\n");
      String question = lines[lines.length - 2].substring("User: ".length());
      String earlier = String.join("\n", java.util.Arrays.copyOf(lines, lines.length - 2));
      String[] form = forms.get(question);
      String fact;
      if (form == null) {
        Matcher m = Pattern.compile("Where does (\\w+) live\\?").matcher(question);
        assertTrue(m.matches(), r.id() + ": unexpected question " + question);
        Matcher a = Pattern.compile(m.group(1) + " lives in (.+)\\.").matcher(r.answer());
        assertTrue(a.matches(), r.id());
        fact = "My friend " + m.group(1) + " lives in " + a.group(1) + ".";
      } else {
        Matcher a = Pattern.compile(form[0]).matcher(r.answer());
        assertTrue(a.matches(), r.id() + ": " + r.answer());
        fact = String.format(form[1], a.group(1));
      }
      assertTrue(earlier.contains(fact), r.id() + ": '" + fact + "' not said before the question");
      assertTrue(r.prompt().length() <= DialogueGenerator.MAX_PROMPT_CHARS);
    }
  }

  @Test
  void instructionItemsReCheckedInWordNet() {
    assumeTrue(Files.isRegularFile(WordNet.DEFAULT_DIR.resolve("data.noun")), "WordNet needed");
    WordNet wn = WordNet.load(WordNet.DEFAULT_DIR);
    Map<String, List<WordNet.Lemma>> byWord = new java.util.HashMap<>();
    wn.lemmas().forEach(l -> byWord.computeIfAbsent(l.lemma(), k -> new ArrayList<>()).add(l));
    Map<String, List<String>> nounExc = wn.exceptions('n');
    for (SftRecord r : all("instructions")) {
      String instruction = r.prompt().substring(0, r.prompt().indexOf("\nInput: "));
      String rest = r.prompt().substring(r.prompt().indexOf("\nInput: ") + 8);
      String input = rest.contains("\nOptions: ") ? rest.substring(0, rest.indexOf("\nOptions: ")) : rest;
      String word = r.answer();
      if (rest.contains("\nOptions: ")) {
        List<String> options = List.of(rest.substring(rest.indexOf("\nOptions: ") + 10).split(", "));
        assertEquals(3, options.size(), r.id());
        assertTrue(options.contains(word), r.id() + ": answer not among the options");
      }
      boolean ok = false;
      if (instruction.contains("plural")) {
        // WordNet's own morphological analysis (morphy's noun rules, then noun.exc) must map the
        // plural back to the noun
        ok = nounExc.getOrDefault(word, List.of()).contains(input)
            || morphy(word, new String[][] {{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"},
                {"ches", "ch"}, {"shes", "sh"}, {"ies", "y"}}).contains(input);
      } else if (instruction.contains("after \"she\"")) {
        ok = morphy(word, new String[][] {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}})
            .contains(input);
      } else if (instruction.contains("definition describe")) {
        for (WordNet.Lemma l : byWord.getOrDefault(word, List.of())) {
          ok |= wn.synset(l.pos(), l.synsets().get(0)).definition().equals(input);
        }
      } else if (instruction.contains("opposite")) {
        for (WordNet.Lemma l : byWord.getOrDefault(input, List.of())) {
          WordNet.Synset s = wn.synset(l.pos(), l.synsets().get(0));
          for (WordNet.Pointer p : s.pointers()) {
            ok |= p.symbol().equals("!") && wn.synset(p.pos(), p.target()).words().contains(word);
          }
        }
      } else if (instruction.contains("more general word")) {
        for (WordNet.Lemma l : byWord.getOrDefault(input, List.of())) {
          WordNet.Synset s = wn.synset(l.pos(), l.synsets().get(0));
          for (WordNet.Pointer p : s.pointers()) {
            ok |= p.symbol().equals("@") && wn.synset(p.pos(), p.target()).words().get(0).equals(word);
          }
        }
      } else {
        String filled = input.replace("___", word);
        for (WordNet.Lemma l : byWord.getOrDefault(word, List.of())) {
          ok |= wn.synset(l.pos(), l.synsets().get(0)).examples().contains(filled);
        }
      }
      assertTrue(ok, r.id() + ": " + r.prompt() + " -> " + r.answer());
    }
  }
}
