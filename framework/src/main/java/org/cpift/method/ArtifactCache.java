package org.cpift.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.cpift.params.ParamSnapshot;
import org.cpift.params.Safetensors;
import org.cpift.util.CacheKey;
import org.cpift.util.Hashing;
import org.cpift.util.Json;

/**
 * Artifacts shared across methods and runs (the experts), stored under a directory keyed by a hash
 * of everything that determines them, so a rerun recomputes nothing. An entry is complete when its
 * {@code meta.json} exists (written last, atomically); a run killed mid-write leaves no entry.
 */
public final class ArtifactCache {
  private final Path dir;

  public ArtifactCache(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** The key of a description ({@link CacheKey}: records by component name). */
  public static String key(Object description) {
    return CacheKey.of(description);
  }

  /** A cached model and its cost, if present. */
  public Optional<Entry> get(String kind, String key) {
    Path d = dir.resolve(kind).resolve(key);
    Path meta = d.resolve("meta.json");
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    try {
      JsonNode m = Json.MAPPER.readTree(meta.toFile());
      Cost c = Json.MAPPER.treeToValue(m.get("cost"), Cost.class);
      ParamSnapshot p = Safetensors.read(d.resolve("model.safetensors")).params();
      return Optional.of(new Entry(p, c, m));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Stores a model with its cost and description. */
  public void put(String kind, String key, ParamSnapshot params, Cost cost, Object description,
      Map<String, Object> extra) {
    Path d = dir.resolve(kind).resolve(key);
    Safetensors.write(d.resolve("model.safetensors"), params, Map.of());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("description", description);
    m.put("cost", cost);
    if (extra != null) {
      m.putAll(extra);
    }
    Json.writeFile(d.resolve("meta.json"), m);
  }

  /** A cache entry. */
  public record Entry(ParamSnapshot params, Cost cost, JsonNode meta) {}
}
