//! A [`CredentialStore`] in Redis (feature `redis`): plain `GET`/`SET`/`DEL` of string values
//! under the SDK's keys (behind an optional prefix), with no expiry.
//!
//! **Only durable with persistence on.** The verify ticket and the merchants' refresh tokens
//! are not tokens WeChat hands out again: a Redis that loses them (a restart without
//! persistence, an eviction, a `FLUSHALL`/`FLUSHDB`) means waiting up to 10 minutes for the
//! next ticket and asking every merchant to authorise again. Use this store only with
//! append-only persistence (`appendonly yes` with `appendfsync everysec`, losing at most about a
//! second of writes in a crash, or `appendfsync always`), a `maxmemory-policy` that evicts
//! nothing without an expiry (`noeviction` or a `volatile-*` policy), and no flushes of the
//! database it uses. [`connect`](RedisCredentials::connect) logs a warning when Redis reports
//! `appendonly no`. Prefer `PostgresCredentials` (feature `postgres`) when a database is at
//! hand.
//!
//! Connection handling is [`RedisStore`]'s: a [`StoreError`] naming `redis` when Redis cannot
//! be reached, at most [`with_op_timeout`](RedisCredentials::with_op_timeout) (3 s) per
//! operation, one reconnection and retry after a lost connection. Values never appear in
//! errors, traces or `Debug`.

use std::time::Duration;

use crate::credentials::CredentialStore;
use crate::error::StoreError;
use crate::future::BoxFuture;
use crate::redis_store::RedisStore;

/// Credentials in Redis (see the module notes on persistence).
///
/// ```no_run
/// # async fn demo() -> Result<(), wechat_oa::StoreError> {
/// let store = wechat_oa::RedisCredentials::connect("redis://10.0.0.5:6379/1").await?.with_prefix("prod:");
/// # let _ = store; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisCredentials {
    redis: RedisStore,
}

impl std::fmt::Debug for RedisCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCredentials").field("prefix", &self.redis.prefix()).finish()
    }
}

impl RedisCredentials {
    /// Connects to `url` (`redis://host:port/db`). Fails if Redis cannot be reached now.
    pub async fn connect(url: &str) -> Result<RedisCredentials, StoreError> {
        let redis = RedisStore::connect(url).await?;
        // Best effort: managed Redis often refuses CONFIG; then nothing is said.
        match redis.cmd::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg("appendonly")).await {
            Ok(v) if v.get(1).map(String::as_str) == Some("no") => tracing::warn!(
                "Redis reports appendonly no: credentials kept there (verify ticket, refresh tokens) \
                 are lost when it restarts; turn on AOF persistence"
            ),
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "could not read Redis's persistence setting"),
        }
        Ok(RedisCredentials { redis })
    }

    /// Prefixes every key (several environments in one Redis).
    pub fn with_prefix(self, prefix: impl Into<String>) -> Self {
        RedisCredentials { redis: self.redis.with_prefix(prefix) }
    }

    /// The longest an operation waits for Redis, reconnection included (default 3 s).
    pub fn with_op_timeout(self, timeout: Duration) -> Self {
        RedisCredentials { redis: self.redis.with_op_timeout(timeout) }
    }
}

impl CredentialStore for RedisCredentials {
    fn backend(&self) -> &'static str {
        "redis"
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, StoreError>> {
        Box::pin(async move { self.redis.cmd(redis::cmd("GET").arg(self.redis.key(key))).await })
    }

    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.redis.cmd(redis::cmd("SET").arg(self.redis.key(key)).arg(value)).await })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let _: i64 = self.redis.cmd(redis::cmd("DEL").arg(self.redis.key(key))).await?;
            Ok(())
        })
    }
}
