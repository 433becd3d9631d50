//! What every `CredentialStore` must do, run against each backend's real server.
#![allow(dead_code)]

use wechat_oa::credentials::{keys, CredentialStore};

/// A component AppID no other test run uses, so tests can share one server.
pub fn unique_component(test: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("wx_{test}_{}_{n}", std::process::id())
}

/// Get of a missing key, put, get, replace, remove (twice: removing nothing is no error), and
/// keys that differ only by authorizer stay apart.
pub async fn put_get_replace_remove(store: &dyn CredentialStore, component: &str) {
    let ticket = keys::verify_ticket(component);
    let a = keys::refresh_token(component, "wx_authorizer_a");
    let b = keys::refresh_token(component, "wx_authorizer_b");
    assert_eq!(store.get(&ticket).await.unwrap(), None);

    store.put(&ticket, "ticket@@@one").await.unwrap();
    store.put(&a, "refreshtoken@@@a1").await.unwrap();
    store.put(&b, "refreshtoken@@@b1").await.unwrap();
    assert_eq!(store.get(&ticket).await.unwrap().as_deref(), Some("ticket@@@one"));
    assert_eq!(store.get(&a).await.unwrap().as_deref(), Some("refreshtoken@@@a1"));

    store.put(&a, "refreshtoken@@@a2").await.unwrap();
    assert_eq!(store.get(&a).await.unwrap().as_deref(), Some("refreshtoken@@@a2"));
    assert_eq!(store.get(&b).await.unwrap().as_deref(), Some("refreshtoken@@@b1"), "replacing a leaves b alone");

    store.remove(&a).await.unwrap();
    store.remove(&a).await.unwrap();
    assert_eq!(store.get(&a).await.unwrap(), None);
    assert_eq!(store.get(&b).await.unwrap().as_deref(), Some("refreshtoken@@@b1"));

    // Values are opaque text: empty, long, non-ASCII, quotes and SQL/Lua-looking content.
    for v in ["", "票据 ✓ 'quoted' \"double\" \\ ; DROP TABLE x; --", &"x".repeat(64 * 1024)] {
        store.put(&ticket, v).await.unwrap();
        assert_eq!(store.get(&ticket).await.unwrap().as_deref(), Some(v));
    }
}
