//! Analytics (`/datacube/*`): users, articles (the legacy mass-send series and the published-content
//! series `getarticleread`, `getarticleshare`, `getbizsummary`, `getarticletotaldetail`, which answer
//! `is_delay` and have data from 2025-11-01), upstream messages and interface summaries.
//! Body `{begin_date, end_date}` as `YYYY-MM-DD` (61500 otherwise); `end_date` not before
//! `begin_date`, not today or later (Beijing time), span within the endpoint's maximum (61501, from the spec's `date_span`).
//! Rows are deterministic functions of endpoint and date, so repeated calls agree.

use serde_json::{json, Value};

use super::{route, Ctx, Route};
use crate::reply::{data, err, Outcome, WxError};
use crate::state::{mix, now_unix};

/// Row shapes.
#[derive(Clone, Copy)]
enum Shape {
    UserSummary,
    UserCumulate,
    ArticleSummary,
    ArticleTotal,
    UserRead,
    UserShare,
    Upstream,
    UpstreamDist,
    Interface,
    /// `getarticleread`: per article, `detail.read_user` and readers per source.
    ArticleRead,
    /// `getarticleshare`: per article, `detail.share_user`.
    ArticleShare,
    /// `getbizsummary`: one row a day over all published content.
    BizSummary,
    /// `getarticletotaldetail`: per article published that day, cumulative figures per stat date.
    ArticleTotalDetail,
}

/// How rows are dated.
#[derive(Clone, Copy, PartialEq)]
enum Grain {
    Day,
    Hour,
    Week,
    Month,
}

struct Cube {
    path: &'static str,
    shape: Shape,
    grain: Grain,
}

impl Cube {
    /// The published-content series answer `is_delay` and start on 2025-11-01.
    fn published_content(&self) -> bool {
        matches!(self.shape, Shape::ArticleRead | Shape::ArticleShare | Shape::BizSummary | Shape::ArticleTotalDetail)
    }

    /// The first day with data.
    fn first_day(&self) -> i64 {
        if self.published_content() {
            days_from_civil(2025, 11, 1)
        } else {
            days_from_civil(2014, 12, 1)
        }
    }
}

