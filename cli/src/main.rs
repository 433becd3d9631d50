//! `wxoa`: the WeChat Official Account API from a terminal. Every operation of the spec can be
//! listed (`wxoa ops`) and sent (`wxoa call user.info --query openid=o…`) with the token
//! handled; callbacks can be decoded; the local sandbox can be started. The dispatch table is
//! `wechat_oa::ops`, generated from `spec/`.
//!
//! Exit codes: 0 done; 1 WeChat answered an error (or the call failed); 2 the command or the
//! request is wrong (nothing was sent); 3 a callback check failed.

mod bulk;
mod check;
mod config;
mod push;

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};
use wechat_oa::ops::{BodyShape, Credential, Operation, ResponseShape};

/// A command line for the WeChat Official Account API.
#[derive(Parser, Debug)]
#[command(name = "wxoa", version, about, long_about = None)]
struct Cli {
    /// The account's AppID.
    #[arg(long, global = true, env = "WECHAT_APPID")]
    appid: Option<String>,
    /// The AppSecret (never printed).
    #[arg(long, global = true, env = "WECHAT_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Where the API is (the sandbox's base URL, or a proxy); default: WeChat's hosts.
    #[arg(long, global = true, env = "WECHAT_OA_BASE_URL")]
    base_url: Option<String>,
    /// Keep tokens in this Redis (shared with your servers, so a call does not take a new token
    /// from them); default: in memory for this command only.
    #[arg(long, global = true, env = "WECHAT_OA_REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// A named account of the profile file (~/.config/wxoa/config.toml, or $WXOA_CONFIG).
    #[arg(long, global = true, env = "WXOA_PROFILE")]
    profile: Option<String>,
    /// How results are printed.
    #[arg(long, global = true, value_enum, default_value_t = Output::Json)]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Output {
    Json,
    Table,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Every operation (`area.name  METHOD  PATH`), from the spec; deprecated ones are marked.
    Ops {
        /// Only this area (`user`, `mass` …).
        area: Option<String>,
    },
    /// Sends any operation with the token handled and prints WeChat's answer as JSON.
    Call {
        /// The operation, as `wxoa ops` names it (`user.info`).
        op: String,
        /// A query parameter, `key=value` (repeatable).
        #[arg(long = "query", short = 'q', value_name = "KEY=VALUE")]
        query: Vec<String>,
        /// The JSON body: a file, or `-` for standard input.
        #[arg(long, value_name = "FILE|-")]
        body: Option<String>,
        /// Where a file answer (media, QR image) goes.
        #[arg(long, value_name = "FILE")]
        out: Option<String>,
        /// A file part of a multipart operation, `PART=PATH` (e.g. `media=photo.jpg`).
        #[arg(long = "file", value_name = "PART=PATH")]
        files: Vec<String>,
        /// A text part of a multipart operation, `PART=VALUE` (JSON text for an object part).
        #[arg(long = "field", value_name = "PART=VALUE")]
        form: Vec<String>,
    },
    /// Followers.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Follower tags.
    Tags {
        #[command(subcommand)]
        command: TagsCommand,
    },
    /// Inbound callbacks.
    Callback {
        #[command(subcommand)]
        command: CallbackCommand,
    },
    /// JS-SDK helpers.
    Jssdk {
        #[command(subcommand)]
        command: JssdkCommand,
    },
    /// Runs the local WeChat emulator and prints its base URL, AppID and secret.
    Sandbox {
        /// The port on 127.0.0.1 (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Followers the sandbox starts with.
        #[arg(long, default_value_t = 25)]
        followers: usize,
    },
    /// Prints a shell completion script.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
enum UsersCommand {
    /// Every follower as a JSON line on stdout (`{"openid":…}`, or the follower's information
    /// with --info), with progress on stderr.
    Export {
        /// Each follower's information, fetched in batches of 100.
        #[arg(long)]
        info: bool,
        /// Saves progress here and resumes from it (append the output: `>> followers.jsonl`).
        #[arg(long, value_name = "FILE")]
        cursor: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum TagsCommand {
    /// Tags the OpenIDs read from stdin (one per line, or export lines), in batches of 50.
    Tag {
        /// The tag: its id or its name.
        tag: String,
        /// Saves progress here and resumes from it.
        #[arg(long, value_name = "FILE")]
        cursor: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum CallbackCommand {
    /// Signs (and encrypts) a message like WeChat, POSTs it to your server, verifies and
    /// prints the reply.
    Push {
        /// Your callback URL.
        url: String,
        /// The Token configured for it.
        #[arg(long, env = "WECHAT_CALLBACK_TOKEN", hide_env_values = true)]
        token: String,
        /// The EncodingAESKey (safe mode); without it the push is plain.
        #[arg(long, env = "WECHAT_AES_KEY", hide_env_values = true)]
        aes_key: Option<String>,
        /// A text message.
        #[arg(long, group = "what")]
        text: Option<String>,
        /// An event (`subscribe`, `unsubscribe`, `CLICK` …).
        #[arg(long, group = "what")]
        event: Option<String>,
        /// The event's EventKey.
        #[arg(long, requires = "event")]
        event_key: Option<String>,
        /// A whole message XML.
        #[arg(long, group = "what", value_name = "FILE")]
        file: Option<std::path::PathBuf>,
        /// The sender's OpenID.
        #[arg(long, default_value = "oWxoaTestUser0000000000000001")]
        from: String,
        /// The account's original id.
        #[arg(long, default_value = "gh_wxoa_test")]
        to: String,
    },
    /// WeChat's server-URL check: a signed GET whose echostr must come back.
    Verify {
        /// Your callback URL.
        url: String,
        /// The Token configured for it.
        #[arg(long, env = "WECHAT_CALLBACK_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// Verifies, decrypts and parses a push read from standard input; prints it as JSON.
    Decode {
        /// The Token configured for the callback URL.
        #[arg(long, env = "WECHAT_CALLBACK_TOKEN", hide_env_values = true)]
        token: String,
        /// The EncodingAESKey (safe mode).
        #[arg(long, env = "WECHAT_AES_KEY", hide_env_values = true)]
        aes_key: Option<String>,
        /// The query's `timestamp`.
        #[arg(long)]
        timestamp: String,
        /// The query's `nonce`.
        #[arg(long)]
        nonce: String,
        /// The query's `signature`.
        #[arg(long)]
        signature: String,
        /// The query's `msg_signature` (safe mode; implies `encrypt_type=aes`).
        #[arg(long)]
        msg_signature: Option<String>,
        /// Refuse a timestamp further than this many seconds from now, as a server does (by
        /// default a recorded push of any age is decoded).
        #[arg(long, value_name = "SECS")]
        replay_window: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
enum JssdkCommand {
    /// The `wx.config` values for a page URL (appId, timestamp, nonceStr, signature).
    Sign {
        /// The page URL (its `#fragment` is not signed).
        url: String,
    },
}

/// A failure and its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }
    fn call(message: impl Into<String>) -> Failure {
        Failure { code: 1, message: message.into() }
    }
}

impl From<wechat_oa::Error> for Failure {
    fn from(e: wechat_oa::Error) -> Failure {
        match e {
            wechat_oa::Error::Api(a) => {
                let meaning = a.meaning();
                let mut m = format!("errcode {}\nerrmsg {}\n", a.errcode, a.errmsg);
                if let Some(rid) = &a.rid {
                    m.push_str(&format!("rid {rid}\n"));
                }
                m.push_str(&format!("meaning {meaning}"));
                Failure::call(m)
            }
            e @ wechat_oa::Error::InvalidRequest { .. } => Failure::usage(e.to_string()),
            e => Failure::call(e.to_string()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wxoa: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.message);
            ExitCode::from(f.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let output = cli.output;
    match &cli.command {
        Command::Ops { area } => ops(area.as_deref(), output),
        Command::Call { op, query, body, out, files, form } => {
            // Resolved when first needed: a wrong operation or body is reported without an account.
            let account = config::resolve(&cli);
            let parts = Parts { files, form };
            call(&account, op, query, body.as_deref(), &parts, out.as_deref(), output).await
        }
        Command::Callback {
            command:
                CallbackCommand::Decode { token, aes_key, timestamp, nonce, signature, msg_signature, replay_window },
        } => {
            let appid = cli.appid.clone().or_else(|| config::resolve(&cli).ok().map(|a| a.appid)).unwrap_or_default();
            let query = wechat_oa::callback::CallbackQuery {
                signature: Some(signature.to_string()),
                timestamp: Some(timestamp.to_string()),
                nonce: Some(nonce.to_string()),
                encrypt_type: msg_signature.as_ref().map(|_| "aes".to_string()),
                msg_signature: msg_signature.clone(),
                ..Default::default()
            };
            let window = replay_window.map(std::time::Duration::from_secs);
            decode(token, &appid, aes_key.as_deref(), &query, window, output)
        }
        Command::Users { command: UsersCommand::Export { info, cursor } } => {
            let client = config::resolve(&cli).map_err(Failure::usage)?.client().await?;
            bulk::export(&client, *info, cursor.as_deref()).await
        }
        Command::Tags { command: TagsCommand::Tag { tag, cursor } } => {
            let client = config::resolve(&cli).map_err(Failure::usage)?.client().await?;
            bulk::tag(&client, tag, cursor.as_deref()).await
        }
        Command::Callback {
            command: CallbackCommand::Push { url, token, aes_key, text, event, event_key, file, from, to },
        } => {
            let what = match (text, event, file) {
                (Some(t), _, _) => push::What::Text(t.clone()),
                (_, Some(e), _) => push::What::Event(e.clone(), event_key.clone()),
                (_, _, Some(f)) => push::What::Xml(
                    std::fs::read_to_string(f)
                        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", f.display())))?,
                ),
                _ => return Err(Failure::usage("say what to push: --text, --event or --file")),
            };
            let appid = cli.appid.clone().or_else(|| config::resolve(&cli).ok().map(|a| a.appid)).unwrap_or_default();
            if aes_key.is_some() && appid.is_empty() {
                return Err(Failure::usage("safe mode needs the AppID: pass --appid or set WECHAT_APPID"));
            }
            let xml = push::xml(what, from, to);
            let v = push::push(url, token, &appid, aes_key.as_deref(), &xml).await?;
            print_value(&v, output)
        }
        Command::Callback { command: CallbackCommand::Verify { url, token } } => {
            let v = push::verify(url, token).await?;
            print_value(&v, output)
        }
        Command::Jssdk { command: JssdkCommand::Sign { url } } => {
            let account = config::resolve(&cli).map_err(Failure::usage)?;
            let c = account.client().await?.jssdk_config(url).await?;
            let v = json!({ "appId": c.app_id, "timestamp": c.timestamp, "nonceStr": c.nonce_str, "signature": c.signature, "url": url });
            print_value(&v, output)
        }
        Command::Sandbox { port, followers } => sandbox(*port, *followers, output).await,
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "wxoa", &mut std::io::stdout());
            Ok(())
        }
    }
}

fn method(op: &Operation) -> &'static str {
    match op.method {
        wechat_oa::Method::Get => "GET",
        wechat_oa::Method::Post => "POST",
    }
}

fn ops(area: Option<&str>, output: Output) -> Result<(), Failure> {
    let all: Vec<&Operation> =
        wechat_oa::ops::operations().iter().filter(|o| area.is_none_or(|a| o.area == a)).collect();
    if all.is_empty() {
        let areas: std::collections::BTreeSet<&str> = wechat_oa::ops::operations().iter().map(|o| o.area).collect();
        let known: Vec<&str> = areas.into_iter().collect();
        return Err(Failure::usage(format!("no area {:?}; areas: {}", area.unwrap_or_default(), known.join(", "))));
    }
    match output {
        Output::Json => {
            let list: Vec<Value> = all
                .iter()
                .map(|o| json!({ "name": o.name, "method": method(o), "path": o.path, "summary": o.summary, "deprecated": o.deprecated, "doc_url": o.doc_url }))
                .collect();
            print_json(&Value::Array(list))
        }
        Output::Table => {
            let width = all.iter().map(|o| o.name.len()).max().unwrap_or(0);
            let mut out = String::new();
            for o in all {
                let mark = if o.deprecated { "  (deprecated)" } else { "" };
                out.push_str(&format!("{:<width$}  {:<4}  {}{mark}\n", o.name, method(o), o.path));
            }
            write_stdout(out.as_bytes())
        }
    }
}

/// The parts of a multipart call, as given on the command line.
struct Parts<'a> {
    files: &'a [String],
    form: &'a [String],
}

async fn call(
    account: &Result<config::Account, String>,
    name: &str,
    query: &[String],
    body: Option<&str>,
    parts: &Parts<'_>,
    out: Option<&str>,
    output: Output,
) -> Result<(), Failure> {
    let account = || account.as_ref().map_err(|e| Failure::usage(e.clone()));
    let Some(op) = wechat_oa::ops::find(name) else {
        let near: Vec<&str> = wechat_oa::ops::operations()
            .iter()
            .map(|o| o.name)
            .filter(|n| n.split('.').next_back() == name.split('.').next_back() || n.starts_with(name))
            .collect();
        let hint = if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) };
        return Err(Failure::usage(format!("unknown operation {name:?} (see `wxoa ops`){hint}")));
    };
    match op.body {
        BodyShape::Multipart if body.is_some() => {
            return Err(Failure::usage(format!(
                "{name} is a multipart upload: give its parts with --file PART=PATH and --field PART=VALUE, not --body"
            )))
        }
        BodyShape::Json | BodyShape::None if !parts.files.is_empty() || !parts.form.is_empty() => {
            return Err(Failure::usage(format!("{name} is not a multipart upload: --file and --field do not apply")))
        }
        BodyShape::None if body.is_some() => return Err(Failure::usage(format!("{name} takes no body"))),
        _ => {}
    }
    let multipart = multipart_parts(op, parts)?;
    if op.response == ResponseShape::Url {
        return Err(Failure::usage(format!("{name} only builds a URL for the user's browser; nothing is sent")));
    }
    if op.response == ResponseShape::Binary && out.is_none() {
        return Err(Failure::usage(format!("{name} answers a file: pass --out FILE")));
    }

    // The query: known keys only; constants and configuration filled; required ones present.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for q in query {
        let Some((k, v)) = q.split_once('=') else {
            return Err(Failure::usage(format!("--query {q:?}: expected KEY=VALUE")));
        };
        if !op.query.iter().any(|f| f.name == k) {
            let known: Vec<&str> = op.query.iter().map(|f| f.name).collect();
            return Err(Failure::usage(format!("{name}: unknown query parameter `{k}` (takes: {})", known.join(", "))));
        }
        pairs.push((k.to_string(), v.to_string()));
    }
    for f in op.query {
        if pairs.iter().any(|(k, _)| k == f.name) {
            continue;
        }
        if let Some(v) = filled(f, account)? {
            pairs.push((f.name.to_string(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())));
        } else if f.required {
            return Err(Failure::usage(format!("{name}: missing query parameter `{}`", f.name)));
        }
    }

    // The body: JSON object, checked against the operation's request type.
    let body = match body {
        None if op.body == BodyShape::Json => Some(Value::Object(Map::new())),
        None => None,
        Some(source) => Some(read_body(source)?),
    };
    let body = match body {
        Some(Value::Object(mut obj)) => {
            for f in op.fields {
                if obj.contains_key(f.name) || f.flatten {
                    continue;
                }
                if let Some(v) = filled(f, account)? {
                    obj.insert(f.name.to_string(), v);
                }
            }
            let fields = match op.body_type {
                Some(t) => wechat_oa::ops::struct_fields(t).unwrap_or(op.fields),
                None => op.fields,
            };
            check::object(fields, &obj, "").map_err(|m| Failure::usage(format!("{name}: {m}; nothing was sent")))?;
            Some(Value::Object(obj))
        }
        Some(other) => return Err(Failure::usage(format!("{name}: the body must be a JSON object, not {other}"))),
        None => None,
    };

    let client = account()?.client().await?;
    let mut req = client.raw(op.name, op.method, op.path).host(op.host).idempotent(op.idempotent);
    if op.credential != Credential::AccessToken {
        req = req.without_token();
    }
    for (k, v) in pairs {
        req = req.query(k, v);
    }
    if let Some(b) = &body {
        req = req.json(b);
    }
    for (field, part) in multipart {
        req = match part {
            Part::File(upload) => req.file(field, upload),
            Part::Text(value) => req.form_field(field, &value),
        };
    }
    match req.send_json_or_binary::<Value>().await? {
        wechat_oa::JsonOrBinary::Json(v) => print_value(&v, output),
        wechat_oa::JsonOrBinary::Binary(file) => {
            let Some(path) = out else {
                return Err(Failure::call(format!(
                    "{name} answered a file ({} bytes): pass --out FILE",
                    file.bytes.len()
                )));
            };
            std::fs::write(path, &file.bytes).map_err(|e| Failure::call(format!("cannot write {path}: {e}")))?;
            let v = json!({ "written": path, "bytes": file.bytes.len(), "content_type": file.content_type });
            print_value(&v, output)
        }
    }
}

enum Part {
    File(wechat_oa::Upload),
    Text(String),
}

/// The parts of a multipart operation: each named by the spec (file parts have type `file`),
/// required ones present, files read before anything is sent.
fn multipart_parts(op: &'static Operation, parts: &Parts<'_>) -> Result<Vec<(&'static str, Part)>, Failure> {
    let mut out = Vec::new();
    let given = parts.files.iter().map(|p| (true, p)).chain(parts.form.iter().map(|p| (false, p)));
    for (is_file, p) in given {
        let flag = if is_file { "--file" } else { "--field" };
        let Some((k, v)) = p.split_once('=') else {
            return Err(Failure::usage(format!("{flag} {p:?}: expected PART=VALUE")));
        };
        let Some(f) = op.fields.iter().find(|f| f.name == k) else {
            let known: Vec<&str> = op.fields.iter().map(|f| f.name).collect();
            return Err(Failure::usage(format!("{}: unknown part `{k}` (takes: {})", op.name, known.join(", "))));
        };
        match (f.ty == "file", is_file) {
            (true, true) => {
                let bytes = std::fs::read(v).map_err(|e| Failure::usage(format!("cannot read {v}: {e}")))?;
                let filename =
                    std::path::Path::new(v).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                out.push((f.name, Part::File(wechat_oa::Upload::new(filename, bytes))));
            }
            (false, false) => out.push((f.name, Part::Text(v.to_string()))),
            (true, false) => {
                return Err(Failure::usage(format!("{}: part `{k}` is a file: use --file {k}=PATH", op.name)))
            }
            (false, true) => {
                return Err(Failure::usage(format!("{}: part `{k}` is text: use --field {k}=VALUE", op.name)))
            }
        }
    }
    if op.body == BodyShape::Multipart {
        if let Some(f) = op.fields.iter().find(|f| f.required && !out.iter().any(|(n, _)| *n == f.name)) {
            let flag = if f.ty == "file" { "--file" } else { "--field" };
            return Err(Failure::usage(format!("{}: missing part `{}` ({flag} {}=…)", op.name, f.name, f.name)));
        }
    }
    Ok(out)
}

/// The value wxoa fills in for a field the caller left out: the spec's constant
/// (`action_name` …) or the configuration (`appid`, `secret`); `None` for any other field.
fn filled<'a>(
    f: &wechat_oa::ops::OpField,
    account: impl Fn() -> Result<&'a config::Account, Failure>,
) -> Result<Option<Value>, Failure> {
    if let Some(c) = f.constant {
        return Ok(Some(serde_json::from_str(c).unwrap_or(Value::Null)));
    }
    match f.from {
        Some(from) => Ok(Some(Value::String(account()?.configured(from).map_err(Failure::usage)?))),
        None => Ok(None),
    }
}

fn read_body(source: &str) -> Result<Value, Failure> {
    let text = if source == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(source).map_err(|e| Failure::usage(format!("cannot read {source}: {e}")))?
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("the body is not JSON: {e}")))
}

