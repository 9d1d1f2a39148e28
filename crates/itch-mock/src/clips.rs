//! The fake world's clips: `MockConfig::clips` per channel, drawn from the seed when the world is built, and a few
//! more on each `advance` that asks for them.
//!
//! Half of a channel's clips were made during its archive videos, more of them in the recent ones (they carry
//! `video_id` and `vod_offset`); the rest are older, from VODs Twitch has since expired, so `video_id` is `""` and `vod_offset` is null, as on
//! Twitch. Durations are tenths of a second and come out as JSON integers when whole (`9`) and floats otherwise
//! (`14.9`), the two forms Twitch sends. A clip's view count is derived from the world's clock, so it grows
//! between syncs when a test advances the world (about one clip in three stops growing after its first day).
//! A clip is listed only once processed, [`PROCESSING`] after it was made (Twitch's reference tells a client that
//! made a clip to give Get Clips 15 seconds), so a sync right after a clip was made does not see it yet; the
//! controls ([`MockClip`]) report it all the same. [`helix/clips.rs`](crate::helix) serves them.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

pub(crate) use crate::clip_data::Clip;
use crate::seed::{ADJECTIVES, DAY, NOUNS, hash, mix, pick, rfc3339};
use crate::world::{VideoKind, World};

/// Keeps the clips' hash stream apart from the world's other purposes.
const CLIPS_TAG: u64 = 0xc1_1b5;

/// Seconds from a clip's making to its listing by Get Clips (processing).
pub(crate) const PROCESSING: i64 = 15;

/// How far back the clips without a VOD go before the clock's start.
const OLD_CLIPS_SPAN: i64 = 180 * DAY;

/// Emote names that end Twitch's clip slugs (`AwkwardHelplessSalamanderSwiftRage`).
const EMOTES: &[&str] = &[
    "SwiftRage",
    "Kappa",
    "PogChamp",
    "BibleThump",
    "NotLikeThis",
    "ResidentSleeper",
    "DansGame",
    "KomodoHype",
    "TBTacoLeft",
    "FutureMan",
    "DoritosChip",
    "SeemsGood",
];

/// A clip as the fake's controls report it, so tests can compare an archive with the whole list (clips still
/// being processed, not listed yet, included).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MockClip {
    /// The slug.
    pub id: String,
    /// The broadcaster's user id.
    pub broadcaster_id: String,
    /// `""` when the VOD is gone.
    pub video_id: String,
    /// `None` when the VOD is gone.
    pub vod_offset: Option<u32>,
    /// RFC 3339.
    pub created_at: String,
    /// Views now.
    pub view_count: u64,
    /// Seconds, to a tenth.
    pub duration: f64,
}

impl World {
    /// Draws `per_channel` clips for each channel (called once, when the world is built).
    pub(crate) fn seed_clips(&mut self, per_channel: u32) {
        for c in 0..self.channels.len() {
            let mut rng = StdRng::seed_from_u64(hash(&[self.seed(), CLIPS_TAG, c as u64]));
            let archives: Vec<(u64, i64, u32)> = self
                .videos
                .iter()
                .filter(|v| v.channel == c && v.kind == VideoKind::Archive && !v.deleted)
                .map(|v| (v.id, v.created_at, v.duration))
                .collect();
            let old_from = (self.channels[c].created_at + DAY).max(self.now - OLD_CLIPS_SPAN);
            let old_to = archives
                .iter()
                .map(|a| a.1)
                .min()
                .unwrap_or(self.now)
                .min(self.now - DAY);
            for k in 0..per_channel {
                let on_vod = !archives.is_empty() && k % 2 == 0;
                let (at, video) = if on_vod {
                    // Recent streams get more clips (a growing channel, and Twitch keeps recent VODs).
                    let u: f64 = rng.random();
                    let back = ((u * u) * archives.len() as f64) as usize;
                    let &(id, start, duration) = &archives[archives.len() - 1 - back.min(archives.len() - 1)];
                    // Never after the clock: a VOD still running at the clock's start has no clips from later on.
                    let room = duration.min((self.now - start - 60).max(31) as u32);
                    let offset = rng.random_range(30..room.max(31));
                    (start + i64::from(offset), Some((id, offset.saturating_sub(30))))
                } else {
                    (rng.random_range(old_from..old_to.max(old_from + 1)), None)
                };
                let clip = self.new_clip(c, k as u64, at, video, &mut rng);
                self.clips.push(clip);
            }
        }
    }

