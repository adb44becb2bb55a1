#!/usr/bin/env bash
# The official openai npm client against kaito-serve serving a tiny random Phi-3-shaped model.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
KS_WORK=$(mktemp -d)
trap ks_cleanup EXIT
ks_start main --preset tiny-phi3 --random-weights --seed 5
node "$here/openai_client.cjs" "$KS_URL_main" tiny-phi3
