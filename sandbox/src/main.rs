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
    // Exactly one stdout line (scripts read it); a closed stdout must not kill the server.
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {}", sandbox.base_url());
        let _ = out.flush();
    }
    {
        let _ = writeln!(std::io::stderr(), "appid {}", sandbox.config().appid);
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
