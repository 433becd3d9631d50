//! `PostgresCredentials` against a real PostgreSQL: the store contract, values kept across
//! connections (another process sees what one wrote), custom and pre-created tables, refused
//! table names, concurrent table creation, a server restart mid-use, typed errors while the
//! server is down, bounded waits (a held lock, a silent server), and no value or password in
//! errors or `Debug`.
//!
//! The shared server comes from `WECHAT_OA_POSTGRES_URL` (`eval "$(.ci/start-postgres.sh)"`;
//! `.ci/run` exports it); tests that stop or restart a server start a private one with the same
//! script.
#![cfg(feature = "postgres")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::credentials::{put_get_replace_remove, unique_component};
use common::postgres::{self as pg, PostgresServer};
use wechat_oa::credentials::{keys, CredentialStore};
use wechat_oa::{PostgresCredentials, StoreError};

const SECRET: &str = "refreshtoken@@@Zq8vKcW0s3cret";

fn password_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let userinfo = rest.split_once('@').map(|(u, _)| u).unwrap_or("");
    userinfo.split_once(':').map(|(_, p)| p.to_string()).unwrap_or_default()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap()
}

fn assert_clean(e: &StoreError, secrets: &[&str]) {
    assert_eq!(e.backend, "postgres", "{e:?}");
    let shown = format!("{e} {e:?}");
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!shown.contains(s), "error shows a secret: {shown}");
    }
}

#[tokio::test]
async fn the_default_table_is_created_and_follows_the_store_contract() {
    let Some(url) = pg::postgres_url() else { return };
    let store = PostgresCredentials::connect(&url).await.unwrap();
    assert_eq!(store.table(), "wechat_oa_credentials");
    assert_eq!(store.backend(), "postgres");
    put_get_replace_remove(&store, &unique_component("pg_contract")).await;
}

#[tokio::test]
async fn values_written_by_one_connection_are_read_by_a_new_one() {
    let Some(url) = pg::postgres_url() else { return };
    let component = unique_component("pg_second");
    let key = keys::refresh_token(&component, "wx_merchant");
    {
        let first = PostgresCredentials::connect(&url).await.unwrap();
        first.put(&key, SECRET).await.unwrap();
        first.put(&keys::verify_ticket(&component), "ticket@@@1").await.unwrap();
    } // dropped: its connection is gone, as when a process exits
    let second = PostgresCredentials::connect(&url).await.unwrap();
    assert_eq!(second.get(&key).await.unwrap().as_deref(), Some(SECRET));
    second.remove(&key).await.unwrap();
    let third = PostgresCredentials::connect(&url).await.unwrap();
    assert_eq!(third.get(&key).await.unwrap(), None, "a removal is seen by others too");
    assert_eq!(third.get(&keys::verify_ticket(&component)).await.unwrap().as_deref(), Some("ticket@@@1"));
}

#[tokio::test]
async fn a_custom_table_holds_the_rows_with_the_published_columns() {
    let Some(url) = pg::postgres_url() else { return };
    let table = pg::unique_table("custom");
    let store = PostgresCredentials::builder(&url).with_table(&table).connect().await.unwrap();
    assert_eq!(store.table(), table);
    let component = unique_component("pg_custom");
    put_get_replace_remove(&store, &component).await;

    let key = keys::verify_ticket(&component);
    store.put(&key, "ticket@@@custom").await.unwrap();
    let c = pg::connect(&url).await;
    let row = c
        .query_one(
            &format!("SELECT value, updated_at > now() - interval '1 hour' FROM \"{table}\" WHERE key = $1"),
            &[&key],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "ticket@@@custom");
    assert!(row.get::<_, bool>(1), "updated_at is set on write");
    let in_default = c
        .query_opt("SELECT 1 FROM wechat_oa_credentials WHERE key = $1", &[&key])
        .await
        .map(|r| r.is_some())
        .unwrap_or(false);
    assert!(!in_default, "the custom table's rows are not in the default table");

    pg::truncate(&url, &table).await;
    assert_eq!(store.get(&key).await.unwrap(), None, "the helper empties the table");
    pg::drop_table(&url, &table).await;
    pg::truncate(&url, &table).await; // a missing table is no error
}

