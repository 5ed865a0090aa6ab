package org.cpift.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cpift.method.ArtifactCache;
import org.cpift.util.Json;
import org.cpift.util.LockHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's cache entries against another process: while one holds an entry's lock, a second
 * gate waits, then takes the value the first wrote instead of computing it again; with nobody
 * holding it, it computes and writes.
 */
class TestbedCacheLockTest {
  @TempDir Path dir;

  @Test
  void anEntryBeingComputedElsewhereIsWaitedForAndNotComputedTwice() throws Exception {
    assumeTrue(LockHolder.available(), "python3 needed");
    Map<String, Object> key = Map.of("entry", "abc");
    Path file = file(key);
    Process other = LockHolder.hold(dir.resolve(TestbedCheck.KIND).resolve(".locks")
        .resolve(ArtifactCache.key(key) + ".lock"));
    AtomicInteger computed = new AtomicInteger();
    try {
      CompletableFuture<Map<String, Double>> mine = CompletableFuture.supplyAsync(() ->
          TestbedCheck.cached(cache(), key, new TypeReference<Map<String, Double>>() {}, () -> {
            computed.incrementAndGet();
            return Map.of("score", 0.5);
          }));
      Thread.sleep(1000);
      assertFalse(mine.isDone(), "waits while the other process holds the entry");
      // the other process finishes: writes its value, then releases the lock by exiting
      Json.writeFile(file, Map.of("score", 0.25));
      other.destroyForcibly().waitFor();
      assertEquals(Map.of("score", 0.25), mine.get(60, TimeUnit.SECONDS));
      assertEquals(0, computed.get(), "the other process's value is taken, not computed again");
    } finally {
      other.destroyForcibly().waitFor();
    }
  }

  @Test
  void aCachedEntryIsReadWithoutLockingSoAReadOnlyCacheServes() throws Exception {
    Map<String, Object> key = Map.of("entry", "ro");
    Path file = file(key);
    Path testbed = file.getParent();
    Json.writeFile(file, Map.of("score", 0.5));
    assertTrue(testbed.toFile().setWritable(false), "cannot make the folder read-only here");
    try {
      assertEquals(Map.of("score", 0.5), TestbedCheck.cached(cache(), key,
          new TypeReference<Map<String, Double>>() {}, () -> {
            throw new AssertionError("computed although cached");
          }));
      assertFalse(Files.exists(testbed.resolve(".locks")), "no lock taken for a hit");
    } finally {
      testbed.toFile().setWritable(true);
    }
  }

  @Test
  void aFreeEntryIsComputedOnceAndThenRead() {
    Map<String, Object> key = Map.of("entry", "def");
    Path file = file(key);
    AtomicInteger computed = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      Map<String, Double> v = TestbedCheck.cached(cache(), key,
          new TypeReference<Map<String, Double>>() {}, () -> {
            computed.incrementAndGet();
            return Map.of("score", 0.75);
          });
      assertEquals(Map.of("score", 0.75), v);
    }
    assertEquals(1, computed.get());
    assertEquals(true, Files.isRegularFile(file));
  }

  private ArtifactCache cache() {
    return new ArtifactCache(dir);
  }

  /** Where the gate keeps the entry of {@code key}. */
  private Path file(Map<String, Object> key) {
    return dir.resolve(TestbedCheck.KIND).resolve(ArtifactCache.key(key) + ".json");
  }
}
