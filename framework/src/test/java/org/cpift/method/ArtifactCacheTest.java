package org.cpift.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactCacheTest {
  @TempDir Path dir;

  private static ParamSnapshot params() {
    ParamSnapshot s = new ParamSnapshot();
    s.put(new Param("w", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
    return s;
  }

  @Test
  void anIntactEntryLoadsWithItsCost() {
    ArtifactCache c = new ArtifactCache(dir);
    c.put("experts", "k1", params(), new Cost(10, 100, 1.5, 0, 0, 0), Map.of("task", "t"), null);
    var e = c.get("experts", "k1").orElseThrow();
    assertEquals(params(), e.params());
    assertEquals(10, e.cost().steps());
    assertTrue(e.meta().path("model_sha256").asText().matches("[0-9a-f]{64}"));
  }

  @Test
  void aTruncatedOrAlteredEntryIsMovedAsideAndReportedAbsent() throws IOException {
    ArtifactCache c = new ArtifactCache(dir);
    for (String damage : new String[] {"truncate", "flip", "delete"}) {
      String key = "k-" + damage;
      c.put("experts", key, params(), new Cost(10, 100, 1.5, 0, 0, 0), Map.of("task", "t"), null);
      Path model = dir.resolve("experts").resolve(key).resolve("model.safetensors");
      byte[] b = Files.readAllBytes(model);
      switch (damage) {
        case "truncate" -> Files.write(model, Arrays.copyOf(b, b.length / 2));
        case "flip" -> {
          b[b.length - 1] ^= 1;
          Files.write(model, b);
        }
        default -> Files.delete(model);
      }
      assertTrue(c.get("experts", key).isEmpty(), damage);
      assertFalse(Files.exists(dir.resolve("experts").resolve(key)), damage);
      try (Stream<Path> s = Files.list(dir.resolve("experts"))) {
        assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith(key + ".damaged-")),
            damage);
      }
      // recomputed and stored again, it loads
      c.put("experts", key, params(), new Cost(10, 100, 1.5, 0, 0, 0), Map.of("task", "t"), null);
      assertEquals(params(), c.get("experts", key).orElseThrow().params());
    }
  }
}
