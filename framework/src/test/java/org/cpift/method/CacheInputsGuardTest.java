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
}
