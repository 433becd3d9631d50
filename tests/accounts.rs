//! Many accounts in one process: the `Accounts` registry against the sandbox holding several
//! apps (own credentials, own tokens, token keys that do not collide in one shared store,
//! accounts added and removed at run time), and one callback router for many accounts, driven
//! over HTTP by the sandbox's own signing and encryption code.

mod common;

use std::sync::Arc;

use wechat_oa::{Accounts, Error, MemoryStore, TokenStore};
use wechat_oa_sandbox::Sandbox;

const APP_B: (&str, &str) = ("wx00000000000000b2", "secret-of-account-b-0123456789ab");
const APP_C: (&str, &str) = ("wx00000000000000c3", "secret-of-account-c-0123456789ab");
const APP_D: (&str, &str) = ("wx00000000000000d4", "secret-of-account-d-0123456789ab");

fn token_key(appid: &str) -> String {
    format!("wechat-oa:{appid}:access_token")
}

fn registry(sb: &Sandbox, store: Arc<dyn TokenStore>) -> Accounts {
    Accounts::builder()
        .base_url(sb.base_url())
        .token_store(store)
        .retry_policy(wechat_oa::RetryPolicy::none())
        .build()
        .expect("registry")
}

#[tokio::test]
async fn each_account_has_its_own_credentials_and_tokens_in_one_shared_store() {
    let sb = common::sandbox().await;
    for (id, secret) in [APP_B, APP_C, APP_D] {
        sb.add_app(id, secret);
    }
    let app_a = (sb.config().appid.clone(), sb.config().secret.clone());
    let store = Arc::new(MemoryStore::new());
    let accounts = registry(&sb, store.clone());
    accounts.add(app_a.0.clone(), app_a.1.clone()).expect("add A");
    accounts.add(APP_B.0, APP_B.1).expect("add B");
    accounts.add(APP_C.0, APP_C.1).expect("add C");
    assert_eq!(accounts.appids(), {
        let mut v = vec![app_a.0.clone(), APP_B.0.to_string(), APP_C.0.to_string()];
        v.sort();
        v
    });

    let mut tokens = Vec::new();
    for appid in [app_a.0.as_str(), APP_B.0, APP_C.0] {
        let client = accounts.get(appid).expect("registered");
        assert_eq!(client.appid(), appid);
        let ips = client.base().callback_ip().send().await.expect("an API call");
        assert!(!ips.ip_list.is_empty());
        let token = client.access_token().await.expect("token");
        assert_eq!(sb.token_app(&token).as_deref(), Some(appid), "the token was issued to this account");
        let stored = store.get(&token_key(appid)).await.expect("store").expect("stored under the account's key");
        assert_eq!(stored.value, token);
        assert_eq!(sb.tokens_issued_to(appid), 1, "one token request for {appid}");
        tokens.push(token);
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 3, "three accounts, three tokens");

    // A second registration of an AppID is refused.
    assert!(matches!(accounts.add(APP_B.0, APP_B.1), Err(Error::Config(_))));

    // An account with a wrong secret fails on its own; the others are unaffected.
    let wrong = accounts.add(APP_D.0, "not-the-secret").expect("add D");
    assert_eq!(common::code(wrong.base().callback_ip().send().await), 40125);
    assert!(accounts.get(APP_C.0).expect("C").base().callback_ip().send().await.is_ok());
    sb.shutdown().await;
}

#[tokio::test]
async fn accounts_are_added_and_removed_at_run_time() {
    let sb = common::sandbox().await;
    sb.add_app(APP_B.0, APP_B.1);
    sb.add_app(APP_C.0, APP_C.1);
    let accounts = registry(&sb, Arc::new(MemoryStore::new()));
    let b = accounts.add(APP_B.0, APP_B.1).expect("add B");
    b.base().callback_ip().send().await.expect("B works");
    assert_eq!(sb.tokens_issued_to(APP_B.0), 1);

    assert!(accounts.remove(APP_B.0));
    assert!(!accounts.remove(APP_B.0), "already removed");
    assert!(accounts.get(APP_B.0).is_none());
    assert!(accounts.is_empty());
    // The handle taken before the removal refuses calls, naming the account; nothing is sent.
    let calls_before = sb.stats().calls_by_path.values().sum::<u64>();
    match b.base().callback_ip().send().await {
        Err(Error::AccountRemoved { appid }) => assert_eq!(appid, APP_B.0),
        other => panic!("expected AccountRemoved, got {other:?}"),
    }
    assert!(matches!(b.access_token().await, Err(Error::AccountRemoved { .. })));
    assert_eq!(sb.stats().calls_by_path.values().sum::<u64>(), calls_before, "nothing reached WeChat");

    // Added while running: C, and B again (a new handle; the old one stays retired).
    let c = accounts.add(APP_C.0, APP_C.1).expect("add C");
    c.base().callback_ip().send().await.expect("C works");
    let b2 = accounts.add(APP_B.0, APP_B.1).expect("add B again");
    b2.base().callback_ip().send().await.expect("the new B handle works");
    assert!(matches!(b.base().callback_ip().send().await, Err(Error::AccountRemoved { .. })));
    assert_eq!(accounts.len(), 2);
    // The token B obtained before its removal was still in the shared store: no new request.
    assert_eq!(sb.tokens_issued_to(APP_B.0), 1);
    sb.shutdown().await;
}

