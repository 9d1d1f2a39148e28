//! The deterministic material the fake world is made of: hashing, the id permutation, word lists, games, clock.
//!
//! Nothing here holds state. [`world`](crate::world) builds channels and videos from these pieces and derives
//! every follower from `(channel, index)` on demand, so the same seed always gives the same world and a
//! million followers cost nothing until someone asks for a page of them.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The mock clock's start, 2026-11-01T00:00:00Z. Fixed rather than the wall clock so data is reproducible.
pub(crate) const CLOCK_START: i64 = 1_793_491_200;

/// Twitch's launch, 2011-06-06: no account is older.
pub(crate) const TWITCH_LAUNCH: i64 = 1_307_318_400;

pub(crate) const DAY: i64 = 86_400;
pub(crate) const YEAR: i64 = 365 * DAY;

/// Follower, moderator and "other" user ids live in `[ID_BASE, ID_BASE + 2^30)`: 9 and 10 digits, like the
/// accounts created since about 2016. Broadcasters get 8-digit ids below it, as older accounts have.
pub(crate) const ID_BASE: u64 = 100_000_000;
pub(crate) const ID_BITS: u32 = 30;

/// Video ids are 10 digits and grow with time, as on Twitch.
pub(crate) const VIDEO_ID_BASE: u64 = 2_100_000_000;
/// Stream ids are 11 digits and grow with time.
pub(crate) const STREAM_ID_BASE: u64 = 41_000_000_000;

/// splitmix64's finaliser: a cheap, well-mixed hash of one word.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hash of several words, used as "the random number for this (seed, purpose, thing)".
pub(crate) fn hash(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5851_f42d_4c95_7f2d, |acc, &p| mix(acc ^ p))
}

/// Tags that keep the hash streams of different purposes apart.
pub(crate) mod tag {
    pub const FEISTEL: u64 = 1;
    pub const JITTER: u64 = 2;
    pub const AGE: u64 = 3;
    pub const LOGIN: u64 = 4;
    pub const PROFILE: u64 = 5;
    pub const CURSOR: u64 = 6;
    pub const CHATTERS: u64 = 7;
    pub const OTHER: u64 = 8;
    pub const VIEWERS: u64 = 9;
    pub const CHAT: u64 = 10;
    pub const COMMENT: u64 = 11;
    pub const COMMENT_ID: u64 = 12;
    pub const WORD: u64 = 13;
    pub const BADGES: u64 = 14;
    pub const COLOR: u64 = 15;
    pub const REGULAR: u64 = 16;
    pub const PAGE: u64 = 17;
    pub const SEEK: u64 = 18;
    pub const GQL: u64 = 19;
}

/// A keyed Feistel permutation of `[0, 2^30)`: follower ids look random and spread over the whole id space,
/// yet each decodes back to its `(channel, index)` without a table.
#[derive(Clone, Debug)]
pub(crate) struct Feistel {
    keys: [u64; 4],
}

impl Feistel {
    const HALF: u32 = ID_BITS / 2;
    const MASK: u64 = (1 << Self::HALF) - 1;

    pub fn new(seed: u64) -> Self {
        Feistel {
            keys: std::array::from_fn(|r| hash(&[seed, tag::FEISTEL, r as u64])),
        }
    }

    fn round(key: u64, half: u64) -> u64 {
        mix(key ^ half) & Self::MASK
    }

    pub fn encode(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> Self::HALF, x & Self::MASK);
        for &k in &self.keys {
            (l, r) = (r, l ^ Self::round(k, r));
        }
        (l << Self::HALF) | r
    }

    pub fn decode(&self, y: u64) -> u64 {
        let (mut l, mut r) = (y >> Self::HALF, y & Self::MASK);
        for &k in self.keys.iter().rev() {
            (l, r) = (r ^ Self::round(k, l), l);
        }
        (l << Self::HALF) | r
    }
}

/// First halves of user logins. At most 7 letters, so `<adj><noun><10-digit id>` fits Twitch's 25.
pub(crate) const ADJECTIVES: &[&str] = &[
    "amber", "brave", "calm", "cosmic", "crispy", "dusty", "eager", "epic", "fancy", "fuzzy", "gentle", "giddy",
    "golden", "grumpy", "happy", "hidden", "icy", "jolly", "lazy", "lucky", "mellow", "misty", "noble", "odd", "pixel",
    "quiet", "rapid", "rusty", "salty", "shiny", "silent", "sleepy", "sneaky", "solar", "spicy", "stormy", "sunny",
    "swift", "tiny", "turbo", "velvet", "wild", "witty", "zesty",
];

/// Second halves of user logins.
pub(crate) const NOUNS: &[&str] = &[
    "badger", "bard", "bean", "bear", "cactus", "comet", "cookie", "crow", "dragon", "falcon", "ferret", "fox",
    "gecko", "ghost", "goblin", "heron", "koala", "lemur", "lynx", "mango", "moose", "newt", "otter", "owl", "panda",
    "pickle", "pirate", "quokka", "raven", "robot", "salmon", "sloth", "sparrow", "squid", "tiger", "toast", "turtle",
    "walrus", "wizard", "yak",
];

