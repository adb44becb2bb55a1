#!/usr/bin/env bash
# One-shot GPU check of kernels/ and the serving path on a CUDA machine (written for an H100,
# fits ~10 minutes):
#   1. records the machine (nvidia-smi, nvcc, lscpu)
#   2. configures a fresh build: -DKT_CUDA=ON, KT_MODULES="base;kernels;serving", sm_90a only
#   3. builds the kernel tests and benchmarks, the serving CUDA test and the engine benchmark
#   4. runs `ctest -L gpu` (every CUDA op against the CPU reference; the model on CUDA against
#      the same model on the CPU in bf16) and the CPU kernel tests
#   5. runs the CUDA kernel benchmarks (JSON + table) and the engine's decode benchmark on CUDA
#   6. runs the shared torch baselines (../shared/gpu/*.py, in place) when torch is importable
#   7. prints one summary table (scripts/gpu/summarize.py) and RESULTS.md rows to append
# With --prebuilt TGZ (made by scripts/gpu/bundle.sh on a machine with the build dependencies)
# steps 2-3 unpack the bundle instead, for a GPU machine that has CUDA but not the Debian
# packages; the gpu tests then run as gtest binaries, and the serving path is also compared with
# Hugging Face transformers (scripts/serving/hf_compare.py --device cuda) when torch is there.
# Every step has a time budget and its own log; a failed step is reported and the script goes
# on with what still makes sense. Exit status: 0 when the build, the gpu tests and the benchmarks
# all succeeded, 1 otherwise.
#
# Usage: scripts/gpu/check.sh [--budget-s N] [--no-baselines] [--archs "90a"] [--append-results]
#                             [--prebuilt TGZ] [--baselines graph,anchor] [--sanitize]
# --sanitize: after the summary, compute-sanitizer memcheck over the gpu test binaries (with
# what time is left).
# --baselines picks the shared baselines to run (default both; anchor_gpu.py takes ~3 minutes).
# Env:   OUT        where every output goes (default: ./build-gpu-check-out)
#        JOBS       build parallelism (default: nproc)
#        BUILD_DIR  (default: build-gpu-check, removed first: always a fresh configure)
#        COMMIT     the label of the rows (default: git rev-parse --short HEAD)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=${OUT:-$ROOT/build-gpu-check-out}  # under /build*/, ignored by git
JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-gpu-check}
SHARED_DIR=${SHARED_DIR:-$ROOT/../shared}
BUDGET_S=570
ARCHS="90a"
BASELINES=1
BASELINE_SET="graph,anchor"
APPEND_RESULTS=0
PREBUILT=""
SANITIZE=0
while (($#)); do
  case "$1" in
    --budget-s) BUDGET_S=$2; shift 2 ;;
    --no-baselines) BASELINES=0; shift ;;
    --baselines) BASELINE_SET=$2; shift 2 ;;
    --archs) ARCHS=$2; shift 2 ;;
    --append-results) APPEND_RESULTS=1; shift ;;
    --prebuilt) PREBUILT=$(realpath "$2"); shift 2 ;;
    --sanitize) SANITIZE=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

mkdir -p "$OUT"
LOG=$OUT/check.log
exec > >(tee -a "$LOG") 2>&1
START=$(date +%s)
declare -A STEP_STATUS
STEPS=()
FAILED=0

remaining() { echo $(( BUDGET_S - ($(date +%s) - START) )); }

# step NAME BUDGET_S COMMAND...: runs with a timeout of min(budget, time left - 20 s reserve),
# logs to $OUT/NAME.log, records ok / failed (rc) / timeout / skipped.
step() {
  local name=$1 budget=$2
  shift 2
  local left
  left=$(( $(remaining) - 20 ))
  STEPS+=("$name")
  if (( left < 10 )); then
    STEP_STATUS[$name]="skipped (time budget spent)"
    echo "=== $name: skipped, $(remaining) s left"
    return 1
  fi
  (( budget > left )) && budget=$left
  echo "=== $name (budget ${budget} s, $(remaining) s left): $*"
  local t0 rc
  t0=$(date +%s)
  set -x
  timeout --signal=TERM --kill-after=10 "$budget" "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  { set +x; } 2>/dev/null
  local dt=$(( $(date +%s) - t0 ))
  if (( rc == 0 )); then
    STEP_STATUS[$name]="ok (${dt} s)"
  elif (( rc == 124 || rc == 137 )); then
    STEP_STATUS[$name]="TIMEOUT after ${budget} s"
  else
    STEP_STATUS[$name]="FAILED rc=$rc (${dt} s)"
  fi
  echo "=== $name: ${STEP_STATUS[$name]} (log: $OUT/$name.log)"
  tail -n 15 "$OUT/$name.log"
  return $rc
}

