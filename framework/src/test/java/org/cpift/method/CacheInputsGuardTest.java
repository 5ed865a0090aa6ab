package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cpift.task.Task;
import org.cpift.util.CpiftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheInputsGuardTest {
  @TempDir Path dir;

  private Task task(String name, String metric, String answer) throws IOException {
    Path d = dir.resolve("suite").resolve(name);
    Files.createDirectories(d);
    Files.writeString(d.resolve("task.json"), "{\"name\":\"" + name
        + "\",\"format\":\"canonical\",\"metric\":\"" + metric
        + "\",\"files\":{\"train\":\"train.jsonl\",\"val\":\"val.jsonl\",\"test\":\"test.jsonl\"}}");
    Files.writeString(d.resolve("train.jsonl"), "{\"prompt\":\"a\",\"answer\":\"" + answer + "\"}\n");
    Files.writeString(d.resolve("val.jsonl"), "{\"prompt\":\"b\",\"answer\":\"x\"}\n");
    Files.writeString(d.resolve("test.jsonl"), "{\"prompt\":\"c\",\"answer\":\"x\"}\n");
    return Task.load(d);
  }

  @Test
  void aChangedScoringDefinitionOrTokenizerIsRefusedNewDataIsRecorded() throws IOException {
    Path cache = dir.resolve("run").resolve("cache");
    Path base = dir.resolve("base");
    Files.createDirectories(base);
    Files.writeString(base.resolve("tokenizer.json"), "{\"v\":1}");
    CacheInputsGuard.check(cache, base, "w1", List.of(task("t", "exact", "x")));
    assertTrue(Files.isRegularFile(cache.resolve(CacheInputsGuard.FILE)));
    // same inputs again: fine
    assertDoesNotThrow(() -> CacheInputsGuard.check(cache, base, "w1",
        List.of(task("t", "exact", "x"))));

    // the same data scored by another metric: the keys would not change, so it is refused
    Task rescored = task("t", "final_number", "x");
    CpiftException e = assertThrows(CpiftException.class,
        () -> CacheInputsGuard.check(cache, base, "w1", List.of(rescored)));
    assertTrue(e.getMessage().contains("definition of task t"), e.getMessage());
    assertTrue(e.getMessage().contains("FINAL_NUMBER"), e.getMessage());

    // new data is a new key everywhere: recorded, not refused, and the old record stays
    assertDoesNotThrow(() -> CacheInputsGuard.check(cache, base, "w1",
        List.of(task("t", "final_number", "y"))));
    Task original = task("t", "exact", "x");
    assertDoesNotThrow(() -> CacheInputsGuard.check(cache, base, "w1", List.of(original)));

    // another tokenizer for the same base weights is refused; another base is recorded
    Files.writeString(base.resolve("tokenizer.json"), "{\"v\":2}");
    CpiftException t = assertThrows(CpiftException.class,
        () -> CacheInputsGuard.check(cache, base, "w1", List.of(original)));
    assertTrue(t.getMessage().contains("tokenizer"), t.getMessage());
    assertDoesNotThrow(() -> CacheInputsGuard.check(cache, base, "w2", List.of(original)));
  }
  /**
   * With the character tokenizer, a character outside its vocabulary anywhere in a task (here in
   * the test split, which is read only after training) stops the run before any work, naming the
   * task, split and record.
   */
  @Test
  void aCharacterTheTokenizerCannotEncodeIsRefusedBeforeAnyWork() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    task("fine", "exact", "y");
    Path d = dir.resolve("suite").resolve("odd");
    task("odd", "exact", "y");
    Files.writeString(d.resolve("test.jsonl"), "{\"prompt\":\"c\",\"answer\":\"x\"}\n"
        + "{\"prompt\":\"caf\u00e9\",\"answer\":\"x\"}\n");
    MethodRunner.Inputs in = new MethodRunner.Inputs(root.resolve("benchmarks-data/base/tiny"),
        dir.resolve("suite"), List.of("fine", "odd"), dir.resolve("cache"));
    CpiftException e = assertThrows(CpiftException.class, () -> MethodRunner.context(in,
        MethodConfig.defaults(org.cpift.train.Preset.TINY)));
    assertTrue(e.getMessage().startsWith("task odd, test split, record "), e.getMessage());
    assertTrue(e.getMessage().contains("(prompt): character"), e.getMessage());
    MethodRunner.Inputs fine = new MethodRunner.Inputs(root.resolve("benchmarks-data/base/tiny"),
        dir.resolve("suite"), List.of("fine"), dir.resolve("cache2"));
    assertDoesNotThrow(() -> MethodRunner.context(fine,
        MethodConfig.defaults(org.cpift.train.Preset.TINY)));
  }
}
