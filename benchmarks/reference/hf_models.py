#!/usr/bin/python3
"""Reference checkpoints for the Hugging Face model families, written from the published
architecture definitions (GPT-2: Radford et al. 2019, Hugging Face's GPT2LMHeadModel layout;
Llama: Touvron et al. 2023, rotary positions of Su et al. 2021, grouped-query attention of
Ainslie et al. 2023, Hugging Face's LlamaForCausalLM layout, and Qwen2's q/k/v biases),
with PyTorch and nothing else (no transformers, no safetensors package).

Makes a seeded random model directory in the exact Hugging Face layout (config.json,
model.safetensors or shards with model.safetensors.index.json, tokenizer.json copied), runs the
forward pass on fixed token ids and writes reference.json (inputs, logits shape, dtype) and
logits.f32 (the logits, little-endian float32, row-major [B, T, V]).

  /usr/bin/python3 benchmarks/reference/hf_models.py --family gpt2|llama|qwen2 --out DIR \
      --tokenizer benchmarks-data/tokenizers/gpt2 [--seed 3] [--dtype f32|f16|bf16] [--shards 2]
      [--kv-heads 2 --rope-theta 500000 --tie]   (llama, qwen2)

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


def llama_weights(cfg, g):
    """LlamaForCausalLM's tensors (nn.Linear weights [out, in]); Qwen2's q/k/v biases if asked."""
    d, m, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    hs = d // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * hs

    def normal(*shape, std=0.02):
        return torch.randn(*shape, generator=g) * std

    w = {"model.embed_tokens.weight": normal(v, d, std=0.5)}
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = 1 + normal(d, std=0.1)
        w[p + "self_attn.q_proj.weight"] = normal(d, d, std=0.15)
        w[p + "self_attn.k_proj.weight"] = normal(kv, d, std=0.15)
        w[p + "self_attn.v_proj.weight"] = normal(kv, d, std=0.15)
        if cfg["model_type"] == "qwen2":
            for x, n in (("q", d), ("k", kv), ("v", kv)):
                w[p + "self_attn.%s_proj.bias" % x] = normal(n, std=0.1)
        w[p + "self_attn.o_proj.weight"] = normal(d, d, std=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + normal(d, std=0.1)
        w[p + "mlp.gate_proj.weight"] = normal(m, d, std=0.1)
        w[p + "mlp.up_proj.weight"] = normal(m, d, std=0.1)
        w[p + "mlp.down_proj.weight"] = normal(d, m, std=0.1)
    w["model.norm.weight"] = 1 + normal(d, std=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = normal(v, d, std=0.5)
    return w


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def llama_forward(cfg, w, ids):
    """Logits [B, T, V] of the Llama layout (RMSNorm, rotary positions with the halves rotated,
    grouped-query attention, SwiGLU, untied head unless tied), float64."""
    w = {k: t.double() for k, t in w.items()}
    d, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hs, eps, theta = d // nh, cfg["rms_norm_eps"], cfg["rope_theta"]
    b, t = ids.shape
    inv = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=torch.float64) / hs))
    ang = torch.arange(t, dtype=torch.float64)[:, None] * inv[None, :]
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name, n):
            y = a @ w[p + "self_attn.%s_proj.weight" % name].T
            bias = w.get(p + "self_attn.%s_proj.bias" % name)
            y = y if bias is None else y + bias
            return y.view(b, t, n, hs).transpose(1, 2)

        q, k, v = proj("q", nh), proj("k", nkv), proj("v", nkv)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = (z.repeat_interleave(nh // nkv, dim=1) for z in (k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = torch.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + y @ w[p + "self_attn.o_proj.weight"].T
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = m @ w[p + "mlp.gate_proj.weight"].T
        up = m @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", choices=["gpt2", "llama", "qwen2"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tokenizer", required=True, help="folder holding tokenizer.json")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--dtype", choices=list(DTYPES), default="f32")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--positions", type=int, default=64)
    ap.add_argument("--kv-heads", type=int, default=2, help="llama: key/value heads")
    ap.add_argument("--rope-theta", type=float, default=500000.0, help="llama: rotary base")
    ap.add_argument("--tie", action="store_true", help="llama: tie the head to the embedding")
    ap.add_argument("--no-reference", action="store_true",
                    help="write the checkpoint only (no logits): for large loading benchmarks")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tok = json.load(open(os.path.join(a.tokenizer, "tokenizer.json"), encoding="utf-8"))
    vocab = max([i for i in tok["model"]["vocab"].values()]
                + [t["id"] for t in tok.get("added_tokens", [])]) + 1
    if a.family == "gpt2":
        cfg = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": vocab,
               "n_embd": a.d, "n_layer": a.layers, "n_head": a.heads, "n_positions": a.positions,
               "n_ctx": a.positions, "n_inner": 4 * a.d, "activation_function": "gelu_new",
               "layer_norm_epsilon": 1e-5, "initializer_range": 0.02, "tie_word_embeddings": True,
               "bos_token_id": vocab - 1, "eos_token_id": vocab - 1}
        weights, forward = gpt2_weights, gpt2_forward
    else:
        cfg = {"model_type": a.family, "architectures": ["LlamaForCausalLM" if a.family == "llama"
                                                         else "Qwen2ForCausalLM"],
               "vocab_size": vocab, "hidden_size": a.d, "intermediate_size": 3 * a.d - 8,
               "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
               "num_key_value_heads": a.kv_heads, "max_position_embeddings": a.positions,
               "rms_norm_eps": 1e-6, "rope_theta": a.rope_theta, "hidden_act": "silu",
               "tie_word_embeddings": a.tie, "initializer_range": 0.02,
               "bos_token_id": vocab - 1, "eos_token_id": vocab - 1}
        weights, forward = llama_weights, llama_forward
    g = torch.Generator().manual_seed(a.seed)
    w = weights(cfg, g)
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
    if a.no_reference:
        return
    gi = torch.Generator().manual_seed(a.seed + 1)
    ids = torch.randint(0, vocab, (2, 8), generator=gi)
    logits = forward(cfg, w, ids).float()
    greedy = ids[:1].clone()  # the greedy continuation of the first row, recomputed per token
    for _ in range(6):
        nxt = forward(cfg, w, greedy)[:, -1].argmax(-1, keepdim=True)
        greedy = torch.cat([greedy, nxt], dim=1)
    with open(os.path.join(a.out, "logits.f32"), "wb") as f:
        f.write(logits.contiguous().numpy().astype("<f4").tobytes())
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump({"inputs": ids.tolist(), "shape": list(logits.shape), "dtype": a.dtype,
                   "greedy": greedy[0, ids.shape[1]:].tolist(),
                   "family": a.family, "seed": a.seed}, f)


if __name__ == "__main__":
    main()
