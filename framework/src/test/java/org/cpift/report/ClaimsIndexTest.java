package org.cpift.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cpift.util.Json;
import org.junit.jupiter.api.Test;

/** The claims of every experiment on one page, and claims read back from claims.json. */
class ClaimsIndexTest {
  @Test
  void oneRowPerClaimWithItsStatusHolmPAndProgress() {
    Claims.Claim seesaw = new Claims.Claim("Seesaw | on some task.", "supported", "ratio 0.75",
        List.of(0.001, 0.2), List.of(0.00333, Double.NaN));
    Claims.Claim tau = new Claims.Claim("Grouping helps.", "inconclusive (one seed: no interval)",
        "curve");
    Map<String, List<Claims.Claim>> claims = new LinkedHashMap<>();
    claims.put("main-results", List.of(seesaw));
    claims.put("tau-sweep", List.of(tau));
    String md = ClaimsIndex.markdown("small", claims, Map.of("main-results",
        new ClaimsIndex.Progress(49, 85), "tau-sweep", new ClaimsIndex.Progress(24, 24)));
    assertTrue(md.startsWith("# Claims of the paper at the small preset"), md);
    assertTrue(md.contains("| main-results | 49 of 85 | Seesaw \\| on some task. | **supported** "
        + "| 0.00333, n/a |"), md);
    assertTrue(md.contains("| tau-sweep | all 24 | Grouping helps. | **inconclusive (one seed: no "
        + "interval)** | – |"), md);
    assertTrue(md.contains("## tau-sweep\n\n- Grouping helps. **inconclusive (one seed: no "
        + "interval)**. curve\n"), md);
    assertTrue(ClaimsIndex.markdown("small", claims, Map.of()).contains("| main-results | ? |"));
  }

  @Test
  void claimsSurviveTheirJsonFile() throws Exception {
    Claims.Claim c = new Claims.Claim("A claim.", "supported", "why", List.of(0.01), List.of(0.02));
    String json = Json.MAPPER.writeValueAsString(Map.of("x", List.of(c)));
    List<Claims.Claim> back = Json.MAPPER.convertValue(Json.STRICT.readTree(json).get("x"),
        new TypeReference<List<Claims.Claim>>() {});
    assertEquals(List.of(c), back);
  }
}
