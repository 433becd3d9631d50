//! The snapshots compile: every fixture's generated files (`snapshots/<fixture>/`) are put
//! into a scratch crate under the workspace's `target/` as its `generated/`, next to a copy of
//! the runtime (`src/`), and `cargo check --offline` runs on it. A snapshot that does not
//! compile against the runtime fails this test, and so does any warning located in a
//! generated file.
//!
//! The scratch crate has its own `[workspace]` and target dir (kept between runs, so only the
//! first run compiles the dependencies), and a copy of the workspace `Cargo.lock`, so it builds
//! with the exact versions the workspace uses and needs no network. Its `Cargo.toml` takes the
//! `[dependencies]` and `[features]` of the workspace's root manifest, so it never drifts.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The lines of section `[name]` of a manifest (up to the next section).
fn section(manifest: &str, name: &str) -> Vec<String> {
    let header = format!("[{name}]");
    manifest
        .lines()
        .skip_while(|l| l.trim() != header)
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes `text` only when it differs, so an unchanged file keeps its mtime (and cargo its
/// fingerprint).
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text)?;
    }
    Ok(())
}

fn manifest() -> String {
    let root = std::fs::read_to_string(workspace().join("Cargo.toml")).expect("read the workspace Cargo.toml");
    let deps = section(&root, "dependencies").join("\n");
    // `regenerate` needs the generator as a build dependency; the scratch crate has no build.rs.
    let features =
        section(&root, "features").into_iter().filter(|l| !l.contains("regenerate")).collect::<Vec<_>>().join("\n");
    format!(
        "# Written by codegen/tests/snapshot_crate.rs: the runtime + one fixture's snapshots.\n\
         [package]\nname = \"wechat-oa\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [workspace]\n\n[features]\n{features}\n\n[dependencies]\n{deps}\n"
    )
}

fn check_fixture(fixture: &str) {
    let snapshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(fixture);
    let krate = workspace().join("target").join("codegen-snapshot-crates").join(fixture);
    std::fs::create_dir_all(&krate).expect("create the scratch crate");
    // Fresh copies: a file removed from `src/` or from the snapshots must not linger.
    for dir in ["src", "generated"] {
        let _ = std::fs::remove_dir_all(krate.join(dir));
    }
    copy_dir(&workspace().join("src"), &krate.join("src")).expect("copy the runtime");
    copy_dir(&snapshots, &krate.join("generated")).expect("copy the snapshots");
    write_if_changed(&krate.join("Cargo.toml"), &manifest()).expect("write Cargo.toml");
    let lock = std::fs::read_to_string(workspace().join("Cargo.lock")).expect("read Cargo.lock");
    std::fs::write(krate.join("Cargo.lock"), lock).expect("write Cargo.lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&krate)
        // `test --lib`: compiles the snapshots as the library and as its unit tests, and runs the
        // fixture's official-example tests (generated from its `examples/`).
        .args(["test", "--lib", "--offline", "--all-features", "--message-format", "short", "--target-dir"])
        .arg(krate.join("target"))
        .args(["--", "official_example"])
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run cargo test");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the snapshots of fixture {fixture} do not compile against the runtime, or their example tests fail (scratch crate {}):\n{stderr}\n{}",
        krate.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    let in_generated: Vec<&str> =
        stderr.lines().filter(|l| l.trim_start_matches("src/../").starts_with("generated/")).collect();
    assert!(
        in_generated.is_empty(),
        "the snapshots of fixture {fixture} compile with warnings:\n{}",
        in_generated.join("\n")
    );
}

#[test]
fn mini_snapshots_compile_against_the_runtime_and_pass_their_example_tests() {
    check_fixture("mini");
}
