//! What a fake Twitch room says: each line of its live chat, built from the seed in Twitch's own shapes.
//!
//! The chat clock ([`irc_rooms`](crate::irc_rooms)) asks for one line "slot" after another; [`slot`] decides from
//! the line's hash what it is (mostly PRIVMSG; about 1 in 40 a USERNOTICE, 1 in 100 a CLEARMSG, 1 in 150 a
//! timeout, now and then a ROOMSTATE change, rarely a ban or a whole-chat clear) and the builders here write it
//! with the tags Twitch sends, copied from the real lines in `tests/fixtures/real/irc/` and from other clients'
//! test suites: tags in Twitch's (alphabetical) order, values IRCv3-escaped (`\s`, `\:`, `\\`).
//! Moderation lines target what the room really said before (see [`Said`]), so an archive can mark it.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::chat_replay::WORDS;
use crate::seed::{self, hash, pick};
use crate::world::{UserRef, World};

/// Tags of one line, in Twitch's order (alphabetical), values not yet escaped.
pub(crate) type Tags = BTreeMap<&'static str, String>;

/// The room a line is made for, and what the chat clock knows about it this tick.
pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    /// The channel's index in the world.
    pub c: usize,
    /// Who is in the room now (Helix Get Chatters' list).
    pub chatters: &'a [UserRef],
    /// Server time of the line, ms since the epoch (`tmi-sent-ts`).
    pub now_ms: i64,
    /// The room is in a Shared Chat session: its own messages carry `source-*` tags too, as Twitch sends them.
    pub shared_session: bool,
}

impl Ctx<'_> {
    fn login(&self) -> &str {
        &self.world.channels[self.c].login
    }

    fn room_id(&self) -> u64 {
        self.world.channels[self.c].id
    }
}

/// A PRIVMSG the room sent: what a later CLEARMSG or CLEARCHAT refers to.
#[derive(Clone, Debug)]
pub(crate) struct Said {
    pub id: String,
    pub login: String,
    pub user_id: u64,
    pub text: String,
}

/// What one line slot of a room's flow holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    Privmsg,
    UserNotice,
    ClearMsg,
    Timeout,
    Ban,
    ClearAll,
    RoomState,
}

/// The kind of the line with hash `h`: 1 in 40 a USERNOTICE, 1 in 100 a CLEARMSG, 1 in 150 a timeout, 1 in 200
/// a ROOMSTATE change, 1 in 2,000 a permanent ban, 1 in 6,000 a whole-chat clear, the rest PRIVMSG.
pub(crate) fn slot(h: u64) -> Slot {
    match (h >> 20) % 6000 {
        0..150 => Slot::UserNotice,
        150..210 => Slot::ClearMsg,
        210..250 => Slot::Timeout,
        250..253 => Slot::Ban,
        253 => Slot::ClearAll,
        254..284 => Slot::RoomState,
        _ => Slot::Privmsg,
    }
}

/// A UUID-shaped message id, unique per room and line.
pub(crate) fn message_id(h: u64, k: u64, c: usize) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        h & 0xffff,
        k & 0xfff,
        c & 0xfff,
        k
    )
}

/// IRCv3 tag-value escaping, as Twitch writes it.
pub(crate) fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for ch in v.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\:"),
            ' ' => out.push_str("\\s"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            _ => out.push(ch),
        }
    }
    out
}

/// `@tags :prefix COMMAND #channel[ :text]\r\n`.
fn render(tags: &Tags, prefix: &str, command: &str, channel: &str, text: Option<&str>) -> String {
    let mut out = String::with_capacity(600);
    for (i, (k, v)) in tags.iter().enumerate() {
        out.push(if i == 0 { '@' } else { ';' });
        let _ = write!(out, "{k}={}", escape(v));
    }
    let _ = write!(out, " :{prefix} {command} #{channel}");
    if let Some(text) = text {
        let _ = write!(out, " :{text}");
    }
    out.push_str("\r\n");
    out
}

fn user_prefix(login: &str) -> String {
    format!("{login}!{login}@{login}.tmi.twitch.tv")
}

/// A chatter as their tags show them in one room.
struct Who {
    login: String,
    id: u64,
    display: String,
    color: String,
    badges: String,
    badge_info: String,
    moderator: bool,
    subscriber: bool,
}

fn who_is(ctx: &Ctx, u: UserRef, h: u64) -> Who {
    let w = ctx.world;
    let broadcaster = matches!(u, UserRef::Broadcaster(k) if k == ctx.c);
    let moderator = matches!(u, UserRef::Follower { channel, index }
        if channel == ctx.c && w.channels[ctx.c].moderators.contains(&index));
    let months = h % 24;
    let subscriber = months > 0;
    let mut badges = Vec::new();
    if broadcaster {
        badges.push("broadcaster/1".to_owned());
    } else if moderator {
        badges.push("moderator/1".to_owned());
    }
    if subscriber {
        badges.push(format!("subscriber/{}", [0, 3, 6, 9, 12][(months / 5) as usize]));
    }
    Who {
        login: w.login(u),
        id: w.user_id(u),
        display: w.display_name(u),
        color: format!("#{:06X}", h & 0xff_ffff),
        badges: badges.join(","),
        badge_info: if subscriber {
            format!("subscriber/{months}")
        } else {
            String::new()
        },
        moderator,
        subscriber,
    }
}

