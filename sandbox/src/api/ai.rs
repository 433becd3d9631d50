//! 智能接口: OCR (`/cv/ocr/{idcard,bankcard,driving,drivinglicense,bizlicense,comm}`), image
//! recognition (`/cv/img/{qrcode,aicrop}`), speech-to-text
//! (`/cgi-bin/media/voice/{addvoicetorecofortext,queryrecoresultfortext}`) and translation
//! (`/cgi-bin/media/voice/translatecontent`).
//!
//! The image endpoints take `img_url` in the query or a multipart `img` file and answer fixed,
//! plausible results chosen by a hash of the input, so the same image always reads the same.
//! No image, or a URL that is not http(s) → 101000; a file that is not an image (JPEG, PNG,
//! GIF, BMP or WebP signature) → 101002; files of 2 MB or more → 40006.

use serde_json::{json, Value};

use super::{Ctx, Route};
use crate::reply::{err, ok, ok_with, Outcome, WxError};

pub(crate) fn routes() -> Vec<(&'static str, Route)> {
    vec![
        ("/cv/ocr/idcard", idcard),
        ("/cv/ocr/bankcard", bankcard),
        ("/cv/ocr/driving", vehicle_license),
        ("/cv/ocr/drivinglicense", driving_license),
        ("/cv/ocr/bizlicense", biz_license),
        ("/cv/ocr/comm", printed_text),
        ("/cv/img/qrcode", qrcode),
        ("/cv/img/aicrop", ai_crop),
        ("/cgi-bin/media/voice/addvoicetorecofortext", add_voice),
        ("/cgi-bin/media/voice/queryrecoresultfortext", query_voice),
        ("/cgi-bin/media/voice/translatecontent", translate),
    ]
}

const MAX_IMAGE: usize = 2 * 1024 * 1024;

/// FNV-1a, so a given input always picks the same fixture.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

