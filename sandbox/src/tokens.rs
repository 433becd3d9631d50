//! App access tokens: `/cgi-bin/token` tokens (each new one retires the previous after a
//! grace period), `/cgi-bin/stable_token` tokens (same token while valid, independent of the
//! former), authorizer access tokens a third-party platform obtains for an authorised account
//! (each independent of the others), revocation and forced expiry, and the random strings
//! they use.

use rand::distr::Alphanumeric;
use rand::Rng;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::reply::{err, WxError};

/// A random string of `len` characters from `[A-Za-z0-9]`.
pub(crate) fn random_string(len: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// A token-shaped random string (136 characters of `[A-Za-z0-9_-]`, like WeChat's).
pub(crate) fn random_token() -> String {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut r = rand::rng();
    let body: String = (0..133).map(|_| CHARSET[r.random_range(0..CHARSET.len())] as char).collect();
    format!("{:02}_{body}", r.random_range(60..99))
}

#[derive(Debug)]
struct Rec {
    expires_at: Instant,
    /// Invalid (40001) from this instant on: superseded by a newer token.
    retired_at: Option<Instant>,
    revoked: bool,
    force_expired: bool,
}

/// Every app token ever issued.
#[derive(Default)]
pub(crate) struct TokenStore {
    tokens: HashMap<String, Rec>,
    current_stable: Option<String>,
    /// Plain tokens not yet given a retirement time (so issuing one never scans every token).
    unretired_plain: Vec<String>,
}

/// `errmsg` of 40001 as WeChat words it.
pub(crate) const INVALID_CREDENTIAL: &str =
    "invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken";

impl TokenStore {
    /// Issues a `/cgi-bin/token` token; earlier plain tokens stay valid for `grace`.
    pub fn issue_plain(&mut self, ttl: Duration, grace: Duration) -> String {
        let now = Instant::now();
        for token in self.unretired_plain.drain(..) {
            if let Some(rec) = self.tokens.get_mut(&token) {
                rec.retired_at = Some(now + grace);
            }
        }
        let token = self.insert(ttl);
        self.unretired_plain.push(token.clone());
        token
    }

    /// Issues an authorizer access token valid for `ttl`; other tokens are not affected.
    pub fn issue_authorizer(&mut self, ttl: Duration) -> String {
        self.insert(ttl)
    }

    /// This token answers 40001 from now on (unknown tokens are ignored).
    pub fn revoke(&mut self, token: &str) {
        if let Some(rec) = self.tokens.get_mut(token) {
            rec.revoked = true;
        }
    }

    fn insert(&mut self, ttl: Duration) -> String {
        let token = random_token();
        let rec = Rec { expires_at: Instant::now() + ttl, retired_at: None, revoked: false, force_expired: false };
        self.tokens.insert(token.clone(), rec);
        token
    }

    /// The stable token and its remaining lifetime in seconds: the current one while valid and
    /// not inside its last 1/24 (5 min of 7200 s, when WeChat renews early, leaving the old one
    /// valid); `force_refresh` retires the current one at once and issues a new one.
    pub fn stable(&mut self, ttl: Duration, force_refresh: bool) -> (String, u64) {
        let now = Instant::now();
        if let Some(cur) = self.current_stable.clone() {
            if force_refresh {
                if let Some(rec) = self.tokens.get_mut(&cur) {
                    rec.retired_at = Some(now);
                }
            } else if self.check(&cur).is_ok() {
                let left =
                    self.tokens.get(&cur).map(|r| r.expires_at.saturating_duration_since(now)).unwrap_or_default();
                // WeChat renews 5 minutes (1/24 of 7200 s) before expiry; the old one stays valid.
                if left > ttl / 24 {
                    return (cur, left.as_secs().max(1));
                }
            }
        }
        let token = self.insert(ttl);
        self.current_stable = Some(token.clone());
        (token, ttl.as_secs())
    }

    /// Validates an app token: 40001 unknown/revoked/superseded, 42001 expired.
    pub fn check(&self, token: &str) -> Result<(), WxError> {
        let Some(rec) = self.tokens.get(token) else {
            return Err(err(40001, INVALID_CREDENTIAL));
        };
        let now = Instant::now();
        if rec.revoked || rec.retired_at.is_some_and(|t| now >= t) {
            return Err(err(40001, INVALID_CREDENTIAL));
        }
        if rec.force_expired || now >= rec.expires_at {
            return Err(err(42001, "access_token expired"));
        }
        Ok(())
    }

    /// Every issued token answers 40001 from now on.
    pub fn revoke_all(&mut self) {
        self.tokens.values_mut().for_each(|r| r.revoked = true);
    }

    /// Every issued token answers 42001 from now on.
    pub fn expire_all(&mut self) {
        self.tokens.values_mut().for_each(|r| r.force_expired = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(7200);

    #[test]
    fn new_plain_token_retires_the_old_one_after_the_grace() {
        let mut s = TokenStore::default();
        let a = s.issue_plain(TTL, Duration::from_secs(300));
        let b = s.issue_plain(TTL, Duration::from_secs(300));
        assert!(s.check(&a).is_ok(), "old token still inside its grace period");
        assert!(s.check(&b).is_ok());
        let c = s.issue_plain(TTL, Duration::ZERO);
        assert!(s.check(&a).is_ok(), "a keeps the grace it got when b was issued");
        assert_eq!(s.check(&b).unwrap_err().code, 40001, "b was retired with no grace");
        assert!(s.check(&c).is_ok());
    }

    #[test]
    fn grace_zero_retires_immediately_and_ttl_zero_expires() {
        let mut s = TokenStore::default();
        let a = s.issue_plain(TTL, Duration::ZERO);
        let _b = s.issue_plain(TTL, Duration::ZERO);
        assert_eq!(s.check(&a).unwrap_err().code, 40001);
        let c = s.issue_plain(Duration::ZERO, Duration::ZERO);
        assert_eq!(s.check(&c).unwrap_err().code, 42001);
    }

    #[test]
    fn stable_token_is_reused_until_forced() {
        let mut s = TokenStore::default();
        let (a, _) = s.stable(TTL, false);
        let (a2, left) = s.stable(TTL, false);
        assert_eq!(a, a2);
        assert!(left <= 7200 && left > 7000);
        let (b, _) = s.stable(TTL, true);
        assert_ne!(a, b);
        assert_eq!(s.check(&a).unwrap_err().code, 40001);
        // plain tokens don't touch the stable one
        let _p = s.issue_plain(TTL, Duration::ZERO);
        assert!(s.check(&b).is_ok());
    }

    #[test]
    fn authorizer_tokens_are_independent_and_revoked_one_by_one() {
        let mut s = TokenStore::default();
        let a = s.issue_authorizer(TTL);
        let b = s.issue_authorizer(TTL);
        let _p = s.issue_plain(TTL, Duration::ZERO);
        let _q = s.issue_plain(TTL, Duration::ZERO);
        assert!(s.check(&a).is_ok() && s.check(&b).is_ok(), "plain tokens never retire authorizer tokens");
        s.revoke(&a);
        assert_eq!(s.check(&a).unwrap_err().code, 40001);
        assert!(s.check(&b).is_ok());
    }

    #[test]
    fn revoke_and_expire() {
        let mut s = TokenStore::default();
        let a = s.issue_plain(TTL, Duration::from_secs(300));
        s.expire_all();
        assert_eq!(s.check(&a).unwrap_err().code, 42001);
        s.revoke_all();
        assert_eq!(s.check(&a).unwrap_err().code, 40001);
        let b = s.issue_plain(TTL, Duration::from_secs(300));
        assert!(s.check(&b).is_ok(), "tokens issued after a revoke work");
        assert!(b.len() >= 64);
    }
}
