package org.cpift.params;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cpift.util.CpiftException;

/**
 * Host-side copy of a model's parameters: an ordered map from stable variable name to
 * {@link Param}. Snapshots are what checkpoints, task vectors, masks and merges operate on.
 */
public final class ParamSnapshot {
  private final LinkedHashMap<String, Param> params = new LinkedHashMap<>();

  public ParamSnapshot() {}

  public ParamSnapshot(Collection<Param> values) {
    values.forEach(this::put);
  }

  public ParamSnapshot put(Param p) {
    if (params.putIfAbsent(p.name(), p) != null) {
      throw new IllegalArgumentException("duplicate parameter name " + p.name());
    }
    return this;
  }

  public Param get(String name) {
    Param p = params.get(name);
    if (p == null) {
      throw new CpiftException("no parameter named '" + name + "' (have " + params.keySet() + ")");
    }
    return p;
  }

  public boolean contains(String name) {
    return params.containsKey(name);
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(params.keySet());
  }

  public Collection<Param> params() {
    return Collections.unmodifiableCollection(params.values());
  }

  public int size() {
    return params.size();
  }

  /** Total number of scalar entries over all parameters. */
  public long numElements() {
    long n = 0;
    for (Param p : params.values()) {
      n += p.size();
    }
    return n;
  }

  /** A deep copy. */
  public ParamSnapshot copy() {
    List<Param> out = new ArrayList<>();
    params.values().forEach(p -> out.add(p.copy()));
    return new ParamSnapshot(out);
  }

  /**
   * Checks that {@code other} has exactly the same names and shapes; throws a message naming the
   * first difference otherwise.
   */
  public void requireSameLayout(ParamSnapshot other, String what) {
    if (!params.keySet().equals(other.params.keySet())) {
      throw new CpiftException(what + ": parameter names differ; expected " + params.keySet()
          + " but found " + other.params.keySet());
    }
    for (Map.Entry<String, Param> e : params.entrySet()) {
      long[] a = e.getValue().shape();
      long[] b = other.params.get(e.getKey()).shape();
      if (!java.util.Arrays.equals(a, b)) {
        throw new CpiftException(what + ": parameter " + e.getKey() + " has shape "
            + java.util.Arrays.toString(b) + " but " + java.util.Arrays.toString(a) + " was expected");
      }
    }
  }

  /**
   * SHA-256 over every parameter in order: its name, shape and the bits of its values (so two
   * snapshots have the same digest exactly when they hold the same bits under the same names).
   */
  public String sha256() {
    java.security.MessageDigest md = org.cpift.util.Hashing.digest();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (Param p : params.values()) {
      md.update((p.name() + "\0" + java.util.Arrays.toString(p.shape()) + "\0")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      float[] d = p.data();
      for (int i = 0; i < d.length; i++) {
        if (!buf.hasRemaining()) {
          md.update(buf.array(), 0, buf.position());
          buf.clear();
        }
        buf.putInt(Float.floatToRawIntBits(d[i]));
      }
      md.update(buf.array(), 0, buf.position());
      buf.clear();
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParamSnapshot s && params.equals(s.params);
  }

  @Override
  public int hashCode() {
    return params.keySet().hashCode();
  }

  @Override
  public String toString() {
    return "ParamSnapshot" + params.values();
  }
}
