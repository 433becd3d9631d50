//! The quota report (`/cgi-bin/openapi/quota/get`, in the spec's base area), counting this
//! sandbox's real calls.

use serde_json::json;

use crate::api::Ctx;
use crate::reply::{err, ok_with, Outcome};

pub(crate) fn get(ctx: &Ctx<'_>) -> Outcome {
    let path = ctx.need("cgi_path")?;
    if !path.starts_with('/') {
        return Err(err(76003, "could not query this cgi_path, it must start with /"));
    }
    if path.starts_with("/sns/") {
        return Err(err(76022, "could not query this cgi_path, sns api is not supported"));
    }
    let used = ctx.with(|s| s.stats.calls_by_path.get(path).copied().unwrap_or(0));
    let limit: u64 = if path == "/cgi-bin/token" { 2000 } else { 100_000 };
    ok_with(json!({
        "quota": {"daily_limit": limit, "used": used, "remain": limit.saturating_sub(used)},
        "rate_limit": {"call_count": 10_000, "refresh_second": 60},
        "component_rate_limit": {"call_count": 10_000, "refresh_second": 60},
    }))
}