fn chatter(ctx: &Ctx, h: u64) -> Who {
    who_is(ctx, ctx.chatters[(h % ctx.chatters.len() as u64) as usize], h)
}

/// A chatter other than the user `not` (when the room has another).
fn other_chatter(ctx: &Ctx, not: u64, h: u64) -> Who {
    (0..8)
        .map(|i| chatter(ctx, hash(&[h, i])))
        .find(|w| w.id != not)
        .unwrap_or_else(|| chatter(ctx, h))
}

/// Tags every message from a user carries.
fn user_tags(ctx: &Ctx, who: &Who, id: String, emotes: String) -> Tags {
    let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
    Tags::from([
        ("badge-info", who.badge_info.clone()),
        ("badges", who.badges.clone()),
        ("color", who.color.clone()),
        ("display-name", who.display.clone()),
        ("emotes", emotes),
        ("flags", String::new()),
        ("id", id),
        ("mod", flag(who.moderator)),
        ("room-id", ctx.room_id().to_string()),
        ("subscriber", flag(who.subscriber)),
        ("tmi-sent-ts", ctx.now_ms.to_string()),
        ("user-id", who.id.to_string()),
        ("user-type", if who.moderator { "mod" } else { "" }.to_owned()),
    ])
}

/// A few words of chat, and now and then Kappa (emote 25) with its position.
fn words(h: u64) -> (String, String) {
    let mut text: Vec<&str> = (0..1 + h % 6).map(|i| pick(WORDS, hash(&[h, i]))).collect();
    let emote = h.is_multiple_of(3);
    if emote {
        text.push("Kappa");
    }
    let text = text.join(" ");
    let emotes = if emote {
        let end = text.chars().count() - 1;
        format!("25:{}-{end}", end - 4)
    } else {
        String::new()
    };
    (text, emotes)
}

/// The room's `k`th line as a chat message: a chatter, a few words, tagged as Twitch tags it. Returns the line,
/// what was said (for moderation later) and its tags (for Shared Chat copies).
pub(crate) fn privmsg(ctx: &Ctx, k: u64, h: u64) -> (String, Said, Tags) {
    let who = chatter(ctx, h);
    let (text, emotes) = words(h);
    let id = message_id(h, k, ctx.c);
    let mut tags = user_tags(ctx, &who, id.clone(), emotes);
    tags.insert("first-msg", "0".to_owned());
    tags.insert("returning-chatter", "0".to_owned());
    tags.insert("turbo", "0".to_owned());
    if ctx.shared_session {
        in_session(&mut tags);
    }
    let line = render(&tags, &user_prefix(&who.login), "PRIVMSG", ctx.login(), Some(&text));
    let said = Said {
        id,
        login: who.login,
        user_id: who.id,
        text,
    };
    (line, said, tags)
}

/// The copy of a Shared Chat message that readers of `into` (login, room id) get: the same user and text, an id
/// of its own, `room-id` of the room it is shown in, and `source-*` naming where it was sent (as
/// `privmsg_shared_chat_reply.txt` shows). Badges of the room it is shown in are the user's global ones only.
pub(crate) fn relay(tags: &Tags, said: &Said, into: (&str, u64), h: u64) -> String {
    render(
        &moved(tags, into, h),
        &user_prefix(&said.login),
        "PRIVMSG",
        into.0,
        Some(&said.text),
    )
}

/// The tags of a line of a room in a Shared Chat session (which carry `source-*` already) as another room of
/// the session shows it.
fn moved(tags: &Tags, into: (&str, u64), h: u64) -> Tags {
    let mut copy = tags.clone();
    copy.insert("id", seed::uuid(hash(&[h, into.1])));
    copy.insert("room-id", into.1.to_string());
    copy.insert("badges", String::new());
    copy.insert("badge-info", String::new());
    copy.insert("mod", "0".to_owned());
    copy.insert("subscriber", "0".to_owned());
    copy.insert("user-type", String::new());
    copy.insert("vip", "0".to_owned());
    copy
}

/// The `source-*` tags Twitch adds to every line of a room in a Shared Chat session.
fn in_session(tags: &mut Tags) {
    let original = |key: &str| tags.get(key).cloned().unwrap_or_default();
    let (id, room, badges, info) = (
        original("id"),
        original("room-id"),
        original("badges"),
        original("badge-info"),
    );
    tags.insert("source-id", id);
    tags.insert("source-room-id", room);
    tags.insert("source-badges", badges);
    tags.insert("source-badge-info", info);
}

// ---- USERNOTICE ----

