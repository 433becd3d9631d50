//! The maintainer's workflow, checked for real: the committed `generated/` and
//! `spec/schema.json` are what the committed spec produces, and in a scratch copy of the
//! repository a doc-string edit, a new endpoint and a broken type reference behave as the README
//! promises under `cargo check` (which runs build.rs with the `regenerate` feature).
//!
//! Why the freshness check reads git and not the working tree: in this repository every build
//! (this test's own included) regenerates `generated/` from `spec/` before the test runs, so
//! comparing the working tree with the generator compares the generator with itself. What can
//! really go stale is what a consumer gets: the committed files. So the test regenerates from
//! the spec as committed at `HEAD` and compares with `generated/` as committed at `HEAD`
//! (CI's `git diff` after `cargo build` covers the uncommitted side).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `git -C <root> <args>`, or `None` when git or the repository is not there.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(root()).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The files under `dir` as committed at HEAD: name inside `dir` -> text.
fn committed(dir: &str) -> std::collections::BTreeMap<String, String> {
    let names = git(&["ls-tree", "-r", "--name-only", "HEAD", &format!("{dir}/")]).expect("git ls-tree");
    names
        .lines()
        .filter_map(|path| {
            let name = path.strip_prefix(&format!("{dir}/"))?.to_string();
            let text = git(&["show", &format!("HEAD:{path}")])?;
            Some((name, wechat_oa_codegen::normalize(&text)))
        })
        .collect()
}

fn in_a_git_checkout() -> bool {
    if git(&["rev-parse", "--verify", "HEAD"]).is_some() {
        return true;
    }
    // CI runs in a fresh clone, where this must not be skipped.
    assert!(std::env::var_os("CI").is_none(), "CI must run in a git checkout");
    eprintln!("skipped: not a git checkout with a commit");
    false
}

#[test]
fn committed_generated_code_is_what_the_committed_spec_produces() {
    if !in_a_git_checkout() {
        return;
    }
    let sources: Vec<wechat_oa_codegen::Source> = committed("spec")
        .into_iter()
        .filter(|(name, _)| name.ends_with(".yaml"))
        .map(|(name, text)| wechat_oa_codegen::Source { name, text })
        .collect();
    assert!(!sources.is_empty(), "no spec/*.yaml at HEAD");
    let files = wechat_oa_codegen::generate("spec", &sources).expect("the committed spec is valid");
    let generated = committed("generated");
    let mut stale: Vec<&str> = files
        .iter()
        .filter(|(name, text)| generated.get(*name) != Some(*text))
        .map(|(name, _)| name.as_str())
        .collect();
    stale.extend(generated.keys().filter(|n| n.ends_with(".rs") && !files.contains_key(*n)).map(String::as_str));
    assert!(
        stale.is_empty(),
        "the committed generated/ is stale against the committed spec: {stale:?}; run `cargo build` and commit"
    );
}

#[test]
fn committed_schema_json_is_what_the_model_produces() {
    if !in_a_git_checkout() {
        return;
    }
    let mut spec = committed("spec");
    let schema = spec.remove("schema.json").expect("spec/schema.json is committed");
    assert_eq!(
        schema,
        wechat_oa_codegen::schema::area_schema(),
        "the committed spec/schema.json is stale: run `cargo build` and commit it"
    );
    let examples = spec.remove("examples/schema.json").expect("spec/examples/schema.json is committed");
    assert_eq!(
        examples,
        wechat_oa_codegen::schema::examples_schema(),
        "the committed spec/examples/schema.json is stale: run `cargo build` and commit it"
    );
}

#[test]
fn committed_openapi_json_is_what_the_committed_spec_produces() {
    if !in_a_git_checkout() {
        return;
    }
    let mut spec = committed("spec");
    let doc = spec.remove("openapi.json").expect("spec/openapi.json is committed");
    let sources: Vec<wechat_oa_codegen::Source> = spec
        .into_iter()
        .filter(|(name, _)| name.ends_with(".yaml"))
        .map(|(name, text)| wechat_oa_codegen::Source { name, text })
        .collect();
    let expected = wechat_oa_codegen::openapi("spec", &sources).expect("the committed spec is valid");
    assert!(doc == expected, "the committed spec/openapi.json is stale: run `cargo build` and commit it");
}

