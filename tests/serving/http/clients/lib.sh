# Shared by the kaito-serve script tests: start a server on a free port and wait until it is
# ready. Sourced; needs KT_BUILD_DIR.
KS_BIN="${KT_BUILD_DIR:?}/bin/kaito-serve"
KS_PIDS=()

ks_cleanup() {
  for pid in "${KS_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  [[ -n "${KS_WORK:-}" ]] && rm -rf "$KS_WORK"
}

# ks_start NAME ARGS...: starts kaito-serve with --port 0 and sets KS_URL_<NAME>, KS_PID_<NAME>.
ks_start() {
  local name=$1
  shift
  local log="$KS_WORK/$name.log"
  "$KS_BIN" --device cpu --host 127.0.0.1 --port 0 "$@" > "$log" 2>&1 &
  local pid=$!
  KS_PIDS+=("$pid")
  local url=""
  for _ in $(seq 1 600); do
    url=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //') || true
    if [[ -n "$url" ]] && curl -sf "$url/health" > /dev/null 2>&1; then break; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kaito-serve ($name) exited:"; cat "$log"; return 1
    fi
    sleep 0.05
  done
  if ! curl -sf "$url/health" > /dev/null; then
    echo "kaito-serve ($name) did not become ready:"; cat "$log"; return 1
  fi
  printf -v "KS_URL_$name" '%s' "$url"
  printf -v "KS_PID_$name" '%s' "$pid"
}
