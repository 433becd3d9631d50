//! wechat-oa-codegen: turns the YAML endpoint spec (`spec/*.yaml`) into the typed Rust client
//! (`generated/*.rs`).
//!
//! The pipeline is parse ([`load`]) → validate ([`validate`]) → lower ([`lower`], into the
//! [`ir`] in which every Rust name and type is resolved) → emit ([`emit`], `quote`, reading only
//! the IR) → format (`prettyplease`). Each step is a separate public function, tested alone. [`generate`] runs it on sources in memory; [`generate_dir`] reads
//! a folder; [`write_if_changed`] writes only files whose content differs, so a build of an
//! unchanged or packaged tree writes nothing. `build.rs`, the freshness test and the CLI all
//! call these same functions.

pub mod diag;
pub mod emit;
pub mod examples;
pub mod ir;
pub mod limits;
pub mod load;
pub mod lower;
pub mod model;
pub mod openapi;
pub mod operations;
pub mod pages;
pub mod sandbox_table;
pub mod schema;
pub mod types;
pub mod validate;

use std::path::Path;

pub use diag::{Diagnostic, Diagnostics};
pub use emit::Files;
pub use load::Source;

/// Generates every file from in-memory sources. `folder` is how the spec folder is shown in
/// messages (`spec`).
pub fn generate(folder: &str, sources: &[Source]) -> Result<Files, Diagnostics> {
    let spec = load::load_spec(folder, sources)?;
    let checked = validate::validate(&spec)?;
    let ir = lower::lower(&checked)?;
    let mut files = emit::emit_all(&ir).map_err(|m| Diagnostics::one(Diagnostic::new(folder, "", m)))?;
    let table = emit::format_file("spec/", operations::emit(&spec))
        .map_err(|m| Diagnostics::one(Diagnostic::new(folder, "", m)))?;
    files.insert("operations.rs".to_string(), table);
    Ok(files)
}

/// The sandbox's table of the spec (`sandbox/spec-table.json`) from in-memory sources.
pub fn sandbox_table(folder: &str, sources: &[Source]) -> Result<String, Diagnostics> {
    let spec = load::load_spec(folder, sources)?;
    validate::validate(&spec)?;
    Ok(sandbox_table::table(&spec))
}

/// The spec as an OpenAPI 3.1 document (`spec/openapi.json`) from in-memory sources.
pub fn openapi(folder: &str, sources: &[Source]) -> Result<String, Diagnostics> {
    let spec = load::load_spec(folder, sources)?;
    validate::validate(&spec)?;
    Ok(openapi::document(&spec))
}

/// Reads `dir` and generates every file.
pub fn generate_dir(dir: &Path) -> Result<Files, Diagnostics> {
    let sources = load::read_dir(dir)?;
    generate(&load::dir_display(dir), &sources)
}

/// Normalises line endings so a checkout with CRLF compares equal.
pub fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Writes the files into `out`, touching only those whose content changed, and removes
/// `.rs` files that are no longer generated. Returns the paths written or removed.
pub fn write_if_changed(out: &Path, files: &Files) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(out)?;
    let mut changed = Vec::new();
    for (name, content) in files {
        let path = out.join(name);
        let same = std::fs::read_to_string(&path).map(|old| normalize(&old) == *content).unwrap_or(false);
        if !same {
            std::fs::write(&path, content)?;
            changed.push(name.clone());
        }
    }
    for entry in std::fs::read_dir(out)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".rs") && !files.contains_key(&name) {
            std::fs::remove_file(entry.path())?;
            changed.push(name);
        }
    }
    Ok(changed)
}

/// Names of files in `out` that differ from `files` (stale, missing or extra).
pub fn stale_files(out: &Path, files: &Files) -> Vec<String> {
    let mut stale = Vec::new();
    for (name, content) in files {
        match std::fs::read_to_string(out.join(name)) {
            Ok(old) if normalize(&old) == *content => {}
            _ => stale.push(name.clone()),
        }
    }
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && !files.contains_key(&name) {
                stale.push(name);
            }
        }
    }
    stale
}
