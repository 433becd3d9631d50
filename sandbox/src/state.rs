//! The sandbox's in-memory world (followers, tags, groups, media, QR tickets, templates,
//! messages, menus, drafts …) behind one mutex, plus the seed data a fresh sandbox starts with.
//! Only data lives here; the rules that change it are in `api/`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde_json::Value;

use crate::api::card::CardStore;
use crate::api::component::store::ComponentStore;
use crate::api::component::PushSink;
use crate::api::invoice::InvoiceStore;
use crate::api::kf::KfStore;
use crate::api::marketcode::MarketCodeStore;
use crate::api::oauth::OAuthStore;
use crate::api::subscribe::SubscribeStore;
use crate::faults::{FaultState, Faults};
use crate::tokens::TokenStore;
use crate::{SandboxConfig, SentMessage, Stats};

/// Unix time in seconds.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// A follower.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub openid: String,
    pub unionid: String,
    pub subscribe_time: i64,
    pub remark: String,
    pub groupid: i64,
    pub tagids: Vec<i64>,
    pub language: String,
    pub subscribe_scene: String,
    pub nickname: String,
    pub blacklisted: bool,
}

/// An uploaded temporary media file or news material (news keeps no bytes).
#[derive(Clone, Debug)]
pub(crate) struct Media {
    /// image, voice, video, thumb, news, or mpvideo (a video made ready for mass messages).
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A permanent material (素材).
#[derive(Clone, Debug)]
pub(crate) struct Material {
    /// image, voice, video or thumb.
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// Video title and introduction (from the `description` part).
    pub title: String,
    pub introduction: String,
    pub update_time: i64,
    /// Images have a URL usable inside articles.
    pub url: Option<String>,
}

/// A QR ticket.
#[derive(Clone, Debug)]
pub(crate) struct QrTicket {
    pub expires: Option<Instant>,
}

/// A private template.
#[derive(Clone, Debug, Default)]
pub(crate) struct Template {
    pub template_id: String,
    pub title: String,
    pub content: String,
    pub example: String,
}

/// A template message WeChat intercepted (`/wxa/sec/queryblocktmplmsg`).
#[derive(Clone, Debug)]
pub(crate) struct BlockedTemplateMessage {
    pub id: i64,
    pub template_id: String,
    pub title: String,
    pub content: String,
    pub send_timestamp: i64,
    pub openid: String,
}

/// A mass message's bookkeeping.
#[derive(Clone, Debug)]
pub(crate) struct MassRecord {
    pub msgtype: String,
    pub status: String,
}

/// A draft (its articles, as stored).
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub articles: Vec<Value>,
    pub update_time: i64,
}

/// A publish job and, once done, its article.
#[derive(Clone, Debug)]
pub(crate) struct Publish {
    pub article_id: String,
    pub msg_data_id: i64,
    pub articles: Vec<Value>,
    pub deleted: Vec<bool>,
    pub update_time: i64,
    /// Per article: whether comments are open, and its comments.
    pub comments_open: Vec<bool>,
    pub comments: Vec<Vec<Comment>>,
}

/// A follower's comment on a published article.
#[derive(Clone, Debug)]
pub(crate) struct Comment {
    pub id: i64,
    pub openid: String,
    pub create_time: i64,
    pub content: String,
    pub elected: bool,
    pub deleted: bool,
    pub reply: Option<(String, i64)>,
}

/// A QR-jump rule: a prefix of the account's QR-code URLs that opens a mini program page.
#[derive(Clone, Debug)]
pub(crate) struct QrJumpRule {
    pub prefix: String,
    pub appid: String,
    pub path: String,
    /// 1 unpublished, 2 published.
    pub state: i64,
}

/// Hosted short-key data.
#[derive(Clone, Debug)]
pub(crate) struct Shorten {
    pub long_data: String,
    pub create_time: i64,
    pub expire_seconds: i64,
}

/// Custom menus.
#[derive(Clone, Debug, Default)]
pub(crate) struct Menus {
    pub default: Option<(i64, Value)>,
    pub conditional: BTreeMap<i64, Value>,
    pub next_id: i64,
}

/// Everything that changes.
pub(crate) struct State {
    pub tokens: TokenStore,
    pub faults: FaultState,
    pub stats: Stats,
    pub users: Vec<User>,
    pub tags: BTreeMap<i64, String>,
    pub next_tag_id: i64,
    pub groups: BTreeMap<i64, String>,
    pub next_group_id: i64,
    pub media: HashMap<String, Media>,
    pub materials: BTreeMap<String, Material>,
    pub images: HashSet<String>,
    pub qr: HashMap<String, QrTicket>,
    pub industry: (i64, i64),
    pub templates: Vec<Template>,
    pub template_dedup: HashMap<(String, String), (i64, Instant)>,
    /// Templates whose messages are intercepted from now on ([`crate::Sandbox::block_template`]).
    pub intercepted_templates: HashSet<String>,
    /// The intercepted messages, in order; `id` counts from 1.
    pub blocked_template_messages: Vec<BlockedTemplateMessage>,
    pub sent: Vec<SentMessage>,
    pub mass: BTreeMap<i64, MassRecord>,
    pub mass_client_ids: HashMap<String, i64>,
    pub next_msgid: i64,
    pub oauth: OAuthStore,
    pub menus: Menus,
    pub drafts: BTreeMap<String, Draft>,
    pub publishes: BTreeMap<String, Publish>,
    pub tickets: HashMap<String, (String, Instant)>,
    pub mass_speed: i64,
    pub quota_clears: u32,
    pub kf: KfStore,
    pub subscribe: SubscribeStore,
    pub shorten: HashMap<String, Shorten>,
    /// Uploaded voice for speech-to-text: voice_id → recognised text.
    pub voices: HashMap<String, String>,
    /// QR-jump rules (扫服务号二维码打开小程序), in the order added.
    pub qrcode_jump: Vec<QrJumpRule>,
    /// QR-jump publishes so far (the sandbox's month never ends).
    pub qrcode_jump_publishes: i64,
    /// 一物一码 applications, activations and scan tickets.
    pub marketcode: MarketCodeStore,
    /// 电子发票: merchant settings, orders, card templates, PDFs and invoices.
    pub invoice: InvoiceStore,
    /// Card kinds, issued codes and sub-merchants (卡券).
    pub card: CardStore,
    /// Further apps registered with `Sandbox::add_app` (AppID → AppSecret), besides the
    /// configured one; they obtain tokens like it.
    pub extra_apps: HashMap<String, String>,
    /// Which AppID each app token was issued to (authorizer access tokens included).
    pub token_apps: HashMap<String, String>,
    /// The third-party platform: tickets, component tokens, authorised accounts.
    pub component: ComponentStore,
}

