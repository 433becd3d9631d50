//! The sandbox and the spec describe the same API: every spec endpoint that sends a request has
//! a sandbox route with the same method and path, and every sandbox route is a spec endpoint.

use std::collections::BTreeSet;

/// (METHOD, path) of every spec endpoint; with `sent_only`, without the `url` endpoints (they
/// only build a link for a browser, so the sandbox need not answer them, though it may).
fn spec_endpoints(sent_only: bool) -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let spec = wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads");
    spec.areas
        .iter()
        .flat_map(|a| &a.model.endpoints)
        .filter(|e| {
            !sent_only || e.response.as_ref().map(|r| r.kind) != Some(wechat_oa_codegen::model::ResponseKind::Url)
        })
        .map(|e| (format!("{:?}", e.method).to_uppercase(), e.path.clone()))
        .collect()
}

#[test]
fn every_spec_endpoint_has_a_sandbox_route_and_every_route_a_spec_endpoint() {
    let (spec, sent) = (spec_endpoints(false), spec_endpoints(true));
    let sandbox: BTreeSet<(String, String)> =
        wechat_oa_sandbox::route_list().into_iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    let no_route: Vec<_> = sent.difference(&sandbox).collect();
    let no_spec: Vec<_> = sandbox.difference(&spec).collect();
    assert!(
        no_route.is_empty() && no_spec.is_empty(),
        "spec endpoints without a sandbox route: {no_route:?}\nsandbox routes without a spec endpoint: {no_spec:?}"
    );
}

/// Only state and behaviour are hand-written in the sandbox, in files named after the spec's
/// areas: every route is registered by the file of the area whose endpoint it answers.
#[test]
fn every_route_is_answered_by_the_file_of_its_spec_area() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("spec");
    let sources = wechat_oa_codegen::load::read_dir(&dir).expect("read spec/");
    let spec = wechat_oa_codegen::load::load_spec("spec", &sources).expect("spec/ loads");
    let area_of: std::collections::BTreeMap<&str, Vec<&str>> = spec
        .areas
        .iter()
        .flat_map(|a| a.model.endpoints.iter().map(move |e| (e.path.as_str(), a.model.area.as_str())))
        .fold(std::collections::BTreeMap::new(), |mut m, (path, area)| {
            m.entry(path).or_insert_with(Vec::new).push(area);
            m
        });
    let areas: BTreeSet<&str> = spec.areas.iter().map(|a| a.model.area.as_str()).collect();
    let mut wrong = Vec::new();
    for (file_area, path) in wechat_oa_sandbox::route_areas() {
        assert!(areas.contains(file_area), "sandbox file {file_area}.rs is not named after a spec area");
        match area_of.get(path) {
            Some(spec_areas) if spec_areas.contains(&file_area) => {}
            other => wrong.push(format!("{path}: answered in {file_area}.rs, spec area {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "routes in another area's file:\n{}", wrong.join("\n"));
    // And the files on disk are the areas' (plus the dispatcher).
    let api = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sandbox/src/api");
    for entry in std::fs::read_dir(&api).expect("read sandbox/src/api").flatten() {
        let name = entry.file_name().to_string_lossy().trim_end_matches(".rs").to_string();
        assert!(name == "mod" || areas.contains(name.as_str()), "sandbox/src/api/{name} is not a spec area");
    }
}
