//! The third-party platform's (component's) state and rules, without I/O: the verify tickets
//! it pushed, its component_access_tokens, pre-authorisation and authorisation codes, the
//! authorised accounts with their refresh tokens (rotated on every refresh), options and the
//! counters. Every lookup is by key (hash maps); paging slices one ordered list.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::reply::{err, WxError};
use crate::state::now_unix;
use crate::tokens::{random_string, random_token};
use crate::ComponentStats;

/// A verify ticket stays usable 12 hours (docs: component_verify_ticket 有效期为 12h).
pub(crate) const TICKET_TTL: Duration = Duration::from_secs(12 * 3600);
/// An authorisation code (auth_code) is valid 10 minutes (the contract's figure).
pub(crate) const AUTH_CODE_TTL: Duration = Duration::from_secs(600);
/// A pre_auth_code is valid 1800 s (docs, getPreAuthCode).
pub(crate) const PRE_AUTH_CODE_TTL: Duration = Duration::from_secs(1800);
/// An authorizer_access_token is valid 2 hours.
pub(crate) const AUTHORIZER_TOKEN_TTL: Duration = Duration::from_secs(7200);

/// The options `api_get_authorizer_option` knows, with their values and defaults (docs:
/// location_report 0/1/2, voice_recognize 0/1, customer_service 0/1).
const OPTIONS: [(&str, &[&str], &str); 3] = [
    ("location_report", &["0", "1", "2"], "0"),
    ("voice_recognize", &["0", "1"], "0"),
    ("customer_service", &["0", "1"], "0"),
];

/// 61003 (docs' community answers: the account is not authorised to this platform).
pub(crate) fn not_authorized() -> WxError {
    err(61003, "component is not authorized by this account")
}

