#!/usr/bin/env bash
# Tokenizer agreement with Debian's python3-sentencepiece: a BPE model with byte fallback is
# trained at test time on a generated corpus; python3-sentencepiece and `kaito-serve tokenize`
# (the SentencePieceTokenizer on libsentencepiece, with kaito's added-token splitting and
# framing) must give identical ids and decode to identical text on every corpus line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="${KT_BUILD_DIR:?}/bin/kaito-serve"
py="${PYTHON:-/usr/bin/python3}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed=${KT_SEED:-7}
echo "seed=$seed (rerun with KT_SEED=$seed)"

"$py" "$here/corpus.py" "$seed" 400 > "$work/corpus.jsonl"
"$py" - "$work" <<'PY'
import json, sys
import sentencepiece as spm
work = sys.argv[1]
texts = [json.loads(l) for l in open(f"{work}/corpus.jsonl", encoding="utf-8")]
with open(f"{work}/train.txt", "w", encoding="utf-8") as f:
    for t in texts[:300]:
        f.write(t.replace("\n", " ") + "\n")
spm.SentencePieceTrainer.train(input=f"{work}/train.txt", model_prefix=f"{work}/tokenizer",
                               vocab_size=800, model_type="bpe", byte_fallback=True,
                               character_coverage=0.9995, minloglevel=2)
sp = spm.SentencePieceProcessor(model_file=f"{work}/tokenizer.model")
with open(f"{work}/expected.jsonl", "w", encoding="utf-8") as f:
    for t in texts:
        ids = sp.encode(t)
        f.write(json.dumps({"ids": ids, "decoded": sp.decode(ids)}, ensure_ascii=False) + "\n")
PY
mkdir -p "$work/tok" && cp "$work/tokenizer.model" "$work/tok/"
"$bin" tokenize --tokenizer-dir "$work/tok" --no-special < "$work/corpus.jsonl" > "$work/actual.jsonl"
"$py" "$here/compare_ids.py" "$work/corpus.jsonl" "$work/expected.jsonl" "$work/actual.jsonl" sentencepiece
# Decoding agrees too.
"$py" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
want = [json.loads(l)["decoded"] for l in open(f"{work}/expected.jsonl", encoding="utf-8")]
got = [json.loads(l)["decoded"] for l in open(f"{work}/actual.jsonl", encoding="utf-8")]
bad = [i for i in range(len(want)) if want[i] != got[i]]
for i in bad[:5]:
    print(f"decode line {i}: expected {want[i]!r} actual {got[i]!r}")
print(f"sentencepiece decode: {len(want) - len(bad)}/{len(want)} lines agree")
sys.exit(1 if bad else 0)
PY