critical() { FAILED=1; }

# 1. The machine and what the build needs.
step env 30 bash -c 'nvidia-smi; nvidia-smi --query-gpu=name,memory.total,clocks.max.sm,clocks.max.mem --format=csv; /usr/local/cuda/bin/nvcc --version || nvcc --version; lscpu | head -20; git -C "'"$ROOT"'" rev-parse HEAD' || true
# What the build needs (Debian package names as in scripts/setup.sh); reported, not fatal.
preflight() {
  local missing=()
  for tool in cmake ninja g++ python3 nvidia-smi; do
    command -v "$tool" >/dev/null || missing+=("tool:$tool")
  done
  [[ -x /usr/local/cuda/bin/nvcc ]] || command -v nvcc >/dev/null || missing+=("tool:nvcc")
  for pkg in libgtest-dev libgmock-dev libbenchmark-dev libboost1.81-dev nlohmann-json3-dev \
             libyaml-cpp-dev libssl-dev libopenblas-dev libsentencepiece-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("package:$pkg")
  done
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]} (scripts/setup.sh installs the packages)"
    return 1
  fi
  echo "all build dependencies present"
}
[[ -z $PREBUILT ]] && { step preflight 20 bash -c "$(declare -f preflight); preflight" || true; }

GPU_NAME=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
GPU_NAME=${GPU_NAME:-unknown GPU}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}

rm -rf "$BUILD_DIR"
if [[ -n $PREBUILT ]]; then
  # 2-3. Unpack the bundle; its lib/ first, then the machine's CUDA libraries.
  mkdir -p "$BUILD_DIR"
  step unpack 60 tar -C "$BUILD_DIR" -xzf "$PREBUILT" || critical
  BIN=$BUILD_DIR/bin
  # What the bundle leaves out (the CUDA runtime, cuBLASLt) comes from wherever this machine has
  # it: its CUDA toolkit or a Python package's copy.
  export LD_LIBRARY_PATH="$BUILD_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  for lib in $(ldd "$BIN"/* 2>/dev/null | awk '/not found/ {print $1}' | sort -u); do
    found=$(find /usr/local /usr/lib /opt -name "$lib" 2>/dev/null | head -1)
    [[ -n $found ]] && LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$(dirname "$found")"
  done
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  step ldd 20 bash -c "! ldd '$BIN'/* | grep 'not found'" || critical
  # 4. GPU tests: every CUDA op against the CPU reference; the model on CUDA against the CPU.
  step test_gpu 120 bash -c "'$BIN/kernels_backend_ops_cuda_test' --gtest_output=xml:'$OUT/gtest-kernels-cuda.xml' \
    --gtest_brief=1; a=\$?; '$BIN/serving_engine_cuda_test' --gtest_output=xml:'$OUT/gtest-serving-cuda.xml' \
    --gtest_brief=1; b=\$?; exit \$((a || b))" || critical
else
  # 2. Fresh configure, only what the kernels and the serving engine need, device code for this
  # card only.
  NVCC=/usr/local/cuda/bin/nvcc
  [[ -x $NVCC ]] || NVCC=$(command -v nvcc || echo nvcc)
  step configure 90 cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DKT_CUDA=ON -DKT_MODULES="base;kernels;serving" -DCMAKE_CUDA_COMPILER="$NVCC" \
    -DKT_KERNELS_CUDA_ARCHS="$ARCHS" || critical

  # 3. Build the tests and benchmarks of kernels/ and the serving engine's CUDA path.
  step build 300 cmake --build "$BUILD_DIR" -j "$JOBS" --target kernels_backend_ops_cuda_test \
    kernels_test kernels_cuda_bench kernels_cpu_bench serving_engine_cuda_test \
    bench_serving_engine || critical
  BIN=$BUILD_DIR/bench

  # 4. GPU tests (every CUDA op vs the CPU reference), then the CPU kernel tests.
  step test_gpu 120 bash -c "cd '$BUILD_DIR' && ctest -L gpu --output-on-failure --timeout 120 \
    --output-junit '$OUT/ctest-gpu.xml'" || critical
  step test_cpu 90 bash -c "cd '$BUILD_DIR' && ctest -LE gpu -j '$JOBS' --timeout 60" || true
