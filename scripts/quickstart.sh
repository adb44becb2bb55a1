#!/usr/bin/env bash
# The quick start (README's first command): builds kaito-twin if needed, then runs the user's
# Phi-3 quick start in virtual time and prints the timeline and the `kubectl get workspace`
# table. Extra arguments go to `kaito-twin demo` (--seed N, --example FILE, --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN="$BUILD_DIR/bin/kaito-twin"
if [[ ! -x "$BIN" ]]; then
  echo "building kaito-twin in $BUILD_DIR (first run only)..." >&2
  # The flags of ./dev, so the tree stays the one `./dev build` and `./dev test` use.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
        -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >&2
  cmake --build "$BUILD_DIR" -j"${JOBS:-$(nproc)}" --target kaito-twin >&2
fi
exec "$BIN" demo "$@"
