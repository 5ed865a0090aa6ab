package org.cpift.merge;

import java.util.List;
import org.cpift.params.ParamMask;
import org.cpift.params.ParamSnapshot;

/**
 * What a merge method merges: the base θ0 and the task models θ1..θN (in stage order), with
 * their task names and, where a method uses them, the tasks' core regions (else null) and, for
 * LoRA experts, their unmerged adapter factors ({@code h0/attn/wq.lora_A [in, r]},
 * {@code .lora_B [r, out]}; else null) with the scale α/r their update carries.
 */
public record MergeContext(ParamSnapshot base, List<ParamSnapshot> experts, List<String> tasks,
    List<ParamMask> cores, List<ParamSnapshot> adapters, double adapterScale) {
  /** Experts without adapter factors. */
  public MergeContext(ParamSnapshot base, List<ParamSnapshot> experts, List<String> tasks,
      List<ParamMask> cores) {
    this(base, experts, tasks, cores, null, 0);
  }

  public MergeContext {
    if (adapters != null && (adapters.size() != experts.size() || !(adapterScale > 0))) {
      throw new IllegalArgumentException("need one adapter snapshot per expert and a scale > 0");
    }
    if (experts.isEmpty() || experts.size() != tasks.size()) {
      throw new IllegalArgumentException("need one task name per expert, at least one expert");
    }
    for (ParamSnapshot e : experts) {
      base.requireSameLayout(e, "merging");
    }
    if (cores != null && cores.size() != experts.size()) {
      throw new IllegalArgumentException("need one core region per expert");
    }
  }

  /** δi = θi − θ0 of parameter {@code name}. */
  public float[] delta(int i, String name) {
    float[] th = experts.get(i).get(name).data();
    float[] th0 = base.get(name).data();
    float[] d = new float[th.length];
    for (int j = 0; j < d.length; j++) {
      d[j] = th[j] - th0[j];
    }
    return d;
  }
}
