//! The third-party platform end to end: the sandbox plays WeChat's side (verify tickets pushed
//! encrypted to the platform's event URL, merchants authorising, refresh tokens rotating on
//! every refresh and the previous one refused, `unauthorized` pushes, the authorizer list),
//! the SDK's `Component` serves the event URL through `callback::axum::component_router`, and
//! its credentials live in a real PostgreSQL (verify ticket, refresh tokens) and its tokens in a
//! real Redis. Counts come from the sandbox, i.e. from what "WeChat" saw.
#![cfg(all(feature = "redis", feature = "axum", feature = "postgres"))]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::postgres;
use common::redis::RedisServer;
use wechat_oa::callback::{ComponentCallback, ComponentPush};
use wechat_oa::credentials::keys;
use wechat_oa::{Component, CredentialStore, Error, MemoryStore, PostgresCredentials, RedisStore, TokenStore};
use wechat_oa_sandbox::{ComponentConfig, ComponentStats, Sandbox, SandboxConfig};

const ROLE: &str = "WECHAT_OA_TEST_COMPONENT_ROLE";

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig { component: Some(ComponentConfig::default()), ..SandboxConfig::default() })
        .await
        .expect("sandbox")
}

fn cfg(sb: &Sandbox) -> ComponentConfig {
    sb.config().component.clone().expect("component configured")
}

fn platform(sb: &Sandbox, tokens: Arc<dyn TokenStore>, creds: Arc<dyn CredentialStore>) -> Component {
    let c = cfg(sb);
    Component::builder(c.component_appid, c.component_appsecret)
        .base_url(sb.base_url())
        .token_store(tokens)
        .credential_store(creds)
        .ticket_wait(Duration::from_secs(10))
        .build()
        .expect("platform")
}

