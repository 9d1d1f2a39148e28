//! The chat replay of the fake world's videos: every comment computed from `(seed, video, position)`.
//!
//! Sits beside [`world`](crate::world) and feeds the GQL handler in [`gql`](crate::gql). Nothing is stored per
//! comment: a video's chat is a density over its chat span (64 buckets of seeded weights, some silent, some
//! bursts) and comment `k` sits at the inverse of that density at `(k + jitter) / count`, so offsets never
//! decrease with `k`, a seek to a second is a binary search, and a page costs O(page) whatever the video's size.
//! Commenters are users the Helix `users` endpoint knows (the channel's broadcaster, moderators and followers
//! present at the start), so a client can hydrate them.
//!
//! Quirks copied from Twitch (observed, see the chat reference notes): ~1% of commenters are `null` (deleted
//! users), `createdAt` has 0 to 9 fractional digits, `userColor` can be `null`, whitespace-only text fragments sit
//! between emotes, badge ids are base64 of `setID;version;` (plus the channel id for channel badges), a few
//! badges are empty, some videos have chat past their reported duration, and one video replays the April-2025
//! bug of `createdAt` in local time labelled `Z`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::DateTime;

use crate::seed::{hash, mix, pick, tag};
use crate::world::{UserRef, Video, VideoKind, World};

/// Buckets of a video's chat density.
const BUCKETS: usize = 64;

/// Comments per second of chat span, as a fraction: about 3 a minute.
const SECONDS_PER_COMMENT: u64 = 20;

/// How far the April-2025 bug puts `createdAt`: Pacific daylight time, 7 hours behind UTC.
pub(crate) const LOCAL_TIME_SHIFT: i64 = -7 * 3600;

/// Words of chat messages. Some need JSON escaping or are not ASCII, on purpose.
pub(super) const WORDS: &[&str] = &[
    "gg",
    "lol",
    "lets",
    "gooo",
    "nice",
    "W",
    "L",
    "clip",
    "it",
    "that",
    "was",
    "insane",
    "chat",
    "is",
    "this",
    "real",
    "no",
    "way",
    "hi",
    "hello",
    "omg",
    "wait",
    "what",
    "true",
    "bro",
    "same",
    "LOL",
    "?",
    "first",
    "time",
    "here",
    "we",
    "go",
    "hype",
    "o7",
    "xD",
    "pog",
    "ça",
    "marche",
    "¡vamos!",
    "すごい",
    "🎉",
    "<3",
    "&",
    "\"quoted\"",
    "!discord",
    "Cheer100",
    "back\\slash",
];

/// Emotes as `(emoteID, name)`: global emotes with their real ids, and one v2 id.
const EMOTES: &[(&str, &str)] = &[
    ("25", "Kappa"),
    ("425618", "LUL"),
    ("305954156", "PogChamp"),
    ("41", "Kreygasm"),
    ("354", "4Head"),
    ("86", "BibleThump"),
    ("245", "ResidentSleeper"),
    ("64138", "SeemsGood"),
    ("58765", "NotLikeThis"),
    ("30259", "HeyGuys"),
    ("emotesv2_dcd06b30a5c24f6eb871e8f5edbd44f7", "DinoDance"),
];

/// Twitch's default name colours.
const COLORS: &[&str] = &[
    "#FF0000", "#0000FF", "#008000", "#B22222", "#FF7F50", "#9ACD32", "#FF4500", "#2E8B57", "#DAA520", "#D2691E",
    "#5F9EA0", "#1E90FF", "#FF69B4", "#8A2BE2", "#00FF7F",
];

/// What a video's chat replay serves: how many comments, up to which offset, and how `createdAt` is skewed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChatPlan {
    pub comments: u64,
    /// Every offset is below this many seconds.
    pub end: u64,
    /// Seconds added to every `createdAt` (the local-time bug), 0 normally.
    pub shift: i64,
}

/// The plan of `v`: the world's special videos as chosen at the start, the rest from the seed. About one archive
/// in ten has chat 5-10% past its duration, as VODs whose reported length is wrong do.
pub(crate) fn plan(world: &World, v: &Video) -> ChatPlan {
    let special = &world.chat;
    let h = hash(&[world.seed(), tag::CHAT, v.id]);
    let duration = u64::from(v.duration);
    let end = if special.long == Some(v.id) {
        duration + (duration / 10).max(1)
    } else if v.kind == VideoKind::Archive && h.is_multiple_of(10) {
        duration + (duration * (5 + (h >> 8) % 6) / 100).max(1)
    } else {
        duration
    };
    let comments = if special.big == Some(v.id) {
        special.big_comments
    } else {
        end / SECONDS_PER_COMMENT
    };
    let shift = if special.shifted == Some(v.id) {
        LOCAL_TIME_SHIFT
    } else {
        0
    };
    ChatPlan { comments, end, shift }
}

