"""An independent reading of the SFT JSONL format, for JsonlFuzzTest.

For each file named on stdin (a JSON list of paths) prints null when the file must be refused,
else the list of [prompt, answer] pairs it holds. The format: UTF-8 text; lines split at \\n, \\r
or \\r\\n; blank lines skipped; every other line exactly one JSON object (no trailing value or
text, no key twice, no NaN/Infinity); "prompt" and "answer" strings, the answer non-empty;
optional "id" and "task" strings or numbers; at least one record.
"""
import json
import re
import sys

BLANK = set(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def no_constants(name):
    raise ValueError("non-finite constant " + name)


def read(path):
    try:
        text = open(path, "rb").read().decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    out = []
    for line in re.split(r"\r\n|\r|\n", text):
        if all(c in BLANK for c in line):
            continue
        try:
            obj = json.loads(line, object_pairs_hook=no_duplicates, parse_constant=no_constants)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        prompt, answer = obj.get("prompt"), obj.get("answer")
        if not isinstance(prompt, str) or not isinstance(answer, str) or answer == "":
            return None
        for opt in ("id", "task"):
            v = obj.get(opt)
            if v is not None and (isinstance(v, (bool, dict, list))):
                return None
        out.append([prompt, answer])
    return out if out else None


print(json.dumps([read(p) for p in json.load(sys.stdin)]))
