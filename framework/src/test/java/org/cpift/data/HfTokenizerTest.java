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
      assertEquals(answer.substring(0, answer.offsetByCodePoints(0, cap)), text,
          "whole characters, as many as fit");
    }
  }

  /**
   * A byte-fallback tokenizer (Llama's): byte tokens decode to their bytes, and each byte of an
   * unfinished character shows as one U+FFFD, so a longer prefix can decode shorter. Simulated
   * here: ids 0..255 are bytes, 256 + c the ASCII character c.
   */
  @Test
  void aByteFallbackAnswerIsCutOnAWholeCharacter() {
    Tokenizer bytes = new Tokenizer() {
      public int vocabSize() {
        return 256 + 128;
      }

      public int[] encode(String text, String where) {
        throw new UnsupportedOperationException();
      }

      public String decode(int[] ids) {
        StringBuilder b = new StringBuilder();
        java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
          if (id < 256) {
            pending.write(id);
            String s = new String(pending.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
            if (!s.contains("\uFFFD")) {
              b.append(s);
              pending.reset();
            }
          } else {
            b.append("\uFFFD".repeat(pending.size())).append((char) (id - 256));
            pending.reset();
          }
        }
        return b.append("\uFFFD".repeat(pending.size())).toString();
      }

      public int bos() {
        return -1;
      }

      public int eos() {
        return -1;
      }

      public int pad() {
        return -1;
      }

      public int sep() {
        return -1;
      }

      public void save(Path file) {}
    };
    // "ab東c": a, b, the three bytes of 東 (E6 9D B1), c
    int[] ids = {256 + 'a', 256 + 'b', 0xE6, 0x9D, 0xB1, 256 + 'c'};
    assertEquals("ab東c", bytes.decode(ids));
    assertEquals("ab\uFFFD", bytes.decode(new int[] {256 + 'a', 256 + 'b', 0xE6}));
    // prefixes decode to 0, 1, 2, 3, 4, 3, 4 characters: bisection would stop at "ab" + a byte
    assertArrayEquals(java.util.Arrays.copyOf(ids, 5), bytes.clipTokens(ids, 3), "ab東");
    assertArrayEquals(java.util.Arrays.copyOf(ids, 2), bytes.clipTokens(ids, 2), "ab");
    assertArrayEquals(ids, bytes.clipTokens(ids, 4));
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
