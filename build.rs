//! Regenerates `generated/` from `spec/` (only files whose content changed are written).
//!
//! In a packaged crate there is no `spec/`: the shipped `generated/` is used as it is and
//! nothing is written.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=spec");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WECHAT_MP_SKIP_CODEGEN");
    // Lets the generator's own tests compile a fixture's output in place of the real spec's.
    if std::env::var_os("WECHAT_MP_SKIP_CODEGEN").is_some() {
        return ExitCode::SUCCESS;
    }
    let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        eprintln!("error: CARGO_MANIFEST_DIR is not set");
        return ExitCode::FAILURE;
    };
    let spec = root.join("spec");
    if !spec.is_dir() {
        return ExitCode::SUCCESS;
    }
    let files = match wechat_mp_codegen::generate_dir(&spec) {
        Ok(f) => f,
        Err(problems) => {
            eprintln!("error: the spec in {} has {} problem(s):", spec.display(), problems.len());
            for p in &problems.0 {
                eprintln!("error: {p}");
            }
            return ExitCode::FAILURE;
        }
    };
    let schema = wechat_mp_codegen::schema::area_schema();
    let write_schema = || -> std::io::Result<()> {
        let path = spec.join("schema.json");
        if std::fs::read_to_string(&path).map(|s| wechat_mp_codegen::normalize(&s)).ok().as_deref()
            != Some(schema.as_str())
        {
            std::fs::write(&path, &schema)?;
        }
        Ok(())
    };
    match wechat_mp_codegen::write_if_changed(&root.join("generated"), &files).and_then(|c| write_schema().map(|_| c)) {
        Ok(changed) => {
            for c in changed {
                println!("cargo:warning=regenerated generated/{c}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write generated/: {e}");
            ExitCode::FAILURE
        }
    }
}
