//! With the `regenerate` feature (turned on in this repository by the `codegen/regenerate`
//! workspace member), regenerates `generated/` and `spec/schema.json` from `spec/`, writing
//! only files whose content changed. A broken spec fails the build with every problem named
//! by file, endpoint and field.
//!
//! Without the feature (any project that depends on wechat-oa, by path, git or as a packaged
//! crate) this script does nothing and the generator is not compiled: the committed
//! `generated/` is the source. See spec/README.md, "How generated/ stays fresh".

use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "regenerate")]
    {
        regenerate::run()
    }
    #[cfg(not(feature = "regenerate"))]
    {
        ExitCode::SUCCESS
    }
}

#[cfg(feature = "regenerate")]
mod regenerate {
    use std::path::PathBuf;
    use std::process::ExitCode;

    pub fn run() -> ExitCode {
        println!("cargo:rerun-if-changed=spec");
        let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
            eprintln!("error: CARGO_MANIFEST_DIR is not set");
            return ExitCode::FAILURE;
        };
        let spec = root.join("spec");
        if !spec.is_dir() {
            return ExitCode::SUCCESS;
        }
        let files = match wechat_oa_codegen::generate_dir(&spec) {
            Ok(f) => f,
            Err(problems) => {
                eprintln!("error: the spec in {} has {} problem(s):", spec.display(), problems.len());
                for p in &problems.0 {
                    eprintln!("error: {p}");
                }
                return ExitCode::FAILURE;
            }
        };
        let write_schema = || -> std::io::Result<bool> {
            let mut wrote = false;
            let examples = spec.join(wechat_oa_codegen::load::EXAMPLES_DIR);
            let mut schemas = vec![(spec.join("schema.json"), wechat_oa_codegen::schema::area_schema())];
            // The sandbox's view of the spec: it checks requests against it (sandbox/src/spec.rs).
            if let Ok(sources) = wechat_oa_codegen::load::read_dir(&spec) {
                if let Ok(table) = wechat_oa_codegen::sandbox_table("spec", &sources) {
                    schemas.push((root.join("sandbox").join("spec-table.json"), table));
                }
                // The spec as OpenAPI 3.1, for other tools (spec/README.md, "OpenAPI").
                if let Ok(doc) = wechat_oa_codegen::openapi("spec", &sources) {
                    schemas.push((spec.join("openapi.json"), doc));
                }
            }
            if examples.is_dir() {
                schemas.push((examples.join("schema.json"), wechat_oa_codegen::schema::examples_schema()));
            }
            for (path, schema) in schemas {
                let current = std::fs::read_to_string(&path).map(|s| wechat_oa_codegen::normalize(&s)).ok();
                if current.as_deref() != Some(schema.as_str()) {
                    std::fs::write(&path, &schema)?;
                    wrote = true;
                }
            }
            Ok(wrote)
        };
        match wechat_oa_codegen::write_if_changed(&root.join("generated"), &files) {
            Ok(changed) => {
                for c in changed {
                    println!("cargo:warning=regenerated generated/{c}");
                }
            }
            Err(e) => {
                eprintln!("error: cannot write generated/: {e}");
                return ExitCode::FAILURE;
            }
        }
        match write_schema() {
            Ok(true) => println!("cargo:warning=regenerated a schema or sandbox/spec-table.json"),
            Ok(false) => {}
            Err(e) => {
                eprintln!("error: cannot write spec/schema.json: {e}");
                return ExitCode::FAILURE;
            }
        }
        ExitCode::SUCCESS
    }
}
