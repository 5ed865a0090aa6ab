#!/usr/bin/python3
"""Reference checkpoints for the Hugging Face model families, written from the published
architecture definitions (GPT-2: Radford et al. 2019 and Hugging Face's GPT2LMHeadModel layout),
with PyTorch and nothing else (no transformers, no safetensors package).

Makes a seeded random model directory in the exact Hugging Face layout (config.json,
model.safetensors or shards with model.safetensors.index.json, tokenizer.json copied), runs the
forward pass on fixed token ids and writes reference.json (inputs, logits shape, dtype) and
logits.f32 (the logits, little-endian float32, row-major [B, T, V]).

  /usr/bin/python3 benchmarks/reference/hf_models.py --family gpt2 --out DIR \
      --tokenizer benchmarks-data/tokenizers/gpt2 [--seed 3] [--dtype f32|f16|bf16] [--shards 2]

Debian: apt-get install python3-torch libopenblas0-pthread.
"""
import argparse
import json
import math
import os
import shutil
import struct

import torch

DTYPES = {"f32": (torch.float32, "F32"), "f16": (torch.float16, "F16"),
          "bf16": (torch.bfloat16, "BF16")}


def write_safetensors(path, tensors, dtype):
    """The safetensors format: 8-byte header length, JSON header, then the tensors' bytes."""
    torch_dtype, name = DTYPES[dtype]
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key, t in tensors.items():
        data = t.detach().to(torch_dtype).contiguous()
        raw = data.view(torch.int16 if data.element_size() == 2 else torch.int32).numpy().tobytes()
        header[key] = {"dtype": name, "shape": list(data.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


def gpt2_weights(cfg, g):
    """GPT2LMHeadModel's tensors (Conv1D weights [in, out]); non-trivial norms and biases."""
    d, inner, v, n = cfg["n_embd"], cfg["n_inner"], cfg["vocab_size"], cfg["n_positions"]

    def normal(*shape, std=0.02):
        return torch.randn(*shape, generator=g) * std

    w = {"transformer.wte.weight": normal(v, d), "transformer.wpe.weight": normal(n, d, std=0.01)}
    for i in range(cfg["n_layer"]):
        p = "transformer.h.%d." % i
        w[p + "ln_1.weight"] = 1 + normal(d, std=0.1)
        w[p + "ln_1.bias"] = normal(d, std=0.1)
        w[p + "attn.c_attn.weight"] = normal(d, 3 * d, std=0.15)
        w[p + "attn.c_attn.bias"] = normal(3 * d, std=0.05)
        w[p + "attn.c_proj.weight"] = normal(d, d, std=0.1)
        w[p + "attn.c_proj.bias"] = normal(d, std=0.05)
        w[p + "ln_2.weight"] = 1 + normal(d, std=0.1)
        w[p + "ln_2.bias"] = normal(d, std=0.1)
        w[p + "mlp.c_fc.weight"] = normal(d, inner, std=0.1)
        w[p + "mlp.c_fc.bias"] = normal(inner, std=0.05)
        w[p + "mlp.c_proj.weight"] = normal(inner, d, std=0.1)
        w[p + "mlp.c_proj.bias"] = normal(d, std=0.05)
    w["transformer.ln_f.weight"] = 1 + normal(d, std=0.1)
    w["transformer.ln_f.bias"] = normal(d, std=0.1)
    return w


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def gpt2_forward(cfg, w, ids):
    """Logits [B, T, V] of GPT-2 (pre-norm blocks, causal attention, tied head), float64."""
    w = {k: t.double() for k, t in w.items()}
    d, nh, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    hs = d // nh
    b, t = ids.shape
    ln = torch.nn.functional.layer_norm
    x = w["transformer.wte.weight"][ids] + w["transformer.wpe.weight"][torch.arange(t)]
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    for i in range(cfg["n_layer"]):
        p = "transformer.h.%d." % i
        a = ln(x, (d,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = a @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = qkv.split(d, dim=2)
        q, k, v = (z.view(b, t, nh, hs).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = torch.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        m = ln(x, (d,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        h = gelu_new(m @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = ln(x, (d,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return x @ w["transformer.wte.weight"].T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=["gpt2"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", required=True, help="folder holding tokenizer.json")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--dtype", choices=list(DTYPES), default="f32")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--positions", type=int, default=64)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = json.load(open(os.path.join(a.tokenizer, "tokenizer.json"), encoding="utf-8"))
    vocab = max([i for i in tok["model"]["vocab"].values()]
                + [t["id"] for t in tok.get("added_tokens", [])]) + 1
    cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": vocab,
           "n_embd": a.d, "n_layer": a.layers, "n_head": a.heads, "n_positions": a.positions,
           "n_ctx": a.positions, "n_inner": 4 * a.d, "activation_function": "gelu_new",
           "layer_norm_epsilon": 1e-5, "initializer_range": 0.02, "tie_word_embeddings": True,
           "bos_token_id": vocab - 1, "eos_token_id": vocab - 1}
    g = torch.Generator().manual_seed(a.seed)
    w = gpt2_weights(cfg, g)
    torch_dtype = DTYPES[a.dtype][0]
    w = {k: t.to(torch_dtype).float() for k, t in w.items()}  # what the file holds, exactly
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        src = os.path.join(a.tokenizer, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(a.out, name))
    names = list(w)
    if a.shards == 1:
        write_safetensors(os.path.join(a.out, "model.safetensors"), w, a.dtype)
    else:
        weight_map = {}
        per = math.ceil(len(names) / a.shards)
        for s in range(a.shards):
            part = names[s * per:(s + 1) * per]
            fname = "model-%05d-of-%05d.safetensors" % (s + 1, a.shards)
            write_safetensors(os.path.join(a.out, fname), {k: w[k] for k in part}, a.dtype)
            weight_map.update({k: fname for k in part})
        with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2)
    gi = torch.Generator().manual_seed(a.seed + 1)
    ids = torch.randint(0, vocab, (2, 8), generator=gi)
    logits = gpt2_forward(cfg, w, ids).float()
    greedy = ids[:1].clone()  # the greedy continuation of the first row, recomputed per token
    for _ in range(6):
        nxt = gpt2_forward(cfg, w, greedy)[:, -1].argmax(-1, keepdim=True)
        greedy = torch.cat([greedy, nxt], dim=1)
    with open(os.path.join(a.out, "logits.f32"), "wb") as f:
        f.write(logits.contiguous().numpy().astype("<f4").tobytes())
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump({"inputs": ids.tolist(), "shape": list(logits.shape), "dtype": a.dtype,
                   "greedy": greedy[0, ids.shape[1]:].tolist(),
                   "family": a.family, "seed": a.seed}, f)


if __name__ == "__main__":
    main()
