//! `RedisCredentials` against a real redis-server: the store contract, plain string values with
//! no expiry under the prefixed keys, values kept across connections and (with AOF on) across
//! a killed server, typed errors while Redis is down, and no value in errors or `Debug`.
#![cfg(feature = "redis")]

mod common;

use common::credentials::{put_get_replace_remove, unique_component};
use common::redis::{self as test_redis, RedisServer};
use wechat_oa::credentials::{keys, CredentialStore};
use wechat_oa::RedisCredentials;

const SECRET: &str = "refreshtoken@@@Zq8vKcW0s3cret";

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url).unwrap().get_multiplexed_async_connection().await.unwrap()
}

#[tokio::test]
async fn the_store_follows_the_store_contract() {
    let Some((url, _guard)) = test_redis::url() else { return };
    let store = RedisCredentials::connect(&url).await.unwrap().with_prefix(test_redis::unique_prefix("cred_contract"));
    assert_eq!(store.backend(), "redis");
    put_get_replace_remove(&store, &unique_component("redis_contract")).await;
}

#[tokio::test]
async fn values_are_plain_strings_under_the_prefixed_key_with_no_expiry() {
    let Some((url, _guard)) = test_redis::url() else { return };
    let prefix = test_redis::unique_prefix("cred_plain");
    let store = RedisCredentials::connect(&url).await.unwrap().with_prefix(&prefix);
    let key = keys::refresh_token(&unique_component("redis_plain"), "wx_merchant");
    store.put(&key, SECRET).await.unwrap();

    let mut c = raw(&url).await;
    let full = format!("{prefix}{key}");
    let v: Option<String> = redis::cmd("GET").arg(&full).query_async(&mut c).await.unwrap();
    assert_eq!(v.as_deref(), Some(SECRET));
    let ttl: i64 = redis::cmd("TTL").arg(&full).query_async(&mut c).await.unwrap();
    assert_eq!(ttl, -1, "credentials never expire");
    store.remove(&key).await.unwrap();
    let n: i64 = redis::cmd("EXISTS").arg(&full).query_async(&mut c).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn values_written_by_one_connection_are_read_by_a_new_one() {
    let Some((url, _guard)) = test_redis::url() else { return };
    let prefix = test_redis::unique_prefix("cred_second");
    let key = keys::verify_ticket(&unique_component("redis_second"));
    {
        let first = RedisCredentials::connect(&url).await.unwrap().with_prefix(&prefix);
        first.put(&key, "ticket@@@1").await.unwrap();
    }
    let second = RedisCredentials::connect(&url).await.unwrap().with_prefix(&prefix);
    assert_eq!(second.get(&key).await.unwrap().as_deref(), Some("ticket@@@1"));
    let other_prefix = RedisCredentials::connect(&url).await.unwrap().with_prefix(format!("{prefix}other:"));
    assert_eq!(other_prefix.get(&key).await.unwrap(), None, "prefixes keep environments apart");
}

#[tokio::test]
async fn with_append_only_persistence_values_survive_a_killed_server() {
    let Some(mut server) = RedisServer::start_persistent() else { return };
    let store = RedisCredentials::connect(&server.url()).await.unwrap();
    let key = keys::refresh_token("wx_component", "wx_merchant");
    store.put(&key, SECRET).await.unwrap();

    server.restart(); // SIGKILL, then a new server on the same data directory
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(SECRET), "the same store reconnects and reads it");
    let fresh = RedisCredentials::connect(&server.url()).await.unwrap();
    assert_eq!(fresh.get(&key).await.unwrap().as_deref(), Some(SECRET));
}

#[tokio::test]
async fn while_redis_is_down_operations_fail_with_typed_errors_then_resume() {
    let Some(mut server) = RedisServer::start_persistent() else { return };
    let store = RedisCredentials::connect(&server.url()).await.unwrap();
    store.put("ticket", SECRET).await.unwrap();

    server.stop();
    let errors = [
        store.get("ticket").await.unwrap_err(),
        store.put("ticket", SECRET).await.unwrap_err(),
        store.remove("ticket").await.unwrap_err(),
        RedisCredentials::connect(&server.url()).await.unwrap_err(),
    ];
    for e in &errors {
        assert_eq!(e.backend, "redis", "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("Redis"), "{shown}");
    }

    server.restart();
    assert_eq!(store.get("ticket").await.unwrap().as_deref(), Some(SECRET), "the same store resumes");
}

#[tokio::test]
async fn debug_shows_no_value() {
    let Some((url, _guard)) = test_redis::url() else { return };
    let store = RedisCredentials::connect(&url).await.unwrap().with_prefix("prod:");
    let key = keys::verify_ticket(&unique_component("redis_debug"));
    store.put(&key, SECRET).await.unwrap();
    let shown = format!("{store:?}");
    assert!(shown.contains("prod:"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    store.remove(&key).await.unwrap();
}
