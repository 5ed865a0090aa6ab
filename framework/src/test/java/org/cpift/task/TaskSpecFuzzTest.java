package org.cpift.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Seeded mutants of a task.json (bit flips, truncations, inserted or deleted characters, repeated
 * keys, appended text): a task folder with the mutant either is refused with a
 * {@link CpiftException} naming its task.json, or loads a task whose name, format, metric and
 * {@code max_answer_chars} are what an independent strict reading of the same bytes says
 * (Python's json module, duplicate keys refused) — never a task read from a JSON document the
 * reference reads otherwise or not at all.
 */
class TaskSpecFuzzTest {
  static final int MUTANTS = 300;
  @TempDir Path dir;

  @Test
  void everyMutantIsRefusedOrReadAsTheReferenceReadsIt() throws Exception {
    assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 needed");
    String rec = "{\"prompt\":\"%s\",\"answer\":\"a\"}\n";
    String spec = "{\"name\":\"fz\",\"format\":\"canonical\",\"metric\":\"exact\","
        + "\"files\":{\"train\":\"train.jsonl\",\"val\":\"val.jsonl\",\"test\":\"test.jsonl\"},"
        + "\"max_answer_chars\":12}";
    byte[] orig = spec.getBytes(StandardCharsets.UTF_8);
    SplittableRandom rnd = new SplittableRandom(20261202);
    List<Path> folders = new ArrayList<>();
    for (int i = 0; i < MUTANTS; i++) {
      Path d = Files.createDirectories(dir.resolve("t" + i));
      Files.writeString(d.resolve("train.jsonl"), String.format(rec, "p1"));
      Files.writeString(d.resolve("val.jsonl"), String.format(rec, "p2"));
      Files.writeString(d.resolve("test.jsonl"), String.format(rec, "p3"));
      Files.write(d.resolve("task.json"), mutate(orig, i % 5, rnd));
      folders.add(d);
    }
    JsonNode ref = reference(folders);
    int refused = 0;
    for (int i = 0; i < MUTANTS; i++) {
      Path d = folders.get(i);
      JsonNode want = ref.get(i);
      String what = "mutant " + i + ": " + new String(Files.readAllBytes(d.resolve("task.json")),
          StandardCharsets.ISO_8859_1);
      try {
        Task t = Task.load(d);
        assertFalse(want.isNull(), "loaded a task.json that is not one strict JSON object: " + what);
        assertEquals(want.path("name").asText(null), t.name(), what);
        assertEquals(want.path("format").asText(null), t.format().id(), what);
        assertEquals(want.path("metric").asText(null), t.metric().id(), what);
        if (want.has("max_answer_chars")) {
          assertEquals(want.get("max_answer_chars").asInt(), t.maxAnswerChars(), what);
        }
      } catch (CpiftException e) {
        assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
        refused++;
      }
    }
    System.out.printf("TaskSpecFuzzTest: %d mutants, %d refused%n", MUTANTS, refused);
    assertTrue(refused > MUTANTS / 2, "refused " + refused);
  }

  /** For each folder: null when its task.json is not one strict JSON object, else the object. */
  private JsonNode reference(List<Path> folders) throws Exception {
    String script = "import json, sys\n"
        + "def strict(pairs):\n"
        + "    keys = [k for k, _ in pairs]\n"
        + "    if len(keys) != len(set(keys)):\n"
        + "        raise ValueError('duplicate key')\n"
        + "    return dict(pairs)\n"
        + "def nonfinite(name):\n"
        + "    raise ValueError(name)\n"
        + "out = []\n"
        + "for d in json.load(sys.stdin):\n"
        + "    try:\n"
        + "        text = open(d + '/task.json', 'rb').read().decode('utf-8')\n"
        + "        o = json.loads(text, object_pairs_hook=strict, parse_constant=nonfinite)\n"
        + "        out.append(o if isinstance(o, dict) else None)\n"
        + "    except (ValueError, UnicodeDecodeError):\n"
        + "        out.append(None)\n"
        + "print(json.dumps(out))\n";
    Process p = new ProcessBuilder("python3", "-c", script).start();
    p.getOutputStream().write(Json.write(folders.stream().map(Path::toString).toList())
        .getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, err);
    return Json.MAPPER.readTree(out);
  }

  private static byte[] mutate(byte[] b, int kind, SplittableRandom r) {
    String s = new String(b, StandardCharsets.UTF_8);
    String[] pieces = {"{", "}", "[", "]", ",", ":", "\"", "\\", "0", " ", "\n", "x", "null",
        "\"name\":\"other\",", "\"max_answer_chars\":\"12\",", "\"metric\":\"exact\","};
    return switch (kind) {
      case 0 -> {
        byte[] m = b.clone();
        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        yield m;
      }
      case 1 -> Arrays.copyOf(b, r.nextInt(b.length));
      case 2 -> {
        int at = r.nextInt(s.length() + 1);
        yield (s.substring(0, at) + pieces[r.nextInt(pieces.length)] + s.substring(at))
            .getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> {
        int at = r.nextInt(s.length());
        yield (s.substring(0, at) + s.substring(at + 1)).getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        String[] tails = {" {}", " x", "\n{\"name\":\"fz\"}", ""};
        String key = r.nextBoolean() ? "\"name\":\"dup\"," : "\"max_answer_chars\":50,";
        yield (r.nextBoolean() ? s + tails[r.nextInt(tails.length)] : "{" + key + s.substring(1))
            .getBytes(StandardCharsets.UTF_8);
      }
    };
  }
}