#[test]
fn src_holds_no_endpoint_path() {
    fn walk(dir: &Path, hits: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read src/").flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, hits);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).expect("read a source file");
                for (i, line) in text.lines().enumerate() {
                    if line.contains("/cgi-bin/") || line.contains("/sns/") {
                        hits.push(format!("{}:{}", p.display(), i + 1));
                    }
                }
            }
        }
    }
    let mut hits = Vec::new();
    walk(&root().join("src"), &mut hits);
    assert!(hits.is_empty(), "endpoint paths belong in spec/, found in src/: {hits:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = entry.file_name();
        let name_s = name.to_string_lossy();
        if matches!(name_s.as_ref(), "target" | ".git" | "fuzz") {
            continue;
        }
        let p = entry.path();
        if p.is_dir() {
            copy_tree(&p, &to.join(&name));
        } else {
            std::fs::copy(&p, to.join(&name)).expect("copy");
        }
    }
}

fn cargo_check(dir: &Path, extra: &[&str]) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // A target dir that outlives the test, so later runs only rebuild the crate itself.
    let target = root().join("target").join("maintainer-workflow");
    let out = Command::new(cargo)
        .current_dir(dir)
        // No `-p`: the workspace's default members, as a maintainer's plain `cargo build`.
        .args(["check", "--offline", "--quiet"])
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("WECHAT_OA_SKIP_CODEGEN")
        .output()
        .expect("run cargo");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} does not contain {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// One scratch copy, three steps (each `cargo check` reuses the previous build).
#[test]
fn a_spec_edit_and_cargo_build_is_all_a_maintainer_does() {
    let scratch = std::env::temp_dir().join(format!("wechat-oa-workflow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    copy_tree(&root(), &scratch);
    let spec = scratch.join("spec");

    // 1. A doc string edit reaches the generated doc comment.
    edit(
        &spec.join("tags.yaml"),
        "summary: 获取公众号已创建的标签",
        "summary: 获取公众号已创建的标签 — edited by the workflow test",
    );
    let (ok, err) = cargo_check(&scratch, &[]);
    assert!(ok, "cargo check failed after a doc edit:\n{err}");
    let tags = std::fs::read_to_string(scratch.join("generated/tags.rs")).expect("generated/tags.rs");
    assert!(tags.contains("edited by the workflow test"), "the doc comment in generated/tags.rs did not change");

    // 2. A new endpoint becomes a typed method, with no other file touched.
    let new_endpoint = r#"
  - name: workflow_probe
    summary: A probe endpoint added by the workflow test
    doc_url: https://developers.weixin.qq.com/doc/service/api/
    method: POST
    path: /cgi-bin/tags/workflow_probe
    idempotent: false
    body:
      kind: json
      fields:
        - { name: probe_id, type: i64, required: true, doc: "an id" }
        - { name: note, type: string, doc: "an optional note" }
    response:
      fields:
        - { name: echoed, type: i64, doc: "the id back" }
"#;
    let tags_yaml = spec.join("tags.yaml");
    let mut text = std::fs::read_to_string(&tags_yaml).expect("read tags.yaml");
    text.push_str(new_endpoint);
    std::fs::write(&tags_yaml, text).expect("write tags.yaml");
    // Every endpoint carries its official example, or says why it has none.
    let examples = spec.join("examples/tags.yaml");
    let mut text = std::fs::read_to_string(&examples).expect("read examples/tags.yaml");
    text.push_str("workflow_probe:\n  example_missing: \"a made-up endpoint of the workflow test\"\n");
    std::fs::write(&examples, text).expect("write examples/tags.yaml");
    std::fs::create_dir_all(scratch.join("examples")).expect("mkdir examples");
    std::fs::write(
        scratch.join("examples/probe.rs"),
        "fn main() {\n    let _ = async {\n        let c = wechat_oa::Client::new(\"a\", \"b\").ok()?;\n        \
         let r: wechat_oa::api::tags::WorkflowProbeResponse = c.tags().workflow_probe(7).note(\"n\").send().await.ok()?;\n        \
         r.echoed\n    };\n}\n",
    )
    .expect("write the probe example");
    let (ok, err) = cargo_check(&scratch, &["--example", "probe"]);
    assert!(ok, "the new endpoint is not callable as client.tags().workflow_probe(..):\n{err}");

    // 3. A typo in a type reference fails the build with file, endpoint and field named.
    edit(&spec.join("user.yaml"), "type: Lang, default: zh_CN", "type: Lnag, default: zh_CN");
    let (ok, err) = cargo_check(&scratch, &[]);
    assert!(!ok, "a broken spec must fail the build");
    let line = err.lines().find(|l| l.contains("Lnag")).unwrap_or_default().to_string();
    assert!(
        line.contains("spec/user.yaml") && line.contains("endpoint info") && line.contains("lang"),
        "the error must name file, endpoint and field; got:\n{err}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