/// USERNOTICE kinds a room sends, with their weights (of 100): a raid and its cancellation are the rarest.
const NOTICE_KINDS: &[(&str, u64)] = &[
    ("sub", 13),
    ("resub", 20),
    ("subgift", 10),
    ("submysterygift", 4),
    ("anonsubgift", 4),
    ("giftpaidupgrade", 4),
    ("anongiftpaidupgrade", 2),
    ("primepaidupgrade", 3),
    ("raid", 1),
    ("unraid", 1),
    ("ritual", 8),
    ("bitsbadgetier", 6),
    ("announcement", 10),
    ("viewermilestone", 14),
];

/// Every USERNOTICE `msg-id` the fake sends.
#[cfg(test)]
pub(crate) fn notice_kinds() -> impl Iterator<Item = &'static str> {
    NOTICE_KINDS.iter().map(|(kind, _)| *kind)
}

fn notice_kind(h: u64) -> &'static str {
    let total: u64 = NOTICE_KINDS.iter().map(|(_, w)| w).sum();
    let mut r = h % total;
    for (kind, weight) in NOTICE_KINDS {
        if r < *weight {
            return kind;
        }
        r -= weight;
    }
    "sub"
}

/// `(msg-param-sub-plan, its name in system messages)`.
fn plan(h: u64) -> (&'static str, &'static str) {
    pick(
        &[
            ("Prime", "Prime"),
            ("1000", "Tier 1"),
            ("1000", "Tier 1"),
            ("2000", "Tier 2"),
            ("3000", "Tier 3"),
        ],
        h,
    )
}

/// One USERNOTICE: its tags and the user's own text (if any).
pub(crate) struct Notice {
    tags: Tags,
    text: Option<String>,
}

impl Notice {
    fn new(ctx: &Ctx, who: &Who, kind: &'static str, id: String, system: String) -> Notice {
        let mut tags = user_tags(ctx, who, id, String::new());
        tags.insert("login", who.login.clone());
        tags.insert("msg-id", kind.to_owned());
        tags.insert("system-msg", system);
        Notice { tags, text: None }
    }

    fn param(mut self, name: &'static str, value: impl ToString) -> Notice {
        self.tags.insert(name, value.to_string());
        self
    }

    /// Badges and badge info of a subscriber of `months` months (what a sub or resub shows).
    fn subscriber(mut self, months: u64) -> Notice {
        let badge = format!("subscriber/{}", [0, 3, 6, 9, 12][(months.min(24) / 5) as usize]);
        let badges = self.tags.entry("badges").or_default();
        if !badges.contains("subscriber/") {
            *badges = if badges.is_empty() {
                badge
            } else {
                format!("{badges},{badge}")
            };
        }
        self.tags.insert("badge-info", format!("subscriber/{months}"));
        self.param("subscriber", 1)
    }

    fn badge(mut self, badge: String) -> Notice {
        let badges = self.tags.entry("badges").or_default();
        *badges = if badges.is_empty() {
            badge
        } else {
            format!("{badges},{badge}")
        };
        self
    }

    fn text(mut self, text: String, emotes: String) -> Notice {
        self.tags.insert("emotes", emotes);
        self.text = Some(text);
        self
    }

    pub fn line(&self, ctx: &Ctx) -> String {
        render(
            &self.tags,
            "tmi.twitch.tv",
            "USERNOTICE",
            ctx.login(),
            self.text.as_deref(),
        )
    }

    /// The copy readers of `into` get in a Shared Chat session: `msg-id=sharedchatnotice` with the kind in
    /// `source-msg-id`, the `msg-param-*` and text unchanged, and the `source-*` tags of a relayed message.
    pub fn relay(&self, into: (&str, u64), h: u64) -> String {
        let mut copy = moved(&self.tags, into, h);
        copy.insert("source-msg-id", self.tags.get("msg-id").cloned().unwrap_or_default());
        copy.insert("msg-id", "sharedchatnotice".to_owned());
        render(&copy, "tmi.twitch.tv", "USERNOTICE", into.0, self.text.as_deref())
    }
}

/// The login, id and display name Twitch uses for an anonymous gifter.
const ANONYMOUS: (&str, u64, &str) = ("ananonymousgifter", 274_598_607, "AnAnonymousGifter");

fn anonymous() -> Who {
    Who {
        login: ANONYMOUS.0.to_owned(),
        id: ANONYMOUS.1,
        display: ANONYMOUS.2.to_owned(),
        color: String::new(),
        badges: String::new(),
        badge_info: String::new(),
        moderator: false,
        subscriber: false,
    }
}

/// The room's `k`th line as a USERNOTICE: one line, or for a gift bomb (`submysterygift`) the announcement
/// followed by one `subgift` line per gift, all from the same gifter, as Twitch sends them.
/// In a Shared Chat session each carries the `source-*` tags too (`source-msg-id` its own kind).
pub(crate) fn usernotice(ctx: &Ctx, k: u64, h: u64) -> Vec<Notice> {
    let kind = notice_kind(hash(&[h, 0x0e7e]));
    let id = message_id(hash(&[h, 0x1d]), k, ctx.c);
    let who = chatter(ctx, h);
    let mut notices = match kind {
        "sub" | "resub" => vec![sub(ctx, &who, kind, id, h)],
        "subgift" => vec![subgift(ctx, &who, id, h, None)],
        "anonsubgift" => vec![anonsubgift(ctx, id, h)],
        "submysterygift" => gift_bomb(ctx, &who, id, k, h),
        "raid" | "unraid" => vec![raid(ctx, kind, id, h)],
        _ => vec![other(ctx, &who, kind, id, h)],
    };
    if ctx.shared_session {
        for notice in &mut notices {
            in_session(&mut notice.tags);
            let kind = notice.tags["msg-id"].clone();
            notice.tags.insert("source-msg-id", kind);
        }
    }
    notices
}

