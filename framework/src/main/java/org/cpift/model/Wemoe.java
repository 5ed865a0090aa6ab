package org.cpift.model;

import java.util.List;
import org.cpift.params.Param;
import org.cpift.params.ParamSnapshot;

/**
 * Weight-ensembling mixture of experts (WEMoE; Tang et al., "Merging Multi-Task Models via
 * Weight-Ensembling Mixture of Experts", ICML 2024, arXiv 2402.00433): every MLP of the merged
 * model is upscaled into a module whose weights are made per input, {@code W(x) = W0 + Σ_i
 * g_i(x)·τ_i}, from the base's MLP weights {@code W0} and the N experts' task vectors
 * {@code τ_i = W_i − W0}, weighted by a router {@code g(x) = W_r2·relu(W_r1·x + b_r1) + b_r2}
 * (two layers, width d, N outputs, not normalized) that reads the MLP's input. Every other tensor
 * is merged by task arithmetic, {@code θ0 + λ·Σ_i τ_i}. The router starts as the paper's: its
 * matrices N(0, 0.01²), {@code b_r1 = 0}, {@code b_r2 = λ}, so the first model is close to task
 * arithmetic with the same λ everywhere.
 *
 * <p>For a causal decoder the routing weights are computed per token (the module's linear maps
 * are linear in the weights, so {@code x·W(x) = x·W0 + Σ_i g_i(x)·(x·τ_i)}, N + 1 products per
 * matrix), where the paper averages them over an image's tokens: an average over the sequence
 * would let later tokens change the weights at earlier positions.
 *
 * <p>Variables: the base MLP's keep their names; task vector i of {@code h0/mlp/w1} is
 * {@code h0/mlp/w1.task_vector_i} (kind {@link ParamKind#TASK_VECTOR}); the router of block l is
 * {@code h{l}/router/{w1,b1,w2,b2}} (kind {@link ParamKind#ROUTER}), the only trainable part.
 *
 * @param experts N, the number of task vectors per MLP tensor
 * @param initLambda λ: the task-arithmetic scaling of the non-MLP tensors and the router's
 *     starting output
 */
public record Wemoe(int experts, double initLambda) {
  private static final String TASK_VECTOR = ".task_vector_";
  /** Standard deviation of the router's starting matrices (the paper's 0.01). */
  public static final float ROUTER_INIT_STD = 0.01f;

  public Wemoe {
    if (experts < 1) {
      throw new IllegalArgumentException("WEMoE needs at least one expert, got " + experts);
    }
    if (!Double.isFinite(initLambda)) {
      throw new IllegalArgumentException("WEMoE: λ must be finite, got " + initLambda);
    }
  }

  /** The name of expert {@code i}'s task vector of MLP tensor {@code name}. */
  public static String taskVector(String name, int i) {
    return name + TASK_VECTOR + i;
  }

  /** The name of block {@code block}'s router tensor {@code leaf} (w1, b1, w2 or b2). */
  public static String router(String block, String leaf) {
    return block + "/router/" + leaf;
  }

  public static boolean isTaskVector(String name) {
    return name.contains(TASK_VECTOR);
  }

  public static boolean isRouter(String name) {
    return name.contains("/router/");
  }

  /** Whether base parameter {@code name} belongs to an MLP, the part WEMoE upscales. */
  public static boolean isMlp(String name) {
    return name.contains("/mlp/") && !isTaskVector(name);
  }

  /**
   * The upscaled model's parameters: MLP tensors are the base's, each with the N task vectors
   * beside it; every other tensor is task arithmetic {@code θ0 + λ·Σ τ_i}; the router is taken
   * from {@code router} (a freshly built model's, which holds its seeded start).
   *
   * @param router parameters holding at least every router tensor (others are ignored)
   */
  public ParamSnapshot upscale(ParamSnapshot base, List<ParamSnapshot> expertModels,
      ParamSnapshot router) {
    if (expertModels.size() != experts) {
      throw new IllegalArgumentException("WEMoE was built for " + experts + " experts, got "
          + expertModels.size());
    }
    for (ParamSnapshot e : expertModels) {
      base.requireSameLayout(e, "WEMoE upscaling");
    }
    ParamSnapshot out = new ParamSnapshot();
    for (Param p : base.params()) {
      float[] th0 = p.data();
      if (isMlp(p.name())) {
        out.put(p.withData(th0.clone()));
        for (int i = 0; i < experts; i++) {
          float[] th = expertModels.get(i).get(p.name()).data();
          float[] tv = new float[th0.length];
          for (int j = 0; j < tv.length; j++) {
            tv[j] = th[j] - th0[j];
          }
          out.put(new Param(taskVector(p.name(), i), p.shape(), tv));
        }
      } else {
        double[] acc = new double[th0.length];
        for (ParamSnapshot e : expertModels) {
          float[] th = e.get(p.name()).data();
          for (int j = 0; j < acc.length; j++) {
            acc[j] += th[j] - th0[j];
          }
        }
        float[] merged = new float[th0.length];
        for (int j = 0; j < merged.length; j++) {
          merged[j] = (float) (th0[j] + initLambda * acc[j]);
        }
        out.put(p.withData(merged));
      }
    }
    for (Param p : router.params()) {
      if (isRouter(p.name())) {
        out.put(p.withData(p.data().clone()));
      }
    }
    return out;
  }

  /** Task-vector parameters WEMoE adds to a model of {@code config} (N per MLP parameter). */
  public long taskVectorParameters(ModelConfig config) {
    long mlp = 0;
    for (var e : ParameterLayout.of(config).entrySet()) {
      if (isMlp(e.getKey())) {
        mlp += Param.numElements(e.getValue());
      }
    }
    return mlp * experts;
  }

  /** Router parameters (the trainable ones) WEMoE adds to a model of {@code config}. */
  public long routerParameters(ModelConfig config) {
    long d = config.dModel();
    return config.nLayers() * (d * d + d + d * experts + experts);
  }
}
