//! What a project that depends on wechat-oa compiles: never the generator. A scratch binary
//! crate depending on this checkout by path is resolved with `cargo tree` (no build), and its
//! graph — normal and build dependencies — must not contain the generator or its dependencies.
//! (`.ci/run` checks the same for the packaged `.crate`.)

use std::path::PathBuf;
use std::process::Command;

const GENERATOR_CRATES: &[&str] = &["wechat-oa-codegen", "serde_yaml", "schemars", "prettyplease"];

#[test]
fn a_consumer_by_path_compiles_none_of_the_generator() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let scratch = root.join("target").join("consumer-check");
    std::fs::create_dir_all(scratch.join("src")).expect("mkdir");
    let manifest = format!(
        "[package]\nname = \"consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n\
         [dependencies]\nwechat-oa = {{ path = {:?}, features = [\"axum\", \"redis\"] }}\n",
        root.display().to_string()
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    std::fs::write(scratch.join("src/main.rs"), "fn main() {}\n").expect("write main.rs");
    // The workspace's lock file pins the same versions, so resolution needs no network.
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).expect("copy Cargo.lock");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(&scratch)
        .args(["tree", "--offline", "-e", "normal,build", "--prefix", "none"])
        .output()
        .expect("run cargo tree");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "cargo tree failed:\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(tree.lines().any(|l| l.starts_with("wechat-oa v")), "the scratch crate does not see wechat-oa:\n{tree}");
    let found: Vec<&str> =
        tree.lines().filter(|l| GENERATOR_CRATES.iter().any(|g| l.starts_with(&format!("{g} v")))).collect();
    assert!(found.is_empty(), "a consumer compiles the generator: {found:?}");
}
