//! Real Redis for the token-store tests: the server `.ci/run` started (`WECHAT_OA_REDIS_URL`),
//! or one started here from the `redis-server` binary. Without either, tests skip loudly —
//! except under CI (`CI` set), where a missing Redis is a failure.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary to start private servers with.
pub fn server_bin() -> Option<String> {
    if let Ok(b) = std::env::var("WECHAT_OA_REDIS_SERVER_BIN") {
        return Some(b);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("redis-server")).find(|p| p.is_file()).map(|p| p.display().to_string())
}

/// Says why a Redis test cannot run; panics under CI.
pub fn skip(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("Redis test cannot run under CI: {why}");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {why} — install redis-server or set WECHAT_OA_REDIS_URL !!!!!!!!\n");
}

/// A private redis-server process on a free loopback port, killed on drop.
pub struct RedisServer {
    bin: String,
    port: u16,
    child: Option<Child>,
    dir: std::path::PathBuf,
    /// AOF on (`appendfsync always`): a restart keeps the data.
    persistent: bool,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl RedisServer {
    /// Starts one, or returns `None` (after [`skip`]) when there is no binary.
    pub fn start() -> Option<RedisServer> {
        Self::start_with(false)
    }

    /// Like [`start`](Self::start) with append-only persistence, so [`restart`](Self::restart)
    /// keeps the data.
    pub fn start_persistent() -> Option<RedisServer> {
        Self::start_with(true)
    }

    fn start_with(persistent: bool) -> Option<RedisServer> {
        let Some(bin) = server_bin() else {
            skip("no redis-server binary on PATH");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("wechat-oa-redis-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut s = RedisServer { bin, port: free_port(), child: None, dir, persistent };
        s.spawn();
        Some(s)
    }

    fn spawn(&mut self) {
        let aof: &[&str] =
            if self.persistent { &["--appendonly", "yes", "--appendfsync", "always"] } else { &["--appendonly", "no"] };
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(aof)
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `redis://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (its data is gone).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port: empty, unless started persistent.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The URL of the shared server, or of a private one kept alive by the returned guard.
pub fn url() -> Option<(String, Option<RedisServer>)> {
    if let Ok(u) = std::env::var("WECHAT_OA_REDIS_URL") {
        return Some((u, None));
    }
    let s = RedisServer::start()?;
    Some((s.url(), Some(s)))
}

/// A key prefix unique to this test run.
pub fn unique_prefix(test: &str) -> String {
    format!("test:{test}:{}:{}:", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}
