package org.cpift.merge;

import java.util.Map;
import org.cpift.params.ParamSnapshot;

/**
 * A way to merge task models into one (after mergekit's merge methods): one small class per
 * method, found by name in {@link MergeRegistry}, declaring its parameters and its source.
 */
public interface MergeMethod {
  /** Registry name, e.g. {@code ties}. */
  String name();

  /** The paper the method comes from. */
  String reference();

  /** The method's hyperparameters with their values (for manifests and reports). */
  Map<String, Object> parameters();

  /** Whether the method merges LoRA adapter factors ({@link MergeContext#adapters}). */
  default boolean mergesAdapters() {
    return false;
  }

  /** Merges the context's experts into one parameter snapshot. */
  ParamSnapshot merge(MergeContext ctx);
}
