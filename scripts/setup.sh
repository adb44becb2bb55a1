#!/usr/bin/env bash
# Installs what kaito-twin needs on Debian 12, skipping what is already there.
# Debian packages only (plus the npm clients the tests drive, from the npm registry).
# Usage: scripts/setup.sh [--with-clients]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsentencepiece-dev libopenblas-dev libgoogle-perftools-dev
  clang libclang-rt-14-dev
  curl openssl
)
CLIENT_PACKAGES=(
  python3 python3-kubernetes python3-sentencepiece python3-yaml
  prometheus nodejs npm
)

with_clients=0
[[ "${1:-}" == "--with-clients" ]] && with_clients=1
want=("${PACKAGES[@]}")
(( with_clients )) && want+=("${CLIENT_PACKAGES[@]}")

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere (nodesource); accept a working binary.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    missing+=("$p")
  fi
done

if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if (( with_clients )) && [[ -f tests/clients/package.json ]]; then
  if [[ ! -d tests/clients/node_modules ]] || [[ tests/clients/package-lock.json -nt tests/clients/node_modules ]]; then
    echo "setup: installing npm clients (tests/clients/package-lock.json)"
    (cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)
    touch tests/clients/node_modules
  fi
fi
