package org.cpift.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.task.Suite;
import org.cpift.task.Task;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPT-2's real tokenizer, loaded through the Hugging Face tokenizers library. */
class HfTokenizerTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GPT2 = ROOT.resolve("benchmarks-data/tokenizers/gpt2");
  static HfTokenizer tok;
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    tok = HfTokenizer.load(GPT2);
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @Test
  void knownIdsAndSpecialTokens() {
    // the ids the tokenizer's README gives (GPT-2's published vocabulary)
    assertArrayEquals(new int[] {15496, 995}, tok.encode("Hello world", "t"));
    assertArrayEquals(new int[] {15496}, tok.encode("Hello", "t"));
    assertEquals(50257, tok.vocabSize());
    assertEquals(50256, tok.eos());
    assertEquals(50256, tok.bos());
    assertEquals(50256, tok.pad());
    assertEquals(-1, tok.sep());
    // special tokens are left out when decoding
    assertEquals("Hello world", tok.decode(new int[] {50256, 15496, 995, 50256}));
  }

  @Test
  void anAnswerCappedInCharactersFitsTheTokensAllowedAndIsCutBackToTheCap() {
    // non-ASCII text takes more byte-level tokens than characters: a cap of characters + 1
    // tokens (what generation was given before) would have cut this answer short
    String answer = "東京都の人口は約千四百万人です";
    int chars = answer.codePointCount(0, answer.length());
    int[] ids = tok.encode(answer, "t");
    assertTrue(ids.length > chars + 1, ids.length + " tokens for " + chars + " characters");
    assertTrue(ids.length <= tok.maxTokensFor(chars), ids.length + " > " + tok.maxTokensFor(chars));
    // cut back to characters: the text, and the token prefix, never longer than the cap
    assertEquals(answer, Tokenizer.clip(answer, chars));
    assertEquals("東京都の", Tokenizer.clip(answer, 4));
    assertEquals("😀a", Tokenizer.clip("😀ab", 2), "characters are code points, not chars");
    assertArrayEquals(ids, tok.clipTokens(ids, chars));
    for (int cap : new int[] {1, 4, 10, chars - 1}) {
      int[] kept = tok.clipTokens(ids, cap);
      String text = tok.decode(kept);
      assertTrue(text.codePointCount(0, text.length()) <= cap, cap + ": " + text);
      assertArrayEquals(java.util.Arrays.copyOf(ids, kept.length), kept, "a prefix");
      String longer = tok.decode(java.util.Arrays.copyOf(ids, kept.length + 1));
      assertTrue(longer.codePointCount(0, longer.length()) > cap, "the longest such prefix");
    }
  }

  @Test
  void theCharacterTokenizersCapInTokensIsItsCapInCharacters() {
    CharTokenizer c = CharTokenizer.standard();
    int[] ids = c.encode("12 + 30 = 42", "t");
    assertEquals(12, c.maxTokensFor(12));
    assertArrayEquals(ids, c.clipTokens(ids, 12));
    assertEquals("12 + 30 = 42", Tokenizer.clip(c.decode(ids), 12));
    assertEquals("12 + 3", c.decode(c.clipTokens(ids, 6)));
  }

  @Test
  void decodeOfEncodeIsTheTextOnEverySuiteText() {
    int checked = 0;
    for (Task t : Suite.load(ROOT.resolve("benchmarks-data/suite-v2")).tasks()) {
      for (SftRecord r : t.train().subList(0, Math.min(400, t.train().size()))) {
        for (String text : List.of(r.prompt(), r.answer())) {
          int[] ids = tok.encode(text, t.name());
          assertEquals(text, tok.decode(ids), t.name() + " " + r.id());
          for (int id : ids) {
            assertTrue(id >= 0 && id < tok.vocabSize() && id != tok.eos());
          }
          checked++;
        }
      }
    }
    assertTrue(checked >= 4000, "checked " + checked);
  }

  @Test
  void anExampleIsBosPromptAnswerEosWithoutASeparator() {
    SftRecord r = new SftRecord("Hello", " world", "1", "t");
    EncodedExample e = EncodedExample.encode(r, tok, 16, "t");
    assertArrayEquals(new int[] {50256, 15496, 995, 50256}, e.tokens());
    assertEquals(2, e.answerStart());
    // whole prompts are not reported cut: tokens are not characters, and a packed document's
    // prompt is empty
    assertFalse(e.promptTruncated());
    assertFalse(EncodedExample.encode(new SftRecord("", "Hello world"), tok, 16, "t")
        .promptTruncated());
    assertTrue(EncodedExample.encode(new SftRecord("Hello world", "world"), tok, 2, "t")
        .promptTruncated());
    // the character tokenizer keeps its separator: <bos> p <sep> a <eos>
    EncodedExample c = EncodedExample.encode(r, CharTokenizer.standard(), 16, "t");
    assertEquals(CharTokenizer.BOS, c.tokens()[0]);
    assertEquals(CharTokenizer.SEP, c.tokens()[6]);
    assertEquals(7, c.answerStart());
    assertEquals(CharTokenizer.EOS, c.tokens()[c.tokens().length - 1]);
  }

  @Test
  void savesItsFilesBesideAModelAndLoadsFromThem() throws IOException {
    tok.save(dir.resolve("tokenizer.json"));
    assertArrayEquals(Files.readAllBytes(GPT2.resolve("tokenizer.json")),
        Files.readAllBytes(dir.resolve("tokenizer.json")));
    try (HfTokenizer again = HfTokenizer.load(dir)) {
      assertArrayEquals(tok.encode("Evaluate 12 + 7 + 3.", "t"), again.encode("Evaluate 12 + 7 + 3.", "t"));
      assertEquals(tok.eos(), again.eos());
    }
  }

  @Test
  void aMissingOrInvalidFileIsAClearError() throws IOException {
    CpiftException e = assertThrows(CpiftException.class, () -> HfTokenizer.load(dir));
    assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {}}}");
    e = assertThrows(CpiftException.class, () -> HfTokenizer.load(dir));
    assertTrue(e.getMessage().contains("no vocabulary"), e.getMessage());
  }
}
