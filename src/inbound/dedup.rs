//! Deduplication of WeChat's retries without losing the reply. WeChat repeats a push (up to
//! three times) when no answer arrived within 5 seconds; the handler must run once per
//! message, and every delivery — the first and each retry — should carry the handler's reply.
//!
//! The pipeline asks the store to [`claim`](DedupStore::claim) the message's key:
//! - the first delivery gets [`Claim::Claimed`], runs the handler and then
//!   [`complete`](DedupStore::complete)s the claim with the plain reply XML (encrypted again,
//!   with a fresh timestamp, nonce and signature, each time it is answered);
//! - a retry arriving while the first is still being handled waits for it, at most the wait
//!   bound (`Callback::dedup_wait`, WeChat's 5 s by default), and answers with its reply
//!   ([`Claim::Done`]) — or `success` if it is still running then ([`Claim::Busy`]);
//! - a retry arriving later answers with the stored reply at once;
//! - when the handler panics, its future is dropped, or the reply cannot be sealed, the claim
//!   is [`abandon`](DedupStore::abandon)ed, so that a waiting or later retry handles it.
//!
//! Stores: [`MemoryDedup`] (one process; a claim is one map operation) and, with the `redis`
//! feature, `RedisDedup` (several servers behind one callback URL).
//!
//! A store that fails (Redis unreachable) lets the message through: it is handled rather
//! than dropped, at the risk of handling a retry twice.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::future::BoxFuture;

/// What [`DedupStore::claim`] found for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First delivery: handle it, then [`complete`](DedupStore::complete) or
    /// [`abandon`](DedupStore::abandon) the claim with this id.
    Claimed(u64),
    /// Handled already: the plain reply XML it was answered with (`None`: `success`).
    Done(Option<String>),
    /// Another delivery is still being handled after waiting the whole bound.
    Busy,
}

/// Remembers which pushes are being or were handled, and their replies.
pub trait DedupStore: Send + Sync + 'static {
    /// Claims `key` for `ttl` if nobody did, else waits up to `wait` for the claim in
    /// progress to complete (or be abandoned, and then claims it).
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration, wait: Duration) -> BoxFuture<'a, Claim>;
    /// Records the reply of claim `id` (`None`: answered `success`), kept for `ttl`; wakes the
    /// waiting retries. Does nothing if the claim is no longer `id`'s (it lapsed).
    fn complete<'a>(&'a self, key: &'a str, id: u64, reply: Option<&'a str>, ttl: Duration) -> BoxFuture<'a, ()>;
    /// Releases claim `id` without a reply, so that a retry handles the message.
    fn abandon<'a>(&'a self, key: &'a str, id: u64) -> BoxFuture<'a, ()>;
}

enum Entry {
    Pending { id: u64, until: Instant, wake: Arc<Notify> },
    Done { reply: Option<Arc<str>>, until: Instant },
}

impl Entry {
    fn until(&self) -> Instant {
        match self {
            Entry::Pending { until, .. } | Entry::Done { until, .. } => *until,
        }
    }
}

/// In-memory dedup store. Expired entries are dropped as time passes, oldest deadline first,
/// from an index ordered by deadline, so each operation costs O(log n) however many messages
/// are live. (Sweeping the whole map whenever it holds more than a threshold costs O(n) per
/// push once more messages than that arrive within the TTL.)
#[derive(Default)]
pub struct MemoryDedup {
    inner: Mutex<Entries>,
    next_id: AtomicU64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Arc<str>, Entry>,
    /// (deadline, sequence) → key, one record per deadline set. A key whose entry got a
    /// later deadline since (completed, claimed again) is left alone when an older record
    /// of it falls due.
    expiry: BTreeMap<(Instant, u64), Arc<str>>,
    seq: u64,
}

impl Entries {
    /// Drops the entries whose deadline passed.
    fn expire(&mut self, now: Instant) {
        while let Some(first) = self.expiry.first_entry() {
            if first.key().0 > now {
                break;
            }
            let key = first.remove();
            if self.map.get(&key).is_some_and(|e| e.until() <= now) {
                self.map.remove(&key);
            }
        }
    }

    /// Sets `key`'s entry and indexes its deadline.
    fn put(&mut self, key: Arc<str>, entry: Entry) {
        self.seq += 1;
        self.expiry.insert((entry.until(), self.seq), key.clone());
        self.map.insert(key, entry);
    }