fi

# 5. Benchmarks.
step bench 180 "$BIN/kernels_cuda_bench" --benchmark_counters_tabular=true \
  --benchmark_format=console --benchmark_out="$OUT/kernels_cuda_bench.json" \
  --benchmark_out_format=json || critical
# small-phi3 decoding on CUDA (bf16) with 1, 32 and 128 sequences; Phi-3-mini with 1, 16 and 64.
step bench_serving 150 "$BIN/bench_serving_engine" \
  --benchmark_filter='DecodeTokensPerSecond/[0-9]+/1/|Phi3MiniDecode' --benchmark_min_time=1 \
  --benchmark_counters_tabular=true --benchmark_out="$OUT/serving_engine_bench.json" \
  --benchmark_out_format=json || critical

# The serving path against Hugging Face transformers on the same random checkpoint, bf16 on
# both sides: small-phi3 (head dim 64; the tiny presets' head dims have no CUDA attention
# kernel), once prefilled whole, once half prefilled then decoded with a LoRA adapter at 0.5.
if [[ -x $BIN/kaito-serve ]] && python3 -c 'import torch, transformers' 2>/dev/null; then
  HF="python3 '$ROOT/scripts/serving/hf_compare.py' --kaito-serve '$BIN/kaito-serve' --preset small-phi3 --device cuda --hf-dtype bfloat16 --tolerance 0.05"
  step hf_compare 90 bash -c "$HF --seed 1 && $HF --seed 2 --length 96 --prefill 48 --adapter-rank 8 --strength 0.5" || true
fi

# 6. The shared baselines, run in place (never copied into the repository).
if (( BASELINES )) && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  mkdir -p "$OUT/baselines"
  [[ ,$BASELINE_SET, == *,graph,* ]] &&
    { step baseline_torch_graph 120 env OUT="$OUT/baselines" python3 "$SHARED_DIR/gpu/anchor_torch_graph.py" || true; }
  [[ ,$BASELINE_SET, == *,anchor,* ]] &&
    { step baseline_anchor 200 env OUT="$OUT/baselines" python3 "$SHARED_DIR/gpu/anchor_gpu.py" || true; }
else
  STEPS+=("baselines")
  STEP_STATUS[baselines]="skipped (no torch with CUDA, or --no-baselines)"
fi

# 7. One table.
step summary 30 python3 "$ROOT/scripts/gpu/summarize.py" \
  --bench "$OUT/kernels_cuda_bench.json" --roofline "$ROOT/bench/kernels/roofline_h100.json" \
  --baselines "$OUT/baselines" --gpu "$GPU_NAME" --commit "$COMMIT" \
  --rows-out "$OUT/RESULTS-rows.md" || true
cat "$OUT/summary.log" 2>/dev/null

# Out-of-bounds and misaligned accesses, uninitialised reads: memcheck over the gpu tests.
if (( SANITIZE )); then
  SAN=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
  TEST_DIR=$BIN
  [[ -z $PREBUILT ]] && TEST_DIR=$BUILD_DIR/tests
  step sanitize 240 bash -c "for t in kernels_backend_ops_cuda_test serving_engine_cuda_test; do
    [[ -x '$TEST_DIR'/\$t ]] || continue
    '$SAN' --tool memcheck --error-exitcode 3 '$TEST_DIR'/\$t --gtest_brief=1 || exit 1
  done" || critical
fi

if (( APPEND_RESULTS )) && [[ -s "$OUT/RESULTS-rows.md" ]]; then
  cat "$OUT/RESULTS-rows.md" >> "$ROOT/bench/RESULTS.md"
  echo "appended $(wc -l < "$OUT/RESULTS-rows.md") rows to bench/RESULTS.md"
fi

echo
echo "=== steps ($(( $(date +%s) - START )) s of ${BUDGET_S} s) on $GPU_NAME, commit $COMMIT"
for s in "${STEPS[@]}"; do printf '  %-22s %s\n' "$s" "${STEP_STATUS[$s]}"; done
echo "outputs: $OUT"
exit $FAILED
