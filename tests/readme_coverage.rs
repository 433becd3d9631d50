//! The README's "What is covered" table is the spec's: one row per area with its endpoint
//! count and how many WeChat has deprecated. `UPDATE_README=1 cargo test --test
//! readme_coverage` rewrites it; otherwise a table that drifted from the spec fails here.

const START: &str = "<!-- coverage:start (tests/readme_coverage.rs writes this table) -->";
const END: &str = "<!-- coverage:end -->";

fn table() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let spec = wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads");
    let mut out = String::from("| area | | endpoints | deprecated |\n|---|---|---|---|\n");
    let (mut total, mut total_dep) = (0, 0);
    let mut paths = std::collections::BTreeSet::new();
    for a in &spec.areas {
        let n = a.model.endpoints.len();
        let dep = a.model.endpoints.iter().filter(|e| e.deprecated.is_some()).count();
        paths.extend(a.model.endpoints.iter().map(|e| e.path.clone()));
        total += n;
        total_dep += dep;
        out.push_str(&format!("| `{}` | {} | {n} | {dep} |\n", a.model.area, a.model.title));
    }
    let callbacks = spec.callbacks.as_ref().map(|(_, c)| (c.messages.len(), c.events.len(), c.replies.len()));
    out.push_str(&format!("| **total** | {} distinct paths | **{total}** | {total_dep} |\n", paths.len()));
    if let Some((m, e, r)) = callbacks {
        out.push_str(&format!("\nInbound (`callback`): {m} message types, {e} events, {r} passive reply types.\n"));
    }
    out
}

#[test]
fn the_readme_coverage_table_matches_the_spec() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no coverage table markers");
    };
    let current = &readme[a + START.len()..b];
    let wanted = format!("\n{}", table());
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{START}{wanted}{}", &readme[..a], &readme[b..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert_eq!(
        current, wanted,
        "README.md's coverage table is stale: UPDATE_README=1 cargo test --test readme_coverage"
    );
}
