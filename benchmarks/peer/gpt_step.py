#!/usr/bin/python3
"""PyTorch peer of CPI-FT-J's training step, for `./cpift bench` (issue 6).

The same model as framework/.../model/TransformerLM.java: token + position embeddings, pre-LayerNorm
blocks of causal multi-head attention (q, k, v, o projections with bias) and a GELU (erf) MLP,
final LayerNorm, output head tied to the token embedding; cross-entropy on every position; one
AdamW step (betas 0.9/0.99, eps 1e-8, weight decay 0.01 on matrices and embeddings).

Prints one JSON line: {"shape": ..., "median_ms": ..., "min_ms": ..., "threads": ...}.
Needs Debian's python3-torch (apt-get install python3-torch libopenblas0-pthread); run it with
/usr/bin/python3 (the Debian interpreter that package installs into).
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, ratio):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.w1 = nn.Linear(d, ratio * d)
        self.w2 = nn.Linear(ratio * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        h = self.ln1(x)
        hs = d // self.heads

        def split(z):
            return z.view(b, t, self.heads, hs).transpose(1, 2)  # [B, nh, T, hs]

        q, k, v = split(self.q(h)), split(self.k(h)), split(self.v(h))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs) + mask[:t, :t]
        y = att.softmax(-1) @ v                                # [B, nh, T, hs]
        x = x + self.o(y.transpose(1, 2).reshape(b, t, d))
        return x + self.w2(F.gelu(self.w1(self.ln2(x))))       # exact (erf) GELU


class GPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, ctx, ratio=4):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList(Block(d, heads, ratio) for _ in range(layers))
        self.lnf = nn.LayerNorm(d, eps=1e-5)
        self.register_buffer("mask", torch.triu(torch.full((ctx, ctx), -1e9), diagonal=1))

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe.weight[:t]
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.lnf(x) @ self.wte.weight.t()               # tied head


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ctx", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--vocab", type=int, default=96)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = GPT(a.vocab, a.d, a.layers, a.heads, a.ctx)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.99), eps=1e-8)
    idx = torch.randint(0, a.vocab, (a.batch, a.ctx))
    tgt = torch.randint(0, a.vocab, (a.batch, a.ctx))

    def step():
        logits = model(idx)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), tgt.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"shape": vars(a), "median_ms": statistics.median(times),
                      "min_ms": min(times), "threads": torch.get_num_threads(),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
