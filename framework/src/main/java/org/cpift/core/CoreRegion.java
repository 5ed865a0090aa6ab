package org.cpift.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.cpift.model.ParamKind;
import org.cpift.params.ParamMask;
import org.cpift.util.CpiftException;
import org.cpift.util.Json;

/**
 * A task's core region: the entries its fine-tuning moved most, as bit sets keyed by variable
 * name, with the number of eligible entries it was chosen from.
 *
 * @param task the task
 * @param mask the core entries
 * @param eligible D, the number of entries the top-p% was taken over
 */
public record CoreRegion(String task, ParamMask mask, long eligible) {

  public long size() {
    return mask.cardinality();
  }

  /** Where the core lives: share of its entries per layer ({@code h3}, {@code wte}, ...). */
  public Map<String, Double> shareByLayer() {
    Map<String, Double> out = new TreeMap<>();
    double n = Math.max(1, size());
    for (String name : mask.names()) {
      int slash = name.indexOf('/');
      out.merge(slash < 0 ? name : name.substring(0, slash), mask.get(name).cardinality() / n,
          Double::sum);
    }
    return out;
  }

  /** Where the core lives: share of its entries per tensor kind (attention, MLP, ...). */
  public Map<String, Double> shareByKind() {
    Map<String, Double> out = new TreeMap<>();
    double n = Math.max(1, size());
    for (String name : mask.names()) {
      out.merge(ParamKind.ofName(name).name().toLowerCase(), mask.get(name).cardinality() / n,
          Double::sum);
    }
    return out;
  }

  /** Writes the region as JSON (bit sets base64-encoded) with its summary, atomically. */
  public void save(Path file) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("task", task);
    m.put("size", size());
    m.put("eligible", eligible);
    m.put("share_by_layer", shareByLayer());
    m.put("share_by_kind", shareByKind());
    Map<String, String> bits = new LinkedHashMap<>();
    for (String name : mask.names()) {
      bits.put(name, Base64.getEncoder().encodeToString(mask.get(name).toByteArray()));
    }
    m.put("bits", bits);
    Json.writeFile(file, m);
  }

  public static CoreRegion load(Path file) {
    try {
      JsonNode n = Json.STRICT.readTree(file.toFile());
      ParamMask mask = new ParamMask();
      n.get("bits").fields().forEachRemaining(e -> mask.put(e.getKey(),
          BitSet.valueOf(Base64.getDecoder().decode(e.getValue().asText()))));
      return new CoreRegion(n.get("task").asText(), mask, n.get("eligible").asLong());
    } catch (IOException | RuntimeException e) {
      throw new CpiftException("cannot read core region " + file + ": " + e.getMessage());
    }
  }
}