#[tokio::test]
async fn without_create_table_a_missing_table_fails_and_the_published_schema_makes_it() {
    let Some(url) = pg::postgres_url() else { return };
    let table = pg::unique_table("precreated");
    let e = PostgresCredentials::builder(&url).with_table(&table).create_table(false).connect().await.unwrap_err();
    assert_clean(&e, &[&password_of(&url)]);
    assert!(e.message.contains(&table) && e.message.contains("42P01"), "{e}");

    let c = pg::connect(&url).await;
    c.batch_execute(&PostgresCredentials::schema(&table).unwrap()).await.unwrap();
    let store = PostgresCredentials::builder(&url).with_table(&table).create_table(false).connect().await.unwrap();
    store.put("k", "v@@@").await.unwrap();
    assert_eq!(store.get("k").await.unwrap().as_deref(), Some("v@@@"));
    pg::drop_table(&url, &table).await;
}

#[tokio::test]
async fn the_published_schema_is_what_connect_creates() {
    let Some(url) = pg::postgres_url() else { return };
    let table = pg::unique_table("schema");
    let _store = PostgresCredentials::builder(&url).with_table(&table).connect().await.unwrap();
    let c = pg::connect(&url).await;
    let cols: Vec<(String, String, String)> = c
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
             WHERE table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        cols,
        vec![s("key", "text", "NO"), s("value", "text", "NO"), s("updated_at", "timestamp with time zone", "NO")]
    );
    assert!(PostgresCredentials::SCHEMA.contains("CREATE TABLE IF NOT EXISTS wechat_oa_credentials"));
    pg::drop_table(&url, &table).await;
}

#[tokio::test]
async fn a_bad_table_name_is_refused_before_connecting() {
    // Nothing listens on this port: the answer names the table, so no connection was tried.
    let url = format!("postgres://u:pw@127.0.0.1:{}/db", closed_port());
    for bad in ["Credentials", "creds; DROP TABLE users", "public.creds", "a-b", ""] {
        let e = PostgresCredentials::builder(&url).with_table(bad).connect().await.unwrap_err();
        assert_eq!(e.backend, "postgres");
        assert!(e.message.contains("invalid table name"), "{bad:?}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_processes_starting_at_once_all_get_the_new_table() {
    let Some(url) = pg::postgres_url() else { return };
    let table = pg::unique_table("race");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (url, table) = (url.clone(), table.clone());
            tokio::spawn(async move { PostgresCredentials::builder(url).with_table(table).connect().await })
        })
        .collect();
    for t in tasks {
        let store = t.await.unwrap().unwrap();
        store.put("k", "v").await.unwrap();
    }
    pg::drop_table(&url, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_working_after_the_server_restarts() {
    let Some(server) = PostgresServer::start() else { return };
    let store = Arc::new(PostgresCredentials::connect(server.url()).await.unwrap());
    let key = keys::refresh_token("wx_component", "wx_merchant");
    store.put(&key, "refreshtoken@@@before").await.unwrap();

    server.restart(); // the store's connection is closed by the server
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some("refreshtoken@@@before"));
    store.put(&key, "refreshtoken@@@after").await.unwrap();

    server.restart();
    // Several operations find the connection closed at once: each one succeeds.
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                if i % 2 == 0 {
                    store.get(&key).await.map(|v| v.is_some_and(|v| v.starts_with("refreshtoken@@@")))
                } else {
                    store.put(&format!("other-{i}"), "x").await.map(|()| true)
                }
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().unwrap());
    }
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some("refreshtoken@@@after"));
}

