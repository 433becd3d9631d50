//! Holds no code. Being a default member of the workspace that depends on `wechat-oa` with its
//! `regenerate` feature, it makes every `cargo build`, `cargo test` or `cargo run` in this
//! repository compile the library with the generator as a build dependency, so a `spec/` edit
//! regenerates `generated/`. Projects that depend on `wechat-oa` do not have this crate in
//! their graph and never compile the generator. See `spec/README.md`, "How generated/ stays
//! fresh".
