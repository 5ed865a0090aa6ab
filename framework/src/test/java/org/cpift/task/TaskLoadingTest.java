package org.cpift.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cpift.data.SftRecord;
import org.cpift.util.CpiftException;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLoadingTest {
  static final Path SUITE = Path.of("..", "benchmarks-data", "suite-v1");
  @TempDir Path dir;

  @Test
  void committedSuiteLoadsWithChecksumsAndNoLeaks() {
    Suite s = Suite.load(SUITE);
    assertEquals(List.of("math", "code", "logic", "instructions", "dialogue"), s.names());
    for (Task t : s.tasks()) {
      assertTrue(t.train().size() >= 1000, t.name());
      assertTrue(t.test().size() >= 300, t.name());
      Set<String> train = new HashSet<>();
      t.train().forEach(r -> train.add(r.prompt()));
      t.test().forEach(r -> assertTrue(!train.contains(r.prompt()), t.name() + " leaks " + r.id()));
      assertTrue(t.train().stream().allMatch(r -> t.name().equals(r.task())));
    }
    assertEquals(Metric.FINAL_NUMBER, s.task("math").metric());
    assertEquals(Metric.OPTION_LETTER, s.task("logic").metric());
  }

  @Test
  void metrics() {
    assertEquals(1, Metric.EXACT.score("  You live in  Oslo. ", "you live in oslo."));
    assertEquals(0, Metric.EXACT.score("Oslo", "You live in Oslo."));
    assertEquals(1, Metric.FINAL_NUMBER.score("3+4=7. 7*2=14. #### 14", "#### 14"));
    assertEquals(1, Metric.FINAL_NUMBER.score("the answer is 1,200", "#### 1200"));
    assertEquals(0, Metric.FINAL_NUMBER.score("#### 15", "#### 14"));
    assertEquals(0, Metric.FINAL_NUMBER.score("no number", "#### 14"));
    assertEquals("2.5", Metric.finalNumber("#### 2.50"));
    assertEquals(1, Metric.OPTION_LETTER.score("B) Kim is a fep.", "B"));
    assertEquals(1, Metric.OPTION_LETTER.score("c", "C"));
    assertEquals(0, Metric.OPTION_LETTER.score("Because", "B"));
    CpiftException e = assertThrows(CpiftException.class, () -> Metric.parse("bleu", "task.json"));
    assertTrue(e.getMessage().contains("unknown metric 'bleu'"));
  }

  private Path task(String name, String format, String metric, String train, String val,
      String test, String trainFile) throws IOException {
    Path d = dir.resolve(name);
    Files.createDirectories(d);
    Files.writeString(d.resolve("task.json"), "{\"name\":\"" + name + "\",\"format\":\"" + format
        + "\",\"metric\":\"" + metric + "\",\"files\":{\"train\":\"" + trainFile
        + "\",\"val\":\"val.jsonl\",\"test\":\"test.jsonl\"}}");
    Files.writeString(d.resolve(trainFile), train);
    Files.writeString(d.resolve("val.jsonl"), val);
    Files.writeString(d.resolve("test.jsonl"), test);
    return d;
  }

  @Test
  void slicesAreDeclaredByPromptPrefixAndCheckedOnLoad() throws IOException {
    String rec = "{\"prompt\":\"%s\",\"answer\":\"a\"}\n";
    Path d = task("sl", "canonical", "exact", String.format(rec, "Evaluate 1 + 2.")
        + String.format(rec, "Other 1"), String.format(rec, "Evaluate 3 + 4."),
        String.format(rec, "Evaluate 5 + 6.") + String.format(rec, "Other 2"), "train.jsonl");
    Path spec = d.resolve("task.json");
    String json = Files.readString(spec);
    Files.writeString(spec, json.substring(0, json.length() - 1)
        + ",\"slices\":{\"shared-surface\":\"Evaluate \"}}");
    Task t = Task.load(d);
    assertEquals(java.util.Map.of("shared-surface", "Evaluate "), t.slices());
    assertEquals("shared-surface", t.sliceOf(t.test().get(0)));
    assertEquals(null, t.sliceOf(t.test().get(1)));
    assertTrue(Task.load(SUITE.resolve("math")).slices().isEmpty());
    for (String bad : List.of("\"slices\":[\"x\"]", "\"slices\":{\"other\":\"E\"}",
        "\"slices\":{\"s\":\"\"}", "\"slices\":{\"s\":3}")) {
      Files.writeString(spec, json.substring(0, json.length() - 1) + "," + bad + "}");
      CpiftException e = assertThrows(CpiftException.class, () -> Task.load(d), bad);
      assertTrue(e.getMessage().contains("slice"), e.getMessage());
    }
  }

  @Test
  void publicFormats() throws IOException {
    Path alpacaArray = task("alp", "alpaca", "exact",
        "[{\"instruction\":\"Say hi\",\"input\":\"\",\"output\":\"hi\"},"
            + "{\"instruction\":\"Echo\",\"input\":\"x\",\"output\":\"x\"}]",
        "{\"instruction\":\"Echo\",\"input\":\"y\",\"output\":\"y\"}\n",
        "{\"instruction\":\"Echo\",\"input\":\"z\",\"output\":\"z\"}\n", "train.json");
    Task a = Task.load(alpacaArray);
    assertEquals(new SftRecord("Say hi", "hi", "0", "alp"), a.train().get(0));
    assertEquals("Echo\nx", a.train().get(1).prompt());
    Path gsm = task("gsm", "gsm8k", "final_number",
        "{\"question\":\"1+1?\",\"answer\":\"1+1=2\\n#### 2\"}\n",
        "{\"question\":\"2+2?\",\"answer\":\"#### 4\"}\n",
        "{\"question\":\"3+3?\",\"answer\":\"#### 6\"}\n", "train.jsonl");
    Task g = Task.load(gsm);
    assertEquals("1+1?", g.train().get(0).prompt());
    assertEquals(Metric.FINAL_NUMBER, g.metric());
    // a user task dropped next to others is found by the suite
    Suite s = Suite.load(dir);
    assertEquals(List.of("alp", "gsm"), s.names());
    // suite.json orders the tasks; a task it lists must be there (not silently left out)
    Files.writeString(dir.resolve("suite.json"), "{\"tasks\": [\"gsm\", \"alp\"]}");
    assertEquals(List.of("gsm", "alp"), Suite.load(dir).names());
    Files.writeString(dir.resolve("suite.json"), "{\"tasks\": [\"gsm\", \"ghost\", \"alp\"]}");
    CpiftException e = assertThrows(CpiftException.class, () -> Suite.load(dir));
    assertTrue(e.getMessage().contains("lists task 'ghost', but no folder of " + dir
        + " holds a task.json named so"), e.getMessage());
  }

  @Test
  void badInputIsRejectedWithFileLineAndField() throws IOException {
    String ok = "{\"prompt\":\"p\",\"answer\":\"a\"}\n";
    Path missing = task("m", "canonical", "exact", ok + "{\"prompt\":\"q\"}\n", "{\"prompt\":\"v\",\"answer\":\"a\"}\n",
        "{\"prompt\":\"t\",\"answer\":\"a\"}\n", "train.jsonl");
    assertMessage(missing, missing.resolve("train.jsonl") + ":2: missing field \"answer\"");
    Path metric = task("u", "canonical", "rouge", ok, ok, ok, "train.jsonl");
    assertMessage(metric, "unknown metric 'rouge'");
    Path format = task("f", "parquet", "exact", ok, ok, ok, "train.jsonl");
    assertMessage(format, "unknown format 'parquet'");
    Path empty = task("e", "canonical", "exact", ok, "\n", "{\"prompt\":\"t\",\"answer\":\"a\"}\n", "train.jsonl");
    assertMessage(empty, empty.resolve("val.jsonl") + ": no records");
    Path leak = task("l", "canonical", "exact", ok + "{\"prompt\":\"q\",\"answer\":\"b\"}\n",
        "{\"prompt\":\"v\",\"answer\":\"a\"}\n", "{\"prompt\":\"x\",\"answer\":\"a\"}\n\n{\"prompt\":\"q\",\"answer\":\"b\"}\n",
        "train.jsonl");
    assertMessage(leak, leak.resolve("test.jsonl") + " record 2 (line 3): field \"prompt\" also appears in "
        + "the training split " + leak.resolve("train.jsonl") + " (line 2)");
    Path sums = task("s", "canonical", "exact", ok, "{\"prompt\":\"v\",\"answer\":\"a\"}\n",
        "{\"prompt\":\"t\",\"answer\":\"a\"}\n", "train.jsonl");
    Files.writeString(sums.resolve("SHA256SUMS"), Hashing.sha256("something else") + "  train.jsonl\n");
    assertMessage(sums, "checksum mismatch for " + sums.resolve("train.jsonl"));
    Path nospec = dir.resolve("nospec");
    Files.createDirectories(nospec);
    assertMessage(nospec, "no task.json in " + nospec);
  }

  private static void assertMessage(Path taskDir, String fragment) {
    CpiftException e = assertThrows(CpiftException.class, () -> Task.load(taskDir));
    assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' lacks '" + fragment + "'");
  }

  @Test
  void lowResourceSubsamplingIsSeeded() {
    Task math = Task.load(SUITE.resolve("math"));
    Task a = math.subsampleTrain(0.1, 0, 7);
    assertEquals(300, a.train().size());
    assertEquals(a.train(), math.subsampleTrain(0.1, 0, 7).train());
    assertEquals(50, math.subsampleTrain(0, 50, 7).train().size());
    assertTrue(math.train().containsAll(a.train()));
    // a subset is another training set: cache keys built from the checksums (experts) must differ
    assertNotEquals(math.checksums().get("train"), a.checksums().get("train"));
    assertEquals(a.checksums(), math.subsampleTrain(0.1, 0, 7).checksums());
    assertNotEquals(a.checksums().get("train"), math.subsampleTrain(0.1, 0, 8).checksums().get("train"));
    assertEquals(math.checksums().get("test"), a.checksums().get("test"));
    // and in the same order (keys hash JSON written in iteration order; Map.copyOf would shuffle)
    assertEquals(List.copyOf(math.checksums().keySet()), List.copyOf(a.checksums().keySet()));
    assertThrows(CpiftException.class, () -> math.subsampleTrain(1.5, 0, 7));
    assertThrows(CpiftException.class, () -> math.subsampleTrain(0, 100000, 7));
  }

  @Test
  void taskFilesAreReadFromInsideTheirFolderOnly() throws IOException {
    String rec = "{\"prompt\":\"%s\",\"answer\":\"a\"}\n";
    Path d = task("inside", "canonical", "exact", String.format(rec, "p1"), String.format(rec, "p2"),
        String.format(rec, "p3"), "train.jsonl");
    Path outside = dir.resolve("secret.jsonl");
    Files.writeString(outside, "TOP SECRET first bytes\n");
    Path spec = d.resolve("task.json");
    String json = Files.readString(spec);
    for (String name : new String[] {outside.toString(), "../secret.jsonl", "sub/../../secret.jsonl"}) {
      Files.writeString(spec, json.replace("\"train.jsonl\"", Json.write(name)));
      CpiftException e = assertThrows(CpiftException.class, () -> Task.load(d), name);
      assertTrue(e.getMessage().contains("points outside the folder")
          && e.getMessage().contains("\"files\".\"train\"")
          && !e.getMessage().contains("TOP SECRET"), e.getMessage());
    }
    // a link inside the folder that leads out of it
    Files.createSymbolicLink(d.resolve("link.jsonl"), outside);
    Files.writeString(spec, json.replace("\"train.jsonl\"", "\"link.jsonl\""));
    CpiftException e = assertThrows(CpiftException.class, () -> Task.load(d));
    assertTrue(e.getMessage().contains("is a link to") && !e.getMessage().contains("TOP SECRET"),
        e.getMessage());
    // SHA256SUMS may not name files outside either
    Files.writeString(spec, json);
    Files.writeString(d.resolve("SHA256SUMS"), Hashing.sha256(outside) + "  ../secret.jsonl\n");
    e = assertThrows(CpiftException.class, () -> Task.load(d));
    assertTrue(e.getMessage().contains("SHA256SUMS:1") && e.getMessage().contains("outside"),
        e.getMessage());
  }

  @Test
  void maxAnswerCharsMustBeAWholeNumberInRange() throws IOException {
    String rec = "{\"prompt\":\"%s\",\"answer\":\"a\"}\n";
    Path d = task("mac", "canonical", "exact", String.format(rec, "p1"), String.format(rec, "p2"),
        String.format(rec, "p3"), "train.jsonl");
    Path spec = d.resolve("task.json");
    String json = Files.readString(spec);
    String open = json.substring(0, json.length() - 1);
    for (String bad : new String[] {"\"12\"", "true", "1e12", "0", "-3", "2.5", "100001", "null"}) {
      Files.writeString(spec, open + ",\"max_answer_chars\":" + bad + "}");
      CpiftException e = assertThrows(CpiftException.class, () -> Task.load(d), bad);
      assertTrue(e.getMessage().contains("\"max_answer_chars\" is ")
          && e.getMessage().contains("whole number in 1..100000"), e.getMessage());
    }
    Files.writeString(spec, open + ",\"max_answer_chars\":12}");
    assertEquals(12, Task.load(d).maxAnswerChars());
    Files.writeString(spec, open + ",\"max_answer_chars\":12,\"max_answer_chars\":13}");
    CpiftException e = assertThrows(CpiftException.class, () -> Task.load(d));
    assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
  }
}
