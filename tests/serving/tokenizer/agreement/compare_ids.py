#!/usr/bin/env python3
"""Compares two JSON-lines files of {"ids": [...], ...} (or plain id lists) line by line.

Usage: compare_ids.py CORPUS EXPECTED ACTUAL NAME
Prints the first mismatches with their text and exits 1 when any line differs.
"""
import json
import sys


def ids(line):
    v = json.loads(line)
    return v["ids"] if isinstance(v, dict) else v


def main():
    corpus, expected, actual, name = sys.argv[1:5]
    texts = [json.loads(l) for l in open(corpus, encoding="utf-8")]
    want = [ids(l) for l in open(expected, encoding="utf-8")]
    got = [ids(l) for l in open(actual, encoding="utf-8")]
    if not (len(texts) == len(want) == len(got)):
        print(f"{name}: line counts differ: corpus {len(texts)}, expected {len(want)}, actual {len(got)}")
        return 1
    bad = [i for i in range(len(texts)) if want[i] != got[i]]
    for i in bad[:5]:
        print(f"{name}: line {i} {texts[i]!r}\n  expected {want[i]}\n  actual   {got[i]}")
    tokens = sum(len(w) for w in want)
    print(f"{name}: {len(texts) - len(bad)}/{len(texts)} lines agree ({tokens} tokens)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
