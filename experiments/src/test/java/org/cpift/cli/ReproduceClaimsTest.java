package org.cpift.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** claims.json keeps every reported experiment's claims, the optional ones' included. */
class ReproduceClaimsTest {
  @Test
  void optionalExperimentsClaimsAreKeptAfterThePaperTables() {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("peft", List.of("a"));
    claims.put("components", List.of("b"));
    claims.put("main-results", List.of("c"));
    claims.put("no-such-experiment", List.of("d"));
    assertEquals(List.of("main-results", "components", "peft"),
        List.copyOf(ReproduceCommand.ordered(claims).keySet()));
  }
}
