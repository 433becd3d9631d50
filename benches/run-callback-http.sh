#!/usr/bin/env bash
# Callbacks over real HTTP, side by side: the wechat-oa axum router and Node's `wechat` middleware
# (1 process, and a 2-process cluster) serve the shared encrypted push on loopback, each in its
# own process, and the same Rust load generator drives each with a fixed number of connections,
# bounded in requests and time. Rounds are interleaved; the table gives the median round.
# Usage: bash benches/run-callback-http.sh [ROUNDS] [CONNS] [REQUESTS] [SECONDS]
# Needs the Node peers: bash ../shared/bench/setup.sh (installs them into /tmp/peer-bench).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-5}
CONNS=${2:-32}
REQUESTS=${3:-40000}
SECONDS_MAX=${4:-10}
cargo build -q --release --features axum --example callback_http --manifest-path "$ROOT/Cargo.toml"
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/callback_http
OUT=$(mktemp -d)

start() { # start NAME CMD...: runs the server, waits for LISTENING, sets PORT and PID
  local name=$1; shift
  "$@" >"$OUT/$name.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^LISTENING //p' "$OUT/$name.log" | head -n 1)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$OUT/$name.log" >&2; exit 1
}

for round in $(seq 1 "$ROUNDS"); do
  for target in wechat-oa node node-cluster2; do
    case $target in
      wechat-oa) start "$target" "$BIN" serve; path=/wechat ;;
      node) start "$target" node "$ROOT/benches/callback_http_node.js" 1; path=/ ;;
      node-cluster2) start "$target" node "$ROOT/benches/callback_http_node.js" 2; path=/ ;;
    esac
    "$BIN" load "http://127.0.0.1:$PORT$path" "$CONNS" "$REQUESTS" "$SECONDS_MAX" "$target" | tee -a "$OUT/results.txt" >&2
    kill "$PID" 2>/dev/null || true; pkill -P "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true
  done
done

python3 - "$OUT/results.txt" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = dict(re.findall(r"(\w+)=([\d.]+)", line)); label = line.split()[1]
    rows.setdefault(label, []).append(m)
print("\n| server | connections | rounds | requests/s (median) | min | max | p50 µs | p99 µs (median round) |")
print("|---|---|---|---|---|---|---|---|")
base = None
for label, rs in rows.items():
    rs.sort(key=lambda r: float(r["req_per_s"]))
    med = rs[len(rs) // 2]
    print(f"| {label} | {med['conns']} | {len(rs)} | {float(med['req_per_s']):,.0f} | {float(rs[0]['req_per_s']):,.0f} | "
          f"{float(rs[-1]['req_per_s']):,.0f} | {float(med['p50_us']):,.0f} | {float(med['p99_us']):,.0f} |")
PY