    /// The waiter of `key`'s claim `id`, if that claim is still held.
    fn held(&self, key: &str, id: u64) -> Option<Arc<Notify>> {
        match self.map.get(key) {
            Some(Entry::Pending { id: held, wake, .. }) if *held == id => Some(wake.clone()),
            _ => None,
        }
    }
}

impl MemoryDedup {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// One map operation: claims, or finds the reply, or the claim to wait for.
    fn step(&self, key: &str, ttl: Duration) -> Result<Claim, Arc<Notify>> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let Ok(mut m) = self.inner.lock() else {
            // A poisoned map: handle the message rather than drop it.
            return Ok(Claim::Claimed(0));
        };
        let now = Instant::now();
        m.expire(now);
        match m.map.get(key) {
            Some(Entry::Done { reply, until }) if *until > now => Ok(Claim::Done(reply.as_deref().map(str::to_string))),
            Some(Entry::Pending { wake, until, .. }) if *until > now => Err(wake.clone()),
            _ => {
                m.put(Arc::from(key), Entry::Pending { id, until: now + ttl, wake: Arc::new(Notify::new()) });
                Ok(Claim::Claimed(id))
            }
        }
    }
}

impl DedupStore for MemoryDedup {
    fn claim<'a>(&'a self, key: &'a str, ttl: Duration, wait: Duration) -> BoxFuture<'a, Claim> {
        // The usual case (a first delivery) is decided here, before the future is polled.
        let first = self.step(key, ttl);
        Box::pin(async move {
            let deadline = Instant::now() + wait;
            let mut wake = match first {
                Ok(c) => return c,
                Err(w) => w,
            };
            loop {
                let replaced = {
                    let woken = wake.notified();
                    tokio::pin!(woken);
                    woken.as_mut().enable();
                    // Look again now that a completion cannot be missed.
                    match self.step(key, ttl) {
                        Ok(c) => return c,
                        Err(w) if Arc::ptr_eq(&w, &wake) => {
                            let left = deadline.saturating_duration_since(Instant::now());
                            if left.is_zero() || tokio::time::timeout(left, woken).await.is_err() {
                                return match self.step(key, ttl) {
                                    Ok(c) => c,
                                    Err(_) => Claim::Busy,
                                };
                            }
                            None
                        }
                        // Another claim replaced the one waited for (it lapsed).
                        Err(w) => Some(w),
                    }
                };
                if let Some(w) = replaced {
                    wake = w;
                }
            }
        })
    }

    fn complete<'a>(&'a self, key: &'a str, id: u64, reply: Option<&'a str>, ttl: Duration) -> BoxFuture<'a, ()> {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(wake) = m.held(key, id) {
                m.put(Arc::from(key), Entry::Done { reply: reply.map(Arc::from), until: Instant::now() + ttl });
                wake.notify_waiters();
            }
        }
        Box::pin(async {})
    }

    fn abandon<'a>(&'a self, key: &'a str, id: u64) -> BoxFuture<'a, ()> {
        if let Ok(mut m) = self.inner.lock() {
            if let Some(wake) = m.held(key, id) {
                m.map.remove(key);
                wake.notify_waiters();
            }
        }
        Box::pin(async {})
    }
}

/// Abandons a claim when dropped before [`ClaimGuard::complete`] (the handler panicked, its
/// future was dropped, or the reply could not be sealed).
pub(crate) struct ClaimGuard {
    store: Arc<dyn DedupStore>,
    key: String,
    id: u64,
    armed: bool,
}

impl ClaimGuard {
    pub(crate) fn new(store: Arc<dyn DedupStore>, key: String, id: u64) -> Self {
        ClaimGuard { store, key, id, armed: true }
    }

