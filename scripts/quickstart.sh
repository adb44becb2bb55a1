#!/usr/bin/env bash
# The quick start: see README.md. Grows with the project (API server now; the Kaito demo later).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
echo "kaito-twin built in $BUILD_DIR/bin"
ls "$BUILD_DIR/bin" 2>/dev/null || true
