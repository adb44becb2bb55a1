#!/usr/bin/env python3
"""Writes a deterministic tokenizer test corpus: one JSON string per line.

Mixes English prose, code, numbers, punctuation runs, repeated and leading/trailing
whitespace, newlines and tabs, accented Latin, CJK, emoji (characters a 32k vocabulary
lacks, so byte fallback runs) and chat-like markup. Usage: corpus.py SEED COUNT > corpus.jsonl
"""
import json
import random
import sys

WORDS = ("the quick brown fox jumps over lazy dog kubernetes workspace inference gpu node "
         "preset adapter tokenizer model serving request response latency throughput batch "
         "cache block sequence prefill decode sampling temperature").split()
PIECES = ["naïve café", "Grüße aus Köln", "日本語のテキスト", "中文测试", "한국어", "😀🚀✨", "∑∫√π",
          "def f(x):\n    return x**2", "if (a && b) { c++; }", "https://example.com/a?b=c",
          "3.14159", "1,234,567", "2024-06-01T12:00:00Z", "<|user|>", "[INST]", "###",
          "...", "!!!", "\t\ttabbed", "  double  spaces  ", "\n\nnewlines\n", "CamelCaseWord",
          "snake_case_word", "don't won't it's", "ÀÉÎÕÜ", "Ωμέγα", "Привет мир"]


def line(rng):
    parts = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.3:
            parts.append(rng.choice(PIECES))
        else:
            w = rng.choice(WORDS)
            if rng.random() < 0.1:
                w = w.capitalize()
            if rng.random() < 0.1:
                w = str(rng.randint(0, 100000))
            parts.append(w)
    sep = rng.choice([" ", " ", " ", "  ", "\n", ", ", ". "])
    text = sep.join(parts)
    if rng.random() < 0.2:
        text = " " + text
    if rng.random() < 0.1:
        text = text + " "
    return text


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(seed)
    print(f"corpus seed={seed} count={count}", file=sys.stderr)
    for _ in range(count):
        print(json.dumps(line(rng), ensure_ascii=False))


if __name__ == "__main__":
    main()