fn sub(ctx: &Ctx, who: &Who, kind: &'static str, id: String, h: u64) -> Notice {
    let (plan, tier) = plan(hash(&[h, 1]));
    let months = if kind == "sub" { 1 } else { 2 + hash(&[h, 2]) % 59 };
    let share = kind == "resub" && h.is_multiple_of(2);
    let streak = 1 + hash(&[h, 3]) % months;
    let how = if plan == "Prime" {
        "with Prime".to_owned()
    } else {
        format!("at {tier}")
    };
    let mut system = format!("{} subscribed {how}.", who.display);
    if kind == "resub" {
        let _ = write!(system, " They've subscribed for {months} months");
        system.push_str(&if share {
            format!(", currently on a {streak} month streak!")
        } else {
            "!".to_owned()
        });
    }
    let mut notice = Notice::new(ctx, who, kind, id, system)
        .param("msg-param-cumulative-months", months)
        .param("msg-param-months", 0)
        .param("msg-param-multimonth-duration", 1)
        .param("msg-param-multimonth-tenure", 0)
        .param("msg-param-should-share-streak", u8::from(share))
        .param(
            "msg-param-sub-plan-name",
            format!("Channel Subscription ({})", ctx.login()),
        )
        .param("msg-param-sub-plan", plan)
        .param("msg-param-was-gifted", "false")
        .subscriber(months);
    if share {
        notice = notice.param("msg-param-streak-months", streak);
    }
    if kind == "resub" {
        let (text, emotes) = words(hash(&[h, 4]));
        notice = notice.text(text, emotes);
    }
    notice
}

/// One gifted sub from `who` (or, with `bomb`, one of a gift bomb: its community gift id).
fn subgift(ctx: &Ctx, who: &Who, id: String, h: u64, bomb: Option<u64>) -> Notice {
    // A gift is never Prime.
    let plan = pick(
        &[
            ("1000", "Tier 1"),
            ("1000", "Tier 1"),
            ("2000", "Tier 2"),
            ("3000", "Tier 3"),
        ],
        h >> 3,
    );
    let to = other_chatter(ctx, who.id, hash(&[h, 5]));
    let gifter = if who.id == ANONYMOUS.1 {
        "An anonymous user"
    } else {
        &who.display
    };
    let system = format!("{gifter} gifted a {} sub to {}!", plan.1, to.display);
    let mut notice = Notice::new(ctx, who, "subgift", id, system)
        .param("msg-param-gift-months", 1)
        .param("msg-param-months", 1 + hash(&[h, 7]) % 24)
        .param("msg-param-origin-id", seed::uuid(hash(&[h, 8])))
        .param("msg-param-recipient-display-name", &to.display)
        .param("msg-param-recipient-id", to.id)
        .param("msg-param-recipient-user-name", &to.login)
        .param("msg-param-sender-count", 0)
        .param(
            "msg-param-sub-plan-name",
            format!("Channel Subscription ({})", ctx.login()),
        )
        .param("msg-param-sub-plan", plan.0);
    if let Some(gift_id) = bomb {
        notice = notice.param("msg-param-community-gift-id", gift_id);
    }
    notice
}

/// An anonymous gift: as Twitch sends it on the wire (`subgift` from AnAnonymousGifter, user id 274598607), or
/// half the time under the documented `anonsubgift` msg-id.
fn anonsubgift(ctx: &Ctx, id: String, h: u64) -> Notice {
    let mut notice = subgift(ctx, &anonymous(), id, h, None).param("msg-param-fun-string", "FunStringThree");
    if h.is_multiple_of(2) {
        notice = notice.param("msg-id", "anonsubgift");
    }
    notice
}

/// `submysterygift` with `msg-param-mass-gift-count` N, then the N `subgift` lines of the same gifter.
fn gift_bomb(ctx: &Ctx, gifter: &Who, id: String, k: u64, h: u64) -> Vec<Notice> {
    let n = pick(&[1, 5, 5, 10, 20], hash(&[h, 9]));
    let gift_id = hash(&[h, 10]) % 10_000_000_000;
    let total = n + hash(&[h, 11]) % 200;
    let (plan, tier) = ("1000", "Tier 1");
    let system = format!(
        "{} is gifting {n} {tier} Subs to {}'s community! They've gifted a total of {total} in the channel!",
        gifter.display, ctx.world.channels[ctx.c].display_name
    );
    let bomb = Notice::new(ctx, gifter, "submysterygift", id, system)
        .param("msg-param-community-gift-id", gift_id)
        .param("msg-param-mass-gift-count", n)
        .param("msg-param-origin-id", seed::uuid(hash(&[h, 12])))
        .param("msg-param-sender-count", total)
        .param("msg-param-sub-plan", plan);
    let mut notices = vec![bomb];
    for i in 0..n {
        let hi = hash(&[h, 13, i]);
        notices.push(subgift(ctx, gifter, message_id(hi, k, ctx.c), hi, Some(gift_id)));
    }
    notices
}