fn decode(
    token: &str,
    appid: &str,
    aes_key: Option<&str>,
    query: &wechat_oa::callback::CallbackQuery,
    window: Option<std::time::Duration>,
    output: Output,
) -> Result<(), Failure> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body).map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    let mut cb: wechat_oa::callback::Callback = wechat_oa::callback::Callback::new(token, appid).replay_window(window);
    if let Some(key) = aes_key {
        cb = cb.with_aes_key(key).map_err(|e| Failure::usage(format!("--aes-key: {e}")))?;
    }
    let inbound =
        cb.open(query, &body).map_err(|e| Failure { code: 3, message: format!("{} check failed: {e}", e.check()) })?;
    let m = &inbound.message;
    let v = json!({
        "to_user_name": m.to_user_name,
        "from_user_name": m.from_user_name,
        "create_time": m.create_time,
        "msg_id": m.msg_id,
        "kind": format!("{:?}", m.kind),
        "encrypted": inbound.encrypted,
        "xml": inbound.xml,
    });
    print_value(&v, output)
}

async fn sandbox(port: u16, followers: usize, output: Output) -> Result<(), Failure> {
    let config = wechat_oa_sandbox::SandboxConfig { follower_count: followers, ..Default::default() };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let sb = wechat_oa_sandbox::Sandbox::start_on(config.clone(), addr)
        .await
        .map_err(|e| Failure::call(format!("cannot listen on {addr}: {e}")))?;
    // The sandbox's own made-up credentials, printed so a client can be pointed at it.
    let v = json!({ "base_url": sb.base_url(), "appid": config.appid, "secret": config.secret });
    print_value(&v, output)?;
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    sb.shutdown().await;
    Ok(())
}

fn print_value(v: &Value, output: Output) -> Result<(), Failure> {
    match (output, v) {
        (Output::Table, Value::Object(o)) => {
            let width = o.keys().map(String::len).max().unwrap_or(0);
            let mut out = String::new();
            for (k, v) in o {
                let text = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
                out.push_str(&format!("{k:<width$}  {text}\n"));
            }
            write_stdout(out.as_bytes())
        }
        _ => print_json(v),
    }
}

fn print_json(v: &Value) -> Result<(), Failure> {
    let mut text = serde_json::to_string_pretty(v).map_err(|e| Failure::call(e.to_string()))?;
    text.push('\n');
    write_stdout(text.as_bytes())
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    std::io::stdout().write_all(bytes).map_err(|e| Failure::call(format!("cannot write to standard output: {e}")))
}
