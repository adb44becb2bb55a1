# Shared by the client tests: starts `kaito-twin up` on a free port with a fresh kubeconfig and
# kubectl cache directory, waits until /readyz answers, and stops the twin when the test exits
# (also on failure). Source it; then use $KUBECONFIG, $TWIN_URL, $TMP, check/expect helpers.
set -euo pipefail
: "${KT_BUILD_DIR:?set by kt_script_test}"
: "${KT_SOURCE_DIR:?set by kt_script_test}"
KT_SHARED_DIR=${KT_SHARED_DIR:-$KT_SOURCE_DIR/../shared}
TWIN=$KT_BUILD_DIR/bin/kaito-twin
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kt-client-test.XXXXXX")
TWIN_PID=""
FAILURES=0
CHECKS=0

stop_twin() {
  if [[ -n "$TWIN_PID" ]] && kill -0 "$TWIN_PID" 2>/dev/null; then
    kill -TERM "$TWIN_PID" 2>/dev/null || true
    wait "$TWIN_PID" 2>/dev/null || true
  fi
  TWIN_PID=""
}
cleanup() {
  local rc=$?
  stop_twin
  if [[ $rc -ne 0 || $FAILURES -ne 0 ]]; then
    echo "--- kaito-twin log (last 40 lines)"; tail -n 40 "$TMP/twin.log" 2>/dev/null || true
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_twin [extra flags...]: serves the CRDs of deploy/crds (or Kaito's own CRD from the shared
# reference when deploy/crds is missing).
start_twin() {
  local crds="$KT_SOURCE_DIR/deploy/crds"
  if [[ ! -d "$crds" ]]; then
    crds="$KT_SHARED_DIR/reference/kaito/v0.4.6/config/crd/bases"
  fi
  TWIN_PORT=$(free_port)
  export KUBECONFIG="$TMP/kubeconfig"
  # The API server's own semantics are under test: Kaito's controllers and webhook (which would
  # refuse, say, a changed instanceType) stay out.
  "$TWIN" up --port "$TWIN_PORT" --kubeconfig "$KUBECONFIG" --crds "$crds" --no-controllers "$@" \
    >"$TMP/twin.log" 2>&1 &
  TWIN_PID=$!
  TWIN_URL="https://127.0.0.1:$TWIN_PORT"
  for _ in $(seq 1 300); do
    if curl -sk --max-time 1 "$TWIN_URL/readyz" 2>/dev/null | grep -q ok; then return 0; fi
    if curl -s --max-time 1 "http://127.0.0.1:$TWIN_PORT/readyz" 2>/dev/null | grep -q ok; then
      TWIN_URL="http://127.0.0.1:$TWIN_PORT"; return 0
    fi
    kill -0 "$TWIN_PID" 2>/dev/null || { echo "kaito-twin exited early"; cat "$TMP/twin.log"; exit 1; }
    sleep 0.1
  done
  echo "kaito-twin did not become ready"; exit 1
}

pass() { CHECKS=$((CHECKS + 1)); echo "ok $CHECKS - $1"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); echo "not ok $CHECKS - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# expect_ok DESC PATTERN CMD...: CMD exits 0 and its output matches PATTERN (grep -E).
expect_ok() {
  local desc=$1 pattern=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [[ $rc -eq 0 ]] && grep -qE -- "$pattern" <<<"$out"; then pass "$desc"; else
    fail "$desc" "command: $*" "rc=$rc, wanted /$pattern/" "$(head -c 2000 <<<"$out")"; fi
}
# expect_fail DESC PATTERN CMD...: CMD exits non-zero and its output matches PATTERN.
expect_fail() {
  local desc=$1 pattern=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [[ $rc -ne 0 ]] && grep -qE -- "$pattern" <<<"$out"; then pass "$desc"; else
    fail "$desc" "command: $*" "rc=$rc, wanted failure with /$pattern/" "$(head -c 2000 <<<"$out")"; fi
}
# eventually DESC CMD...: CMD succeeds within ~20 s (polling).
eventually() {
  local desc=$1; shift
  for _ in $(seq 1 200); do
    if "$@" >/dev/null 2>&1; then pass "$desc"; return; fi
    sleep 0.1
  done
  fail "$desc" "command never succeeded: $*"
}

finish() {
  echo "1..$CHECKS"
  if [[ $FAILURES -ne 0 ]]; then echo "# $FAILURES of $CHECKS checks failed"; exit 1; fi
  echo "# all $CHECKS checks passed"
}
