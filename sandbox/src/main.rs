//! `wechat-oa-sandbox [--port N]`: serves the sandbox on 127.0.0.1 until killed.

use std::io::Write;
use std::net::SocketAddr;

use wechat_oa_sandbox::{Sandbox, SandboxConfig};

fn parse_port(args: &[String]) -> Result<u16, String> {
    let mut port = 0u16;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                let v = it.next().ok_or("--port needs a value")?;
                port = v.parse().map_err(|_| format!("--port: not a port number: {v}"))?;
            }
            "-h" | "--help" => return Err("usage: wechat-oa-sandbox [--port N]".into()),
            other => return Err(format!("unknown argument {other}; usage: wechat-oa-sandbox [--port N]")),
        }
    }
    Ok(port)
}

/// What the binary prints on start: the address, the test account (the secret is the sandbox's
/// own made-up one, printed so that a token can be obtained), and where the admin API is.
fn banner(base: &str, appid: &str, secret: &str) -> String {
    format!(
        "listening on {base}\n\
         test account: appid {appid}  secret {secret}\n\
         token:        curl '{base}/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}'\n\
         SDK:          Client::builder(\"{appid}\", \"{secret}\").base_url(\"{base}\")\n\
         admin API:    GET  {base}/__sandbox/stats   counters (token requests, calls, faults)\n\
         \x20             GET  {base}/__sandbox/sent    delivered messages\n\
         \x20             GET  {base}/__sandbox/users   follower OpenIDs\n\
         \x20             POST {base}/__sandbox/revoke  every issued token answers 40001\n\
         \x20             POST {base}/__sandbox/expire  every issued token answers 42001\n\
         \x20             POST {base}/__sandbox/faults  inject faults (JSON body, see sandbox/README.md)\n\
         \x20             POST {base}/__sandbox/oauth_code  {{\"openid\",\"scope\"}} -> an OAuth code\n\
         \x20             POST {base}/__sandbox/component/authorize  {{\"authorizer_appid\"}} -> an auth_code\n\
         \x20             (third-party platform: the component routes are in sandbox/README.md)\n\
         stop with Ctrl-C\n"
    )
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match parse_port(&args) {
        Ok(p) => p,
        Err(msg) => {
            let _ = writeln!(std::io::stderr(), "{msg}");
            std::process::exit(2);
        }
    };
    let config = SandboxConfig::default();
    let sandbox = match Sandbox::start_on(config, SocketAddr::from(([127, 0, 0, 1], port))).await {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(1);
        }
    };
    // The first line is for scripts (`listening on URL`); the rest is for a person. A closed
    // stdout must not kill the server.
    {
        let mut out = std::io::stdout();
        let _ =
            out.write_all(banner(&sandbox.base_url(), &sandbox.config().appid, &sandbox.config().secret).as_bytes());
        let _ = out.flush();
    }
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::parse_port;

    #[test]
    fn parses_port_and_rejects_junk() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_port(&args(&[])), Ok(0));
        assert_eq!(parse_port(&args(&["--port", "8080"])), Ok(8080));
        assert!(parse_port(&args(&["--port"])).is_err());
        assert!(parse_port(&args(&["--port", "x"])).is_err());
        assert!(parse_port(&args(&["--verbose"])).is_err());
    }
}
