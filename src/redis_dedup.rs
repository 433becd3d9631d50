//! A [`DedupStore`] in Redis (feature `redis`), for several servers behind one callback URL:
//! WeChat's retry may reach another server than the first delivery; it is handled once there
//! and answered with the first one's reply.
//!
//! One key per message (`wechat-oa:dedup:` + the message's dedup key, after the store's prefix):
//! - claim: `SET key "p:<claim id>" NX PX ttl`;
//! - a claim in progress is waited for by polling the key (every 50 ms by default,
//!   [`with_poll_interval`](RedisDedup::with_poll_interval)) until the wait bound;
//! - complete: a script replaces the value with `"d:" + reply XML` (or `"s"` for `success`)
//!   only if it still holds this claim, with a fresh `PX ttl`;
//! - abandon: a script deletes the key only if it still holds this claim.
//!
//! When Redis fails, the message is handled (a warning is logged): losing a message is worse
//! than handling a retry twice.

use std::time::{Duration, Instant};

use crate::future::BoxFuture;
use crate::inbound::{Claim, DedupStore};
use crate::redis_store::RedisStore;
use crate::StoreError;

const COMPLETE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
"#;

const ABANDON: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Callback dedup keys and stored replies in Redis.
#[derive(Clone, Debug)]
pub struct RedisDedup {
    store: RedisStore,
    poll: Duration,
}

fn pending(id: u64) -> String {
    format!("p:{id:016x}")
}

fn ms(d: Duration) -> u64 {
    (d.as_millis() as u64).max(1)
}

impl RedisDedup {
    /// Connects to `url` (`redis://host:port/db`).
    pub async fn connect(url: &str) -> Result<RedisDedup, StoreError> {
        Ok(RedisDedup::from_store(RedisStore::connect(url).await?))
    }

    /// Uses the connection (and key prefix) of a token store.
    pub fn from_store(store: RedisStore) -> RedisDedup {
        RedisDedup { store, poll: Duration::from_millis(50) }
    }

    /// Prefixes every key (several environments in one Redis).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.store = self.store.with_prefix(prefix);
        self
    }

    /// How often a waiting retry looks at a claim in progress (default 50 ms).
    pub fn with_poll_interval(mut self, every: Duration) -> Self {
        self.poll = every.max(Duration::from_millis(1));
        self
    }

    fn key(&self, key: &str) -> String {
        self.store.key(&format!("wechat-oa:dedup:{key}"))
    }

    async fn try_claim(&self, k: &str, id: u64, ttl: Duration) -> Result<Option<Claim>, StoreError> {
        let set: Option<String> =
            self.store.cmd(redis::cmd("SET").arg(k).arg(pending(id)).arg("NX").arg("PX").arg(ms(ttl))).await?;
        if set.is_some() {
            return Ok(Some(Claim::Claimed(id)));
        }
        let v: Option<String> = self.store.cmd(redis::cmd("GET").arg(k)).await?;
        Ok(match v.as_deref() {
            // Gone between the two commands (abandoned or expired): try again.
            None => None,
            Some("s") => Some(Claim::Done(None)),
            Some(v) if v.starts_with("d:") => Some(Claim::Done(Some(v[2..].to_string()))),
            // Being handled (possibly by this very claim, sent twice after a lost answer).
            Some(v) if v == pending(id) => Some(Claim::Claimed(id)),
            Some(_) => Some(Claim::Busy),
        })
    }

    async fn claim_inner(&self, key: &str, ttl: Duration, wait: Duration) -> Result<Claim, StoreError> {
        let k = self.key(key);
        let id = rand::random::<u64>();
        let deadline = Instant::now() + wait;
        loop {
            match self.try_claim(&k, id, ttl).await? {
                Some(Claim::Busy) if Instant::now() < deadline => {}
                Some(c) => return Ok(c),
                None => continue,
            }
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(self.poll.min(left)).await;
        }
    }
}

impl DedupStore for RedisDedup {
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration, wait: Duration) -> BoxFuture<'a, Claim> {
        Box::pin(async move {
            match self.claim_inner(key, ttl, wait).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "dedup store failed; handling the push without dedup");
                    Claim::Claimed(0)
                }
            }
        })
    }

    fn complete<'a>(&'a self, key: &'a str, id: u64, reply: Option<&'a str>, ttl: Duration) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let value = match reply {
                Some(xml) => format!("d:{xml}"),
                None => "s".to_string(),
            };
            let script = redis::Script::new(COMPLETE);
            let r: Result<i64, _> =
                self.store.script(script.key(self.key(key)).arg(pending(id)).arg(value).arg(ms(ttl))).await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "could not store a callback reply for retries");
            }
        })
    }

    fn abandon<'a>(&'a self, key: &'a str, id: u64) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let script = redis::Script::new(ABANDON);
            let r: Result<i64, _> = self.store.script(script.key(self.key(key)).arg(pending(id))).await;
            if let Err(e) = r {
                tracing::warn!(error = %e, "could not abandon a dedup claim; it lapses by itself");
            }
        })
    }
}
