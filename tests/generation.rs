//! The maintainer's workflow, checked for real: `generated/` and `spec/schema.json` are what the
//! spec produces, and in a scratch copy of the crate a doc-string edit, a new endpoint and a
//! broken type reference behave as the README promises under `cargo check` (which runs build.rs).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn generated_code_is_what_the_spec_produces() {
    let files = wechat_mp_codegen::generate_dir(&root().join("spec")).expect("the spec is valid");
    let stale = wechat_mp_codegen::stale_files(&root().join("generated"), &files);
    assert!(stale.is_empty(), "generated/ is stale, run `cargo build` and commit: {stale:?}");
}

#[test]
fn schema_json_is_what_the_model_produces() {
    let committed = std::fs::read_to_string(root().join("spec/schema.json")).expect("spec/schema.json");
    assert_eq!(
        wechat_mp_codegen::normalize(&committed),
        wechat_mp_codegen::schema::area_schema(),
        "spec/schema.json is stale: run `cargo build` and commit it"
    );
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
        .args(["check", "--offline", "-p", "wechat-mp", "--quiet"])
        .args(extra)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("WECHAT_MP_SKIP_CODEGEN")
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
    let scratch = std::env::temp_dir().join(format!("wechat-mp-workflow-{}", std::process::id()));
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
    std::fs::create_dir_all(scratch.join("examples")).expect("mkdir examples");
    std::fs::write(
        scratch.join("examples/probe.rs"),
        "fn main() {\n    let _ = async {\n        let c = wechat_mp::Client::new(\"a\", \"b\").ok()?;\n        \
         let r: wechat_mp::api::tags::WorkflowProbeResponse = c.tags().workflow_probe(7).note(\"n\").send().await.ok()?;\n        \
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
