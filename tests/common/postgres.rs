//! Real PostgreSQL for the credential-store tests. `.ci/start-postgres.sh` starts a server and
//! prints `WECHAT_OA_POSTGRES_URL` (`.ci/run` exports it); tests that stop or restart a server
//! start a private one with the same script. Without a server tests skip loudly — except under
//! CI (`CI` set), where a missing PostgreSQL is a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Says why a PostgreSQL test cannot run; panics under CI.
pub fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("PostgreSQL test cannot run under CI: {why}");
    }
    eprintln!(
        "\n!!!!!!!! SKIPPED: {why} — run `eval \"$(.ci/start-postgres.sh)\"` (needs the postgresql package) !!!!!!!!\n"
    );
}

/// The shared server's URL (`WECHAT_OA_POSTGRES_URL`), or `None` after [`skip`].
pub fn postgres_url() -> Option<String> {
    match std::env::var("WECHAT_OA_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            skip("WECHAT_OA_POSTGRES_URL is not set");
            None
        }
    }
}

/// A plain connection for set-up and inspection beside the store under test.
pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connect to PostgreSQL");
    tokio::spawn(conn);
    client
}

/// Empties `table` (when it exists).
pub async fn truncate(url: &str, table: &str) {
    let c = connect(url).await;
    c.batch_execute(&format!(
        "DO $$ BEGIN IF to_regclass('\"{table}\"') IS NOT NULL THEN TRUNCATE \"{table}\"; END IF; END $$"
    ))
    .await
    .expect("truncate");
}

/// Drops `table` if it exists.
pub async fn drop_table(url: &str, table: &str) {
    connect(url).await.batch_execute(&format!("DROP TABLE IF EXISTS \"{table}\"")).await.expect("drop table");
}

/// A table name unique to this test run (valid for `with_table`).
pub fn unique_table(test: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("t_{test}_{}_{n}", std::process::id())
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/start-postgres.sh")
}

fn have_server_binaries() -> bool {
    if let Ok(b) = std::env::var("PG_BIN") {
        return Path::new(&b).join("pg_ctl").is_file();
    }
    std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| versions.flatten().any(|v| v.path().join("bin/pg_ctl").is_file()))
        .unwrap_or(false)
}

/// A private server (its own data directory and port, started by `.ci/start-postgres.sh`),
/// stopped and deleted on drop.
pub struct PostgresServer {
    dir: PathBuf,
    url: String,
}

impl PostgresServer {
    /// Starts one, or returns `None` (after [`skip`]) when PostgreSQL is not installed.
    pub fn start() -> Option<PostgresServer> {
        if !have_server_binaries() {
            skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin or PG_BIN)");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("wechat-oa-pg-test-{}-{}", std::process::id(), unique_table("")));
        let out = run_script(&["start", &dir.display().to_string()]);
        let url = out
            .lines()
            .find_map(|l| l.strip_prefix("export WECHAT_OA_POSTGRES_URL='"))
            .and_then(|l| l.strip_suffix('\''))
            .expect("the script prints the URL")
            .to_string();
        Some(PostgresServer { dir, url })
    }

    /// `postgres://wechat_oa:…@127.0.0.1:PORT/wechat_oa`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server (fast shutdown: connections are closed); its data stays.
    pub fn stop(&self) {
        run_script(&["stop", &self.dir.display().to_string()]);
    }

    /// Starts it again after [`stop`](Self::stop), same port and data.
    pub fn start_again(&self) {
        run_script(&["start", &self.dir.display().to_string()]);
    }

    /// `pg_ctl restart`: every open connection is closed, the data stays.
    pub fn restart(&self) {
        run_script(&["restart", &self.dir.display().to_string()]);
    }
}

fn run_script(args: &[&str]) -> String {
    let out = Command::new("bash").arg(script()).args(args).output().expect("run .ci/start-postgres.sh");
    assert!(out.status.success(), ".ci/start-postgres.sh {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script()).arg("stop").arg(&self.dir).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
