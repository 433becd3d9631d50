//! What the wxoa test files share: running the real binary with a sandbox's account.

#![allow(dead_code)]

use std::process::{Command, Output};

use serde_json::Value;
use wechat_oa_sandbox::Sandbox;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `wxoa` with the sandbox's account in the environment (no profile file).
pub fn wxoa(sb: &Sandbox) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wxoa"));
    c.env("WECHAT_APPID", &sb.config().appid)
        .env("WECHAT_SECRET", &sb.config().secret)
        .env("WECHAT_OA_BASE_URL", sb.base_url())
        .env("WXOA_CONFIG", "/nonexistent/wxoa.toml")
        // CI exports a shared Redis for the SDK tests; each test here owns its sandbox and tokens.
        .env_remove("WECHAT_OA_REDIS_URL")
        .env_remove("WXOA_PROFILE");
    c
}

/// Runs in a blocking thread, so the sandbox (on this test's runtime) keeps answering.
pub async fn run(mut c: Command, stdin: Option<Vec<u8>>) -> Run {
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        c.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        let mut child = c.spawn().expect("run wxoa");
        if let Some(mut pipe) = child.stdin.take() {
            if let Some(bytes) = stdin {
                pipe.write_all(&bytes).expect("write stdin");
            }
        }
        finish(child.wait_with_output().expect("wait for wxoa"))
    })
    .await
    .expect("join")
}
