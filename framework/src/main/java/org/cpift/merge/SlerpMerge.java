package org.cpift.merge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/**
 * The SLERP-only baseline (and, with {@code LINEAR}, plain weight averaging): every tensor of the
 * experts combined with equal weights by {@link Interpolation}, no core handling.
 */
public final class SlerpMerge implements MergeMethod {
  private final Interpolation interpolation;

  public SlerpMerge(Interpolation interpolation) {
    this.interpolation = interpolation;
  }

  @Override
  public String name() {
    return interpolation == Interpolation.LINEAR ? "linear" : "slerp";
  }

  @Override
  public String reference() {
    return interpolation == Interpolation.LINEAR
        ? "Wortsman et al., Model soups, ICML 2022 (arXiv 2203.05482)"
        : "Shoemake, Animating rotation with quaternion curves, SIGGRAPH 1985; as in mergekit";
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of("interpolation", interpolation.name().toLowerCase(), "colinear", Slerp.COLINEAR);
  }

  @Override
  public ParamSnapshot merge(MergeContext ctx) {
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : ctx.base().params()) {
      List<float[]> xs = new ArrayList<>();
      ctx.experts().forEach(e -> xs.add(e.get(p.name()).data()));
      out.put(p.withData(interpolation.combine(xs, null, Slerp.COLINEAR)));
    }
    return out;
  }
}