/// One comment, ready to be written out.
pub(crate) struct Comment {
    pub id: String,
    pub commenter: Option<Commenter>,
    pub offset_seconds: u64,
    pub created_at: String,
    pub fragments: Vec<Fragment>,
    pub badges: Vec<Badge>,
    pub color: Option<String>,
}

pub(crate) struct Commenter {
    pub id: String,
    pub login: String,
    pub display_name: String,
}

/// A piece of a message: plain text, or an emote with its code-point position in the whole message.
pub(crate) enum Fragment {
    Text(String),
    Emote {
        text: &'static str,
        emote_id: &'static str,
        from: usize,
    },
}

pub(crate) struct Badge {
    pub set_id: &'static str,
    pub version: String,
    /// Appended to the id of channel-specific badges.
    pub channel: Option<u64>,
}

impl Badge {
    fn new(set_id: &'static str, version: impl Into<String>) -> Badge {
        Badge {
            set_id,
            version: version.into(),
            channel: None,
        }
    }

    /// Base64 of `setID;version;` (then the channel id for channel badges), as Twitch builds it.
    pub fn id(&self) -> String {
        let channel = self.channel.map(|c| c.to_string()).unwrap_or_default();
        STANDARD.encode(format!("{};{};{channel}", self.set_id, self.version))
    }
}

/// The chat of one video, ready to compute any comment.
pub(crate) struct Chat<'a> {
    world: &'a World,
    video: &'a Video,
    plan: ChatPlan,
    seed: u64,
    /// Cumulative bucket weights, scaled so that positions inside a bucket stay distinct.
    cum: [u128; BUCKETS + 1],
}

