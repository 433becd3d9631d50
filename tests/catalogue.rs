//! Coverage of the API catalogue (`../shared/api-catalogue.md`, the checklist of endpoints the
//! spec must cover): every live row's path is a spec endpoint, or is listed in `PENDING` below
//! (what is not in the spec yet, so the gap is visible and shrinks). Retired rows (marked
//! retired in the catalogue) are listed in spec/README.md instead of being added.

use std::collections::BTreeSet;

/// Live catalogue paths the spec does not have yet.
const PENDING: &[&str] = &[
    "/channels/ec/service/product/getcardinfo",
    "/cv/img/superresolution",
    "/cv/ocr/menu",
    "/semantic/semproxy/search",
];

fn catalogue() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/api-catalogue.md");
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "CI has ../shared beside the checkout: {e}");
            eprintln!("skipped: {} not found", path.display());
            None
        }
    }
}

/// (path, retired) of every endpoint row: `| area | name | METHOD | HOST `path` | …`.
fn rows(text: &str) -> Vec<(String, bool)> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 6 || !matches!(cells[3], "GET" | "POST" | "GET/POST") {
                return None;
            }
            let path = cells[4].split('`').nth(1)?.split('?').next()?.trim().to_string();
            if !path.starts_with('/') {
                return None;
            }
            let retired = line.contains("**Retired**") || cells.iter().any(|c| c.eq_ignore_ascii_case("retired"));
            Some((path, retired))
        })
        .collect()
}

fn spec_paths() -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let spec = wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads");
    spec.areas.iter().flat_map(|a| &a.model.endpoints).map(|e| e.path.clone()).collect()
}

#[test]
fn every_live_catalogue_path_is_in_the_spec_or_pending() {
    let Some(text) = catalogue() else { return };
    let rows = rows(&text);
    assert!(rows.len() > 100, "the catalogue parser found only {} rows", rows.len());
    let spec = spec_paths();
    let missing: BTreeSet<&str> =
        rows.iter().filter(|(p, retired)| !retired && !spec.contains(p)).map(|(p, _)| p.as_str()).collect();
    let pending: BTreeSet<&str> = PENDING.iter().copied().collect();
    let new_gaps: Vec<_> = missing.difference(&pending).collect();
    let covered_now: Vec<_> = pending.difference(&missing).collect();
    assert!(new_gaps.is_empty(), "catalogue paths missing from the spec (add them, or to PENDING): {new_gaps:?}");
    assert!(covered_now.is_empty(), "in the spec now, remove from PENDING: {covered_now:?}");
    eprintln!("spec: {} distinct paths; catalogue live paths still pending: {}", spec.len(), missing.len());
}
