//! Deduplication of WeChat's retries: WeChat repeats a push (up to three times) when no
//! answer arrived within 5 seconds; the handler must run once per message. The store is
//! pluggable; the default keeps keys in memory for a while.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::future::BoxFuture;

/// Remembers which pushes were already handled.
pub trait DedupStore: Send + Sync + 'static {
    /// Records `key` for `ttl`; returns `true` if it was not seen before (handle it),
    /// `false` if it is a repeat (do not handle it again).
    fn first_seen<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, bool>;
}

/// In-memory dedup store with lazy expiry.
#[derive(Default)]
pub struct MemoryDedup {
    seen: Mutex<HashMap<String, Instant>>,
}

impl MemoryDedup {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl DedupStore for MemoryDedup {
    fn first_seen<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, bool> {
        let now = Instant::now();
        let fresh = match self.seen.lock() {
            Ok(mut m) => {
                if m.len() > 10_000 {
                    m.retain(|_, until| *until > now);
                }
                match m.get(key) {
                    Some(until) if *until > now => false,
                    _ => {
                        m.insert(key.to_string(), now + ttl);
                        true
                    }
                }
            }
            // A poisoned map: handle the message rather than drop it.
            Err(_) => true,
        };
        Box::pin(async move { fresh })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_fresh_once_until_it_expires() {
        let d = MemoryDedup::new();
        assert!(d.first_seen("k", Duration::from_millis(30)).await);
        assert!(!d.first_seen("k", Duration::from_millis(30)).await);
        assert!(d.first_seen("other", Duration::from_millis(30)).await);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(d.first_seen("k", Duration::from_millis(30)).await);
    }
}
