#!/usr/bin/env bash
# After `cargo package`: unpacks target/package/wechat-oa-*.crate, points a scratch binary crate at
# it and checks that its dependency graph (normal and build) holds none of the generator's crates,
# then builds it. (tests/consumer.rs checks the same for a dependency by path.)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CRATE=$(ls "$ROOT"/target/package/wechat-oa-[0-9]*.crate | tail -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$CRATE" -C "$WORK"
PKG=$(ls -d "$WORK"/wechat-oa-[0-9]*)
mkdir -p "$WORK/consumer/src"
cat > "$WORK/consumer/Cargo.toml" <<TOML
[package]
name = "consumer"
version = "0.0.0"
edition = "2021"

[workspace]

[dependencies]
wechat-oa = { path = "$PKG", features = ["axum", "redis", "postgres"] }
TOML
echo 'fn main() { let _ = wechat_oa::Client::new("wx_appid", "secret"); }' > "$WORK/consumer/src/main.rs"
cp "$ROOT/Cargo.lock" "$WORK/consumer/Cargo.lock"
cd "$WORK/consumer"
cargo tree --offline -e normal,build --prefix none > tree.txt
if grep -E '^(wechat-oa-codegen|serde_yaml|schemars|prettyplease) v' tree.txt; then
  echo "the packaged wechat-oa makes its consumers compile the generator (above)" >&2
  exit 1
fi
test -z "$(ls "$PKG"/spec 2>/dev/null)" || { echo "the .crate ships spec/" >&2; exit 1; }
CARGO_TARGET_DIR="$ROOT/target/packaged-consumer" cargo build --offline --quiet
echo "packaged consumer OK: $(wc -l < tree.txt) crates in its graph, none of the generator's"
