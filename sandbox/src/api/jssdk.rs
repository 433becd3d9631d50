//! JS-SDK tickets: `/cgi-bin/ticket/getticket?type=jsapi|wx_card`. Like WeChat, the same
//! ticket is answered while it is valid (7200 s).

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Ctx, Route};
use crate::reply::{err, ok_with, Outcome};
use crate::tokens::random_string;

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![("/cgi-bin/ticket/getticket", ticket)]
}

const TICKET_TTL: Duration = Duration::from_secs(7200);

fn ticket(ctx: &Ctx<'_>) -> Outcome {
    let kind = ctx.q("type").unwrap_or("jsapi");
    if kind != "jsapi" && kind != "wx_card" {
        return Err(err(40097, "invalid args, type must be jsapi or wx_card"));
    }
    ctx.with(|s| {
        let now = Instant::now();
        let (ticket, expires) = match s.tickets.get(kind) {
            Some((t, exp)) if *exp > now => (t.clone(), *exp),
            _ => {
                let t = format!("{}-{}", random_string(24), random_string(61));
                s.tickets.insert(kind.to_string(), (t.clone(), now + TICKET_TTL));
                (t, now + TICKET_TTL)
            }
        };
        ok_with(json!({"ticket": ticket, "expires_in": expires.saturating_duration_since(now).as_secs().max(1)}))
    })
}