const CUBES: [Cube; 21] = [
    Cube { path: "/datacube/getusersummary", shape: Shape::UserSummary, grain: Grain::Day },
    Cube { path: "/datacube/getusercumulate", shape: Shape::UserCumulate, grain: Grain::Day },
    Cube { path: "/datacube/getarticlesummary", shape: Shape::ArticleSummary, grain: Grain::Day },
    Cube { path: "/datacube/getarticletotal", shape: Shape::ArticleTotal, grain: Grain::Day },
    Cube { path: "/datacube/getuserread", shape: Shape::UserRead, grain: Grain::Day },
    Cube { path: "/datacube/getuserreadhour", shape: Shape::UserRead, grain: Grain::Hour },
    Cube { path: "/datacube/getusershare", shape: Shape::UserShare, grain: Grain::Day },
    Cube { path: "/datacube/getusersharehour", shape: Shape::UserShare, grain: Grain::Hour },
    Cube { path: "/datacube/getupstreammsg", shape: Shape::Upstream, grain: Grain::Day },
    Cube { path: "/datacube/getupstreammsghour", shape: Shape::Upstream, grain: Grain::Hour },
    Cube { path: "/datacube/getupstreammsgweek", shape: Shape::Upstream, grain: Grain::Week },
    Cube { path: "/datacube/getupstreammsgmonth", shape: Shape::Upstream, grain: Grain::Month },
    Cube { path: "/datacube/getupstreammsgdist", shape: Shape::UpstreamDist, grain: Grain::Day },
    Cube { path: "/datacube/getupstreammsgdistweek", shape: Shape::UpstreamDist, grain: Grain::Week },
    Cube { path: "/datacube/getupstreammsgdistmonth", shape: Shape::UpstreamDist, grain: Grain::Month },
    Cube { path: "/datacube/getinterfacesummary", shape: Shape::Interface, grain: Grain::Day },
    Cube { path: "/datacube/getinterfacesummaryhour", shape: Shape::Interface, grain: Grain::Hour },
    Cube { path: "/datacube/getarticleread", shape: Shape::ArticleRead, grain: Grain::Day },
    Cube { path: "/datacube/getarticleshare", shape: Shape::ArticleShare, grain: Grain::Day },
    Cube { path: "/datacube/getbizsummary", shape: Shape::BizSummary, grain: Grain::Day },
    Cube { path: "/datacube/getarticletotaldetail", shape: Shape::ArticleTotalDetail, grain: Grain::Day },
];

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    // One handler per path: the handler finds its cube by index.
    macro_rules! cube_routes {
        ($($i:literal),*) => { vec![$((CUBES[$i].path, route(|ctx| query(ctx, &CUBES[$i]))),)*] };
    }
    cube_routes!(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

pub(crate) fn fmt_day(z: i64) -> String {
    let (y, m, d) = civil_from_days(z);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD` strictly (61500 otherwise).
pub(crate) fn parse_day(s: Option<&str>) -> Result<i64, WxError> {
    let bad = || err(61500, "date format error");
    let s = s.ok_or_else(bad)?;
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit())).and_then(|p| p.parse::<i64>().ok())
    };
    let (y, m, d) = (num(0..4).ok_or_else(bad)?, num(5..7).ok_or_else(bad)?, num(8..10).ok_or_else(bad)?);
    if !(1..=12).contains(&m) || d < 1 {
        return Err(bad());
    }
    let z = days_from_civil(y, m, d);
    if civil_from_days(z) != (y, m, d) {
        return Err(bad());
    }
    Ok(z)
}

fn n(seed: &[u64], modulo: u64) -> u64 {
    let h = seed.iter().fold(0x5EED_u64, |acc, x| mix(acc ^ x));
    h % modulo
}

fn path_seed(p: &str) -> u64 {
    p.bytes().fold(1469598103934665603_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
}

fn row(shape: Shape, seed: u64, date: &str, day: i64, extra: u64) -> Vec<Value> {
    let s = |k: u64, m: u64| n(&[seed, day as u64, extra, k], m);
    match shape {
        Shape::UserSummary => [0u64, 30, 43]
            .iter()
            .map(|src| json!({"ref_date": date, "user_source": src, "new_user": s(src + 1, 50), "cancel_user": s(src + 2, 10)}))
            .collect(),
        Shape::UserCumulate => vec![json!({"ref_date": date, "cumulate_user": 10_000 + (day - 16_000).max(0) * 3 + s(1, 5) as i64})],
        Shape::ArticleSummary | Shape::ArticleTotal => {
            let stats = |k: u64| {
                json!({"int_page_read_user": s(k, 500), "int_page_read_count": s(k + 1, 900), "ori_page_read_user": s(k + 2, 50),
                       "ori_page_read_count": s(k + 3, 80), "share_user": s(k + 4, 40), "share_count": s(k + 5, 60),
                       "add_to_fav_user": s(k + 6, 20), "add_to_fav_count": s(k + 7, 25)})
            };
            let mut v = json!({"ref_date": date, "msgid": format!("{}_1", 2_247_483_000 + s(9, 1000)), "title": "沙箱文章"});
            if let (Some(o), Value::Object(st)) = (v.as_object_mut(), stats(10)) {
                if matches!(shape, Shape::ArticleSummary) {
                    o.extend(st);
                } else {
                    // The session and history-page reads are a part of the page reads.
                    let mut detail = json!({"stat_date": date, "target_user": 10_000 + s(20, 100),
                        "int_page_from_session_read_user": s(10, 500) / 2, "int_page_from_session_read_count": s(11, 900) / 2,
                        "int_page_from_hist_msg_read_user": s(10, 500) / 4, "int_page_from_hist_msg_read_count": s(11, 900) / 4});
                    if let Some(d) = detail.as_object_mut() {
                        d.extend(st);
                    }
                    o.insert("details".into(), json!([detail]));
                }
            }
            vec![v]
        }
        Shape::UserRead => vec![json!({"ref_date": date, "user_source": 0, "int_page_read_user": s(1, 500), "int_page_read_count": s(2, 900),
            "ori_page_read_user": s(3, 50), "ori_page_read_count": s(4, 80), "share_user": s(5, 40), "share_count": s(6, 60),
            "add_to_fav_user": s(7, 20), "add_to_fav_count": s(8, 25)})],
        // share_scene as documented: 1 好友转发, 2 朋友圈, 255 其他.
        Shape::UserShare => [1u64, 2, 255]
            .iter()
            .map(|scene| json!({"ref_date": date, "share_scene": scene, "share_count": s(scene + 10, 60), "share_user": s(scene + 20, 40)}))
            .collect(),
        Shape::Upstream => [1u64, 2, 3]
            .iter()
            .map(|t| json!({"ref_date": date, "msg_type": t, "msg_user": s(t + 30, 300), "msg_count": s(t + 30, 300) + s(t + 40, 500)}))
            .collect(),
        Shape::UpstreamDist => [0u64, 1, 2, 3]
            .iter()
            .map(|i| json!({"ref_date": date, "count_interval": i, "msg_user": s(i + 50, 200)}))
            .collect(),
        Shape::Interface => vec![json!({"ref_date": date, "callback_count": s(61, 1000) + 1, "fail_count": s(62, 5),
            "total_time_cost": s(63, 100_000), "max_time_cost": s(64, 5000)})],
        Shape::ArticleRead => (1..=2u64)
            .map(|i| json!({"ref_date": date, "msgid": published_msgid(day, i), "detail": read_detail(s(70 + i, 800) + 1, s(80 + i, 100))}))
            .collect(),
        Shape::ArticleShare => (1..=2u64)
            .map(|i| json!({"ref_date": date, "msgid": published_msgid(day, i), "detail": {"share_user": s(90 + i, 60)}}))
            .collect(),
        Shape::BizSummary => {
            let mut detail = read_detail(s(100, 3000) + 1, s(101, 100));
            if let Value::Object(d) = &mut detail {
                for (k, key) in [(102, "share_user"), (103, "zaikan_user"), (104, "like_user"), (105, "comment_count")] {
                    d.insert(key.into(), json!(s(k, 200)));
                }
            }
            vec![json!({"ref_date": date, "detail": detail})]
        }
        Shape::ArticleTotalDetail => vec![article_total_detail(date, day, &s)],
    }
}

/// The `msgid` of a published article: its message's `msg_data_id`, `_`, the article's 1-based
/// index.
fn published_msgid(day: i64, index: u64) -> String {
    format!("{}_{index}", 2_247_480_000 + day)
}

/// `{read_user, read_user_source}`: the "全部" (all) source carries `read_user`; the other sources
/// split it.
fn read_detail(total: u64, percent_from_messages: u64) -> Value {
    let from_messages = total * percent_from_messages / 100;
    json!({
        "read_user": total,
        "read_user_source": [
            {"source_name": "全部", "read_user": total},
            {"source_name": "公众号消息", "read_user": from_messages},
            {"source_name": "其他", "read_user": total - from_messages},
        ],
    })
}

/// One article published on `day`, with cumulative figures for each stat date from the
/// publication day up to a week later (never beyond yesterday in Beijing time).
fn article_total_detail(date: &str, day: i64, s: &dyn Fn(u64, u64) -> u64) -> Value {
    let yesterday = (now_unix() + 8 * 3600).div_euclid(86_400) - 1;
    let (mut readers, mut sharers) = (0u64, 0u64);
    let detail_list: Vec<Value> = (day..=(day + 6).min(yesterday))
        .enumerate()
        .map(|(k, stat_day)| {
            readers += s(110 + k as u64, 400) + 1;
            sharers += s(120 + k as u64, 30);
            let mut d = read_detail(readers, 60);
            if let Value::Object(o) = &mut d {
                o.insert("stat_date".into(), json!(fmt_day(stat_day)));
                o.insert("share_user".into(), json!(sharers));
            }
            d
        })
        .collect();
    json!({"ref_date": date, "msgid": published_msgid(day, 1), "publish_type": 0, "detail_list": detail_list})
}

fn query(ctx: &Ctx<'_>, cube: &Cube) -> Outcome {
    let begin = parse_day(ctx.s("begin_date"))?;
    let end = parse_day(ctx.s("end_date"))?;
    let today_beijing = (now_unix() + 8 * 3600).div_euclid(86_400);
    // The span's maximum (61501) is the spec's `date_span`, checked before any handler runs.
    if end < begin || end >= today_beijing {
        return Err(err(61501, "date range error"));
    }
    let first_day = cube.first_day();
    let seed = path_seed(cube.path);
    let mut days: Vec<i64> = match cube.grain {
        Grain::Day | Grain::Hour => (begin..=end).collect(),
        // Week rows are dated on the Monday (1970-01-01 was a Thursday), month rows on the 1st.
        Grain::Week => (begin..=end).map(|z| z - (z + 3).rem_euclid(7)).collect(),
        Grain::Month => (begin..=end)
            .map(|z| {
                let (y, m, _) = civil_from_days(z);
                days_from_civil(y, m, 1)
            })
            .collect(),
    };
    days.dedup();
    let mut list = Vec::new();
    for day in days.into_iter().filter(|d| *d >= first_day) {
        let date = fmt_day(day);
        if cube.grain == Grain::Hour {
            for hour in 0..24u64 {
                for mut r in row(cube.shape, seed, &date, day, hour) {
                    r["ref_hour"] = json!(hour * 100);
                    list.push(r);
                }
            }
        } else {
            list.extend(row(cube.shape, seed, &date, day, 0));
        }
    }
    if cube.published_content() {
        data(json!({"list": list, "is_delay": false}))
    } else {
        data(json!({"list": list}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_roundtrip_and_reject_bad_input() {
        let z = parse_day(Some("2024-02-29")).unwrap();
        assert_eq!(fmt_day(z), "2024-02-29");
        assert_eq!(fmt_day(days_from_civil(1970, 1, 1)), "1970-01-01");
        for bad in ["2023-02-29", "2024-13-01", "2024-1-01", "20240101", "2024-01-0x", ""] {
            assert_eq!(parse_day(Some(bad)).unwrap_err().code, 61500, "{bad}");
        }
    }

    #[test]
    fn week_rows_are_dated_on_mondays() {
        // 2024-01-03 was a Wednesday; its Monday is 2024-01-01.
        let z = days_from_civil(2024, 1, 3);
        assert_eq!(fmt_day(z - (z + 3).rem_euclid(7)), "2024-01-01");
    }
}
