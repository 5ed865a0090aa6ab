package org.cpift.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutants of a JSONL file (bit flips, truncations, inserted or deleted JSON punctuation,
 * joined lines, appended values or text, duplicated keys): for every mutant the reader must decide
 * as an independent reading of the format does (Python's json module, strict, in
 * {@code jsonl_reference.py}): refuse it with a {@link CpiftException} naming the file, or read
 * exactly the records the reference reads. Any other exception fails the test.
 */
class JsonlFuzzTest {
  static final int MUTANTS = 400;
  @TempDir Path dir;

  @Test
  void everyMutantIsDecidedAsTheReferenceReaderDecidesIt() throws Exception {
    assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 needed");
    StringBuilder src = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      src.append("{\"id\":\"r").append(i).append("\",\"prompt\":\"Evaluate ").append(i)
          .append(" + 7.\",\"answer\":\"").append(i + 7).append(" #### ").append(i + 7)
          .append("\",\"task\":\"math\"}\n");
    }
    byte[] orig = src.toString().getBytes(StandardCharsets.UTF_8);
    SplittableRandom rnd = new SplittableRandom(20261202);
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < MUTANTS; i++) {
      Path f = dir.resolve("m" + i + ".jsonl");
      Files.write(f, mutate(orig, i % 6, rnd));
      paths.add(f.toString());
    }
    JsonNode ref = reference(paths);
    int refused = 0;
    for (int i = 0; i < MUTANTS; i++) {
      Path f = Path.of(paths.get(i));
      JsonNode want = ref.get(i);
      String what = "mutant " + i + " (kind " + i % 6 + "): "
          + new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      try {
        List<SftRecord> got = JsonlReader.read(f);
        assertTrue(!want.isNull(), "accepted but the reference refuses " + what);
        assertEquals(want.size(), got.size(), what);
        for (int k = 0; k < got.size(); k++) {
          assertEquals(want.get(k).get(0).asText(), got.get(k).prompt(), what);
          assertEquals(want.get(k).get(1).asText(), got.get(k).answer(), what);
        }
      } catch (CpiftException e) {
        assertTrue(want.isNull(), "refused (" + e.getMessage() + ") but the reference reads " + what);
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        refused++;
      }
    }
    System.out.printf("JsonlFuzzTest: %d mutants, %d refused, %d read as the reference reads them%n",
        MUTANTS, refused, MUTANTS - refused);
    assertTrue(refused > MUTANTS / 3, "the mutants should mostly break the format: " + refused);
  }

  private JsonNode reference(List<String> paths) throws IOException, InterruptedException {
    Path py = dir.resolve("jsonl_reference.py");
    try (InputStream in = getClass().getResourceAsStream("jsonl_reference.py")) {
      Files.write(py, in.readAllBytes());
    }
    Process p = new ProcessBuilder("python3", py.toString()).start();
    p.getOutputStream().write(Json.write(paths).getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, err);
    return Json.MAPPER.readTree(out);
  }

  private static byte[] mutate(byte[] b, int kind, SplittableRandom r) {
    String s = new String(b, StandardCharsets.UTF_8);
    String[] pieces = {"{", "}", "[", "]", ",", ":", "\"", "\\", "0", " ", "\t", "\n", "\r",
        "{}", "1", "null", "NaN", "x", "\"answer\":\"9\",", "\"prompt\":\"p\","};
    return switch (kind) {
      case 0 -> { // one bit anywhere
        byte[] m = b.clone();
        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        yield m;
      }
      case 1 -> Arrays.copyOf(b, r.nextInt(b.length)); // truncation
      case 2 -> { // a piece of JSON inserted
        int at = r.nextInt(s.length() + 1);
        yield (s.substring(0, at) + pieces[r.nextInt(pieces.length)] + s.substring(at))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> { // a character deleted
        int at = r.nextInt(s.length());
        yield (s.substring(0, at) + s.substring(at + 1)).getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> { // two lines joined, or a value or text after a line's object
        List<String> lines = new ArrayList<>(s.lines().toList());
        int k = r.nextInt(lines.size() - 1);
        String[] tails = {"", " {\"prompt\":\"q\",\"answer\":\"b\"}", " trailing", " 1", "}"};
        lines.set(k, lines.get(k) + tails[r.nextInt(tails.length)]
            + (r.nextBoolean() ? lines.remove(k + 1) : ""));
        yield (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
      }
      default -> { // a key repeated inside an object
        List<String> lines = new ArrayList<>(s.lines().toList());
        int k = r.nextInt(lines.size());
        String key = r.nextBoolean() ? "\"answer\":\"x\"," : "\"id\":\"dup\",";
        lines.set(k, lines.get(k).replaceFirst("\\{", "{" + java.util.regex.Matcher
            .quoteReplacement(key)));
        yield (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
      }
    };
  }
}
