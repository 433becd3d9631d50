//! The runtime's layering, checked on the source: `src/` (but `lib.rs`, the one wiring point)
//! never names the generated API, and its modules import each other without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as (path relative to `src/`, text).
fn files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("read src/").flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p.strip_prefix(src()).expect("under src/").to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).expect("read a source file")));
        }
    }
}

fn runtime_files() -> Vec<(String, String)> {
    let mut all = Vec::new();
    files(&src(), &mut all);
    all.retain(|(rel, _)| rel != "lib.rs");
    all.sort();
    all
}

/// Code without `//` comments (doc links are not imports).
fn code(text: &str) -> String {
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The first path segment of every `crate::…` path: `crate::a::b` gives `a`, `crate::{a, b::c}`
/// gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if c.is_whitespace() => {}
                    _ if item_start && depth == 1 => {
                        out.push(ident(&group[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The module a runtime file belongs to: `inbound/axum.rs` -> `inbound`, `http.rs` -> `http`.
fn module_of(rel: &str) -> String {
    rel.split('/').next().unwrap_or(rel).trim_end_matches(".rs").to_string()
}

#[test]
fn no_runtime_file_names_the_generated_api() {
    let hits: Vec<String> = runtime_files()
        .iter()
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("crate::api") || l.contains("crate::callback"))
                .map(move |(i, l)| format!("src/{rel}:{}: {}", i + 1, l.trim()))
        })
        .collect();
    assert!(
        hits.is_empty(),
        "only src/lib.rs may name the generated API (crate::api, or crate::callback which re-exports it):\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_runtime_modules_import_each_other_without_a_cycle() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let files = runtime_files();
    let modules: BTreeSet<String> = files.iter().map(|(rel, _)| module_of(rel)).collect();
    // Items lib.rs re-exports from a module (`pub use client::{Client, ClientBuilder};`).
    let mut reexported: BTreeMap<String, String> = BTreeMap::new();
    for line in code(&lib).lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else { continue };
        let Some((module, items)) = rest.split_once("::") else { continue };
        if !modules.contains(module) {
            continue;
        }
        for item in items.trim_end_matches(';').trim_matches(|c| c == '{' || c == '}').split(',') {
            let item = item.trim();
            if !item.is_empty() {
                reexported.insert(item.to_string(), module.to_string());
            }
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, text) in &files {
        let from = module_of(rel);
        for first in crate_paths(&code(text)) {
            let to = if modules.contains(&first) { Some(first) } else { reexported.get(&first).cloned() };
            if let Some(to) = to.filter(|t| *t != from) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    assert!(edges.get("http").is_some_and(|e| e.contains("descriptor")), "the scan found no edges: {edges:?}");
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|s| s == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in &modules {
        if state.get(m.as_str()).copied().unwrap_or(0) == 0 {
            if let Some(cycle) = visit(m, &edges, &mut state, &mut Vec::new()) {
                panic!("import cycle in src/: {}\nall edges: {edges:?}", cycle.join(" -> "));
            }
        }
    }
}

#[test]
fn the_scanner_sees_grouped_and_nested_imports() {
    let paths = crate_paths("use crate::{error::{A, B}, Client};\nlet x = crate::clock::unix_secs();");
    assert_eq!(paths, ["error", "Client", "clock"]);
}
