//! Every input kept in `fuzz/regressions/` (seeds and any crash the fuzzer ever found) runs
//! through the fuzz harness itself, so a plain `cargo test` repeats what `cargo fuzz` checks:
//! no panic, no failed consistency assert, and an `Ok` or `Err` from each entry point. The
//! seeds' answers are checked against the official sample vector (`tests/data/official_vector.json`).

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};

use harness::{Mode, Outcome};
use wechat_oa::callback::CallbackError;

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz").join("regressions")
}

/// Every input file in `fuzz/regressions/` (the README is documentation, not an input).
fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(regressions_dir())
        .expect("fuzz/regressions/ exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| {
            let name = p.file_name().expect("file name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("readable input"))
        })
        .collect();
    files.sort();
    files
}

fn run_named(name: &str) -> Outcome {
    let (_, data) = inputs().into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no input {name}"));
    harness::run(&data)
}

fn official() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/official_vector.json"))
        .expect("official vector");
    serde_json::from_str(&text).expect("official vector is JSON")
}

fn ok_of<'a>(o: &'a Outcome, entry: &str) -> &'a str {
    match &o.step(entry).unwrap_or_else(|| panic!("no step {entry} in {o:?}")).result {
        Ok(s) => s,
        Err(e) => panic!("{entry} failed: {e}"),
    }
}

fn err_of(o: &Outcome, entry: &str) -> CallbackError {
    match &o.step(entry).unwrap_or_else(|| panic!("no step {entry} in {o:?}")).result {
        Ok(s) => panic!("{entry} accepted: {s:?}"),
        Err(e) => e.clone(),
    }
}

#[test]
fn every_kept_input_runs_without_panic() {
    let files = inputs();
    assert!(files.len() >= 10, "the seeds are missing from fuzz/regressions/");
    let mut failures = Vec::new();
    for (name, data) in &files {
        let data = data.clone();
        let empty = data.is_empty();
        match std::panic::catch_unwind(move || harness::run(&data)) {
            Ok(outcome) => assert!(empty || !outcome.steps.is_empty(), "{name}: no entry point was called"),
            Err(_) => failures.push(name.clone()),
        }
    }
    assert!(failures.is_empty(), "inputs that panic: {failures:?}");
}

#[test]
fn the_official_sample_request_decodes_through_the_query_mode() {
    let v = official();
    let o = run_named("seed-official-sample-message");
    assert_eq!(o.mode, Some(Mode::Query));
    assert_eq!(ok_of(&o, "open_aes_callback"), v["message"]["expected_plaintext"].as_str().expect("plaintext"));
    // Same token, so msg_signature verifies, but a callback without an EncodingAESKey cannot decrypt.
    assert_eq!(err_of(&o, "open_plain_callback"), CallbackError::NoAesKey);
    // No echostr: this is a push, not a URL verification.
    assert_eq!(err_of(&o, "verify_url_aes_callback"), CallbackError::MissingParam("echostr"));
}

#[test]
fn the_official_url_verification_decrypts_its_echostr() {
    let v = official();
    let want = v["url_verification"]["expected_plaintext"].as_str().expect("echostr plaintext");
    let o = run_named("seed-official-sample-url-verification");
    assert_eq!(ok_of(&o, "verify_url_aes_callback"), want);
    assert_eq!(err_of(&o, "verify_url_plain_callback"), CallbackError::MissingParam("signature"));
    let o = run_named("seed-official-sample-echostr");
    assert_eq!(o.mode, Some(Mode::Decrypt));
    assert_eq!(ok_of(&o, "decrypt"), want);
    assert_eq!(ok_of(&o, "verify_url_encrypted"), want);
}

#[test]
fn the_official_envelope_and_inner_xml_decode_in_every_mode() {
    let v = official();
    let plaintext = v["message"]["expected_plaintext"].as_str().expect("plaintext");
    let o = run_named("seed-official-sample-envelope");
    assert_eq!(ok_of(&o, "open_envelope"), plaintext);
    let o = run_named("seed-official-sample-inner-xml");
    assert_eq!(o.mode, Some(Mode::Structured));
    assert_eq!(ok_of(&o, "open_structured"), plaintext);
    let reply = ok_of(&o, "encrypt_reply");
    assert!(reply.contains("<![CDATA[echo: hello]]>"), "{reply}");
    assert!(reply.contains("<![CDATA[mycreate]]>"), "the reply goes back to the sender: {reply}");
    let o = run_named("seed-official-sample-inner-xml-parse");
    assert_eq!(ok_of(&o, "message_parse"), "text");
    assert_eq!(ok_of(&o, "parse_xml"), "xml");
    // It has a reply's fields too (a text message and a text reply share their shape).
    assert_eq!(ok_of(&o, "reply_parse"), "text");
}

#[test]
fn empty_and_doctype_bodies_are_refused() {
    let o = run_named("seed-empty-plain-body");
    assert!(matches!(err_of(&o, "open_plain"), CallbackError::MalformedXml(_)));
    let o = run_named("seed-empty-envelope");
    assert!(matches!(err_of(&o, "open_envelope"), CallbackError::MalformedXml(_)));
    let o = run_named("seed-doctype-plain-body");
    assert_eq!(err_of(&o, "open_plain"), CallbackError::DoctypeRejected);
    let o = run_named("seed-doctype-inner-xml");
    assert_eq!(err_of(&o, "open_structured"), CallbackError::DoctypeRejected);
}

#[test]
fn a_plain_event_and_a_well_formed_block_decode() {
    let o = run_named("seed-event-plain-body");
    assert!(ok_of(&o, "open_plain").contains("CLICK"));
    let o = run_named("seed-well-formed-block");
    assert_eq!(o.mode, Some(Mode::Block));
    assert_eq!(ok_of(&o, "decrypt_block"), "<xml><Content><![CDATA[hi]]></Content></xml>");
}

#[test]
fn the_reference_block_layout_rejects_what_the_protocol_forbids() {
    let appid = harness::APPID;
    let mut good = b"0123456789abcdef".to_vec();
    good.extend_from_slice(&2u32.to_be_bytes());
    good.extend_from_slice(b"hi");
    good.extend_from_slice(appid.as_bytes());
    let pad = 32 - good.len() % 32;
    let mut block = good.clone();
    block.resize(good.len() + pad, pad as u8);
    assert_eq!(harness::reference_unpack(&block, appid), Some(&b"hi"[..]));
    assert_eq!(harness::reference_unpack(&block, "wxsomeoneelse"), None);
    let mut bad_pad = block.clone();
    *bad_pad.last_mut().expect("non-empty") = 33;
    assert_eq!(harness::reference_unpack(&bad_pad, appid), None);
    // The same block through the SDK, via the harness's Block mode.
    let mut input = vec![b'b'];
    input.extend_from_slice(&block);
    assert_eq!(ok_of(&harness::run(&input), "decrypt_block"), "hi");
    let mut input = vec![b'b'];
    input.extend_from_slice(&bad_pad);
    assert_eq!(err_of(&harness::run(&input), "decrypt_block"), CallbackError::BadPadding);
    assert_eq!(Mode::from_byte(b'x'), Mode::Structured);
    assert_eq!(harness::run(&[]).mode, None);
    assert!(harness::signed_encrypted_query("e").msg_signature.is_some());
}
