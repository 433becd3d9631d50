//! Bulk jobs: `users export` (every follower as a JSON line, optionally with its information
//! in batches of 100) and `tags tag` (OpenIDs from standard input, tagged in batches of 50).
//! Both show progress on stderr and, with `--cursor FILE`, resume where an interruption left
//! them: the cursor is saved after every chunk is flushed to its destination, and Ctrl-C or
//! SIGTERM stops at a chunk boundary (flush, save, exit 130), so a resumed run repeats and
//! skips nothing. Only a hard kill between a flush and its cursor save can repeat that one
//! chunk (at most 100 lines with `--info`, 1,000 without).

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use wechat_oa::api::user::BatchUserQuery;

use crate::Failure;

/// Where an export stands: the page being written (by the cursor that fetched it) and how many
/// of its OpenIDs are already out.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct ExportCursor {
    /// `next_openid` that fetched the current page ("" = the first page).
    page: String,
    /// OpenIDs of that page already written.
    done: usize,
    /// Lines written in all.
    written: u64,
    /// The export finished.
    complete: bool,
}

/// How far `tags tag` got: input lines consumed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct TagCursor {
    lines: u64,
    tagged: u64,
}

fn load<T: Default + for<'de> Deserialize<'de>>(path: Option<&Path>) -> Result<T, Failure> {
    let Some(path) = path else { return Ok(T::default()) };
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| Failure::usage(format!("cursor {}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(Failure::usage(format!("cannot read the cursor {}: {e}", path.display()))),
    }
}

/// Writes the cursor through a temporary file and a rename, so it is never half written.
fn save<T: Serialize>(path: Option<&Path>, value: &T) -> Result<(), Failure> {
    let Some(path) = path else { return Ok(()) };
    let tmp = path.with_extension("tmp");
    let text = serde_json::to_string(value).map_err(|e| Failure::call(e.to_string()))?;
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::call(format!("cannot save the cursor {}: {e}", path.display())))
}

/// Set by Ctrl-C or SIGTERM; jobs stop at the next chunk boundary.
fn stop_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            } else {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        f.store(true, Ordering::SeqCst);
    });
    flag
}

fn bar(total: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left)"))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb
}

fn interrupted(what: &str, cursor: Option<&Path>) -> Failure {
    let how = match cursor {
        Some(p) => format!("run the same command with --cursor {} to resume", p.display()),
        None => "no --cursor was given, so it cannot resume".to_string(),
    };
    Failure { code: 130, message: format!("interrupted: {what}; {how}") }
}

/// `wxoa users export [--info] [--cursor FILE]`: JSON lines on stdout.
pub async fn export(client: &wechat_oa::Client, info: bool, cursor_path: Option<&Path>) -> Result<(), Failure> {
    let mut cursor: ExportCursor = load(cursor_path)?;
    if cursor.complete {
        eprintln!("the cursor says this export finished ({} lines); remove it to export again", cursor.written);
        return Ok(());
    }
    let stop = stop_flag();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut pb: Option<ProgressBar> = None;
    loop {
        let mut req = client.user().list();
        if !cursor.page.is_empty() {
            req = req.next_openid(cursor.page.clone());
        }
        let page = req.send().await?;
        let total = page.total.unwrap_or(0).max(0) as u64;
        let pb = pb.get_or_insert_with(|| {
            let b = bar(total, "followers");
            b.set_position(cursor.written);
            b
        });
        let ids = page.data.map(|d| d.openid).unwrap_or_default();
        let chunk = if info { 100 } else { 1_000 };
        while cursor.done < ids.len() {
            if stop.load(Ordering::SeqCst) {
                pb.abandon();
                return Err(interrupted(&format!("{} followers written", cursor.written), cursor_path));
            }
            let part: Vec<&str> = ids.iter().skip(cursor.done).take(chunk).collect();
            let mut text = String::new();
            if info {
                let list = part.iter().map(|o| BatchUserQuery::new(*o)).collect();
                let got = client.user().batch_info(list).send().await?;
                for u in got.user_info_list {
                    text.push_str(&serde_json::to_string(&u).map_err(|e| Failure::call(e.to_string()))?);
                    text.push('\n');
                }
            } else {
                for o in &part {
                    text.push_str(&serde_json::json!({ "openid": o }).to_string());
                    text.push('\n');
                }
            }
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::call(format!("cannot write the export: {e}")))?;
            cursor.done += part.len();
            cursor.written += part.len() as u64;
            save(cursor_path, &cursor)?;
            pb.set_position(cursor.written);
        }
        let next = page.next_openid.unwrap_or_default();
        if ids.is_empty() || next.is_empty() || next == cursor.page {
            cursor.complete = true;
            save(cursor_path, &cursor)?;
            pb.finish();
            eprintln!("{} followers exported", cursor.written);
            return Ok(());
        }
        cursor = ExportCursor { page: next, done: 0, ..cursor };
        save(cursor_path, &cursor)?;
    }
}

/// The tag id of `tag`: a number, or the name of an existing tag.
async fn tag_id(client: &wechat_oa::Client, tag: &str) -> Result<i64, Failure> {
    if let Ok(id) = tag.parse::<i64>() {
        return Ok(id);
    }
    let tags = client.tags().list().send().await?;
    let all = tags.tags;
    let found = all.iter().find(|t| t.name == tag).map(|t| t.id);
    found.ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        Failure::usage(format!("no tag named {tag:?} (tags: {})", names.join(", ")))
    })
}

/// An input line: a bare OpenID or a JSON object with `openid` (an export line).
fn openid_of(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    if line.starts_with('{') {
        return serde_json::from_str::<serde_json::Value>(line).ok()?.get("openid")?.as_str().map(str::to_string);
    }
    Some(line.to_string())
}

/// `wxoa tags tag TAG [--cursor FILE] < openids.txt`: batches of 50.
pub async fn tag(client: &wechat_oa::Client, tag: &str, cursor_path: Option<&Path>) -> Result<(), Failure> {
    let id = tag_id(client, tag).await?;
    let mut cursor: TagCursor = load(cursor_path)?;
    let lines: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
    let stop = stop_flag();
    let pb = bar(lines.len() as u64, "lines");
    pb.set_position(cursor.lines);
    let mut at = usize::try_from(cursor.lines).unwrap_or(usize::MAX).min(lines.len());
    while at < lines.len() {
        if stop.load(Ordering::SeqCst) {
            pb.abandon();
            return Err(interrupted(&format!("{} followers tagged", cursor.tagged), cursor_path));
        }
        // The next 50 OpenIDs (blank lines are skipped but counted as consumed).
        let mut batch = Vec::new();
        let mut end = at;
        while end < lines.len() && batch.len() < 50 {
            if let Some(o) = openid_of(&lines[end]) {
                batch.push(o);
            }
            end += 1;
        }
        if !batch.is_empty() {
            let n = batch.len() as u64;
            client.tags().batch_tagging(batch, id).send().await?;
            cursor.tagged += n;
        }
        cursor.lines = end as u64;
        save(cursor_path, &cursor)?;
        pb.set_position(cursor.lines);
        at = end;
    }
    pb.finish();
    eprintln!("{} followers tagged with {id}", cursor.tagged);
    Ok(())
}
