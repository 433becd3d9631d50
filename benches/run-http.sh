#!/usr/bin/env bash
# The real-HTTP benchmark (BENCHMARKS.md, "Real HTTP"): one loopback server process with the
# shared inputs; in each round the SDK and bare reqwest (benches/http_bench.rs, interleaved),
# wechatpy (benches/http_peers.py) and wechat-api (benches/http_peers.js) call it in turn.
# Peers come from ../shared/bench/setup.sh (installed into /tmp/peer-bench).
# Usage: bash benches/run-http.sh [ROUNDS] [SCALE]     (default 5 rounds, scale 1)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${SHARED_BENCH:-$ROOT/../shared/bench}
ROUNDS=${1:-5}
SCALE=${2:-1}
PEERS=${PEER_BENCH_ROOT:-/tmp/peer-bench}
export WECHAT_OA_BENCH_INPUTS=${WECHAT_OA_BENCH_INPUTS:-$BENCH/inputs} PEER_BENCH_ROOT=$PEERS NODE_OPTIONS=--no-deprecation
bash "$BENCH/setup.sh" >&2
cargo build --release --features axum --example http_server --example http_bench --manifest-path "$ROOT/Cargo.toml" >&2
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=$(mktemp -d)
"$TARGET/release/examples/http_server" 0 > "$OUT/server.txt" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 1 100); do grep -q '^LISTEN ' "$OUT/server.txt" 2>/dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$(awk '/^LISTEN /{print $2}' "$OUT/server.txt")"
echo "server $BASE (pid $SERVER); $ROUNDS rounds, scale $SCALE" >&2
for round in $(seq 1 "$ROUNDS"); do
  # http_bench alternates which of the two goes first from one of its rounds to the next
  "$TARGET/release/examples/http_bench" "$BASE" 1 "$SCALE" "$round" | grep -E '^(HTTP|PAIRS) ' | tee -a "$OUT/lines.txt" >&2
  "$PEERS/venv/bin/python" "$ROOT/benches/http_peers.py" "$BASE" "$round" "$SCALE" | tee -a "$OUT/lines.txt" >&2
  node "$ROOT/benches/http_peers.js" "$BASE" "$round" "$SCALE" | tee -a "$OUT/lines.txt" >&2
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uname -sr); $(rustc --version); date $(date -u +%Y-%m-%d)"
python3 "$ROOT/benches/http_summary.py" < "$OUT/lines.txt"
