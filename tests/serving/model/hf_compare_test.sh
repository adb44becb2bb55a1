#!/usr/bin/env bash
# scripts/serving/hf_compare.py against kaito-serve on tiny random Phi-3 (fused qkv, window)
# and Phi-3 LongRoPE checkpoints, prefill then decode (the LongRoPE run crosses its
# original_max of 64 while decoding). Where torch and transformers are installed the worst
# relative logit error must stay under the script's float32 tolerance; where they are not
# (this project's build machine) the script must say SKIP and exit 0.
set -euo pipefail
py="${PYTHON:-/usr/bin/python3}"
bin="${KT_BUILD_DIR:?}/bin/kaito-serve"
script="${KT_SOURCE_DIR:?}/scripts/serving/hf_compare.py"
out=$("$py" "$script" --kaito-serve "$bin" --preset tiny-phi3 --seed 1 --length 24 --prefill 12 2>&1)
echo "$out"
if grep -q '^SKIP:' <<<"$out"; then
  exit 0
fi
"$py" "$script" --kaito-serve "$bin" --preset tiny-phi3-longrope --seed 2 --length 80 --prefill 50