fn is_image(b: &[u8]) -> bool {
    [&b"\xFF\xD8\xFF"[..], b"\x89PNG", b"GIF8", b"BM"].iter().any(|sig| b.starts_with(sig))
        || (b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP")
}

/// The image's fingerprint: from the `img` part, else from `img_url`.
fn image(ctx: &Ctx<'_>) -> Result<u64, WxError> {
    if let Some(part) = ctx.parts.iter().find(|p| p.name == "img") {
        if part.data.len() >= MAX_IMAGE {
            return Err(err(40006, "invalid file size, the image must be under 2 MB"));
        }
        if !is_image(&part.data) {
            return Err(err(101002, "invalid image, the img part is not a picture"));
        }
        return Ok(fnv(&part.data));
    }
    match ctx.q("img_url") {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => Ok(fnv(url.as_bytes())),
        Some(_) => Err(err(101000, "invalid image url")),
        None => Err(err(101000, "invalid image url or image data, give img_url or an img file")),
    }
}

/// One of `options`, chosen by the image.
fn pick<T: Clone>(ctx: &Ctx<'_>, options: &[T]) -> Result<T, WxError> {
    let h = image(ctx)?;
    let i = usize::try_from(h % options.len() as u64).unwrap_or(0);
    Ok(options[i].clone())
}

fn quad(l: i64, t: i64, r: i64, b: i64) -> Value {
    json!({"left_top": {"x": l, "y": t}, "right_top": {"x": r, "y": t},
           "right_bottom": {"x": r, "y": b}, "left_bottom": {"x": l, "y": b}})
}

fn idcard(ctx: &Ctx<'_>) -> Outcome {
    let front = [
        json!({"type": "Front", "name": "张三", "id": "110101199003074514", "addr": "北京市东城区景山前街4号",
               "gender": "男", "nationality": "汉"}),
        json!({"type": "Front", "name": "李四", "id": "440106198808081234", "addr": "广东省广州市天河区体育西路1号",
               "gender": "女", "nationality": "汉"}),
        json!({"type": "Back", "valid_date": "20200105-20400105"}),
    ];
    ok_with(pick(ctx, &front)?)
}

fn bankcard(ctx: &Ctx<'_>) -> Outcome {
    let cards = ["6222021234567890123", "6217001234567890", "6228481234567890127"];
    ok_with(json!({"number": pick(ctx, &cards)?}))
}

fn vehicle_license(ctx: &Ctx<'_>) -> Outcome {
    let plates = ["粤A12345", "京B67890", "沪C24680"];
    let plate = pick(ctx, &plates)?;
    ok_with(
        json!({"plate_num": plate, "vehicle_type": "小型普通客车", "owner": "张三", "addr": "广东省广州市天河区体育西路1号",
                   "use_character": "非营运", "model": "大众汽车牌SVW71612FM", "vin": "LSVNV2182E2123456",
                   "engine_num": "123456", "register_date": "2018-07-06", "issue_date": "2018-07-06"}),
    )
}

fn driving_license(ctx: &Ctx<'_>) -> Outcome {
    let classes = ["C1", "C2", "A2"];
    let class = pick(ctx, &classes)?;
    ok_with(json!({"id_num": "440106198808081234", "name": "李四", "sex": "女", "nationality": "中国",
                   "address": "广东省广州市天河区体育西路1号", "birth_date": "1988-08-08", "issue_date": "2010-03-01",
                   "car_class": class, "valid_from": "2016-03-01", "valid_to": "2026-03-01",
                   "official_seal": "广东省广州市公安局交通警察支队"}))
}

fn biz_license(ctx: &Ctx<'_>) -> Outcome {
    let names = ["沙箱科技有限公司", "示例贸易有限公司"];
    let name = pick(ctx, &names)?;
    ok_with(json!({"reg_num": "91440101MA5ABCDE1X", "serial": "S2612345678", "legal_representative": "张三",
                   "enterprise_name": name, "type_of_organization": "", "address": "广州市天河区体育西路1号",
                   "type_of_enterprise": "有限责任公司(自然人投资或控股)", "business_scope": "软件开发;信息技术咨询服务",
                   "registered_capital": "壹佰万元整", "paid_in_capital": "", "valid_period": "长期",
                   "registered_date": "2019年01月01日", "cert_position": {"pos": quad(30, 20, 990, 700)},
                   "img_size": {"w": 1024, "h": 724}}))
}

fn printed_text(ctx: &Ctx<'_>) -> Outcome {
    let pages = [["微信公众平台", "沙箱文字识别"], ["欢迎关注", "本店营业时间 9:00-21:00"]];
    let lines = pick(ctx, &pages)?;
    let items: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let top = 40 + 60 * i as i64;
            json!({"text": t, "pos": quad(20, top, 620, top + 40)})
        })
        .collect();
    ok_with(json!({"items": items, "img_size": {"w": 640, "h": 480}}))
}

fn qrcode(ctx: &Ctx<'_>) -> Outcome {
    let codes = [
        vec![
            json!({"type_name": "QR_CODE", "data": "http://weixin.qq.com/q/sandbox", "pos": quad(185, 142, 396, 353)}),
        ],
        vec![
            json!({"type_name": "QR_CODE", "data": "https://mp.weixin.qq.com", "pos": quad(585, 378, 828, 618)}),
            json!({"type_name": "EAN_13", "data": "6901234567892"}),
        ],
    ];
    ok_with(json!({"code_results": pick(ctx, &codes)?, "img_size": {"w": 1000, "h": 800}}))
}

fn ai_crop(ctx: &Ctx<'_>) -> Outcome {
    image(ctx)?;
    let ratios = ctx
        .parts
        .iter()
        .find(|p| p.name == "ratios")
        .map(|p| String::from_utf8_lossy(&p.data).into_owned())
        .unwrap_or_default();
    let (w, h) = (966_i64, 728_i64);
    let mut results = Vec::new();
    for r in ratios.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        let ratio: f64 = r.parse().ok().filter(|r: &f64| *r > 0.0).ok_or_else(|| err(40035, "invalid args, ratios"))?;
        results.push(crop(w, h, ratio));
    }
    if results.len() > 5 {
        return Err(err(40035, "invalid args, at most 5 ratios"));
    }
    if results.is_empty() {
        results.push(crop(w, h, 1.0));
    }
    ok_with(json!({"results": results, "img_size": {"w": w, "h": h}}))
}