/// A raid into this room from another channel of the world (its broadcaster), or `unraid`: this room's
/// broadcaster cancelling a raid it had started.
fn raid(ctx: &Ctx, kind: &'static str, id: String, h: u64) -> Notice {
    let w = ctx.world;
    let channels = w.channels.len();
    let from = if kind == "unraid" || channels == 1 {
        ctx.c
    } else {
        (ctx.c + 1 + (hash(&[h, 14]) as usize % (channels - 1))) % channels
    };
    let raider = who_is(ctx, UserRef::Broadcaster(from), hash(&[h, 15]));
    if kind == "unraid" {
        return Notice::new(ctx, &raider, kind, id, "The raid has been cancelled.".to_owned());
    }
    let viewers = 1 + hash(&[h, 16]) % 2000;
    let picture = w
        .user(UserRef::Broadcaster(from))
        .profile_image_url
        .replace("300x300", "70x70");
    let system = format!("{viewers} raiders from {} have joined!", raider.display);
    Notice::new(ctx, &raider, kind, id, system)
        .param("msg-param-displayName", &raider.display)
        .param("msg-param-login", &raider.login)
        .param("msg-param-profileImageURL", picture)
        .param("msg-param-viewerCount", viewers)
}

/// The kinds with one user and a short parameter list: upgrades, ritual, bits badge, announcement, watch streak.
fn other(ctx: &Ctx, who: &Who, kind: &'static str, id: String, h: u64) -> Notice {
    let name = &who.display;
    let (text, emotes) = words(hash(&[h, 17]));
    match kind {
        "giftpaidupgrade" => {
            let sender = other_chatter(ctx, who.id, hash(&[h, 18]));
            let system = format!("{name} is continuing the Gift Sub they got from {}!", sender.display);
            Notice::new(ctx, who, kind, id, system)
                .param("msg-param-sender-login", &sender.login)
                .param("msg-param-sender-name", &sender.display)
        }
        "anongiftpaidupgrade" => {
            let system = format!("{name} is continuing the Gift Sub they got from an anonymous user!");
            Notice::new(ctx, who, kind, id, system)
        }
        "primepaidupgrade" => {
            let system = format!("{name} converted from a Prime sub to a Tier 1 sub!");
            Notice::new(ctx, who, kind, id, system).param("msg-param-sub-plan", "1000")
        }
        "ritual" => Notice::new(ctx, who, kind, id, format!("{name} is new here. Say hello!"))
            .param("msg-param-ritual-name", "new_chatter")
            .text("HeyGuys".to_owned(), "30259:0-6".to_owned()),
        "bitsbadgetier" => {
            let threshold = pick(&[100, 1000, 5000, 10_000, 25_000, 100_000], hash(&[h, 19]));
            Notice::new(ctx, who, kind, id, "bits badge tier notification".to_owned())
                .param("msg-param-threshold", threshold)
                .badge(format!("bits/{threshold}"))
        }
        "announcement" => {
            let by = who_is(ctx, UserRef::Broadcaster(ctx.c), h);
            let color = pick(&["PRIMARY", "BLUE", "GREEN", "ORANGE", "PURPLE"], hash(&[h, 20]));
            Notice::new(ctx, &by, kind, id, String::new())
                .param("msg-param-color", color)
                .text(text, emotes)
        }
        _ => {
            let value = 3 + hash(&[h, 21]) % 18;
            let system = format!("{name} watched {value} consecutive streams this month and sparked a watch streak!");
            Notice::new(ctx, who, "viewermilestone", id, system)
                .param("msg-param-category", "watch-streak")
                .param("msg-param-copoReward", 450)
                .param("msg-param-id", seed::uuid(hash(&[h, 22])))
                .param("msg-param-value", value)
                .text(text, emotes)
        }
    }
}

// ---- moderation ----

/// CLEARMSG of `said`: `login`, `target-msg-id`, the text as trailing parameter, and an empty `room-id=` as
/// Twitch sends it (`clearmsg.txt`).
pub(crate) fn clearmsg(ctx: &Ctx, said: &Said) -> String {
    let tags = Tags::from([
        ("login", said.login.clone()),
        ("room-id", String::new()),
        ("target-msg-id", said.id.clone()),
        ("tmi-sent-ts", ctx.now_ms.to_string()),
    ]);
    render(&tags, "tmi.twitch.tv", "CLEARMSG", ctx.login(), Some(&said.text))
}