/// First words of follow-bot logins: a wave's accounts share a prefix, as bought followers often do.
pub(crate) const BOT_WORDS: &[&str] = &["follow", "viewer", "stream", "twitch", "promo", "boost"];

/// A game of the fixed catalogue served by Get Games.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Game {
    pub id: &'static str,
    pub name: &'static str,
    pub igdb_id: &'static str,
}

/// The catalogue. Twitch ids and names are real; `igdb_id` is "" for non-game categories, as on Twitch.
pub(crate) const GAMES: &[Game] = &[
    Game {
        id: "509658",
        name: "Just Chatting",
        igdb_id: "",
    },
    Game {
        id: "33214",
        name: "Fortnite",
        igdb_id: "1905",
    },
    Game {
        id: "21779",
        name: "League of Legends",
        igdb_id: "115",
    },
    Game {
        id: "32982",
        name: "Grand Theft Auto V",
        igdb_id: "1020",
    },
    Game {
        id: "27471",
        name: "Minecraft",
        igdb_id: "121",
    },
    Game {
        id: "516575",
        name: "VALORANT",
        igdb_id: "126459",
    },
    Game {
        id: "29595",
        name: "Dota 2",
        igdb_id: "2963",
    },
    Game {
        id: "138585",
        name: "Hearthstone",
        igdb_id: "1279",
    },
    Game {
        id: "1469308723",
        name: "Software and Game Development",
        igdb_id: "",
    },
    Game {
        id: "509660",
        name: "Art",
        igdb_id: "",
    },
    Game {
        id: "26936",
        name: "Music",
        igdb_id: "",
    },
    Game {
        id: "509670",
        name: "Science & Technology",
        igdb_id: "",
    },
];

/// Broadcaster languages, weighted towards English as on Twitch.
pub(crate) const LANGUAGES: &[&str] = &["en", "en", "en", "en", "de", "es", "fr", "pt", "ja", "other"];

/// Free-form channel tags.
pub(crate) const TAGS: &[&str] = &[
    "English",
    "Chill",
    "Competitive",
    "NoBackseating",
    "Speedrun",
    "Cozy",
    "DevsInTheKnow",
    "Variety",
    "LGBTQIA",
    "Educational",
];

/// Stream titles; `{game}` is replaced. The `&` is there on purpose: Twitch escapes it as `\u0026`.
pub(crate) const TITLES: &[&str] = &[
    "chill {game} & chat",
    "!drops ranked grind until I win",
    "{game} with viewers | !discord",
    "day {n} of learning {game}",
    "late night {game}, no backseating",
    "first time playing {game}!!",
];

/// Formats Unix seconds as Twitch does: RFC3339, UTC, whole seconds, `Z`.
pub(crate) fn rfc3339(secs: i64) -> String {
    // Fields rather than `format("%Y-...")`, which parses its pattern on every call: every follower of every
    // page has a time.
    let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats seconds as a Go duration, the way Get Videos does (`3h8m33s`, `45m0s`, `59s`).
pub(crate) fn go_duration(secs: u32) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// `hash % n` as a usize index into a list.
pub(crate) fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}

/// Capitalises a login's words to make a display name (`sneakyotter42` → `SneakyOtter42`).
pub(crate) fn display_name(words: &[&str], tail: &str) -> String {
    let mut out = String::new();
    for w in words {
        let mut cs = w.chars();
        if let Some(c) = cs.next() {
            out.extend(c.to_uppercase());
            out.push_str(cs.as_str());
        }
    }
    out.push_str(tail);
    out
}

/// A 32-hex-digit, UUID-shaped string from a hash, for image URLs.
pub(crate) fn uuid(h: u64) -> String {
    let a = mix(h);
    let b = mix(a);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feistel_is_a_bijection_that_decodes() {
        let f = Feistel::new(7);
        for x in [0u64, 1, 2, 12345, (1 << 30) - 1, 987_654_321] {
            let y = f.encode(x);
            assert!(y < 1 << 30);
            assert_eq!(f.decode(y), x);
        }
        assert_ne!(f.encode(1), f.encode(2));
    }

    #[test]
    fn go_durations_match_twitch() {
        assert_eq!(go_duration(11313), "3h8m33s");
        assert_eq!(go_duration(2700), "45m0s");
        assert_eq!(go_duration(59), "59s");
        assert_eq!(go_duration(3600), "1h0m0s");
    }

    #[test]
    fn words_fit_a_login() {
        let longest = |l: &[&str]| l.iter().map(|w| w.len()).max().unwrap();
        assert!(longest(ADJECTIVES).max(longest(BOT_WORDS)) + longest(NOUNS) + 10 <= 25);
    }
}
