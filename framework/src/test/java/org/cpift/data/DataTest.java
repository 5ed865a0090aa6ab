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
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
  @TempDir Path dir;

  @Test
  void tokenizerRoundTripAndSpecials() {
    CharTokenizer t = CharTokenizer.standard();
    assertEquals(101, t.vocabSize());
    String s = "Hello, world!\n  #### 42 ~";
    assertEquals(s, t.decode(t.encode(s)));
    assertEquals(CharTokenizer.SPECIALS.length, t.encode("\n")[0]);
    Path f = dir.resolve("tokenizer.json");
    t.save(f);
    assertEquals(t, CharTokenizer.load(f));
  }

  @Test
  void unknownCharacterFailsOrMapsToUnk() {
    CpiftException e = assertThrows(CpiftException.class,
        () -> CharTokenizer.standard().encode("naïve", "f.jsonl:3"));
    assertTrue(e.getMessage().contains("f.jsonl:3") && e.getMessage().contains("U+00EF")
        && e.getMessage().contains("position 2"), e.getMessage());
    CharTokenizer lenient = new CharTokenizer(CharTokenizer.DEFAULT_CHARS, true);
    assertEquals(CharTokenizer.UNK, lenient.encode("ï")[0]);
  }

  @Test
  void encodingWeightsOnlyAnswerTokensAndEos() {
    CharTokenizer t = CharTokenizer.standard();
    EncodedExample e = EncodedExample.encode(new SftRecord("ab", "xyz"), t, 32, "x");
    assertEquals(3 + 2 + 3, e.tokens().length);
    assertEquals(4, e.answerStart());
    Batch b = Batch.of(List.of(e, EncodedExample.encode(new SftRecord("a", "b"), t, 32, "y")));
    assertEquals(7, b.length());
    // row 0: inputs bos a b sep x y z ; targets a b sep x y z eos ; weights on x y z eos
    assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 1}, java.util.Arrays.copyOfRange(b.weights(), 0, 7));
    assertEquals(CharTokenizer.EOS, b.targets()[6]);
    // row 1 is padded after its eos target
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0}, java.util.Arrays.copyOfRange(b.weights(), 7, 14));
    assertEquals(4 + 2, b.answerTokens());
  }

  @Test
  void longPromptIsCutFromTheLeftButAnswerMustFit() {
    CharTokenizer t = CharTokenizer.standard();
    EncodedExample e = EncodedExample.encode(new SftRecord("abcdefghij", "xy"), t, 8, "x");
    assertEquals(9, e.tokens().length);
    assertEquals("ghij", t.decode(e.promptTokens())); // bos + 4 + sep + 2 + eos = context + 1
    assertTrue(e.promptTruncated());
    assertFalse(EncodedExample.encode(new SftRecord("abcd", "xy"), t, 8, "x").promptTruncated());
    CpiftException ex = assertThrows(CpiftException.class,
        () -> EncodedExample.encode(new SftRecord("a", "0123456789"), t, 8, "f.jsonl record 3"));
    assertTrue(ex.getMessage().contains("f.jsonl record 3"), ex.getMessage());
  }

  @Test
  void jsonlReaderReportsFileLineAndField() throws IOException {
    Path ok = dir.resolve("ok.jsonl");
    Files.writeString(ok, "{\"prompt\":\"p\",\"answer\":\"a\",\"id\":\"1\",\"task\":\"t\"}\n\n"
        + "{\"prompt\":\"q\",\"answer\":\"b\"}\n");
    List<SftRecord> r = JsonlReader.read(ok);
    assertEquals(2, r.size());
    assertEquals("t", r.get(0).task());
    assertBad("{\"prompt\":\"p\",\"answer\":\"a\"}\n{\"prompt\":\"p\"}\n", ":2", "missing field \"answer\"");
    assertBad("{\"prompt\":\"p\",\"answer\":\"a\"}\n{oops\n", ":2", "not one JSON object");
    // one JSON value per line and nothing after it: the second object is not dropped silently
    assertBad("{\"prompt\":\"p\",\"answer\":\"a\"}{\"prompt\":\"q\",\"answer\":\"b\"}\n", ":1",
        "not one JSON object");
    assertBad("{\"prompt\":\"p\",\"answer\":\"a\"} trailing\n", ":1", "not one JSON object");
    assertBad("{\"prompt\":\"p\",\"answer\":\"a\",\"answer\":\"b\"}\n", ":1",
        "Duplicate field 'answer'");
    assertBad("{\"prompt\":1,\"answer\":\"a\"}\n", ":1", "\"prompt\" must be a string");
    assertBad("[1]\n", ":1", "expected a JSON object");
    assertBad("{\"prompt\":\"p\",\"answer\":\"\"}\n", ":1", "\"answer\" is empty");
    assertBad("\n\n", "", "no records");
    CpiftException e = assertThrows(CpiftException.class, () -> JsonlReader.read(dir.resolve("none.jsonl")));
    assertTrue(e.getMessage().contains("not found"));
  }

  private void assertBad(String content, String line, String fragment) throws IOException {
    Path f = Files.createTempFile(dir, "bad", ".jsonl");
    Files.writeString(f, content);
    CpiftException e = assertThrows(CpiftException.class, () -> JsonlReader.read(f));
    assertTrue(e.getMessage().contains(f + line) && e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void batcherIsDeterministicAndVisitsEveryExampleOncePerEpoch() {
    CharTokenizer t = CharTokenizer.standard();
    List<EncodedExample> ex = EncodedExample.encodeAll(ToyTasks.copy(10, 2, 4, 1), t, 16, "c");
    Batcher a = new Batcher(ex, 5, 3);
    Batcher b = new Batcher(ex, 5, 3);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int s = 0; s < 2; s++) {
      assertArrayEquals(a.batch(s).inputs(), b.batch(s).inputs());
      for (int r = 0; r < 5; r++) {
        seen.add(t.decode(java.util.Arrays.copyOfRange(a.batch(s).inputs(), r * a.batch(s).length(),
            (r + 1) * a.batch(s).length())));
      }
    }
    assertEquals(10, seen.size());
    assertArrayEquals(a.batch(7).inputs(), new Batcher(ex, 5, 3).batch(7).inputs());
  }

  @Test
  void toyTasksAreDeterministic() {
    assertEquals(ToyTasks.reverse(20, 2, 5, 9), ToyTasks.reverse(20, 2, 5, 9));
    SftRecord r = ToyTasks.reverse(1, 3, 3, 1).get(0);
    assertEquals(new StringBuilder(r.prompt().substring("reverse: ".length())).reverse().toString(),
        r.answer());
  }
}
