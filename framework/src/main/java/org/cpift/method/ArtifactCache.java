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
import org.cpift.util.CpiftException;
import org.cpift.util.FileLocks;
import org.cpift.util.Hashing;
import org.cpift.util.Json;
import org.cpift.util.PhaseClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts shared across methods and runs (the experts), stored under a directory keyed by a hash
 * of everything that determines them, so a rerun recomputes nothing. An entry is complete when its
 * {@code meta.json} exists (written last, atomically, with the model's sha256); a run killed
 * mid-write leaves no entry, and an entry damaged later is detected and recomputed.
 */
public final class ArtifactCache {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
  private static final String MODEL_FILE = "model.safetensors";
  /** meta.json's record of the model file's sha256, checked on every load. */
  static final String CHECKSUM_FIELD = "model_sha256";
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

  /** Whether an entry is stored (not checked for damage: for estimates, not for use). */
  public boolean has(String kind, String key) {
    return Files.isRegularFile(dir.resolve(kind).resolve(key).resolve("meta.json"));
  }

  /**
   * A cached model and its cost, if present and intact. An entry whose model no longer matches
   * the checksum recorded when it was stored (or does not parse) is moved aside to
   * {@code <key>.damaged-<time>}, with a warning, and reported absent, so that it is recomputed.
   */
  public Optional<Entry> get(String kind, String key) {
    Path d = dir.resolve(kind).resolve(key);
    Path meta = d.resolve("meta.json");
    if (!Files.isRegularFile(meta)) {
      return Optional.empty();
    }
    Path model = d.resolve(MODEL_FILE);
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.STORAGE)) {
      JsonNode m = Json.STRICT.readTree(meta.toFile());
      String recorded = m.path(CHECKSUM_FIELD).asText("");
      if (!recorded.isEmpty()) {
        String actual = Files.isRegularFile(model) ? Hashing.sha256(model) : "(missing)";
        if (!actual.equals(recorded)) {
          return damaged(d, "its model's sha256 is " + actual + ", not the " + recorded
              + " recorded when it was stored");
        }
      }
      Cost c = Json.STRICT.treeToValue(m.get("cost"), Cost.class);
      ParamSnapshot p = Safetensors.read(model).params();
      return Optional.of(new Entry(p, c, m));
    } catch (IOException | CpiftException | IllegalArgumentException e) {
      return damaged(d, e.getMessage());
    }
  }

  private Optional<Entry> damaged(Path entry, String why) {
    Path aside = entry.resolveSibling(entry.getFileName() + ".damaged-" + System.currentTimeMillis());
    try {
      Files.move(entry, aside);
    } catch (IOException e) {
      throw new CpiftException("the cached artifact " + entry + " is damaged (" + why
          + ") and cannot be moved aside (" + e.getMessage() + "); delete it and run again");
    }
    LOG.warn("the cached artifact {} is damaged ({}); moved it to {} and computing it again",
        entry, why, aside.getFileName());
    return Optional.empty();
  }

  /**
   * Locks entry {@code key} of {@code kind} against other processes (waiting while one holds it):
   * take it around "get, else compute and put", so that two workers needing the same expert
   * train it once and neither reads it half-written.
   */
  public FileLocks.Held lock(String kind, String key) {
    return FileLocks.lock(dir.resolve(kind).resolve(".locks").resolve(key + ".lock"));
  }

  /** Stores a model with its cost and description. */
  public void put(String kind, String key, ParamSnapshot params, Cost cost, Object description,
      Map<String, Object> extra) {
    Path d = dir.resolve(kind).resolve(key);
    Path model = d.resolve(MODEL_FILE);
    try (PhaseClock.Timer t = PhaseClock.time(PhaseClock.Phase.STORAGE)) {
      write(d, model, params, cost, description, extra);
    }
  }

  private static void write(Path d, Path model, ParamSnapshot params, Cost cost,
      Object description, Map<String, Object> extra) {
    Safetensors.write(model, params, Map.of());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(CHECKSUM_FIELD, Hashing.sha256(model));
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
