//! The callback configurations of many accounts, looked up by AppID (the multi-account
//! router of the `axum` feature picks one by the request path). Added and removed at run time.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::{Callback, MessageKinds};

/// Each account's [`Callback`] (token, AppID, EncodingAESKey, dedup …) by AppID. Cheap to
/// clone; clones share the registry.
pub struct CallbackAccounts<K> {
    map: Arc<RwLock<HashMap<String, Arc<Callback<K>>>>>,
}

impl<K> Clone for CallbackAccounts<K> {
    fn clone(&self) -> Self {
        CallbackAccounts { map: self.map.clone() }
    }
}

impl<K> Default for CallbackAccounts<K> {
    fn default() -> Self {
        CallbackAccounts { map: Arc::new(RwLock::new(HashMap::new())) }
    }
}

impl<K> std::fmt::Debug for CallbackAccounts<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<String> = self.map.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        ids.sort();
        f.debug_struct("CallbackAccounts").field("appids", &ids).finish()
    }
}

impl<K: MessageKinds> CallbackAccounts<K> {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the account of `callback.appid()`; returns the one it replaced.
    pub fn add(&self, callback: Callback<K>) -> Option<Arc<Callback<K>>> {
        let appid = callback.appid().to_string();
        self.map.write().ok().and_then(|mut m| m.insert(appid, Arc::new(callback)))
    }

    /// Removes an account: its path answers 404 from now on. Returns whether it was there.
    pub fn remove(&self, appid: &str) -> bool {
        self.map.write().map(|mut m| m.remove(appid).is_some()).unwrap_or(false)
    }

    /// The account's callback configuration.
    pub fn get(&self, appid: &str) -> Option<Arc<Callback<K>>> {
        self.map.read().ok().and_then(|m| m.get(appid).cloned())
    }

    /// The registered AppIDs, sorted.
    pub fn appids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.map.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        ids.sort();
        ids
    }
}