/// 61023: an unknown, superseded or revoked refresh token.
fn invalid_refresh_token() -> WxError {
    err(61023, "refresh_token is invalid")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefreshState {
    /// The authorizer's current refresh token.
    Current,
    /// Replaced by a newer one (a refresh rotated it).
    Superseded,
    /// The account cancelled the authorisation.
    Revoked,
}

struct RefreshRec {
    appid: String,
    state: RefreshState,
}

struct AuthCode {
    appid: String,
    expires: Instant,
    used: bool,
}

/// One account that authorised (or once authorised) the platform.
pub(crate) struct Authorizer {
    pub authorized: bool,
    pub auth_time: i64,
    /// The current refresh token (while authorised).
    pub refresh_token: Option<String>,
    /// Access tokens issued while authorised (revoked when it cancels).
    pub access_tokens: Vec<String>,
    /// `api_get_authorizer_list` leaves `refresh_token` out for it.
    pub omit_list_refresh_token: bool,
    pub options: HashMap<String, String>,
}

/// What an authorisation produced (for the `authorized` / `updateauthorized` push).
#[derive(Clone, Debug)]
pub(crate) struct Authorization {
    pub auth_code: String,
    /// Unix time the code expires (`AuthorizationCodeExpiredTime`).
    pub expires_at: i64,
    pub pre_auth_code: String,
    /// The account was already authorised: `updateauthorized`.
    pub update: bool,
}

/// One entry of `api_get_authorizer_list`.
pub(crate) struct ListEntry {
    pub appid: String,
    pub refresh_token: Option<String>,
    pub auth_time: i64,
}

/// The component's state.
pub(crate) struct ComponentStore {
    /// Where notices are pushed (`SandboxConfig.component.callback_url`, or set at run time).
    pub callback_url: Option<String>,
    /// The latest and the previous pushed tickets, with their push time.
    latest: Option<(String, Instant)>,
    previous: Option<(String, Instant)>,
    /// Every earlier ticket (61005 rather than 61006).
    older: HashSet<String>,
    /// component_access_token → expiry.
    tokens: HashMap<String, Instant>,
    pre_auth_codes: HashMap<String, Instant>,
    /// The latest pre_auth_code not yet used by an authorisation.
    pending_pre_auth_code: Option<String>,
    auth_codes: HashMap<String, AuthCode>,
    authorizers: HashMap<String, Authorizer>,
    /// Authorised AppIDs in authorisation order (paging).
    listed: Vec<String>,
    refresh: HashMap<String, RefreshRec>,
    pub stats: ComponentStats,
    pub quota_clears: u32,
}

impl ComponentStore {
    pub fn new(callback_url: Option<String>) -> Self {
        ComponentStore {
            callback_url,
            latest: None,
            previous: None,
            older: HashSet::new(),
            tokens: HashMap::new(),
            pre_auth_codes: HashMap::new(),
            pending_pre_auth_code: None,
            auth_codes: HashMap::new(),
            authorizers: HashMap::new(),
            listed: Vec::new(),
            refresh: HashMap::new(),
            stats: ComponentStats::default(),
            quota_clears: 0,
        }
    }

    /// A new ticket: it becomes the latest, the latest becomes the previous.
    pub fn new_ticket(&mut self) -> String {
        let ticket = format!("ticket@@@{}", random_string(86));
        if let Some((old, _)) = self.previous.take() {
            self.older.insert(old);
        }
        self.previous = self.latest.take();
        self.latest = Some((ticket.clone(), Instant::now()));
        self.stats.ticket_pushes += 1;
        ticket
    }

    /// The latest or the previous ticket within 12 h; 61005 for an older one, 61006 otherwise.
    pub fn check_ticket(&self, ticket: &str) -> Result<(), WxError> {
        let recent = [&self.latest, &self.previous].into_iter().flatten().find(|(t, _)| t == ticket);
        match recent {
            Some((_, at)) if at.elapsed() < TICKET_TTL => Ok(()),
            Some(_) => Err(err(61005, "component ticket is expired")),
            None if self.older.contains(ticket) => Err(err(61005, "component ticket is expired")),
            None => Err(err(61006, "component ticket is invalid")),
        }
    }

    pub fn issue_token(&mut self, ttl: Duration) -> String {
        let token = random_token();
        self.tokens.insert(token.clone(), Instant::now() + ttl);
        token
    }

    /// A component_access_token: 40001 unknown, 42001 expired.
    pub fn check_token(&self, token: &str) -> Result<(), WxError> {
        match self.tokens.get(token) {
            None => Err(err(40001, "invalid credential, access_token is invalid or not latest")),
            Some(exp) if Instant::now() >= *exp => Err(err(42001, "access_token expired")),
            Some(_) => Ok(()),
        }
    }

    pub fn create_pre_auth_code(&mut self) -> String {
        let code = format!("preauthcode@@@{}", random_string(64));
        self.pre_auth_codes.insert(code.clone(), Instant::now() + PRE_AUTH_CODE_TTL);
        self.pending_pre_auth_code = Some(code.clone());
        code
    }

    fn new_refresh_token(&mut self, appid: &str) -> String {
        let token = format!("refreshtoken@@@{}", random_string(43));
        self.refresh.insert(token.clone(), RefreshRec { appid: appid.to_string(), state: RefreshState::Current });
        token
    }

    /// `appid` authorises the platform (through the page, with the latest pre_auth_code the
    /// platform created, or a fresh one): an auth_code. A new or returning account gets a new
    /// refresh token; an authorised one keeps its own (`updateauthorized`).
    pub fn authorize(&mut self, appid: &str) -> Authorization {
        let pre_auth_code = match self.pending_pre_auth_code.take() {
            Some(c) if self.pre_auth_codes.get(&c).is_some_and(|exp| Instant::now() < *exp) => c,
            _ => self.create_pre_auth_code_unpending(),
        };
        let update = self.authorizers.get(appid).is_some_and(|a| a.authorized);
        if !update {
            let refresh = self.new_refresh_token(appid);
            let a = self.authorizers.entry(appid.to_string()).or_insert_with(|| Authorizer {
                authorized: false,
                auth_time: 0,
                refresh_token: None,
                access_tokens: Vec::new(),
                omit_list_refresh_token: false,
                options: HashMap::new(),
            });
            a.authorized = true;
            a.auth_time = now_unix();
            a.refresh_token = Some(refresh);
            self.listed.push(appid.to_string());
        }
        let auth_code = format!("queryauthcode@@@{}", random_string(64));
        let expires = Instant::now() + AUTH_CODE_TTL;
        self.auth_codes.insert(auth_code.clone(), AuthCode { appid: appid.to_string(), expires, used: false });
        self.stats.authorizations += 1;
        Authorization { auth_code, expires_at: now_unix() + AUTH_CODE_TTL.as_secs() as i64, pre_auth_code, update }
    }

    fn create_pre_auth_code_unpending(&mut self) -> String {
        let code = self.create_pre_auth_code();
        self.pending_pre_auth_code = None;
        code
    }

    /// `appid` cancels: its refresh token is revoked and it leaves the list; the access tokens
    /// it was issued are returned for revocation. `None` when it was not authorised.
    pub fn unauthorize(&mut self, appid: &str) -> Option<Vec<String>> {
        let a = self.authorizers.get_mut(appid).filter(|a| a.authorized)?;
        a.authorized = false;
        if let Some(t) = a.refresh_token.take() {
            if let Some(rec) = self.refresh.get_mut(&t) {
                rec.state = RefreshState::Revoked;
            }
        }
        let tokens = std::mem::take(&mut a.access_tokens);
        if let Some(i) = self.listed.iter().position(|x| x == appid) {
            self.listed.remove(i);
        }
        Some(tokens)
    }

    pub fn omit_list_refresh_token(&mut self, appid: &str) -> bool {
        match self.authorizers.get_mut(appid) {
            Some(a) => {
                a.omit_list_refresh_token = true;
                true
            }
            None => false,
        }
    }

    /// An authorised account, else 61003.
    pub fn authorized(&self, appid: &str) -> Result<&Authorizer, WxError> {
        self.authorizers.get(appid).filter(|a| a.authorized).ok_or_else(not_authorized)
    }

    fn authorized_mut(&mut self, appid: &str) -> Result<&mut Authorizer, WxError> {
        self.authorizers.get_mut(appid).filter(|a| a.authorized).ok_or_else(not_authorized)
    }

    /// Spends an auth_code: the authorizer's AppID and current refresh token. 61009 unknown or
    /// already used, 61010 expired, 61003 when the account cancelled since.
    pub fn query_auth(&mut self, code: &str) -> Result<(String, String), WxError> {
        self.stats.query_auth_calls += 1;
        let c = self.auth_codes.get_mut(code).ok_or_else(|| err(61009, "code is invalid"))?;
        if c.used {
            return Err(err(61009, "code is invalid"));
        }
        if Instant::now() >= c.expires {
            return Err(err(61010, "code is expired"));
        }
        c.used = true;
        let appid = c.appid.clone();
        let refresh = self.authorized(&appid)?.refresh_token.clone().ok_or_else(not_authorized)?;
        Ok((appid, refresh))
    }

    /// Rotates `appid`'s refresh token: the new one, the old one superseded. 61003 when the
    /// account is not authorised; 61023 for a token that is not its current one (a superseded
    /// one is counted in `superseded_refresh_tokens_sent`).
    pub fn refresh(&mut self, appid: &str, token: &str) -> Result<String, WxError> {
        self.stats.authorizer_token_refreshes += 1;
        self.authorized(appid)?;
        let rec = self.refresh.get_mut(token).filter(|r| r.appid == appid).ok_or_else(invalid_refresh_token)?;
        match rec.state {
            RefreshState::Current => rec.state = RefreshState::Superseded,
            RefreshState::Superseded => {
                self.stats.superseded_refresh_tokens_sent += 1;
                return Err(invalid_refresh_token());
            }
            RefreshState::Revoked => return Err(invalid_refresh_token()),
        }
        let new = self.new_refresh_token(appid);
        self.authorized_mut(appid)?.refresh_token = Some(new.clone());
        Ok(new)
    }

    /// Remembers an access token issued to `appid` (revoked if it cancels).
    pub fn record_access_token(&mut self, appid: &str, token: String) {
        if let Some(a) = self.authorizers.get_mut(appid) {
            a.access_tokens.push(token);
        }
    }

    /// `count` authorised accounts from `offset`, and how many there are.
    pub fn list(&mut self, offset: usize, count: usize) -> (usize, Vec<ListEntry>) {
        self.stats.list_calls += 1;
        let total = self.listed.len();
        let page = self.listed.iter().skip(offset).take(count);
        let entries = page
            .filter_map(|appid| {
                let a = self.authorizers.get(appid)?;
                let refresh_token = if a.omit_list_refresh_token { None } else { a.refresh_token.clone() };
                Some(ListEntry { appid: appid.clone(), refresh_token, auth_time: a.auth_time })
            })
            .collect();
        (total, entries)
    }

    /// An option's value (its default until set); 40035 for an unknown option.
    pub fn option(&self, appid: &str, name: &str) -> Result<String, WxError> {
        let a = self.authorized(appid)?;
        let (_, _, default) = OPTIONS.iter().find(|(n, _, _)| *n == name).ok_or_else(|| unknown_option(name))?;
        Ok(a.options.get(name).cloned().unwrap_or_else(|| default.to_string()))
    }

    /// Sets an option; 40035 for an unknown option or a value it does not take.
    pub fn set_option(&mut self, appid: &str, name: &str, value: &str) -> Result<(), WxError> {
        let (_, values, _) = OPTIONS.iter().find(|(n, _, _)| *n == name).ok_or_else(|| unknown_option(name))?;
        if !values.contains(&value) {
            return Err(err(40035, format!("invalid args, option_value {value} is not one of {}", values.join(", "))));
        }
        self.authorized_mut(appid)?.options.insert(name.to_string(), value.to_string());
        Ok(())
    }
}

fn unknown_option(name: &str) -> WxError {
    err(40035, format!("invalid args, unknown option_name {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_and_previous_tickets_are_accepted_older_ones_expired_others_invalid() {
        let mut s = ComponentStore::new(None);
        let a = s.new_ticket();
        let b = s.new_ticket();
        assert!(s.check_ticket(&a).is_ok() && s.check_ticket(&b).is_ok());
        let _c = s.new_ticket();
        assert_eq!(s.check_ticket(&a).unwrap_err().code, 61005);
        assert!(s.check_ticket(&b).is_ok());
        assert_eq!(s.check_ticket("ticket@@@never").unwrap_err().code, 61006);
        assert_eq!(s.stats.ticket_pushes, 3);
    }

    #[test]
    fn a_refresh_rotates_and_the_previous_token_is_refused_and_counted() {
        let mut s = ComponentStore::new(None);
        s.authorize("wxa");
        let code = s.authorize("wxa").auth_code;
        let (appid, r1) = s.query_auth(&code).unwrap();
        assert_eq!(appid, "wxa");
        let r2 = s.refresh("wxa", &r1).unwrap();
        assert_ne!(r1, r2);
        assert_eq!(s.refresh("wxa", &r1).unwrap_err().code, 61023);
        assert_eq!(s.stats.superseded_refresh_tokens_sent, 1);
        assert_eq!(s.refresh("wxa", "refreshtoken@@@unknown").unwrap_err().code, 61023);
        assert_eq!(s.stats.superseded_refresh_tokens_sent, 1, "an unknown token is not a superseded one");
        let r3 = s.refresh("wxa", &r2).unwrap();
        assert_eq!(s.stats.authorizer_token_refreshes, 4);
        assert_eq!(s.refresh("wxb", &r3).unwrap_err().code, 61003);
    }

    #[test]
    fn an_auth_code_is_spent_once() {
        let mut s = ComponentStore::new(None);
        let code = s.authorize("wxa").auth_code;
        assert!(s.query_auth(&code).is_ok());
        assert_eq!(s.query_auth(&code).unwrap_err().code, 61009);
        assert_eq!(s.query_auth("queryauthcode@@@x").unwrap_err().code, 61009);
        assert_eq!(s.stats.query_auth_calls, 3);
    }

    #[test]
    fn unauthorize_revokes_the_refresh_token_and_leaves_the_list() {
        let mut s = ComponentStore::new(None);
        let first = s.authorize("wxa");
        assert!(!first.update);
        assert!(s.authorize("wxa").update, "a second authorisation is an update");
        s.authorize("wxb");
        s.record_access_token("wxa", "tok".into());
        let r = s.authorized("wxa").unwrap().refresh_token.clone().unwrap();
        assert_eq!(s.unauthorize("wxa"), Some(vec!["tok".to_string()]));
        assert_eq!(s.unauthorize("wxa"), None);
        assert_eq!(s.refresh("wxa", &r).unwrap_err().code, 61003);
        let (total, list) = s.list(0, 10);
        assert_eq!((total, list.len()), (1, 1));
        assert_eq!(list[0].appid, "wxb");
        // Authorising again: a new refresh token, the revoked one stays refused.
        assert!(!s.authorize("wxa").update);
        assert_eq!(s.refresh("wxa", &r).unwrap_err().code, 61023);
    }

    #[test]
    fn the_list_pages_in_authorisation_order_and_may_omit_refresh_tokens() {
        let mut s = ComponentStore::new(None);
        for i in 0..7 {
            s.authorize(&format!("wx{i}"));
        }
        s.omit_list_refresh_token("wx5");
        let (total, page) = s.list(4, 2);
        assert_eq!(total, 7);
        assert_eq!(page.iter().map(|e| e.appid.as_str()).collect::<Vec<_>>(), ["wx4", "wx5"]);
        assert!(page[0].refresh_token.is_some() && page[1].refresh_token.is_none());
        assert!(s.list(7, 5).1.is_empty());
    }

    #[test]
    fn options_have_defaults_and_take_only_their_values() {
        let mut s = ComponentStore::new(None);
        s.authorize("wxa");
        assert_eq!(s.option("wxa", "voice_recognize").unwrap(), "0");
        s.set_option("wxa", "location_report", "2").unwrap();
        assert_eq!(s.option("wxa", "location_report").unwrap(), "2");
        assert_eq!(s.set_option("wxa", "voice_recognize", "2").unwrap_err().code, 40035);
        assert_eq!(s.option("wxa", "colour").unwrap_err().code, 40035);
        assert_eq!(s.option("wxz", "voice_recognize").unwrap_err().code, 61003);
    }

    #[test]
    fn the_authorisation_uses_the_pending_pre_auth_code_once() {
        let mut s = ComponentStore::new(None);
        let pre = s.create_pre_auth_code();
        assert_eq!(s.authorize("wxa").pre_auth_code, pre);
        let next = s.authorize("wxb").pre_auth_code;
        assert_ne!(next, pre);
        assert!(next.starts_with("preauthcode@@@"));
    }
}
