//! A third-party platform (第三方平台) serving two merchants' Official Accounts.
//!
//! Without `WECHAT_COMPONENT_APPID` / `WECHAT_COMPONENT_SECRET` it starts an in-process sandbox
//! that plays WeChat's side of the platform: it pushes the verify ticket to the platform's
//! event URL (served here by `callback::axum::component_router`), lets two merchants authorise
//! (the `authorized` push carries the code the SDK exchanges), rotates refresh tokens, and
//! pushes `unauthorized` when one merchant leaves.
//!
//! With them set (and `WECHAT_COMPONENT_VERIFY_TICKET`, the latest ticket your event URL
//! received), it only reads: the component token and the first page of authorised accounts.
//!
//! ```sh
//! cargo run --example third_party --features axum
//! ```

use std::error::Error;
use std::sync::Arc;

use wechat_oa::callback::{ComponentCallback, ComponentPush};
use wechat_oa::{Component, MemoryCredentials};
use wechat_oa_sandbox::{ComponentConfig, Sandbox, SandboxConfig};

type Res = Result<(), Box<dyn Error>>;

#[tokio::main]
async fn main() -> Res {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (var("WECHAT_COMPONENT_APPID"), var("WECHAT_COMPONENT_SECRET")) {
        (Some(appid), Some(secret)) => live(&appid, &secret, var("WECHAT_COMPONENT_VERIFY_TICKET")).await,
        _ => sandbox_tour().await,
    }
}

/// Read-only calls for a real platform.
async fn live(appid: &str, secret: &str, ticket: Option<String>) -> Res {
    println!("== live platform {appid} (read-only calls)");
    let platform = Component::builder(appid, secret).build()?;
    let Some(ticket) = ticket else {
        println!("set WECHAT_COMPONENT_VERIFY_TICKET to the latest ticket your event URL received");
        return Ok(());
    };
    platform.set_verify_ticket(&ticket).await?;
    let token = platform.component_token().await?;
    println!("component_access_token: fetched ({} characters, never printed)", token.len());
    let page = platform.client().component().authorizer_list(0, 20).send().await?;
    println!("authorised accounts: {} in all", page.total_count);
    for a in page.list {
        println!("  {} (authorised at {:?})", a.authorizer_appid, a.auth_time);
    }
    Ok(())
}

async fn sandbox_tour() -> Res {
    let sb = Sandbox::start(SandboxConfig { component: Some(ComponentConfig::default()), ..SandboxConfig::default() })
        .await?;
    let c = sb.config().component.clone().ok_or("the sandbox has no component")?;
    println!("== sandbox on {} playing platform {}", sb.base_url(), c.component_appid);

    // In production: RedisStore for tokens, PostgresCredentials for the ticket and refresh tokens.
    let platform = Component::builder(&c.component_appid, &c.component_appsecret)
        .base_url(sb.base_url())
        .credential_store(Arc::new(MemoryCredentials::new()))
        .build()?;

    // The authorisation-event URL.
    let cb = ComponentCallback::new(&c.token, &c.component_appid, &c.encoding_aes_key)?;
    let app = axum::Router::new().nest(
        "/platform/events",
        wechat_oa::callback::axum::component_router(platform.clone(), cb, |push: ComponentPush| async move {
            println!("   event URL: {} handled", push.info_type());
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    sb.set_component_callback(&format!("http://{addr}/platform/events"));
    println!("== event URL http://{addr}/platform/events");

    println!("== WeChat pushes the verify ticket (every 10 minutes in production)");
    sb.push_verify_ticket().await;

    let pre = platform.client().component().create_preauthcode().send().await?;
    let link =
        platform.client().component().authorize_url(pre.pre_auth_code, "https://platform.example/authorised").url()?;
    println!("== authorisation link for merchants: {} characters (it carries a pre-auth code)", link.len());

    let merchants = ["wx00000000shop0001", "wx00000000shop0002"];
    for m in merchants {
        println!("== merchant {m} authorises the platform");
        sb.authorize(m).await;
    }
    for m in merchants {
        let client = platform.authorizer(m)?;
        let ips = client.base().callback_ip().send().await?;
        println!("   {m}: a call on its own token works ({} callback IPs)", ips.ip_list.len());
    }

    println!("== tokens expire: each refresh rotates the refresh token, stored before use");
    for _ in 0..3 {
        let client = platform.authorizer(merchants[0])?;
        let token = client.access_token().await?;
        client.token_manager().invalidate(&token).await?;
        client.base().callback_ip().send().await?;
    }
    let stats = sb.component_stats();
    println!(
        "   WeChat saw {} component token request(s), {} authorizer refreshes, {} superseded refresh tokens",
        stats.component_token_requests, stats.authorizer_token_refreshes, stats.superseded_refresh_tokens_sent
    );

    println!("== merchant {} cancels the authorisation", merchants[1]);
    sb.unauthorize(merchants[1]).await;
    match platform.authorizer(merchants[1])?.base().callback_ip().send().await {
        Err(e) => println!("   its calls now fail: {e}"),
        Ok(_) => println!("   unexpected: its call still worked"),
    }
    platform.authorizer(merchants[0])?.base().callback_ip().send().await?;
    println!("   {} is unaffected", merchants[0]);
    sb.shutdown().await;
    Ok(())
}
