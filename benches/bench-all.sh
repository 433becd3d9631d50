#!/usr/bin/env bash
# One command, one fresh run, every benchmark table: rewrites the section of BENCHMARKS.md
# between `<!-- bench-all:begin -->` and `<!-- bench-all:end -->` with the machine, the date and
# the tables of
#   1. the shared peer harness with our jobs (callbacks, serde rows, the 10,000-OpenID page),
#   2. real HTTP: the SDK beside bare reqwest, wechatpy and wechat-api (benches/run-http.sh),
#   3. the follower stream: 100,000 and 1,000,000 followers, time and client peak RSS,
#   4. callbacks over HTTP beside Node's wechat middleware (benches/run-callback-http.sh),
#   5. build costs (benches/build-costs.sh).
# The peers are installed by ../shared/bench/setup.sh (into /tmp/peer-bench). Paths in the output
# are relative. Run it on a quiet machine: about 25 minutes on 2 cores.
# Usage: bash benches/bench-all.sh [RUNS]   (RUNS: rounds per comparison, default 5)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
RUNS=${1:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cd "$ROOT"

bash "$SHARED/setup.sh" > "$OUT/setup.txt" 2>&1 || { cat "$OUT/setup.txt" >&2; exit 1; }
peers=$(grep -iE 'wechatpy|wechat-api|wechat@|wechat |node|python' "$OUT/setup.txt" | head -8 | tr '\n' ';' | sed 's/;$//')

echo "== 1/5 peer harness" >&2
bash benches/run-peers.sh "$RUNS" > "$OUT/peers.md"
echo "== 2/5 real HTTP" >&2
bash benches/run-http.sh "$RUNS" 1 > "$OUT/http.md"
echo "== 3/5 follower stream" >&2
cargo run -q --release --example follower_stream > "$OUT/follower.md"
echo "== 4/5 callbacks over HTTP" >&2
bash benches/run-callback-http.sh "$RUNS" > "$OUT/callback.md"
echo "== 5/5 build costs" >&2
bash benches/build-costs.sh > "$OUT/build.md"

{
  echo "<!-- bench-all:begin -->"
  echo "## Latest full run (\`bash benches/bench-all.sh\`)"
  echo
  echo "Written by \`benches/bench-all.sh\` from one run; everything below the end marker is analysis from earlier runs."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u +%Y-%m-%d) |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), \`nproc\` = $(nproc) |"
  echo "| memory / OS | $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
  echo "| Rust | $(rustc --version) |"
  echo "| peers | ${peers:-see ../shared/bench/setup.sh} |"
  echo "| commit | $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)') |"
  echo
  echo "### Peer harness (../shared/bench, median of $RUNS runs)"
  echo
  # The harness prints its own version lines and a level-2 heading; keep the tables.
  grep -v -e '^python ' -e '^node ' -e '^wechatpy cipher' "$OUT/peers.md" | sed 's/^## /#### /'
  echo
  echo "### Real HTTP (benches/run-http.sh)"
  echo
  cat "$OUT/http.md"
  echo
  echo "### Follower stream (benches/follower_stream.rs)"
  echo
  cat "$OUT/follower.md"
  echo
  echo "### Callbacks over HTTP (benches/run-callback-http.sh)"
  echo
  cat "$OUT/callback.md"
  echo
  echo "### Build costs (benches/build-costs.sh)"
  echo
  cat "$OUT/build.md"
  echo "<!-- bench-all:end -->"
} > "$OUT/section.md"

python3 - "$ROOT/BENCHMARKS.md" "$OUT/section.md" <<'PY'
import sys
path, section = sys.argv[1], open(sys.argv[2]).read()
text = open(path).read()
begin, end = "<!-- bench-all:begin -->", "<!-- bench-all:end -->"
if begin in text and end in text:
    a = text.index(begin); b = text.index(end) + len(end)
    text = text[:a] + section.rstrip("\n") + text[b:]
else:
    # First run: the section goes before "## Machine".
    i = text.find("\n## Machine")
    i = len(text) if i < 0 else i + 1
    text = text[:i] + section + "\n" + text[i:]
open(path, "w").write(text)
PY
echo "BENCHMARKS.md updated" >&2
