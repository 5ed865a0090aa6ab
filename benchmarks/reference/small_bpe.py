#!/usr/bin/python3
"""A small byte-level BPE tokenizer learned from the suite's texts, written as a Hugging Face
tokenizer.json in GPT-2's form (byte-level pre-tokenizer and decoder, BPE model, one special
token <|endoftext|>). For tests of the Hugging Face model families that need a real BPE
tokenizer with a vocabulary small enough to train on this machine in seconds.

  /usr/bin/python3 benchmarks/reference/small_bpe.py --suite benchmarks-data/suite-v1 \
      --vocab 512 --out benchmarks-data/tokenizers/bpe-512

The merges are learned by the textbook BPE procedure (Sennrich et al. 2016): count adjacent
symbol pairs over the corpus's words, merge the most frequent (ties: the first seen), repeat.
"""
import argparse
import collections
import glob
import json
import os
import re

WORDS = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's map from bytes to printable characters (so every byte is one vocabulary symbol)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = keep[:], 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + n)
            n += 1
    return dict(zip(keep, map(chr, chars)))


def corpus(suite):
    for f in sorted(glob.glob(os.path.join(suite, "*", "*.jsonl"))):
        for line in open(f, encoding="utf-8"):
            r = json.loads(line)
            yield r.get("prompt", "")
            yield r.get("answer", "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", required=True)
    ap.add_argument("--vocab", type=int, default=512)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    b2u = bytes_to_unicode()
    words = collections.Counter()
    for text in corpus(a.suite):
        for w in WORDS.findall(text):
            words[tuple(b2u[b] for b in w.encode("utf-8"))] += 1
    vocab = {b2u[b]: i for i, b in enumerate(sorted(b2u))}
    merges = []
    words = dict(words)
    while len(vocab) < a.vocab - 1:
        pairs = collections.Counter()
        for w, n in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += n
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: kv[1])[0]
        merges.append(best)
        vocab[best[0] + best[1]] = len(vocab)
        merged = {}
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + n
        words = merged
    eot = len(vocab)
    tok = {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": eot, "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": True,
                          "special": True}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                           "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                  "merges": [p[0] + " " + p[1] for p in merges]},
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
    with open(os.path.join(a.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
                   "unk_token": "<|endoftext|>", "model_max_length": 1024}, f, indent=1)
    print("%d tokens (%d merges) from %s" % (eot + 1, len(merges), a.suite))


if __name__ == "__main__":
    main()
