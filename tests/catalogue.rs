//! Coverage of the API catalogue (`../shared/api-catalogue.md`, the checklist of endpoints the
//! spec must cover): every live row's path is a spec endpoint, or is listed in `PENDING` below
//! (what is not in the spec yet, so the gap is visible and shrinks), or is retired. Retired paths
//! (rows marked retired in the catalogue, and the paths in `RETIRED`) are not added: `RETIRED` is
//! checked against the section "Retired, not added" of spec/README.md, so the two agree.

use std::collections::BTreeSet;

/// Live catalogue paths the spec does not have yet.
const PENDING: &[&str] = &[];

/// Paths WeChat retired, each a row of the table in spec/README.md's "Retired, not added" with
/// the notice that retired it. Whole retired areas are listed there by their path prefix.
const RETIRED: &[&str] = &[
    "/shakearound/",
    "/bizwifi/",
    "/cgi-bin/poi/",
    "/merchant/",
    "/semantic/semproxy/search",
    "/cgi-bin/guide/",
    "/cgi-bin/shorturl",
    "/cgi-bin/material/add_news",
    "/cgi-bin/material/update_news",
    "/cv/img/superresolution",
    "/cv/ocr/platenum",
    "/cv/ocr/menu",
];

fn is_retired(path: &str) -> bool {
    RETIRED.iter().any(|r| if r.ends_with('/') { path.starts_with(r) } else { path == *r })
}

/// The paths (first cell of each table row) of spec/README.md's section "Retired, not added".
fn readme_retired() -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/README.md");
    let text = std::fs::read_to_string(path).expect("read spec/README.md");
    let section = text.split("\n## Retired, not added\n").nth(1).expect("spec/README.md has \"## Retired, not added\"");
    let section = section.split("\n## ").next().unwrap_or(section);
    section.lines().filter_map(|line| line.strip_prefix("| `")?.split('`').next()).map(str::to_string).collect()
}

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
    let missing: BTreeSet<&str> = rows
        .iter()
        .filter(|(p, retired)| !retired && !is_retired(p) && !spec.contains(p))
        .map(|(p, _)| p.as_str())
        .collect();
    let pending: BTreeSet<&str> = PENDING.iter().copied().collect();
    let new_gaps: Vec<_> = missing.difference(&pending).collect();
    let covered_now: Vec<_> = pending.difference(&missing).collect();
    assert!(new_gaps.is_empty(), "catalogue paths missing from the spec (add them, or to PENDING): {new_gaps:?}");
    assert!(covered_now.is_empty(), "in the spec now, remove from PENDING: {covered_now:?}");
    eprintln!("spec: {} distinct paths; catalogue live paths still pending: {}", spec.len(), missing.len());
}

#[test]
fn the_retired_list_and_spec_readme_agree() {
    let readme = readme_retired();
    let listed: BTreeSet<String> = RETIRED.iter().map(|p| p.to_string()).collect();
    let not_in_readme: Vec<_> = listed.difference(&readme).collect();
    let not_in_test: Vec<_> = readme.difference(&listed).collect();
    assert!(not_in_readme.is_empty(), "RETIRED paths spec/README.md does not explain: {not_in_readme:?}");
    assert!(not_in_test.is_empty(), "spec/README.md retires paths RETIRED lacks: {not_in_test:?}");
}

#[test]
fn no_retired_path_is_in_the_spec() {
    let in_spec: Vec<String> = spec_paths().into_iter().filter(|p| is_retired(p)).collect();
    assert!(in_spec.is_empty(), "retired paths in the spec: {in_spec:?}");
}
