package org.cpift.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * Cache keys from descriptions built of configuration records, maps, lists and values: the SHA-256
 * of a canonical JSON tree in which a record is an object of its components by name. A record that
 * gained a component after results were cached implements {@link Evolving} and declares that
 * component's default; the component is left out of the tree while it holds that default, so
 * adding an option with a default leaves every existing key unchanged by construction. A declared
 * default never changes afterwards (it names the behaviour the old results were computed with).
 */
public final class CacheKey {
  private CacheKey() {}

  /** A configuration record whose later components declare the default they are keyed out at. */
  public interface Evolving {
    /** Component name → the value at which it is left out of cache keys. */
    Map<String, Object> addedWithDefaults();
  }

  /** The key of a description. */
  public static String of(Object description) {
    return Hashing.sha256(tree(description).toString());
  }

  /** The canonical JSON tree of a description (what {@link #of} hashes). */
  public static JsonNode tree(Object value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    }
    if (value instanceof Record r) {
      ObjectNode o = f.objectNode();
      Map<String, Object> added = r instanceof Evolving e ? e.addedWithDefaults() : Map.of();
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object v;
        try {
          c.getAccessor().setAccessible(true);
          v = c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException ex) {
          throw new IllegalStateException("cannot read " + r.getClass().getSimpleName() + "."
              + c.getName() + " for a cache key", ex);
        }
        if (added.containsKey(c.getName()) && Objects.equals(added.get(c.getName()), v)) {
          continue;
        }
        o.set(c.getName(), tree(v));
      }
      return o;
    }
    if (value instanceof Map<?, ?> m) {
      ObjectNode o = f.objectNode();
      m.forEach((k, v) -> o.set(String.valueOf(k), tree(v)));
      return o;
    }
    if (value instanceof Collection<?> c) {
      ArrayNode a = f.arrayNode();
      c.forEach(v -> a.add(tree(v)));
      return a;
    }
    if (value instanceof Enum<?> e) {
      return f.textNode(e.name());
    }
    if (value instanceof double[][] m) {
      ArrayNode a = f.arrayNode();
      for (double[] row : m) {
        a.add(tree(row));
      }
      return a;
    }
    return Json.MAPPER.valueToTree(value);
  }
}
