package org.cpift.params;

import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A set of parameter entries: per variable name, a bit set over the flattened (row-major)
 * entries. Core regions and freeze masks are {@code ParamMask}s. A name that is absent selects no
 * entry of that variable.
 */
public final class ParamMask {
  private final LinkedHashMap<String, BitSet> bits = new LinkedHashMap<>();

  public ParamMask() {}

  /** Marks entries {@code indices} of {@code name} as selected. */
  public ParamMask set(String name, int... indices) {
    BitSet b = bits.computeIfAbsent(name, n -> new BitSet());
    for (int i : indices) {
      b.set(i);
    }
    return this;
  }

  /** Replaces the selection of {@code name}. */
  public ParamMask put(String name, BitSet selected) {
    bits.put(name, (BitSet) selected.clone());
    return this;
  }

  /** Selects every entry of every parameter of {@code snapshotLayout}. */
  public static ParamMask all(ParamSnapshot snapshotLayout) {
    ParamMask m = new ParamMask();
    for (Param p : snapshotLayout.params()) {
      BitSet b = new BitSet(p.size());
      b.set(0, p.size());
      m.bits.put(p.name(), b);
    }
    return m;
  }

  /** Selected entries of {@code name}, or an empty set (a copy; changes do not write through). */
  public BitSet get(String name) {
    BitSet b = bits.get(name);
    return b == null ? new BitSet() : (BitSet) b.clone();
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(bits.keySet());
  }

  /** Number of selected entries over all variables. */
  public long cardinality() {
    long n = 0;
    for (BitSet b : bits.values()) {
      n += b.cardinality();
    }
    return n;
  }

  /** The union of this and {@code other}, as a new mask. */
  public ParamMask union(ParamMask other) {
    ParamMask out = copy();
    for (Map.Entry<String, BitSet> e : other.bits.entrySet()) {
      out.bits.computeIfAbsent(e.getKey(), n -> new BitSet()).or(e.getValue());
    }
    return out;
  }

  public ParamMask copy() {
    ParamMask out = new ParamMask();
    bits.forEach((k, v) -> out.bits.put(k, (BitSet) v.clone()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ParamMask m)) {
      return false;
    }
    Set<String> names = new java.util.HashSet<>(bits.keySet());
    names.addAll(m.bits.keySet());
    for (String n : names) {
      if (!get(n).equals(m.get(n))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return (int) cardinality();
  }
}