#[tokio::test]
async fn while_the_server_is_down_operations_fail_with_typed_errors_then_resume() {
    let Some(server) = PostgresServer::start() else { return };
    let password = password_of(server.url());
    let store = PostgresCredentials::connect(server.url()).await.unwrap();
    store.put("ticket", SECRET).await.unwrap();

    server.stop();
    let errors = [
        store.get("ticket").await.unwrap_err(),
        store.put("ticket", SECRET).await.unwrap_err(),
        store.remove("ticket").await.unwrap_err(),
        PostgresCredentials::connect(server.url()).await.unwrap_err(),
    ];
    for e in &errors {
        assert_clean(e, &[SECRET, &password]);
        assert!(e.message.contains("PostgreSQL"), "{e}");
    }

    server.start_again();
    assert_eq!(store.get("ticket").await.unwrap().as_deref(), Some(SECRET), "the same store resumes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_stuck_behind_a_lock_times_out_and_the_next_one_works() {
    let Some(url) = pg::postgres_url() else { return };
    let table = pg::unique_table("locked");
    let store = PostgresCredentials::builder(&url)
        .with_table(&table)
        .with_op_timeout(Duration::from_millis(500))
        .connect()
        .await
        .unwrap();
    store.put("ticket", "ticket@@@old").await.unwrap();

    // Another session holds the row: the upsert waits for it.
    let holder = pg::connect(&url).await;
    holder.batch_execute(&format!("BEGIN; SELECT 1 FROM \"{table}\" WHERE key = 'ticket' FOR UPDATE")).await.unwrap();
    let e = tokio::time::timeout(Duration::from_secs(30), store.put("ticket", SECRET))
        .await
        .expect("the store gives up by itself")
        .unwrap_err();
    assert_clean(&e, &[SECRET, &password_of(&url)]);
    assert!(e.message.contains("did not answer in time") || e.message.contains("57014"), "{e}");

    holder.batch_execute("ROLLBACK").await.unwrap();
    store.put("ticket", "ticket@@@new").await.unwrap();
    assert_eq!(store.get("ticket").await.unwrap().as_deref(), Some("ticket@@@new"));
    pg::drop_table(&url, &table).await;
}

#[tokio::test]
async fn a_server_that_never_answers_fails_the_connect_instead_of_hanging() {
    // Accepts the TCP connection, never speaks.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            open.push(s);
        }
    });
    let url = format!("postgres://wechat:hunter2pw@127.0.0.1:{port}/db");
    let e = tokio::time::timeout(Duration::from_secs(30), PostgresCredentials::connect(&url))
        .await
        .expect("connect gives up by itself")
        .unwrap_err();
    assert_clean(&e, &["hunter2pw"]);
    assert!(e.message.contains("timed out"), "{e}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_typed_error_at_connect() {
    let url = format!("postgres://wechat:hunter2pw@127.0.0.1:{}/db", closed_port());
    let e = PostgresCredentials::connect(&url).await.unwrap_err();
    assert_clean(&e, &["hunter2pw"]);
    assert!(e.message.contains("PostgreSQL is unreachable"), "{e}");
}

#[tokio::test]
async fn a_bad_url_is_refused_without_quoting_it() {
    for url in ["postgres://wechat:hunter2pw@host:notaport/db", "host=x password='hunter2pw", "nonsense hunter2pw"] {
        let e = PostgresCredentials::connect(url).await.unwrap_err();
        assert_clean(&e, &["hunter2pw"]);
        assert!(e.message.contains("bad PostgreSQL URL"), "{url}: {e}");
    }
}

#[tokio::test]
async fn a_value_postgres_refuses_is_an_error_that_does_not_show_it() {
    let Some(url) = pg::postgres_url() else { return };
    let store = PostgresCredentials::connect(&url).await.unwrap();
    let key = keys::verify_ticket(&unique_component("pg_nul"));
    let value = "ticket@@@with\0nul";
    let e = store.put(&key, value).await.unwrap_err();
    assert_clean(&e, &["ticket@@@with", value]);
    assert!(e.message.contains("SQLSTATE"), "{e}");
    store.put(&key, "fine").await.unwrap();
}

#[tokio::test]
async fn debug_shows_neither_values_nor_the_password() {
    let Some(url) = pg::postgres_url() else { return };
    let store = PostgresCredentials::builder(&url).with_op_timeout(Duration::from_secs(2)).connect().await.unwrap();
    let key = keys::verify_ticket(&unique_component("pg_debug"));
    store.put(&key, SECRET).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap().as_deref(), Some(SECRET));
    let shown = format!("{store:?} {:?}", PostgresCredentials::builder(&url));
    assert!(shown.contains("wechat_oa_credentials"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!shown.contains(&password_of(&url)), "{shown}");
}