    /// Stores the reply; the guard no longer abandons.
    pub(crate) async fn complete(mut self, reply: Option<&str>, ttl: Duration) {
        self.store.complete(&self.key, self.id, reply, ttl).await;
        self.armed = false;
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (store, key, id) = (self.store.clone(), std::mem::take(&mut self.key), self.id);
        tracing::debug!("abandoning a dedup claim: the handler did not finish");
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move { store.abandon(&key, id).await });
            }
            Err(_) => tracing::warn!("no runtime to abandon a dedup claim on; it lapses by itself"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(5);

    impl MemoryDedup {
        /// How many messages are remembered (claimed or completed, not yet expired).
        fn len(&self) -> usize {
            let now = Instant::now();
            self.inner.lock().map_or(0, |m| m.map.values().filter(|e| e.until() > now).count())
        }
    }

    #[tokio::test]
    async fn a_key_is_claimed_once_until_it_expires() {
        let d = MemoryDedup::new();
        let Claim::Claimed(id) = d.claim("k", Duration::from_millis(30), LONG).await else { panic!("first") };
        d.complete("k", id, Some("<xml>r</xml>"), Duration::from_millis(30)).await;
        assert_eq!(d.claim("k", Duration::from_millis(30), LONG).await, Claim::Done(Some("<xml>r</xml>".into())));
        assert!(matches!(d.claim("other", Duration::from_millis(30), LONG).await, Claim::Claimed(_)));
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(matches!(d.claim("k", Duration::from_millis(30), LONG).await, Claim::Claimed(_)));
    }

    #[tokio::test]
    async fn expired_entries_go_and_an_old_deadline_does_not_drop_a_newer_claim() {
        let many = MemoryDedup::new();
        for i in 0..25_000 {
            assert!(matches!(many.claim(&format!("m{i}"), LONG, LONG).await, Claim::Claimed(_)));
        }
        assert_eq!(many.len(), 25_000, "every live message is remembered, past any size threshold");
        assert!(matches!(many.claim("m7", LONG, Duration::ZERO).await, Claim::Busy));

        let d = MemoryDedup::new();
        let short = Duration::from_millis(30);
        for i in 0..100 {
            assert!(matches!(d.claim(&format!("m{i}"), short, LONG).await, Claim::Claimed(_)));
        }
        let Claim::Claimed(first) = d.claim("k", short, LONG).await else { panic!("first") };
        d.complete("k", first, Some("<xml>a</xml>"), short).await;
        tokio::time::sleep(Duration::from_millis(40)).await;
        // "k" expired; claimed again for longer, it must outlive its earlier deadlines.
        let Claim::Claimed(second) = d.claim("k", LONG, LONG).await else { panic!("claimed again") };
        assert_eq!(d.inner.lock().map(|m| m.map.len()).unwrap_or(0), 1, "the expired entries were dropped");
        d.complete("k", second, Some("<xml>b</xml>"), LONG).await;
        assert!(matches!(d.claim("x", short, LONG).await, Claim::Claimed(_)));
        assert_eq!(d.claim("k", LONG, LONG).await, Claim::Done(Some("<xml>b</xml>".into())));
        assert_eq!(d.len(), 2);
    }

    #[tokio::test]
    async fn a_retry_waits_for_the_reply_of_the_claim_in_progress() {
        let d = Arc::new(MemoryDedup::new());
        let Claim::Claimed(id) = d.claim("k", LONG, LONG).await else { panic!("first") };
        let d2 = d.clone();
        let retry = tokio::spawn(async move { d2.claim("k", LONG, LONG).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!retry.is_finished(), "the retry waits");
        d.complete("k", id, None, LONG).await;
        assert_eq!(retry.await.expect("task"), Claim::Done(None));
    }

    #[tokio::test]
    async fn the_wait_is_bounded_and_an_abandoned_claim_is_taken_over() {
        let d = Arc::new(MemoryDedup::new());
        let Claim::Claimed(id) = d.claim("k", LONG, LONG).await else { panic!("first") };
        let started = Instant::now();
        assert_eq!(d.claim("k", LONG, Duration::from_millis(100)).await, Claim::Busy);
        assert!(started.elapsed() >= Duration::from_millis(100));
        let d2 = d.clone();
        let retry = tokio::spawn(async move { d2.claim("k", LONG, LONG).await });
        tokio::time::sleep(Duration::from_millis(30)).await;
        d.abandon("k", id).await;
        let taken = retry.await.expect("task");
        assert!(matches!(taken, Claim::Claimed(n) if n != id), "the waiting retry claims it: {taken:?}");
        // The stale id can no longer complete it.
        d.complete("k", id, Some("stale"), LONG).await;
        assert_eq!(d.claim("k", LONG, Duration::ZERO).await, Claim::Busy);
    }
}