    /// `count` clips of channel `c` made during `(from, to]`: of its live stream if there is one (their VOD is
    /// the archive the stream will leave), else without a VOD.
    pub(crate) fn add_clips(&mut self, c: usize, count: u32, from: i64, to: i64) {
        let mut rng = StdRng::seed_from_u64(hash(&[self.seed(), CLIPS_TAG, c as u64, to as u64]));
        let stream = self.channels[c].stream;
        let base = self.clips.len() as u64;
        for k in 0..count {
            let at = from + 1 + (to - from - 1).max(0) * i64::from(k + 1) / i64::from(count + 1);
            let video = stream.map(|s| (s.video_id, (at - s.started_at).max(30) as u32 - 30));
            let clip = self.new_clip(c, base + u64::from(k), at, video, &mut rng);
            self.clips.push(clip);
        }
    }

    fn new_clip(&self, c: usize, k: u64, at: i64, video: Option<(u64, u32)>, rng: &mut StdRng) -> Clip {
        let h = hash(&[self.seed(), CLIPS_TAG, c as u64, k, 1]);
        let words = |shift: u32| {
            let w = pick(ADJECTIVES, h >> shift);
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        };
        let noun = {
            let n = pick(NOUNS, h >> 24);
            let mut cs = n.chars();
            cs.next()
                .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        };
        // Newer slugs carry a suffix that keeps them unique, as Twitch's do since 2021.
        const SUFFIX: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut tail = mix(h ^ 0x5eed);
        let suffix: String = (0..16)
            .map(|_| {
                let ch = SUFFIX[(tail & 63) as usize] as char;
                tail = mix(tail);
                ch
            })
            .collect();
        let id = format!("{}{}{noun}{}-{suffix}", words(8), words(16), pick(EMOTES, h >> 32));
        let ch = &self.channels[c];
        let followers = ch.followers.count().max(1);
        let creator = rng.random_range(0..followers);
        let duration_tenths = if rng.random_range(0..3) == 0 {
            10 * rng.random_range(5..=60)
        } else {
            rng.random_range(50..=600)
        };
        let per_hour = rng.random_range(0..8);
        Clip {
            id,
            channel: c,
            creator,
            video,
            game: ch.game,
            title: format!("{} moment #{}", ch.game.name, k + 1),
            created_at: at,
            duration_tenths,
            base_views: rng.random_range(1..2000),
            per_hour,
            growing: rng.random_range(0..3) != 0,
            is_featured: rng.random_range(0..10) == 0,
        }
    }

    /// The listed clips of channel `c` created in `[from, to)`, most viewed first (ties by id), as Get Clips orders
    /// them.
    pub(crate) fn clips_between(&self, c: usize, from: i64, to: i64) -> Vec<&Clip> {
        let mut found: Vec<&Clip> = self
            .clips
            .iter()
            .filter(|k| k.channel == c && k.created_at >= from && k.created_at < to && self.listed(k))
            .collect();
        let now = self.now;
        found.sort_by(|a, b| b.view_count(now).cmp(&a.view_count(now)).then_with(|| a.id.cmp(&b.id)));
        found
    }

    /// The listed clip with this slug.
    pub(crate) fn clip(&self, id: &str) -> Option<&Clip> {
        self.clips.iter().find(|k| k.id == id && self.listed(k))
    }

    /// Whether Get Clips lists `clip` yet: once it is processed.
    fn listed(&self, clip: &Clip) -> bool {
        clip.created_at + PROCESSING <= self.now
    }

    /// Every clip of channel `c`, oldest first, as the controls report them.
    pub(crate) fn mock_clips(&self, c: usize) -> Vec<MockClip> {
        let mut clips: Vec<MockClip> = self
            .clips
            .iter()
            .filter(|k| k.channel == c)
            .map(|k| MockClip {
                id: k.id.clone(),
                broadcaster_id: self.channels[c].id.to_string(),
                video_id: k.video.map(|v| v.0.to_string()).unwrap_or_default(),
                vod_offset: k.video.map(|v| v.1),
                created_at: rfc3339(k.created_at),
                view_count: k.view_count(self.now),
                duration: f64::from(k.duration_tenths) / 10.0,
            })
            .collect();
        clips.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        clips
    }
}
