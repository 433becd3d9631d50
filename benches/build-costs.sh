#!/usr/bin/env bash
# What the spec costs to build: generator time for the whole spec, whether a no-op build
# regenerates anything, cold and incremental build times of the library, and the size of
# generated/. Prints a Markdown table (BENCHMARKS.md, "Build costs").
#
#   bash benches/build-costs.sh            # from the repository root
#
# The cold build uses a fresh target directory under /tmp (dependencies included, so it is
# what a first `cargo build` of a project using wechat-oa pays); the others reuse ./target.
set -euo pipefail
cd "$(dirname "$0")/.."

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# The generator alone, in release, on the whole spec (median of 5).
cargo build -q --release -p wechat-oa-codegen
gen_bin=target/release/wechat-oa-codegen
out=$(mktemp -d)
times=()
for _ in 1 2 3 4 5; do
  t0=$(now); "$gen_bin" generate spec "$out" >/dev/null; t1=$(now)
  times+=("$(secs "$t0" "$t1")")
done
gen_median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
rm -rf "$out"

# A no-op build: nothing regenerated, nothing in git changed.
cargo build -q --workspace 2>/dev/null
t0=$(now)
noop_log=$(cargo build --workspace 2>&1)
t1=$(now)
noop_secs=$(secs "$t0" "$t1")
if grep -q "regenerated" <<<"$noop_log"; then noop_regen="yes"; else noop_regen="no"; fi
if git diff --quiet -- generated spec sandbox/spec-table.json; then noop_git="clean"; else noop_git="changed"; fi

# Incremental: one spec edit (a doc line) → regenerate and rebuild the library; then undo.
file=spec/user.yaml
cp "$file" /tmp/build-costs-user.yaml
trap 'cp /tmp/build-costs-user.yaml spec/user.yaml' EXIT
sed -i '0,/summary: /s/summary: \(.*\)/summary: \1 (build-costs probe)/' "$file"
t0=$(now); cargo build -q --workspace 2>/dev/null; t1=$(now)
incr_spec=$(secs "$t0" "$t1")
cp /tmp/build-costs-user.yaml "$file"
trap - EXIT
cargo build -q --workspace 2>/dev/null
# Incremental: a runtime edit (touch src/lib.rs) → rebuild the library.
touch src/lib.rs
t0=$(now); cargo build -q -p wechat-oa; t1=$(now)
incr_rt=$(secs "$t0" "$t1")

# Cold: a fresh target, the library alone as a dependent project builds it (no regenerate).
cold_dir=$(mktemp -d)
t0=$(now); CARGO_TARGET_DIR="$cold_dir" cargo build -q -p wechat-oa; t1=$(now)
cold_debug=$(secs "$t0" "$t1")
t0=$(now); CARGO_TARGET_DIR="$cold_dir" cargo build -q --release -p wechat-oa; t1=$(now)
cold_release=$(secs "$t0" "$t1")
rm -rf "$cold_dir"

gen_files=$(find generated -name '*.rs' | wc -l)
gen_lines=$(cat generated/*.rs | wc -l)
gen_bytes=$(cat generated/*.rs | wc -c)
spec_lines=$(cat spec/*.yaml | wc -l)
endpoints=$(grep -c '^  - name:' spec/*.yaml | awk -F: '{s+=$2} END {print s}')

cat <<EOF
| what | value |
|---|---|
| machine | $(nproc) cores, $(uname -sr), $(rustc --version) |
| date | $(date -u +%Y-%m-%d) |
| spec | ${spec_lines} lines of YAML (types and endpoints: ${endpoints} entries) |
| generator, whole spec (release, median of 5) | ${gen_median} s |
| no-op \`cargo build --workspace\` | ${noop_secs} s; regenerated anything: ${noop_regen}; git: ${noop_git} |
| one spec doc line changed, \`cargo build --workspace\` (regenerate + incremental rebuild) | ${incr_spec} s |
| src/lib.rs touched, \`cargo build -p wechat-oa\` (debug; the library alone, as a dependent project builds it: the whole crate recompiles) | ${incr_rt} s |
| cold \`cargo build -p wechat-oa\` (fresh target, with dependencies) | ${cold_debug} s debug, ${cold_release} s release |
| generated/ | ${gen_files} files, ${gen_lines} lines, $((gen_bytes / 1024)) KiB |
EOF