#[cfg(feature = "axum")]
mod callbacks {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};

    use wechat_oa::callback::{Callback, CallbackAccounts, Message, MessageKind, Reply, ReplyKind, TextReply};
    use wechat_oa_sandbox::{CallbackTarget, Sandbox, SandboxConfig};

    struct Account {
        appid: &'static str,
        token: &'static str,
        aes: Option<&'static str>,
    }

    const PLAIN: Account = Account { appid: "wx0000000000plain1", token: "plainToken1", aes: None };
    const SAFE1: Account = Account {
        appid: "wx0000000000safe01",
        token: "safeToken1",
        aes: Some("kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"),
    };
    const SAFE2: Account = Account {
        appid: "wx0000000000safe02",
        token: "safeToken2",
        aes: Some("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"),
    };
    const LATE: Account = Account { appid: "wx0000000000late03", token: "lateToken3", aes: None };

    fn callback(a: &Account) -> Callback {
        let cb = Callback::new(a.token, a.appid);
        match a.aes {
            Some(k) => cb.with_aes_key(k).expect("valid key"),
            None => cb,
        }
    }

    fn target(a: &Account) -> CallbackTarget {
        CallbackTarget { token: a.token.into(), encoding_aes_key: a.aes.map(str::to_string), appid: a.appid.into() }
    }

    fn text(msg_id: u64, content: &str) -> String {
        format!(
            "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>\
             <CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>\
             <Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
        )
    }

    type Seen = Arc<Mutex<Vec<(String, String)>>>;

    async fn serve(accounts: CallbackAccounts) -> (String, Seen, tokio::task::JoinHandle<()>) {
        let seen: Seen = Arc::default();
        let s = seen.clone();
        let app = axum::Router::new().nest(
            "/wechat",
            wechat_oa::callback::axum::accounts_router(accounts, move |appid: String, msg: Message| {
                let s = s.clone();
                async move {
                    let content = match &msg.kind {
                        MessageKind::Text(t) => t.content.clone(),
                        _ => String::new(),
                    };
                    s.lock().expect("lock").push((appid.clone(), content.clone()));
                    Some::<Reply>(msg.reply_text(format!("{appid} got {content}")))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        (format!("http://{addr}/wechat"), seen, task)
    }

    /// Pushes `xml` for `signer` to `path_account`'s URL; returns (status, reply text if any).
    async fn push(sb: &Sandbox, base: &str, path_appid: &str, signer: &Account, xml: &str) -> (u16, Option<String>) {
        let out = sb.push_callback(&format!("{base}/{path_appid}"), &target(signer), xml).await.expect("push");
        if out.status != 200 {
            return (out.status, None);
        }
        let reply_xml = match signer.aes {
            Some(_) => {
                assert!(out.body.contains("<Encrypt>"), "safe mode answers encrypted: {}", out.body);
                out.decrypted.expect("the sandbox verified and decrypted the reply")
            }
            None => out.body,
        };
        let reply = Reply::parse(&reply_xml).expect("reply parses");
        match reply.kind {
            ReplyKind::Text(TextReply { content, .. }) => (200, Some(content)),
            other => panic!("unexpected reply {other:?}"),
        }
    }

    #[tokio::test]
    async fn three_accounts_on_one_router() {
        let sb = Sandbox::start(SandboxConfig::default()).await.expect("sandbox");
        let accounts = CallbackAccounts::new();
        for a in [&PLAIN, &SAFE1, &SAFE2] {
            accounts.add(callback(a));
        }
        let (base, seen, task) = serve(accounts.clone()).await;

        // Each account's push reaches the handler with its AppID; the reply is sealed for it.
        for (i, a) in [&PLAIN, &SAFE1, &SAFE2].into_iter().enumerate() {
            let content = format!("hello {i}");
            let (status, reply) = push(&sb, &base, a.appid, a, &text(9_000 + i as u64, &content)).await;
            assert_eq!(status, 200);
            assert_eq!(reply.as_deref(), Some(format!("{} got {content}", a.appid).as_str()));
        }
        let handled: Vec<(String, String)> = seen.lock().expect("lock").clone();
        assert_eq!(
            handled,
            vec![
                (PLAIN.appid.to_string(), "hello 0".to_string()),
                (SAFE1.appid.to_string(), "hello 1".to_string()),
                (SAFE2.appid.to_string(), "hello 2".to_string()),
            ]
        );
        // URL verification by path (plain signature).
        assert!(sb.verify_callback_url(&format!("{base}/{}", PLAIN.appid), PLAIN.token).await.expect("GET"));
        assert!(!sb.verify_callback_url(&format!("{base}/{}", SAFE1.appid), PLAIN.token).await.expect("GET"));

        // Signed for one account, posted to another's path: 401, and no handler call.
        assert_eq!(push(&sb, &base, SAFE1.appid, &PLAIN, &text(9_100, "x")).await.0, 401);
        assert_eq!(push(&sb, &base, SAFE2.appid, &SAFE1, &text(9_101, "x")).await.0, 401);
        assert_eq!(push(&sb, &base, PLAIN.appid, &SAFE2, &text(9_102, "x")).await.0, 401);
        // An AppID nobody registered: 404.
        assert_eq!(push(&sb, &base, "wx00000000unknown", &PLAIN, &text(9_103, "x")).await.0, 404);
        assert_eq!(seen.lock().expect("lock").len(), 3, "rejected pushes never reached the handler");

        // At run time: one removed (404 from now on), one added.
        assert!(accounts.remove(SAFE2.appid));
        assert_eq!(push(&sb, &base, SAFE2.appid, &SAFE2, &text(9_200, "gone")).await.0, 404);
        accounts.add(callback(&LATE));
        let (status, reply) = push(&sb, &base, LATE.appid, &LATE, &text(9_201, "new")).await;
        assert_eq!((status, reply.as_deref()), (200, Some(format!("{} got new", LATE.appid).as_str())));
        assert_eq!(seen.lock().expect("lock").last().map(|(a, _)| a.as_str()), Some(LATE.appid));
        task.abort();
        sb.shutdown().await;
    }
}