/// Serves the platform's authorisation-event URL on a free loopback port and points the
/// sandbox's pushes at it.
async fn serve_events(sb: &Sandbox, platform: &Component) -> tokio::task::JoinHandle<()> {
    let c = cfg(sb);
    let cb = ComponentCallback::new(c.token, c.component_appid, &c.encoding_aes_key).expect("callback");
    let app = axum::Router::new().nest(
        "/events",
        wechat_oa::callback::axum::component_router(platform.clone(), cb, |_p: ComponentPush| async {}),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    sb.set_component_callback(&format!("http://{addr}/events"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

/// Where pushes go when no platform should see them (connection refused).
fn nowhere(sb: &Sandbox) {
    sb.set_component_callback("http://127.0.0.1:9/events");
}

async fn pg(test: &str) -> Option<(String, String, Arc<dyn CredentialStore>)> {
    let url = postgres::postgres_url()?;
    let table = postgres::unique_table(test);
    let store = PostgresCredentials::builder(url.clone()).with_table(table.clone()).connect().await.expect("postgres");
    Some((url, table, Arc::new(store)))
}

async fn redis_store(server: &RedisServer, prefix: &str) -> Arc<dyn TokenStore> {
    Arc::new(RedisStore::connect(&server.url()).await.expect("redis").with_prefix(prefix.to_string()))
}

/// FLUSHALL on a private server, spoken directly.
fn flush_redis(server: &RedisServer) {
    let addr = server.url().trim_start_matches("redis://").trim_end_matches('/').to_string();
    let mut s = TcpStream::connect(addr).expect("redis");
    s.write_all(b"*1\r\n$8\r\nFLUSHALL\r\n").expect("flush");
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut s, &mut buf).expect("answer");
    assert_eq!(&buf, b"+OK\r\n");
}

fn delta(after: &ComponentStats, before: &ComponentStats) -> ComponentStats {
    ComponentStats {
        component_token_requests: after.component_token_requests - before.component_token_requests,
        authorizer_token_refreshes: after.authorizer_token_refreshes - before.authorizer_token_refreshes,
        superseded_refresh_tokens_sent: after.superseded_refresh_tokens_sent - before.superseded_refresh_tokens_sent,
        authorizations: after.authorizations - before.authorizations,
        query_auth_calls: after.query_auth_calls - before.query_auth_calls,
        list_calls: after.list_calls - before.list_calls,
        info_calls: after.info_calls - before.info_calls,
        ticket_pushes: after.ticket_pushes - before.ticket_pushes,
        push_failures: after.push_failures - before.push_failures,
    }
}

fn authorizer_id(i: usize) -> String {
    format!("wxa{i:015}")
}

/// One ordinary call on an authorizer's own token.
async fn call(platform: &Component, appid: &str) -> Result<(), Error> {
    platform.authorizer(appid)?.base().callback_ip().send().await.map(|_| ())
}

// ---------------------------------------------------------------------------------------------

/// Process B of the two-process test: exchanges the authorisation code with the ticket that only
/// process A received (read from PostgreSQL), then calls the authorizer's API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_platform_process() {
    if std::env::var(ROLE).as_deref() != Ok("b") {
        return; // only meaningful as a child
    }
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"));
    let tokens: Arc<dyn TokenStore> =
        Arc::new(RedisStore::connect(&var("REDIS_URL")).await.expect("redis").with_prefix(var("PREFIX")));
    let creds: Arc<dyn CredentialStore> = Arc::new(
        PostgresCredentials::builder(var("PG_URL")).with_table(var("PG_TABLE")).connect().await.expect("postgres"),
    );
    let platform = Component::builder(var("COMPONENT_APPID"), var("COMPONENT_SECRET"))
        .base_url(var("BASE_URL"))
        .token_store(tokens)
        .credential_store(creds)
        .build()
        .expect("platform");
    let appid = platform.exchange_auth_code(&var("AUTH_CODE")).await.expect("exchange with A's ticket");
    assert_eq!(appid, var("AUTHORIZER"));
    call(&platform, &appid).await.expect("an authorizer call from process B");
    println!("CHILD-B-OK {appid}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_pushed_to_process_a_serves_process_b_with_one_component_token() {
    let Some((pg_url, table, creds)) = pg("two_proc").await else { return };
    let Some(redis) = RedisServer::start() else { return };
    let prefix = common::redis::unique_prefix("component-two-proc");
    let sb = sandbox().await;
    let a = platform(&sb, redis_store(&redis, &prefix).await, creds.clone());
    let _events = serve_events(&sb, &a).await;

    // WeChat pushes the ticket to A only.
    let ticket = sb.push_verify_ticket().await;
    assert!(!ticket.is_empty());
    assert_eq!(creds.get(&keys::verify_ticket(a.appid())).await.unwrap().as_deref(), Some(ticket.as_str()));
    // A merchant authorises; the code reaches process B (its redirect URL), not A.
    nowhere(&sb);
    let merchant = "wx00000000merchant";
    let code = sb.authorize(merchant).await;
    assert!(!code.is_empty());

    let c = cfg(&sb);
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new(exe)
        .args(["--exact", "child_platform_process", "--nocapture", "--test-threads", "1"])
        .env(ROLE, "b")
        .env("REDIS_URL", redis.url())
        .env("PREFIX", &prefix)
        .env("PG_URL", &pg_url)
        .env("PG_TABLE", &table)
        .env("COMPONENT_APPID", &c.component_appid)
        .env("COMPONENT_SECRET", &c.component_appsecret)
        .env("BASE_URL", sb.base_url())
        .env("AUTH_CODE", &code)
        .env("AUTHORIZER", merchant)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run process B");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&format!("CHILD-B-OK {merchant}")),
        "process B failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Back in A: the authorizer's token and the component token come from Redis.
    call(&a, merchant).await.expect("A calls the authorizer B set up");
    a.client().component().create_preauthcode().send().await.expect("a component call from A");
    let stats = sb.component_stats();
    assert_eq!(stats.component_token_requests, 1, "{stats:?}");
    assert_eq!(stats.ticket_pushes, 1, "{stats:?}");
    assert_eq!(stats.query_auth_calls, 1, "{stats:?}");
    postgres::drop_table(&pg_url, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_authorizers_five_calls_each_cold_refresh_each_once() {
    let Some((pg_url, table, creds)) = pg("thousand").await else { return };
    let sb = sandbox().await;
    let setup = platform(&sb, Arc::new(MemoryStore::new()), creds.clone());
    let _events = serve_events(&sb, &setup).await;
    sb.push_verify_ticket().await;
    const N: usize = 1000;
    // Each merchant authorises: the `authorized` push reaches the event URL, which exchanges
    // the code and stores the refresh token before answering.
    for i in 0..N {
        assert!(!sb.authorize(&authorizer_id(i)).await.is_empty());
    }
    assert_eq!(sb.component_stats().query_auth_calls, N as u64);
    for i in [0, N / 2, N - 1] {
        assert!(creds.get(&keys::refresh_token(setup.appid(), &authorizer_id(i))).await.unwrap().is_some());
    }

    // A new process: nothing cached, credentials in PostgreSQL.
    let cold = platform(&sb, Arc::new(MemoryStore::new()), creds.clone());
    let before = sb.component_stats();
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..5 {
        for i in 0..N {
            let p = cold.clone();
            tasks.spawn(async move { (round, i, call(&p, &authorizer_id(i)).await) });
        }
    }
    let mut failures = Vec::new();
    while let Some(r) = tasks.join_next().await {
        let (round, i, result) = r.expect("task");
        if let Err(e) = result {
            failures.push(format!("round {round} authorizer {i}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} calls failed, e.g. {:?}", failures.len(), &failures[..failures.len().min(3)]);
    let d = delta(&sb.component_stats(), &before);
    assert_eq!(d.authorizer_token_refreshes, N as u64, "{d:?}");
    assert_eq!(d.component_token_requests, 1, "{d:?}");
    assert_eq!(d.superseded_refresh_tokens_sent, 0, "{d:?}");
    postgres::drop_table(&pg_url, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_rotations_keep_the_latest_refresh_token_and_never_resend_an_old_one() {
    let Some((pg_url, table, creds)) = pg("rotation").await else { return };
    let sb = sandbox().await;
    let p = platform(&sb, Arc::new(MemoryStore::new()), creds.clone());
    let _events = serve_events(&sb, &p).await;
    sb.push_verify_ticket().await;
    let merchant = "wx0000000rotating";
    sb.authorize(merchant).await;
    let client = p.authorizer(merchant).unwrap();
    let key = keys::refresh_token(p.appid(), merchant);
    let before = sb.component_stats();
    let mut seen = vec![creds.get(&key).await.unwrap().expect("stored at authorisation")];
    for _ in 0..50 {
        // WeChat rejects the current token (as after a forced expiry): the SDK refreshes once.
        let t = client.access_token().await.unwrap();
        client.token_manager().invalidate(&t).await.unwrap();
        client.base().callback_ip().send().await.expect("call after a refresh");
        let now = creds.get(&key).await.unwrap().expect("a refresh token");
        assert!(!seen.contains(&now), "the refresh token rotated on every refresh");
        seen.push(now);
    }
    let d = delta(&sb.component_stats(), &before);
    assert_eq!(d.authorizer_token_refreshes, 50, "{d:?}");
    assert_eq!(d.superseded_refresh_tokens_sent, 0, "{d:?}");
    // The stored one is the latest: a process starting cold refreshes with it and WeChat
    // accepts it (a superseded one would be refused and counted).
    let cold = platform(&sb, Arc::new(MemoryStore::new()), creds.clone());
    call(&cold, merchant).await.expect("the stored refresh token is the current one");
    let d = delta(&sb.component_stats(), &before);
    assert_eq!(
        (d.authorizer_token_refreshes, d.superseded_refresh_tokens_sent, d.list_calls, d.info_calls),
        (51, 0, 0, 0)
    );
    postgres::drop_table(&pg_url, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushed_redis_then_emptied_postgres_no_merchant_authorises_again() {
    let Some((pg_url, table, creds)) = pg("flush").await else { return };
    let Some(redis) = RedisServer::start() else { return };
    let prefix = common::redis::unique_prefix("component-flush");
    let sb = sandbox().await;
    let p = platform(&sb, redis_store(&redis, &prefix).await, creds.clone());
    let _events = serve_events(&sb, &p).await;
    sb.push_verify_ticket().await;
    const N: usize = 20;
    for i in 0..N {
        sb.authorize(&authorizer_id(i)).await;
    }
    // The list leaves some refresh tokens out: those are recovered from the authorizer details.
    for i in (0..N).step_by(4) {
        assert!(sb.omit_list_refresh_token(&authorizer_id(i)));
    }
    let authorised = sb.component_stats().authorizations;

    // Calls keep going (4 workers) while the stores are wiped under them.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let (p, stop) = (p.clone(), stop.clone());
        workers.spawn(async move {
            let (mut ok, mut failed) = (0u64, Vec::new());
            let mut i = w;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match call(&p, &authorizer_id(i % N)).await {
                    Ok(()) => ok += 1,
                    Err(e) => failed.push(format!("{}: {e}", authorizer_id(i % N))),
                }
                i += 4;
            }
            (ok, failed)
        });
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    flush_redis(&redis);
    let after_flush = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mid = sb.component_stats();
    assert!(mid.component_token_requests >= 2, "a new component token from the stored ticket: {mid:?}");
    assert_eq!(mid.list_calls + mid.info_calls, 0, "refresh tokens came from PostgreSQL: {mid:?}");

    // Now PostgreSQL loses everything too (ticket and refresh tokens), and Redis again.
    postgres::truncate(&pg_url, &table).await;
    flush_redis(&redis);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut ok, mut failed) = (0, Vec::new());
    while let Some(r) = workers.join_next().await {
        let (o, f) = r.expect("worker");
        ok += o;
        failed.extend(f);
    }
    assert!(failed.is_empty(), "{} calls failed, e.g. {:?}", failed.len(), &failed[..failed.len().min(3)]);
    assert!(ok > 40, "calls went on: {ok} in {:?}", after_flush.elapsed());
    // Every authorizer works, and its refresh token is back in PostgreSQL.
    for i in 0..N {
        call(&p, &authorizer_id(i)).await.expect("works after both stores were wiped");
        assert!(creds.get(&keys::refresh_token(p.appid(), &authorizer_id(i))).await.unwrap().is_some());
    }
    let end = sb.component_stats();
    assert_eq!(end.authorizations, authorised, "zero merchants authorised again: {end:?}");
    assert!(end.list_calls >= 1, "recovered from the authorizer list: {end:?}");
    assert!(end.info_calls >= (N / 4) as u64, "the omitted ones from the authorizer details: {end:?}");
    assert!(end.ticket_pushes >= 2, "the lost ticket was pushed again on request: {end:?}");
    assert_eq!(end.superseded_refresh_tokens_sent, 0, "{end:?}");
    postgres::drop_table(&pg_url, &table).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthorized_push_revokes_only_that_authorizer() {
    let Some((pg_url, table, creds)) = pg("unauth").await else { return };
    let sb = sandbox().await;
    let p = platform(&sb, Arc::new(MemoryStore::new()), creds.clone());
    let _events = serve_events(&sb, &p).await;
    sb.push_verify_ticket().await;
    let (gone, stays) = ("wx000000000leaving", "wx0000000000staying");
    sb.authorize(gone).await;
    sb.authorize(stays).await;
    call(&p, gone).await.unwrap();
    call(&p, stays).await.unwrap();

    assert!(sb.unauthorize(gone).await);
    match call(&p, gone).await {
        Err(Error::AuthorizerRevoked { appid, component_appid }) => {
            assert_eq!(appid, gone);
            assert_eq!(component_appid, p.appid());
        }
        other => panic!("expected AuthorizerRevoked, got {other:?}"),
    }
    assert_eq!(creds.get(&keys::refresh_token(p.appid(), gone)).await.unwrap(), None);
    call(&p, stays).await.expect("the other authorizer is unaffected");

    // Authorising again brings it back.
    sb.authorize(gone).await;
    call(&p, gone).await.expect("authorised again");
    postgres::drop_table(&pg_url, &table).await;
}
