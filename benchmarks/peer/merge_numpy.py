#!/usr/bin/python3
"""numpy peer of CPI-FT-J's host-side merging steps, for `./cpift bench` (issue 6).

Reads one JSON object on stdin:
  {"tensors": [[name, size, eligible], ...], "models": K, "top_percent": p,
   "warmup": w, "repeats": r, "colinear": 0.9995, "seed": s}
and times, like framework/.../bench/MergeBenchmark.java, on random weights of that layout:
  select  - |theta_i - theta_0| scores and the global top-p of the eligible tensors, per model
            (exactly floor(p/100 * D) entries, ties to the earlier position);
  jaccard - the K x K Jaccard matrix of the regions;
  fuse    - core transplant (owner with the largest |delta|, ties to the earlier model) and SLERP of
            the non-core entries folded in model order, m_k = slerp(m_{k-1}, x_k; 1/k), dot products
            and norms accumulated in float64 as the Java code does, linear when |cos| > colinear.
Prints one JSON line: {"select_s": ..., "jaccard_s": ..., "fuse_s": ..., "params": N}.
Runs with Debian's python3-numpy (installed with python3-torch).
"""
import json
import statistics
import sys
import time

import numpy as np


def median_time(warmup, repeats, fn):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def slerp_rest(a, b, t, rest, colinear):
    x = a[rest]
    y = b[rest]
    x64 = x.astype(np.float64)
    y64 = y.astype(np.float64)
    dot = float(np.dot(x64, y64))
    na = float(np.sqrt(np.dot(x64, x64)))
    nb = float(np.sqrt(np.dot(y64, y64)))
    if na < 1e-8 or nb < 1e-8:
        wa, wb = 1 - t, t
    else:
        cos = max(-1.0, min(1.0, dot / (na * nb)))
        if abs(cos) > colinear:
            wa, wb = 1 - t, t
        else:
            omega = np.arccos(cos)
            s = np.sin(omega)
            wa, wb = np.sin((1 - t) * omega) / s, np.sin(t * omega) / s
    out = a.copy()
    out[rest] = (wa * x64 + wb * y64).astype(np.float32)
    return out


def main():
    spec = json.load(sys.stdin)
    rng = np.random.default_rng(spec.get("seed", 1))
    tensors = spec["tensors"]
    k = spec["models"]
    p = spec["top_percent"]
    colinear = spec.get("colinear", 0.9995)
    base = [rng.uniform(-0.05, 0.05, size).astype(np.float32) for _, size, _ in tensors]
    experts = [[b + rng.uniform(-0.001, 0.001, b.size).astype(np.float32) for b in base]
               for _ in range(k)]
    eligible = [i for i, (_, _, e) in enumerate(tensors) if e]
    sizes = [tensors[i][1] for i in eligible]
    offsets = np.cumsum([0] + sizes)
    total = int(offsets[-1])
    top = int(np.floor(p / 100.0 * total))
    masks = []

    def select():
        masks.clear()
        for x in experts:
            scores = np.concatenate([np.abs(x[i] - base[i]) for i in eligible])
            flat = np.zeros(total, dtype=bool)
            if top > 0:
                thr = np.partition(scores, total - top)[total - top]
                flat = scores > thr
                need = top - int(np.count_nonzero(flat))
                if need > 0:
                    flat[np.flatnonzero(scores == thr)[:need]] = True
            masks.append(flat)

    select_s = median_time(spec["warmup"], spec["repeats"], select)
    jac = np.eye(k)

    def jaccard():
        for i in range(k):
            for j in range(i + 1, k):
                inter = np.count_nonzero(masks[i] & masks[j])
                union = np.count_nonzero(masks[i] | masks[j])
                jac[i, j] = jac[j, i] = inter / union if union else 0.0

    jaccard_s = median_time(spec["warmup"], spec["repeats"], jaccard)
    per_tensor = {}
    for n, i in enumerate(eligible):
        per_tensor[i] = [m[offsets[n]:offsets[n + 1]] for m in masks]

    def fuse():
        out = []
        for i, b in enumerate(base):
            xs = [e[i] for e in experts]
            cores = per_tensor.get(i)
            if cores is None:
                any_core = np.zeros(b.size, dtype=bool)
            else:
                any_core = np.logical_or.reduce(cores)
            rest = ~any_core
            m = xs[0]
            for kk in range(2, k + 1):
                m = slerp_rest(m, xs[kk - 1], 1.0 / kk, rest, colinear)
            if cores is not None:
                idx = np.flatnonzero(any_core)
                if idx.size:
                    vals = np.stack([x[idx] for x in xs])
                    d = np.stack([np.where(c[idx], np.abs(x[idx].astype(np.float64) - b[idx]), -1.0)
                                  for x, c in zip(xs, cores)])
                    m = m.copy() if m is xs[0] else m
                    m[idx] = vals[np.argmax(d, axis=0), np.arange(idx.size)]
            out.append(m)
        return out

    fuse_s = median_time(spec["warmup"], spec["repeats"], fuse)
    print(json.dumps({"select_s": select_s, "jaccard_s": jaccard_s, "fuse_s": fuse_s,
                      "params": int(sum(b.size for b in base))}))


if __name__ == "__main__":
    main()
