#!/usr/bin/env bash
# Runs the shared peer benchmark (../shared/bench, beside this checkout) with wechat-oa's jobs
# added, from wherever this checkout lives. Usage: bash benches/run-peers.sh [RUNS]
set -euo pipefail
export WECHAT_OA_ROOT
WECHAT_OA_ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${SHARED_BENCH:-$WECHAT_OA_ROOT/../shared/bench}
cargo build --release --example peer_bench --manifest-path "$WECHAT_OA_ROOT/Cargo.toml"
EXTRA_JOBS="$WECHAT_OA_ROOT/benches/rust-jobs.txt" bash "$BENCH/run.sh" "$@"
