package org.cpift.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cpift.method.MethodConfig;
import org.cpift.train.Preset;
import org.junit.jupiter.api.Test;

/**
 * Cache keys: every component of a configuration record counts; a component added later with a
 * declared default leaves every key made before it unchanged (the project's rule for adding an
 * option), and changes the key once it differs from that default.
 */
class CacheKeyTest {
  enum Mode { A, B }

  /** A configuration as it was when results were cached. */
  record Before(int steps, double lr, Mode mode, List<String> order) {}

  /** The same configuration after an option {@code probe} was added, default 0. */
  record After(int steps, double lr, Mode mode, List<String> order, int probe)
      implements CacheKey.Evolving {
    @Override
    public Map<String, Object> addedWithDefaults() {
      return Map.of("probe", 0);
    }
  }

  /** Nested in another record, as the method configuration nests its parts. */
  record Outer(String method, Object part) {}

  @Test
  void anOptionAddedWithADefaultKeepsEveryEarlierKey() {
    for (int steps : new int[] {1, 300}) {
      for (Mode m : Mode.values()) {
        Before b = new Before(steps, 1e-4, m, List.of("math", "code"));
        After a = new After(steps, 1e-4, m, List.of("math", "code"), 0);
        assertEquals(CacheKey.of(new Outer("cpi-ft", b)), CacheKey.of(new Outer("cpi-ft", a)));
        assertNotEquals(CacheKey.of(new Outer("cpi-ft", b)), CacheKey.of(new Outer("cpi-ft",
            new After(steps, 1e-4, m, List.of("math", "code"), 7))));
      }
    }
  }

  @Test
  void everyComponentCounts() {
    Before b = new Before(300, 1e-4, Mode.A, List.of("math", "code"));
    String k = CacheKey.of(b);
    assertNotEquals(k, CacheKey.of(new Before(301, 1e-4, Mode.A, List.of("math", "code"))));
    assertNotEquals(k, CacheKey.of(new Before(300, 2e-4, Mode.A, List.of("math", "code"))));
    assertNotEquals(k, CacheKey.of(new Before(300, 1e-4, Mode.B, List.of("math", "code"))));
    assertNotEquals(k, CacheKey.of(new Before(300, 1e-4, Mode.A, List.of("code", "math"))));
    assertEquals(k, CacheKey.of(new Before(300, 1e-4, Mode.A, List.of("math", "code"))));
    assertEquals("{\"steps\":300,\"lr\":1.0E-4,\"mode\":\"A\",\"order\":[\"math\",\"code\"]}",
        CacheKey.tree(b).toString());
  }

  @Test
  void theMethodConfigurationKeysEveryNestedPartByName() {
    MethodConfig c = MethodConfig.defaults(Preset.SMALL).withSeed(1);
    String tree = CacheKey.tree(c).toString();
    for (String part : List.of("\"training\"", "\"budgets\"", "\"core\"", "\"staging\"",
        "\"fusion\"", "\"pipeline\"", "\"merge\"", "\"evaluation\"", "\"expertSteps\":300")) {
      assertTrue(tree.contains(part), part + " in " + tree);
    }
    assertNotEquals(CacheKey.of(c), CacheKey.of(c.withBudgets(b -> b.withPipelineSteps(101))));
    assertNotEquals(CacheKey.of(c), CacheKey.of(c.withPipeline(p -> p.withFreeze(false))));
    assertEquals(CacheKey.of(c), CacheKey.of(MethodConfig.defaults(Preset.SMALL).withSeed(1)));
  }
}