/// CLEARCHAT of the author of `said`: a timeout of `seconds`, or a permanent ban with `None`
/// (`clearchat_timeout.txt`, `clearchat_permaban.txt`).
pub(crate) fn clearchat(ctx: &Ctx, said: &Said, seconds: Option<u64>) -> String {
    let mut tags = Tags::from([
        ("room-id", ctx.room_id().to_string()),
        ("target-user-id", said.user_id.to_string()),
        ("tmi-sent-ts", ctx.now_ms.to_string()),
    ]);
    if let Some(seconds) = seconds {
        tags.insert("ban-duration", seconds.to_string());
    }
    render(&tags, "tmi.twitch.tv", "CLEARCHAT", ctx.login(), Some(&said.login))
}

/// A timeout's length, in seconds.
pub(crate) fn timeout_seconds(h: u64) -> u64 {
    pick(&[1, 10, 60, 300, 600, 3600, 86_400], h)
}

/// CLEARCHAT with no user: the whole chat cleared (`clearchat_chat_cleared.txt`).
pub(crate) fn clear_all(ctx: &Ctx) -> String {
    let tags = Tags::from([
        ("room-id", ctx.room_id().to_string()),
        ("tmi-sent-ts", ctx.now_ms.to_string()),
    ]);
    render(&tags, "tmi.twitch.tv", "CLEARCHAT", ctx.login(), None)
}

// ---- ROOMSTATE ----

/// A room's chat modes, as ROOMSTATE reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RoomMode {
    pub emote_only: bool,
    /// Minutes an account must have followed; -1 is off.
    pub followers_only: i64,
    pub r9k: bool,
    /// Seconds between messages; 0 is off.
    pub slow: u64,
    pub subs_only: bool,
}

impl Default for RoomMode {
    fn default() -> Self {
        RoomMode {
            emote_only: false,
            followers_only: -1,
            r9k: false,
            slow: 0,
            subs_only: false,
        }
    }
}

fn bit(b: bool) -> String {
    u8::from(b).to_string()
}

impl RoomMode {
    /// The full state, sent on JOIN: every mode tag plus `room-id`.
    pub fn full(&self, login: &str, room_id: u64) -> String {
        let tags = Tags::from([
            ("emote-only", bit(self.emote_only)),
            ("followers-only", self.followers_only.to_string()),
            ("r9k", bit(self.r9k)),
            ("room-id", room_id.to_string()),
            ("slow", self.slow.to_string()),
            ("subs-only", bit(self.subs_only)),
        ]);
        render(&tags, "tmi.twitch.tv", "ROOMSTATE", login, None)
    }

