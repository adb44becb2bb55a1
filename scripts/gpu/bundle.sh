#!/usr/bin/env bash
# Packs the CUDA test and benchmark binaries of a build, stripped, with the shared libraries they
# need that a CUDA machine may lack (everything ldd names except glibc, the CUDA runtime and
# cuBLASLt, which the machine's CUDA toolkit provides), into one tar.gz for
# `scripts/gpu/check.sh --prebuilt DIR` on a GPU machine that has no build dependencies.
# The binaries must be built with the machine's architecture among KT_KERNELS_CUDA_ARCHS (90a
# for an H100/H200) and a CUDA major version the machine's driver runs.
#
# Usage: scripts/gpu/bundle.sh [BUILD_DIR (default build)] [OUT_TGZ (default .gpu/bundle.tgz)]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
TGZ=${2:-$ROOT/.gpu/bundle.tgz}
TARGETS=(kernels_backend_ops_cuda_test serving_engine_cuda_test kernels_cuda_bench
         bench_serving_engine kaito-serve)
ninja -C "$BUILD" "${TARGETS[@]}"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/bin" "$STAGE/lib"
for t in "${TARGETS[@]}"; do
  f=$(find "$BUILD/tests" "$BUILD/bench" "$BUILD/bin" -maxdepth 1 -type f -name "$t" | head -1)
  [[ -n $f ]] || { echo "bundle: $t not found under $BUILD" >&2; exit 1; }
  strip -o "$STAGE/bin/$t" "$f"
  ldd "$f" | awk '$3 ~ /^\// {print $3}' |
    grep -vE '/(libc|libm|libdl|librt|libpthread|ld-linux[^/]*|libcudart|libcublasLt|libcublas)\.so' |
    while read -r lib; do cp -Lu "$lib" "$STAGE/lib/"; done
done
mkdir -p "$(dirname "$TGZ")"
tar -C "$STAGE" -czf "$TGZ" bin lib
echo "bundle: $TGZ ($(du -h "$TGZ" | cut -f1)): $(ls "$STAGE/bin" | tr '\n' ' ')"
