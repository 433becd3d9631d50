//! Which account a command talks to: flags, then the environment (`WECHAT_APPID`,
//! `WECHAT_SECRET`, `WECHAT_OA_BASE_URL`, through clap), then the profile file
//! (`$WXOA_CONFIG`, else `$XDG_CONFIG_HOME/wxoa/config.toml`, else `~/.config/wxoa/config.toml`):
//!
//! ```toml
//! default = "shop"
//! [profiles.shop]
//! appid = "wx…"
//! secret = "…"
//! base_url = "http://127.0.0.1:8080"   # optional
//! redis_url = "redis://127.0.0.1/"      # optional: share tokens with your servers
//! ```
//!
//! The secret is never printed: [`Account`]'s `Debug` redacts it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::{Cli, Failure};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    default: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    appid: Option<String>,
    secret: Option<String>,
    base_url: Option<String>,
    redis_url: Option<String>,
}

impl std::fmt::Debug for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profile").field("appid", &self.appid).field("secret", &"<redacted>").finish()
    }
}

/// The resolved account.
pub struct Account {
    pub appid: String,
    secret: String,
    base_url: Option<String>,
    redis_url: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account").field("appid", &self.appid).field("secret", &"<redacted>").finish()
    }
}

impl Account {
    /// A client for it.
    pub async fn client(&self) -> Result<wechat_oa::Client, Failure> {
        let mut b = wechat_oa::Client::builder(self.appid.clone(), self.secret.clone());
        if let Some(base) = &self.base_url {
            b = b.base_url(base.clone());
        }
        if let Some(url) = &self.redis_url {
            // The URL may carry a password: the error names the store, not the URL.
            let store = wechat_oa::RedisStore::connect(url)
                .await
                .map_err(|e| Failure::call(format!("cannot connect to the Redis token store: {e}")))?;
            b = b.token_store(std::sync::Arc::new(store));
        }
        b.build().map_err(|e| Failure::usage(format!("cannot build the client: {e}")))
    }

    /// A `from:` field's value (`appid`, `secret`).
    pub fn configured(&self, what: &str) -> Result<String, String> {
        match what {
            "appid" => Ok(self.appid.clone()),
            "secret" => Ok(self.secret.clone()),
            other => Err(format!("the spec fills a field from `{other}`, which wxoa does not know")),
        }
    }
}

fn file_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WXOA_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("wxoa").join("config.toml"))
}

fn read_file() -> Result<File, String> {
    let Some(path) = file_path() else { return Ok(File::default()) };
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(File::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Flags and environment first, then the profile.
pub fn resolve(cli: &Cli) -> Result<Account, String> {
    let file = read_file()?;
    let name = cli.profile.clone().or(file.default.clone());
    let profile = match &name {
        Some(n) => match file.profiles.get(n) {
            Some(p) => Some(p),
            None if cli.profile.is_some() => {
                let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
                return Err(format!("no profile {n:?} in the config file (profiles: {})", known.join(", ")));
            }
            None => None,
        },
        None => None,
    };
    let appid = cli.appid.clone().or_else(|| profile.and_then(|p| p.appid.clone()));
    let secret = cli.secret.clone().or_else(|| profile.and_then(|p| p.secret.clone()));
    let base_url = cli.base_url.clone().or_else(|| profile.and_then(|p| p.base_url.clone()));
    let redis_url = cli.redis_url.clone().or_else(|| profile.and_then(|p| p.redis_url.clone()));
    let appid = appid.ok_or("no AppID: pass --appid, set WECHAT_APPID, or add a profile")?;
    let secret = secret.ok_or("no AppSecret: pass --secret, set WECHAT_SECRET, or add a profile")?;
    Ok(Account { appid, secret, base_url, redis_url })
}