impl State {
    /// The follower with this OpenID.
    pub fn user(&self, openid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.openid == openid)
    }

    /// Mutable access to a follower.
    pub fn user_mut(&mut self, openid: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.openid == openid)
    }

    /// A fresh msgid.
    pub fn next_msgid(&mut self) -> i64 {
        self.next_msgid += 1;
        self.next_msgid
    }
}

/// A splitmix64 step: deterministic pseudo-random numbers for seed data.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn seeded_id(prefix: &str, n: u64, len: usize) -> String {
    const CHARSET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut out = String::from(prefix);
    let mut x = n;
    while out.len() < len {
        x = mix(x);
        out.push(CHARSET[(x % CHARSET.len() as u64) as usize] as char);
    }
    out
}

fn seed_users(count: usize) -> Vec<User> {
    const SCENES: [&str; 4] = ["ADD_SCENE_QR_CODE", "ADD_SCENE_SEARCH", "ADD_SCENE_PROFILE_CARD", "ADD_SCENE_OTHERS"];
    (0..count as u64)
        .map(|i| User {
            openid: seeded_id("o6_bm", i, 28),
            unionid: seeded_id("oXyz_", i + 1_000_000, 28),
            subscribe_time: 1_700_000_000 + (i as i64) * 3_607,
            remark: String::new(),
            groupid: 0,
            tagids: Vec::new(),
            language: "zh_CN".into(),
            subscribe_scene: SCENES[(i % 4) as usize].into(),
            nickname: format!("sandbox-user-{i}"),
            blacklisted: false,
        })
        .collect()
}

/// The sandbox's shared core: configuration and the locked state.
pub(crate) struct Shared {
    pub config: SandboxConfig,
    state: Mutex<State>,
    /// The HTTP client and failure count of the third-party platform's pushes.
    pub pushes: PushSink,
}

impl Shared {
    pub fn new(config: SandboxConfig) -> Self {
        let mut groups = BTreeMap::new();
        groups.insert(0, "未分组".to_string());
        groups.insert(1, "黑名单".to_string());
        groups.insert(2, "星标组".to_string());
        let mut tags = BTreeMap::new();
        tags.insert(2, "星标组".to_string());
        let state = State {
            tokens: TokenStore::default(),
            faults: FaultState::new(Faults::default()),
            stats: Stats::default(),
            users: seed_users(config.follower_count),
            tags,
            next_tag_id: 100,
            groups,
            next_group_id: 100,
            media: HashMap::new(),
            materials: BTreeMap::new(),
            images: HashSet::new(),
            qr: HashMap::new(),
            industry: (1, 4),
            templates: Vec::new(),
            template_dedup: HashMap::new(),
            intercepted_templates: HashSet::new(),
            blocked_template_messages: Vec::new(),
            sent: Vec::new(),
            mass: BTreeMap::new(),
            mass_client_ids: HashMap::new(),
            next_msgid: 1_000_000_000,
            oauth: OAuthStore::default(),
            menus: Menus { next_id: 400_000_000, ..Default::default() },
            drafts: BTreeMap::new(),
            publishes: BTreeMap::new(),
            tickets: HashMap::new(),
            mass_speed: 0,
            quota_clears: 0,
            kf: KfStore::default(),
            subscribe: SubscribeStore::default(),
            card: CardStore::default(),
            shorten: HashMap::new(),
            voices: HashMap::new(),
            qrcode_jump: Vec::new(),
            qrcode_jump_publishes: 0,
            marketcode: MarketCodeStore::default(),
            invoice: InvoiceStore::default(),
            extra_apps: HashMap::new(),
            token_apps: HashMap::new(),
            component: ComponentStore::new(config.component.as_ref().and_then(|c| c.callback_url.clone())),
        };
        Shared { config, state: Mutex::new(state), pushes: PushSink::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with the state locked.
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock())
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = FaultState::new(faults);
    }

    pub fn delay(&self) -> Option<std::time::Duration> {
        self.lock().faults.faults.delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_openids_are_distinct_and_28_chars() {
        let users = seed_users(50);
        let set: HashSet<_> = users.iter().map(|u| u.openid.clone()).collect();
        assert_eq!(set.len(), 50);
        assert!(users.iter().all(|u| u.openid.len() == 28 && u.openid.starts_with('o')));
    }
}