/// The largest centred rectangle of width/height `ratio` inside a `w`×`h` image.
fn crop(w: i64, h: i64, ratio: f64) -> Value {
    let (cw, ch) = if (w as f64) / (h as f64) > ratio {
        (((h as f64) * ratio).round() as i64, h)
    } else {
        (w, ((w as f64) / ratio).round() as i64)
    };
    let (l, t) = ((w - cw) / 2, (h - ch) / 2);
    json!({"crop_left": l, "crop_top": t, "crop_right": l + cw, "crop_bottom": t + ch})
}

fn lang(ctx: &Ctx<'_>, key: &str) -> Result<&'static str, WxError> {
    match ctx.q(key) {
        None | Some("zh_CN") => Ok("zh_CN"),
        Some("en_US") => Ok("en_US"),
        Some(_) => Err(err(40035, format!("invalid args, {key} must be zh_CN or en_US"))),
    }
}

fn add_voice(ctx: &Ctx<'_>) -> Outcome {
    let format = ctx.q("format").ok_or_else(|| err(40035, "invalid args, format is required (mp3)"))?;
    if format != "mp3" {
        return Err(err(40035, "invalid args, only mp3 is supported"));
    }
    let voice_id = ctx.q("voice_id").ok_or_else(|| err(40035, "invalid args, voice_id is required"))?.to_string();
    let lang = lang(ctx, "lang")?;
    let part = ctx.parts.iter().find(|p| p.name == "media").ok_or_else(|| err(41005, "media data missing"))?;
    if part.data.is_empty() || part.data.len() > 1024 * 1024 {
        return Err(err(40010, "invalid voice size, at most 1 MB"));
    }
    let texts: &[&str] = if lang == "en_US" {
        &["hello world", "what's the weather like today"]
    } else {
        &["你好，微信", "今天天气怎么样"]
    };
    let text = texts[usize::try_from(fnv(&part.data) % texts.len() as u64).unwrap_or(0)].to_string();
    ctx.with(|s| s.voices.insert(voice_id, text));
    ok()
}

fn query_voice(ctx: &Ctx<'_>) -> Outcome {
    let voice_id = ctx.q("voice_id").ok_or_else(|| err(40035, "invalid args, voice_id is required"))?;
    lang(ctx, "lang")?;
    let text =
        ctx.with(|s| s.voices.get(voice_id).cloned()).ok_or_else(|| err(40035, "invalid args, unknown voice_id"))?;
    ok_with(json!({"result": text}))
}

fn translate(ctx: &Ctx<'_>) -> Outcome {
    let from = ctx.q("lfrom").ok_or_else(|| err(40035, "invalid args, lfrom is required"))?;
    let to = ctx.q("lto").ok_or_else(|| err(40035, "invalid args, lto is required"))?;
    lang(ctx, "lfrom")?;
    lang(ctx, "lto")?;
    let content = ctx.need("content")?;
    if content.len() > 600 {
        return Err(err(40035, "invalid args size, content is at most 600 bytes"));
    }
    const DICT: &[(&str, &str)] =
        &[("你好", "Hello"), ("谢谢", "Thank you"), ("早上好", "Good morning"), ("再见", "Goodbye")];
    let translated = match (from, to) {
        (f, t) if f == t => content.to_string(),
        ("zh_CN", _) => DICT
            .iter()
            .find(|(zh, _)| *zh == content)
            .map_or_else(|| format!("[en] {content}"), |(_, en)| en.to_string()),
        _ => DICT
            .iter()
            .find(|(_, en)| en.eq_ignore_ascii_case(content))
            .map_or_else(|| format!("[zh] {content}"), |(zh, _)| zh.to_string()),
    };
    ok_with(json!({"from_content": content, "to_content": translated}))
}
