//! Short keys (`/cgi-bin/shorten/{gen,fetch}`, in the spec's qrcode area): long data (≤ 4 KB)
//! kept for 1 s to 30 days behind a 16-character key.

use serde_json::json;

use crate::api::Ctx;
use crate::reply::{err, ok_with, Outcome};
use crate::state::{now_unix, Shorten};
use crate::tokens::random_string;

const MAX_EXPIRE: i64 = 2_592_000;

pub(crate) fn gen(ctx: &Ctx<'_>) -> Outcome {
    let long = ctx.need("long_data")?;
    if long.len() > 4096 {
        return Err(err(40035, "invalid args, long_data is at most 4 KB"));
    }
    let expire = ctx.i("expire_seconds").unwrap_or(MAX_EXPIRE);
    if !(1..=MAX_EXPIRE).contains(&expire) {
        return Err(err(40035, "invalid args, expire_seconds is 1 to 2592000"));
    }
    let key = random_string(16);
    let rec = Shorten { long_data: long.to_string(), create_time: now_unix(), expire_seconds: expire };
    ctx.with(|s| s.shorten.insert(key.clone(), rec));
    ok_with(json!({"short_key": key}))
}

pub(crate) fn fetch(ctx: &Ctx<'_>) -> Outcome {
    let key = ctx.need("short_key")?;
    let rec = ctx.with(|s| s.shorten.get(key).cloned()).ok_or_else(|| err(40035, "invalid args, unknown short_key"))?;
    let left = rec.create_time + rec.expire_seconds - now_unix();
    if left <= 0 {
        return Err(err(40035, "invalid args, short_key expired"));
    }
    ok_with(json!({"long_data": rec.long_data, "create_time": rec.create_time, "expire_seconds": left}))
}