    /// Turns one mode on or off (chosen by `h`) and returns the partial ROOMSTATE Twitch sends for it: only the
    /// changed tag plus `room-id`.
    pub fn change(&mut self, ctx: &Ctx, h: u64) -> String {
        let (tag, value) = match h % 5 {
            0 => {
                self.slow = if self.slow == 0 {
                    pick(&[3, 10, 30, 60, 120], h >> 8)
                } else {
                    0
                };
                ("slow", self.slow.to_string())
            }
            1 => {
                self.followers_only = if self.followers_only < 0 {
                    pick(&[0, 10, 30, 1440], h >> 8)
                } else {
                    -1
                };
                ("followers-only", self.followers_only.to_string())
            }
            2 => {
                self.emote_only = !self.emote_only;
                ("emote-only", bit(self.emote_only))
            }
            3 => {
                self.subs_only = !self.subs_only;
                ("subs-only", bit(self.subs_only))
            }
            _ => {
                self.r9k = !self.r9k;
                ("r9k", bit(self.r9k))
            }
        };
        let tags = Tags::from([(tag, value), ("room-id", ctx.room_id().to_string())]);
        render(&tags, "tmi.twitch.tv", "ROOMSTATE", ctx.login(), None)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::MockConfig;

    fn with_ctx<T>(f: impl FnOnce(&Ctx) -> T) -> T {
        let world = World::new(&MockConfig::default()).unwrap();
        let chatters = world.chatters(0);
        let ctx = Ctx {
            world: &world,
            c: 0,
            chatters: &chatters,
            now_ms: 1_700_000_000_000,
            shared_session: false,
        };
        f(&ctx)
    }

    /// The first `n` lines channel 0 of the default world would say, with the slot of each.
    fn lines(n: u64) -> Vec<(Slot, Vec<String>)> {
        with_ctx(|ctx| {
            (0..n)
                .map(|k| {
                    let h = hash(&[ctx.world.seed(), 0x11fe, 0, k]);
                    match slot(h) {
                        Slot::UserNotice => (
                            Slot::UserNotice,
                            usernotice(ctx, k, h).iter().map(|n| n.line(ctx)).collect(),
                        ),
                        s => (s, vec![privmsg(ctx, k, h).0]),
                    }
                })
                .collect()
        })
    }

    fn tag<'a>(line: &'a str, name: &str) -> Option<&'a str> {
        let tags = line.strip_prefix('@')?.split(' ').next()?;
        tags.split(';').find_map(|t| t.strip_prefix(name)?.strip_prefix('='))
    }

    fn trailing(line: &str) -> Option<&str> {
        line.trim_end()
            .split_once(" USERNOTICE #")?
            .1
            .split_once(" :")
            .map(|(_, t)| t)
    }

    /// The first line of each USERNOTICE in the first 100,000 lines, by msg-id (made once for every test).
    fn by_kind() -> &'static BTreeMap<String, Vec<String>> {
        static BY_KIND: std::sync::OnceLock<BTreeMap<String, Vec<String>>> = std::sync::OnceLock::new();
        BY_KIND.get_or_init(|| {
            let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (_, notice) in lines(100_000).into_iter().filter(|(s, _)| *s == Slot::UserNotice) {
                let first = &notice[0];
                out.entry(tag(first, "msg-id").unwrap().to_owned())
                    .or_default()
                    .push(first.clone());
            }
            out
        })
    }

    const COMMON: &[&str] = &[
        "badge-info",
        "badges",
        "color",
        "display-name",
        "emotes",
        "flags",
        "id",
        "login",
        "mod",
        "room-id",
        "subscriber",
        "system-msg",
        "tmi-sent-ts",
        "user-id",
        "user-type",
    ];

    #[test]
    fn every_notice_kind_comes_with_twitchs_tags() {
        let by_kind = by_kind();
        for kind in notice_kinds() {
            assert!(by_kind.contains_key(kind), "no {kind} in {:?}", by_kind.keys());
        }
        for line in by_kind.values().flatten() {
            for name in COMMON {
                assert!(tag(line, name).is_some(), "{name} missing: {line}");
            }
            let tags = line.split(" :tmi.twitch.tv USERNOTICE #").next().unwrap();
            assert!(!tags.contains(' '), "tag values are escaped: {line}");
            assert!(line.ends_with("\r\n"));
        }
        let has = |kind: &str, params: &[&str], text: bool| {
            for line in &by_kind[kind] {
                for p in params {
                    assert!(
                        tag(line, p).is_some_and(|v| !v.is_empty()),
                        "{kind} without {p}: {line}"
                    );
                }
                assert_eq!(trailing(line).is_some(), text, "{kind} text: {line}");
            }
        };
        let sub = [
            "msg-param-cumulative-months",
            "msg-param-should-share-streak",
            "msg-param-sub-plan",
        ];
        has("sub", &sub, false);
        has("resub", &sub, true);
        let gift = [
            "msg-param-recipient-id",
            "msg-param-recipient-user-name",
            "msg-param-recipient-display-name",
            "msg-param-months",
            "msg-param-sub-plan",
            "msg-param-gift-months",
        ];
        has("subgift", &gift, false);
        has("anonsubgift", &gift, false);
        has(
            "submysterygift",
            &["msg-param-mass-gift-count", "msg-param-sub-plan"],
            false,
        );
        has(
            "giftpaidupgrade",
            &["msg-param-sender-login", "msg-param-sender-name"],
            false,
        );
        has("primepaidupgrade", &["msg-param-sub-plan"], false);
        let raid = [
            "msg-param-login",
            "msg-param-displayName",
            "msg-param-viewerCount",
            "msg-param-profileImageURL",
        ];
        has("raid", &raid, false);
        has("unraid", &[], false);
        has("ritual", &["msg-param-ritual-name"], true);
        has("bitsbadgetier", &["msg-param-threshold"], false);
        has("announcement", &["msg-param-color"], true);
        has("viewermilestone", &["msg-param-category", "msg-param-value"], true);
    }

    #[test]
    fn notice_values_vary_as_on_twitch() {
        let by_kind = by_kind();
        let values = |kind: &str, name: &str| -> Vec<String> {
            by_kind[kind]
                .iter()
                .filter_map(|l| tag(l, name))
                .map(str::to_owned)
                .collect()
        };
        let plans = values("resub", "msg-param-sub-plan");
        for plan in ["Prime", "1000", "2000", "3000"] {
            assert!(plans.iter().any(|p| p == plan), "{plan}");
        }
        assert!(!values("resub", "msg-param-streak-months").is_empty());
        for anon in &by_kind["anonsubgift"] {
            assert_eq!(tag(anon, "user-id"), Some("274598607"));
            assert_eq!(tag(anon, "login"), Some("ananonymousgifter"));
            assert_eq!(tag(anon, "display-name"), Some("AnAnonymousGifter"));
        }
        assert!(values("subgift", "login").iter().any(|l| l == "ananonymousgifter"));
        assert!(
            values("ritual", "msg-param-ritual-name")
                .iter()
                .all(|v| v == "new_chatter")
        );
        assert!(
            values("viewermilestone", "msg-param-category")
                .iter()
                .all(|v| v == "watch-streak")
        );
        assert!(
            values("sub", "system-msg")
                .iter()
                .all(|v| v.contains("\\ssubscribed\\s"))
        );
        assert!(by_kind["raid"].len() < by_kind["resub"].len() / 5, "raids are rare");
        for resub in &by_kind["resub"] {
            let months = tag(resub, "msg-param-cumulative-months").unwrap();
            assert_eq!(tag(resub, "badge-info"), Some(format!("subscriber/{months}").as_str()));
        }
        for upgrade in &by_kind["giftpaidupgrade"] {
            assert_ne!(tag(upgrade, "msg-param-sender-login"), tag(upgrade, "login"));
        }
    }

    #[test]
    fn a_gift_bomb_is_followed_by_its_gifts_from_the_same_gifter() {
        let bombs: Vec<Vec<String>> = lines(100_000)
            .into_iter()
            .map(|(_, l)| l)
            .filter(|l| tag(&l[0], "msg-id") == Some("submysterygift"))
            .collect();
        assert!(bombs.len() > 3);
        for bomb in bombs {
            let n: usize = tag(&bomb[0], "msg-param-mass-gift-count").unwrap().parse().unwrap();
            assert_eq!(bomb.len(), n + 1, "{bomb:?}");
            let gift_id = tag(&bomb[0], "msg-param-community-gift-id");
            assert!(gift_id.is_some());
            for gift in &bomb[1..] {
                assert_eq!(tag(gift, "msg-id"), Some("subgift"));
                assert_eq!(tag(gift, "login"), tag(&bomb[0], "login"));
                assert_eq!(tag(gift, "msg-param-community-gift-id"), gift_id);
                assert_ne!(tag(gift, "id"), tag(&bomb[0], "id"));
            }
        }
    }

    #[test]
    fn rates_are_about_what_was_asked() {
        let n = 600_000;
        let count = |want: Slot| (0..n).filter(|&k| slot(hash(&[0, 0x11fe, 0, k])) == want).count() as f64;
        let near = |got: f64, one_in: f64| (got / (n as f64 / one_in) - 1.0).abs() < 0.15;
        assert!(near(count(Slot::UserNotice), 40.0));
        assert!(near(count(Slot::ClearMsg), 100.0));
        assert!(near(count(Slot::Timeout), 150.0));
        assert!(near(count(Slot::RoomState), 200.0));
        assert!(count(Slot::Ban) > 0.0 && count(Slot::Ban) < count(Slot::Timeout) / 5.0);
        assert!(count(Slot::ClearAll) > 0.0 && count(Slot::ClearAll) < count(Slot::Ban));
    }

    #[test]
    fn moderation_lines_have_twitchs_shapes() {
        with_ctx(|ctx| {
            let (room, id) = (ctx.login().to_owned(), ctx.room_id());
            let said = Said {
                id: "3c92014f-340a-4dc3-a9c9-e5cf182f4a84".to_owned(),
                login: "alazymeme".to_owned(),
                user_id: 148_973_258,
                text: "NIGHT all".to_owned(),
            };
            assert_eq!(
                clearmsg(ctx, &said),
                format!(
                    "@login=alazymeme;room-id=;target-msg-id=3c92014f-340a-4dc3-a9c9-e5cf182f4a84;\
                     tmi-sent-ts=1700000000000 :tmi.twitch.tv CLEARMSG #{room} :NIGHT all\r\n"
                )
            );
            assert_eq!(
                clearchat(ctx, &said, Some(600)),
                format!(
                    "@ban-duration=600;room-id={id};target-user-id=148973258;tmi-sent-ts=1700000000000 \
                     :tmi.twitch.tv CLEARCHAT #{room} :alazymeme\r\n"
                )
            );
            assert!(!clearchat(ctx, &said, None).contains("ban-duration"));
            assert_eq!(
                clear_all(ctx),
                format!("@room-id={id};tmi-sent-ts=1700000000000 :tmi.twitch.tv CLEARCHAT #{room}\r\n")
            );
        });
    }

    #[test]
    fn roomstate_is_full_on_join_and_partial_on_a_change() {
        with_ctx(|ctx| {
            let (room, id) = (ctx.login().to_owned(), ctx.room_id());
            let mut mode = RoomMode::default();
            assert_eq!(
                mode.full(&room, id),
                format!(
                    "@emote-only=0;followers-only=-1;r9k=0;room-id={id};slow=0;subs-only=0 \
                     :tmi.twitch.tv ROOMSTATE #{room}\r\n"
                )
            );
            let change = |mode: &mut RoomMode, h| mode.change(ctx, h);
            assert_eq!(
                change(&mut mode, 0),
                format!("@room-id={id};slow=3 :tmi.twitch.tv ROOMSTATE #{room}\r\n")
            );
            assert_eq!(
                change(&mut mode, 0),
                format!("@room-id={id};slow=0 :tmi.twitch.tv ROOMSTATE #{room}\r\n")
            );
            assert_eq!(
                change(&mut mode, 2),
                format!("@emote-only=1;room-id={id} :tmi.twitch.tv ROOMSTATE #{room}\r\n")
            );
            assert!(mode.full(&room, id).contains("emote-only=1;"));
        });
    }

    #[test]
    fn escaping_follows_ircv3() {
        assert_eq!(escape("a b;c\\d\r\n"), "a\\sb\\:c\\\\d\\r\\n");
    }
}