impl<'a> Chat<'a> {
    pub fn new(world: &'a World, video: &'a Video) -> Chat<'a> {
        let seed = world.seed();
        let mut weights = [0u128; BUCKETS];
        for (b, w) in weights.iter_mut().enumerate() {
            let h = hash(&[seed, tag::CHAT, video.id, b as u64]);
            *w = match h % 100 {
                // Silence: an ad break, a queue, a muted stretch.
                0..12 => 0,
                // A burst: a clutch play, a raid.
                12..22 => 6 + (h >> 8) % 10,
                _ => 1 + (h >> 8) % 4,
            } as u128;
        }
        // Chat is never silent at the very end, so a video with chat past its duration shows it.
        weights[BUCKETS - 1] = weights[BUCKETS - 1].max(1);
        let mut cum = [0u128; BUCKETS + 1];
        for b in 0..BUCKETS {
            cum[b + 1] = cum[b] + (weights[b] << 32);
        }
        Chat {
            world,
            video,
            plan: plan(world, video),
            seed,
            cum,
        }
    }

    pub fn count(&self) -> u64 {
        self.plan.comments
    }

    /// Milliseconds into the video of comment `k`: non-decreasing in `k`, below the chat's end.
    fn offset_ms(&self, k: u64) -> u64 {
        crate::world::work::step();
        let n = u128::from(self.plan.comments.max(1));
        let jitter = u128::from(hash(&[self.seed, tag::COMMENT, self.video.id, k, 1]) & 0xf_ffff);
        let position = (u128::from(k) << 20) | jitter;
        let total = self.cum[BUCKETS];
        let x = position * total / (n << 20);
        let b = self.cum.partition_point(|c| *c <= x) - 1;
        let within = x - self.cum[b];
        let width = self.cum[b + 1] - self.cum[b];
        let span_ms = u128::from(self.plan.end) * 1000;
        ((b as u128 * span_ms + within * span_ms / width) / BUCKETS as u128) as u64
    }

    /// The offset of comment `k` in whole seconds, as `contentOffsetSeconds` gives it.
    pub fn offset(&self, k: u64) -> u64 {
        self.offset_ms(k) / 1000
    }

    /// The first comment at or after `second` (`count()` when none is).
    pub fn first_at(&self, second: u64) -> u64 {
        let (mut lo, mut hi) = (0, self.count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.offset(mid) < second {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The id of comment `k`: a version-4-shaped UUID whose low half is a bijection of `k`, so ids never repeat
    /// within a video.
    pub fn id(&self, k: u64) -> String {
        comment_uuid(self.seed, self.video.id, k)
    }

    /// Comment `k` (< `count()`).
    pub fn comment(&self, k: u64) -> Comment {
        let h = hash(&[self.seed, tag::COMMENT, self.video.id, k]);
        let offset_ms = self.offset_ms(k);
        let user = (!h.is_multiple_of(100)).then(|| self.commenter(h >> 8));
        let (commenter, badges, color) = match user {
            None => (None, Vec::new(), None),
            Some(u) => {
                let w = self.world;
                let id = w.user_id(u);
                let commenter = Commenter {
                    id: id.to_string(),
                    login: w.login(u),
                    display_name: w.display_name(u),
                };
                (Some(commenter), self.badges(u, id), color(self.seed, id))
            }
        };
        Comment {
            id: self.id(k),
            commenter,
            offset_seconds: offset_ms / 1000,
            created_at: self.created_at(offset_ms, h),
            fragments: self.fragments(k),
            badges,
            color,
        }
    }

    /// Who writes a comment: mostly a pool of regulars, sometimes the broadcaster or a moderator, sometimes anyone
    /// who followed by the start (so the user exists whatever `advance` did since).
    fn commenter(&self, h: u64) -> UserRef {
        let w = self.world;
        let c = self.video.channel;
        let followers = w.initial_followers(c).max(1);
        match h % 100 {
            0..2 => UserRef::Broadcaster(c),
            2..6 => w.follower(c, w.channels[c].moderators[((h >> 8) % 2) as usize]),
            6..70 => {
                let regular = hash(&[self.seed, tag::REGULAR, c as u64, (h >> 8) % 60]);
                w.follower(c, regular % followers)
            }
            _ => w.follower(c, (h >> 8) % followers),
        }
    }

    /// Badges of `u` in this channel, the same on every comment: role first, then subscriber, then the rest.
    fn badges(&self, u: UserRef, user_id: u64) -> Vec<Badge> {
        let c = self.video.channel;
        let ch = &self.world.channels[c];
        let h = hash(&[self.seed, tag::BADGES, user_id, c as u64]);
        let part = |shift: u32, modulo: u64| (h >> shift) % modulo;
        // Channel badges carry the channel id on every channel but the largest, so clients meet both forms.
        let channel = (c != 0).then_some(ch.id);
        let mut out = Vec::new();
        let broadcaster = u == UserRef::Broadcaster(c);
        if broadcaster {
            out.push(Badge::new("broadcaster", "1"));
        } else if self.world.can_moderate(u, c) {
            out.push(Badge::new("moderator", "1"));
        } else if part(0, 25) == 0 {
            out.push(Badge::new("vip", "1"));
        }
        if broadcaster || part(8, 100) < 40 {
            let months = pick(&[0u32, 3, 6, 9, 12, 18, 24, 36, 48], h >> 16);
            out.push(Badge {
                channel,
                ..Badge::new("subscriber", months.to_string())
            });
        }
        match part(24, 100) {
            0..15 => out.push(Badge::new("premium", "1")),
            15..18 => out.push(Badge::new("turbo", "1")),
            _ => {}
        }
        if part(32, 100) < 6 {
            let bits = pick(&[1u32, 100, 1000, 5000], h >> 40);
            out.push(Badge {
                channel,
                ..Badge::new("bits", bits.to_string())
            });
        }
        match part(44, 100) {
            0..3 => out.push(Badge::new("glhf-pledge", "1")),
            3..5 => out.push(Badge::new("no_video", "1")),
            _ => {}
        }
        // Twitch sometimes sends a badge with an empty set and version (TwitchDownloader 2e5dd96c drops them).
        if part(52, 150) == 0 {
            out.push(Badge::new("", ""));
        }
        out
    }

    /// `createdAt`: the video's start plus the offset, in UTC (or in "local time" on the bug's video), with 0 to 9
    /// fractional digits: usually milliseconds with trailing zeros trimmed, sometimes whole seconds, sometimes
    /// micro- or nanoseconds.
    fn created_at(&self, offset_ms: u64, h: u64) -> String {
        let ms = (self.video.created_at + self.plan.shift) * 1000 + offset_ms as i64;
        let (secs, mut nanos) = (ms.div_euclid(1000), (ms.rem_euclid(1000) * 1_000_000) as u32);
        match (h >> 40) % 40 {
            0 => nanos = 0,
            1 => nanos += ((h >> 48) % 1000) as u32 * 1000,
            2 => nanos += ((h >> 48) % 1_000_000) as u32,
            _ => {}
        }
        let t = DateTime::from_timestamp(secs, 0).unwrap_or_default();
        let mut out = t.format("%Y-%m-%dT%H:%M:%S").to_string();
        if nanos > 0 {
            out.push('.');
            out.push_str(format!("{nanos:09}").trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    /// The message of comment `k`: one to eight tokens, words or emotes, split into fragments the way Twitch does.
    fn fragments(&self, k: u64) -> Vec<Fragment> {
        let h = hash(&[self.seed, tag::WORD, self.video.id, k]);
        let tokens = 1 + h % 4 + if (h >> 4).is_multiple_of(5) { 4 } else { 0 };
        let mut out = Vec::new();
        let (mut text, mut chars) = (String::new(), 0usize);
        for i in 0..tokens {
            if i > 0 {
                text.push(' ');
                chars += 1;
            }
            let t = hash(&[self.seed, tag::WORD, self.video.id, k, i]);
            if t % 100 < 14 {
                let (emote_id, name) = pick(EMOTES, t >> 8);
                if !text.is_empty() {
                    out.push(Fragment::Text(std::mem::take(&mut text)));
                }
                out.push(Fragment::Emote {
                    text: name,
                    emote_id,
                    from: chars,
                });
                chars += name.chars().count();
            } else {
                let word = pick(WORDS, t >> 8);
                text.push_str(word);
                chars += word.chars().count();
            }
        }
        if !text.is_empty() {
            out.push(Fragment::Text(text));
        }
        out
    }
}

/// A user's name colour: `null` for one in six (never set), else a default colour or any hex colour.
fn color(seed: u64, user_id: u64) -> Option<String> {
    let h = hash(&[seed, tag::COLOR, user_id]);
    match h % 6 {
        0 => None,
        1 => Some(format!("#{:06X}", (h >> 8) & 0xff_ffff)),
        _ => Some(pick(COLORS, h >> 8).to_owned()),
    }
}

/// See [`Chat::id`].
fn comment_uuid(seed: u64, video: u64, k: u64) -> String {
    const LOW: u64 = (1 << 62) - 1;
    // Multiplying by an odd number and xor-shifting right are bijections of [0, 2^62), so distinct k give distinct
    // low halves. The high half mixes the low one with the video, so ids look random all through, and two
    // videos' ids differ even where their low halves meet.
    let mut lo = (k ^ hash(&[seed, tag::COMMENT_ID, video])) & LOW;
    lo = lo.wrapping_mul(0x9e37_79b9_7f4a_7c15) & LOW;
    lo ^= lo >> 29;
    lo = lo.wrapping_mul(0xbf58_476d_1ce4_e5b9) & LOW;
    lo ^= lo >> 32;
    let hi = mix(lo ^ mix(video ^ hash(&[seed, tag::COMMENT_ID])));
    let hi = (hi & !0xf000) | 0x4000;
    let lo = lo | (0b10 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockConfig;

    fn world(comments: u64) -> World {
        World::new(&MockConfig {
            seed: 3,
            comments,
            ..MockConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn offsets_never_decrease_and_stay_inside_the_chat() {
        let w = world(5000);
        let v = w.video(w.chat.big.unwrap()).unwrap();
        let chat = Chat::new(&w, v);
        assert_eq!(chat.count(), 5000);
        let offsets: Vec<u64> = (0..chat.count()).map(|k| chat.offset_ms(k)).collect();
        assert!(offsets.windows(2).all(|p| p[0] <= p[1]));
        assert!(*offsets.last().unwrap() < chat.plan.end * 1000);
        for s in [0, 1, 100, 3000, chat.plan.end] {
            let k = chat.first_at(s);
            assert!(k == chat.count() || chat.offset(k) >= s);
            assert!(k == 0 || chat.offset(k - 1) < s);
        }
    }

    #[test]
    fn ids_are_unique_uuids() {
        let w = world(20_000);
        let v = w.video(w.chat.big.unwrap()).unwrap();
        let chat = Chat::new(&w, v);
        let ids: std::collections::HashSet<String> = (0..chat.count()).map(|k| chat.id(k)).collect();
        assert_eq!(ids.len(), 20_000);
        let id = chat.id(7);
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!("89ab".contains(&id[19..20]));
    }

    #[test]
    fn emote_positions_are_code_points_of_the_whole_text() {
        let w = world(3000);
        let v = w.video(w.chat.big.unwrap()).unwrap();
        let chat = Chat::new(&w, v);
        let mut emotes = 0;
        for k in 0..chat.count() {
            let mut text = String::new();
            for f in chat.fragments(k) {
                match f {
                    Fragment::Text(t) => text.push_str(&t),
                    Fragment::Emote { text: name, from, .. } => {
                        assert_eq!(text.chars().count(), from);
                        text.push_str(name);
                        emotes += 1;
                    }
                }
            }
        }
        assert!(emotes > 100);
    }
}
