//! A [`TokenStore`] in Redis (feature `redis`), for several processes or servers sharing one
//! AppID: they then share one token and one refresh lock, so WeChat sees one `/token` request
//! however many of them find the token missing at once.
//!
//! - tokens are JSON values with a Redis expiry matching the token's;
//! - the refresh lock is `SET key owner NX PX ttl`, released by a script that deletes it only
//!   if it still holds this owner's random value;
//! - invalidation is compare-and-delete (a script), so a token another process already
//!   replaced is never thrown away.
//!
//! If Redis cannot be reached, every operation fails with a [`StoreError`] saying so; the
//! token manager then fails the call (no token is fetched without the lock). Failing is fast:
//! a connection refused is reported at once, and an operation waits at most
//! [`with_op_timeout`](RedisStore::with_op_timeout) (3 s by default) for an answer. After a lost
//! connection each operation triggers one reconnection attempt and is tried once more on it, so
//! calls resume as soon as Redis is back.

use std::time::Duration;

use redis::aio::ConnectionManager;

use crate::error::StoreError;
use crate::future::BoxFuture;
use crate::token::{StoredToken, TokenStore};

const BACKEND: &str = "redis";

const COMPARE_AND_DELETE: &str = r#"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, t = pcall(cjson.decode, v)
if ok and type(t) == 'table' and t['value'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

const UNLOCK: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Tokens and refresh locks in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    op_timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").field("prefix", &self.prefix).finish()
    }
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError::new(BACKEND, format!("Redis is unreachable or failed: {e}"))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`). Fails if Redis cannot be reached now.
    pub async fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError::new(BACKEND, format!("bad Redis URL: {e}")))?;
        // No reconnection retries with backoff inside the driver: while Redis is down every
        // operation would wait seconds for them. Each operation retries once itself instead.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(2))
            .set_number_of_retries(0);
        let conn = tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new_with_config(client, config))
            .await
            .map_err(|_| StoreError::new(BACKEND, "timed out connecting to Redis"))?
            .map_err(err)?;
        Ok(RedisStore { conn, prefix: String::new(), op_timeout: Duration::from_secs(3) })
    }

    /// Prefixes every key (several environments in one Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest an operation waits for Redis, reconnection included (default 3 s).
    pub fn with_op_timeout(mut self, timeout: Duration) -> Self {
        self.op_timeout = timeout;
        self
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(crate) fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// Runs `cmd`; after a connection failure (which makes the connection manager reconnect)
    /// once more. Every command here may safely run twice.
    pub(crate) async fn cmd<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        self.bounded(async {
            let mut c = self.conn.clone();
            match cmd.query_async(&mut c).await {
                Err(e) if reconnects(&e) => cmd.query_async(&mut c).await,
                other => other,
            }
        })
        .await
    }

    /// Like [`cmd`](Self::cmd) for a script (EVALSHA, loading it after a Redis restart).
    pub(crate) async fn script<T: redis::FromRedisValue>(
        &self,
        inv: &redis::ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.bounded(async {
            let mut c = self.conn.clone();
            match inv.invoke_async(&mut c).await {
                Err(e) if reconnects(&e) => inv.invoke_async(&mut c).await,
                other => other,
            }
        })
        .await
    }

    async fn bounded<T>(&self, f: impl std::future::Future<Output = redis::RedisResult<T>>) -> Result<T, StoreError> {
        tokio::time::timeout(self.op_timeout, f)
            .await
            .map_err(|_| StoreError::new(BACKEND, "Redis did not answer in time"))?
            .map_err(err)
    }
}

/// Errors after which the connection manager is reconnecting.
fn reconnects(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal()
}

impl TokenStore for RedisStore {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        Box::pin(async move {
            let k = self.key(key);
            let v: Option<String> = self.cmd(redis::cmd("GET").arg(&k)).await?;
            match v {
                None => Ok(None),
                Some(text) => match serde_json::from_str::<StoredToken>(&text) {
                    Ok(t) => Ok(Some(t)),
                    Err(_) => {
                        tracing::warn!(key = %k, "ignoring an unreadable token entry in Redis");
                        Ok(None)
                    }
                },
            }
        })
    }

    fn put<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let text = serde_json::to_string(token).map_err(|e| StoreError::new(BACKEND, e.to_string()))?;
            let ttl = token.expires_at_ms.saturating_sub(crate::clock::unix_millis()).max(1);
            self.cmd(redis::cmd("SET").arg(self.key(key)).arg(text).arg("PX").arg(ttl)).await
        })
    }

    fn remove_if<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let script = redis::Script::new(COMPARE_AND_DELETE);
            let n: i64 = self.script(script.key(self.key(key)).arg(value)).await?;
            Ok(n > 0)
        })
    }

    fn try_lock<'a>(&'a self, key: &'a str, owner: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let k = self.key(key);
            let px = ttl.as_millis() as u64;
            let set: Option<String> =
                self.cmd(redis::cmd("SET").arg(&k).arg(owner).arg("NX").arg("PX").arg(px)).await?;
            if set.is_some() {
                return Ok(true);
            }
            // Taken — possibly by this very request, sent twice after its answer was lost.
            let holder: Option<String> = self.cmd(redis::cmd("GET").arg(&k)).await?;
            Ok(holder.as_deref() == Some(owner))
        })
    }

    fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let script = redis::Script::new(UNLOCK);
            let _: i64 = self.script(script.key(self.key(key)).arg(owner)).await?;
            Ok(())
        })
    }
}
