//! The fake world: channels, their followers, videos, streams and chatters, and how it changes on `advance`.
//!
//! Built once from the seed (with [`seed`](crate::seed)'s pieces) and then queried by the endpoint handlers.
//! Only the small things are materialised: channels, videos, the set of unfollowed positions and one entry per
//! batch of new followers. Each follower is computed from `(channel, index)`: index 0 is the oldest follow, the
//! follow time grows with the index, and the user id is a keyed permutation of `(channel, index)`, so ids look
//! random yet decode back. A page of followers therefore costs O(page) whatever the channel's size.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

use crate::MockConfig;
use crate::seed::{
    self, ADJECTIVES, BOT_WORDS, CLOCK_START, DAY, Feistel, GAMES, Game, ID_BASE, ID_BITS, LANGUAGES, NOUNS,
    STREAM_ID_BASE, TAGS, TITLES, TWITCH_LAUNCH, VIDEO_ID_BASE, YEAR, hash, mix, pick, tag,
};

/// Most channels the id layout leaves room for (10 bits of group, 20 bits of follower index).
pub(crate) const MAX_CHANNELS: usize = 1000;

/// Any user of the world. Followers and "others" are never stored; this is all there is of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum UserRef {
    /// The broadcaster of channel k.
    Broadcaster(usize),
    /// The follower at `index` (0 = oldest) of `channel`.
    Follower { channel: usize, index: u64 },
    /// Users that follow none of the channels: the smaller channels the largest broadcaster follows.
    Other(u32),
}

/// What Get Users says about a user.
pub(crate) struct UserFacts {
    pub id: u64,
    pub login: String,
    pub display_name: String,
    pub broadcaster_type: &'static str,
    pub description: String,
    pub profile_image_url: String,
    pub offline_image_url: String,
    pub created_at: i64,
}

/// What Get Channel Information says about a user's channel.
pub(crate) struct ChannelFacts {
    pub language: &'static str,
    pub game: Option<Game>,
    pub title: String,
    pub tags: Vec<&'static str>,
    pub labels: Vec<&'static str>,
}

/// A broadcaster and everything stored about their channel.
pub(crate) struct Channel {
    pub id: u64,
    pub login: String,
    pub display_name: String,
    pub created_at: i64,
    pub broadcaster_type: &'static str,
    pub description: String,
    pub language: &'static str,
    pub game: Game,
    pub title: String,
    pub tags: Vec<&'static str>,
    pub labels: Vec<&'static str>,
    pub followers: Followers,
    /// Follower indices of the two moderators: early followers, as mods usually are.
    pub moderators: [u64; 2],
    /// The follower index that is the largest channel's broadcaster (None on the largest channel itself).
    pub cross: Option<u64>,
    pub stream: Option<Stream>,
}

/// A live broadcast. Title, game and tags are the channel's.
#[derive(Clone, Copy)]
pub(crate) struct Stream {
    pub id: u64,
    pub started_at: i64,
    /// The id of the archive this stream will leave, taken when it starts, as Twitch does.
    pub video_id: u64,
}

/// A channel's follower list, as a formula plus the few stored changes.
pub(crate) struct Followers {
    /// Followers at the start; their follow times run from `since` to `until` (the clock's start).
    initial: u64,
    since: i64,
    until: i64,
    /// Follow-bot waves inside the initial followers, sorted by start.
    waves: Vec<Wave>,
    /// Followers added by `advance`, appended after `initial`, sorted by start.
    batches: Vec<Batch>,
    /// Indices that unfollowed: skipped when paging, subtracted from the total.
    pub removed: BTreeSet<u64>,
    /// Positions taken by a follower who followed again after an unfollow, with the position of that user's
    /// first follow (which names the user: ids come from it). Twitch gives a re-follow a new `followed_at`.
    refollows: BTreeMap<u64, u64>,
    /// The latest position of each user who followed again (keyed by the first position).
    latest: HashMap<u64, u64>,
}

/// A run of accounts, created minutes apart just before, that followed within seconds of each other.
struct Wave {
    start: u64,
    len: u64,
    t_start: i64,
    step_ms: i64,
    /// Time between the last account's creation and the wave.
    lead: i64,
    /// Time between two accounts' creations.
    gap: i64,
    word: &'static str,
}

/// Followers added by one `advance`: indices `start..start + count`, followed in `(from, to]`.
struct Batch {
    start: u64,
    count: u64,
    from: i64,
    to: i64,
}

/// Kind of a video, as Get Videos names it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum VideoKind {
    Archive,
    Highlight,
    Upload,
}

impl VideoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoKind::Archive => "archive",
            VideoKind::Highlight => "highlight",
            VideoKind::Upload => "upload",
        }
    }
}

/// A video. All videos sit in one list sorted by id, which grows with `created_at`.
pub(crate) struct Video {
    pub id: u64,
    pub channel: usize,
    pub stream_id: Option<u64>,
    pub kind: VideoKind,
    pub title: String,
    pub description: String,
    pub created_at: i64,
    pub published_at: i64,
    pub duration: u32,
    /// `(duration, offset)` in seconds.
    pub muted: Vec<(u32, u32)>,
    pub view_count: u64,
    pub deleted: bool,
}

/// The videos of the largest channel whose chat replay is set apart at the start, by id. Chosen once, so
/// videos published later never move the roles.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChatSpecials {
    /// The newest archive: exactly `MockConfig::comments` comments.
    pub big: Option<u64>,
    pub big_comments: u64,
    /// The second-newest archive: its chat runs 10% past its reported duration.
    pub long: Option<u64>,
    /// The third-newest archive (or the oldest there is): `createdAt` in local time labelled UTC.
    pub shifted: Option<u64>,
}

impl ChatSpecials {
    fn pick(videos: &[Video], comments: u64) -> ChatSpecials {
        let archives: Vec<u64> = videos
            .iter()
            .rev()
            .filter(|v| v.channel == 0 && v.kind == VideoKind::Archive)
            .map(|v| v.id)
            .collect();
        let nth = |i: usize| archives.get(i.min(archives.len().saturating_sub(1))).copied();
        ChatSpecials {
            big: nth(0),
            big_comments: comments,
            long: nth(1),
            shifted: nth(2),
        }
    }
}

/// The work the world does per item (one follower's follow time, one step of a follower walk, one comment's
/// offset), counted on this thread in tests so that "a page is computed, not stored" is checked by counting
/// rather than by a wall clock. The fake's tests run on Tokio's current-thread runtime, so the server's handlers
/// run on the test's thread; a test on another runtime would count 0 and fail its lower bound, not pass.
pub(crate) mod work {
    #[cfg(test)]
    thread_local! {
        static DONE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// One item's work (counted in tests only; nothing in the product).
    #[inline(always)]
    pub(crate) fn step() {
        #[cfg(test)]
        DONE.with(|d| d.set(d.get() + 1));
    }

    /// The items worked on this thread so far.
    #[cfg(test)]
    pub(crate) fn done() -> u64 {
        DONE.with(std::cell::Cell::get)
    }
}

/// The whole fake world.
pub(crate) struct World {
    seed: u64,
    feistel: Feistel,
    index_bits: u32,
    /// The mock clock, in Unix seconds. Moves only on `advance`.
    pub now: i64,
    pub channels: Vec<Channel>,
    others: u32,
    pub videos: Vec<Video>,
    next_video_id: u64,
    next_stream_id: u64,
    /// The videos whose chat replay is special (see [`chat_replay`](crate::chat_replay)).
    pub chat: ChatSpecials,
    /// Every channel's clips (drawn by the `clips` module).
    pub clips: Vec<crate::clip_data::Clip>,
    /// While set, Get Clips answers this status (see [`MockServer::fail_clips`](crate::MockServer::fail_clips)).
    pub clips_fault: Option<u16>,
    /// Draws for `advance` (who unfollows, which video goes): seeded, so a replayed script replays the world.
    rng: StdRng,
    /// The edits tests made to the seeded stream schedules (see [`crate::schedule`]).
    pub schedule: crate::schedule::Edits,
    /// The edits tests made to the seeded subscribers (see [`crate::subscriptions`]).
    pub subs: crate::subscriptions::Edits,
    /// See [`MockConfig::gone_every`].
    gone_every: u64,
}

impl World {
    /// Builds the world of `config`, or says which setting makes that impossible.
    pub fn new(config: &MockConfig) -> Result<World, String> {
        let n = config.channels;
        if n == 0 || n > MAX_CHANNELS {
            return Err(format!("channels must be between 1 and {MAX_CHANNELS}, not {n}"));
        }
        let group_bits = usize::BITS - n.leading_zeros();
        let index_bits = ID_BITS - group_bits;
        let capacity = 1u64 << index_bits;
        if config.followers >= capacity {
            return Err(format!(
                "with {n} channels the largest can have at most {} followers",
                capacity - 1
            ));
        }
        let seed = config.seed;
        let mut rng = StdRng::seed_from_u64(seed);
        let mut world = World {
            seed,
            gone_every: config.gone_every,
            feistel: Feistel::new(seed),
            index_bits,
            now: CLOCK_START,
            channels: Vec::with_capacity(n),
            others: 140 + (seed % 21) as u32,
            videos: Vec::new(),
            next_video_id: VIDEO_ID_BASE,
            next_stream_id: STREAM_ID_BASE,
            chat: ChatSpecials::default(),
            clips: Vec::new(),
            clips_fault: None,
            rng: StdRng::seed_from_u64(mix(seed ^ 0xadd)),
            schedule: Default::default(),
            subs: Default::default(),
        };
        let mut logins = HashSet::new();
        let mut ids = HashSet::new();
        for k in 0..n {
            let followers = (0..k).fold(config.followers, |f, _| f / 10).max(5);
            let channel = world.new_channel(k, followers, &mut rng, &mut logins, &mut ids);
            world.channels.push(channel);
        }
        world.seed_videos(config.videos, &mut rng);
        world.chat = ChatSpecials::pick(&world.videos, config.comments);
        world.seed_clips(config.clips);
        // One channel is live from the start so stream snapshots and chatters have something to see.
        let live = 1.min(n - 1);
        let started_at = CLOCK_START - rng.random_range(600..4 * 3600);
        world.start_stream(live, started_at);
        Ok(world)
    }

    fn new_channel(
        &self,
        k: usize,
        count: u64,
        rng: &mut StdRng,
        logins: &mut HashSet<String>,
        ids: &mut HashSet<u64>,
    ) -> Channel {
        let (login, words) = loop {
            let (adj, noun) = (pick(ADJECTIVES, rng.random()), pick(NOUNS, rng.random()));
            // Some logins with an underscore, so clients meet one; never a trailing digit, which marks user logins.
            let login = if rng.random_range(0..4) == 0 {
                format!("{adj}_{noun}")
            } else {
                format!("{adj}{noun}")
            };
            if logins.insert(login.clone()) {
                break (login, [adj, noun]);
            }
        };
        let display_name = if login.contains('_') {
            seed::display_name(&[words[0], "_", words[1]], "")
        } else {
            seed::display_name(&words, "")
        };
        let id = loop {
            let id = rng.random_range(12_000_000..99_000_000u64);
            if ids.insert(id) {
                break id;
            }
        };
        let created_at = TWITCH_LAUNCH + YEAR + rng.random_range(0..7 * YEAR);
        let game = pick(GAMES, rng.random());
        let title = title_for(game, rng.random());
        let tag_count = rng.random_range(1..4);
        let mut tags: Vec<&'static str> = TAGS.sample(rng, tag_count).copied().collect();
        tags.sort_unstable();
        let labels = if game.name == "Grand Theft Auto V" {
            vec!["MatureGame"]
        } else {
            Vec::new()
        };
        let since = (created_at + 30 * DAY).max(CLOCK_START - 5 * YEAR - rng.random_range(0..3 * YEAR));
        let mut followers = Followers {
            initial: count,
            since,
            until: CLOCK_START,
            waves: Vec::new(),
            batches: Vec::new(),
            removed: BTreeSet::new(),
            refollows: BTreeMap::new(),
            latest: HashMap::new(),
        };
        followers.waves = self.waves_for(k, &followers, rng);
        let pool = (count / 2).min(50);
        let m0 = rng.random_range(0..pool);
        let m1 = (m0 + rng.random_range(1..pool)) % pool;
        let cross = (k > 0).then(|| {
            let i = count / 2 + rng.random_range(0..count - count / 2);
            match followers.wave_of(i) {
                Some(w) => w.start + w.len,
                None => i,
            }
        });
        Channel {
            description: format!("{display_name} streams {} and talks to chat.", game.name),
            id,
            login,
            display_name,
            created_at,
            broadcaster_type: if k == 0 {
                "partner"
            } else if k < 3 {
                "affiliate"
            } else {
                ""
            },
            language: pick(LANGUAGES, rng.random()),
            game,
            title,
            tags,
            labels,
            followers,
            moderators: [m0, m1],
            cross,
            stream: None,
        }
    }

    /// A few follow-bot waves in channels big enough to show them: 100-300 accounts each.
    fn waves_for(&self, k: usize, f: &Followers, rng: &mut StdRng) -> Vec<Wave> {
        let n = f.initial;
        if n < 1000 {
            return Vec::new();
        }
        let count = 1 + (n / 250_000).min(4);
        let seg = n / count;
        (0..count)
            .map(|w| {
                let len = rng.random_range(100..=(n / 10).min(300));
                let start = w * seg + rng.random_range(seg / 4..seg * 3 / 4 - len);
                let t_start = f.base_time(self.seed, k, start);
                let span = f.base_time(self.seed, k, start + len) - t_start;
                Wave {
                    start,
                    len,
                    t_start,
                    // Seconds apart, but never past the next real follower, so times keep growing with the index.
                    step_ms: rng.random_range(800..3000i64).min(span * 1000 / len as i64),
                    lead: rng.random_range(300..3600),
                    gap: rng.random_range(60..240),
                    word: pick(BOT_WORDS, rng.random()),
                }
            })
            .collect()
    }

    /// The initial videos: `per_channel` for each channel, going back from the clock's start.
    fn seed_videos(&mut self, per_channel: u32, rng: &mut StdRng) {
        let mut drafts = Vec::new();
        for c in 0..self.channels.len() {
            // The newest starts before any stream that is live at the clock's start (at most 4 hours old).
            let mut t = CLOCK_START - rng.random_range(5 * 3600..DAY);
            for _ in 0..per_channel {
                drafts.push((t, c));
                t -= rng.random_range(10 * 3600..3 * DAY);
            }
        }
        // Ids grow with time across channels, so they are handed out in creation order.
        drafts.sort_unstable();
        for (t, c) in drafts {
            let kind = match rng.random_range(0..100) {
                0..80 => VideoKind::Archive,
                80..92 => VideoKind::Highlight,
                _ => VideoKind::Upload,
            };
            let video = self.new_video(c, kind, t, None, rng);
            self.videos.push(video);
        }
    }

    fn new_stream_id(&mut self) -> u64 {
        self.next_stream_id += 1000 + mix(self.next_stream_id) % 90_000;
        self.next_stream_id
    }

    /// The next video id: larger than every earlier one, with gaps like Twitch's (other channels' videos).
    fn new_video_id(&mut self) -> u64 {
        self.next_video_id += 1000 + mix(self.next_video_id) % 59_000;
        self.next_video_id
    }

    fn start_stream(&mut self, c: usize, started_at: i64) {
        let stream = Stream {
            id: self.new_stream_id(),
            started_at,
            video_id: self.new_video_id(),
        };
        self.channels[c].stream = Some(stream);
    }

    /// A video created at `t`; `duration` is drawn when `None`.
    fn new_video(&mut self, c: usize, kind: VideoKind, t: i64, duration: Option<u32>, rng: &mut StdRng) -> Video {
        let duration = duration.unwrap_or_else(|| match kind {
            VideoKind::Archive => rng.random_range(3600..8 * 3600),
            VideoKind::Highlight => rng.random_range(30..1200),
            VideoKind::Upload => rng.random_range(120..2400),
        });
        let muted = if kind == VideoKind::Archive && duration > 720 && rng.random_range(0..4) == 0 {
            let mut segs: Vec<(u32, u32)> = (0..rng.random_range(1..=3))
                .map(|_| (360 * rng.random_range(1..3), rng.random_range(0..duration - 720)))
                .collect();
            segs.sort_unstable_by_key(|s| s.1);
            segs
        } else {
            Vec::new()
        };
        let ch = &self.channels[c];
        let title = match kind {
            VideoKind::Archive => title_for(ch.game, rng.random()),
            VideoKind::Highlight => format!("best of {} | highlight", ch.game.name),
            VideoKind::Upload => format!("{} montage #{}", ch.game.name, rng.random_range(1..40)),
        };
        let view_count = rng.random_range(0..ch.followers.initial / 10 + 50);
        let stream_id = (kind == VideoKind::Archive).then(|| self.new_stream_id());
        Video {
            id: self.new_video_id(),
            channel: c,
            stream_id,
            kind,
            title,
            description: String::new(),
            created_at: t,
            published_at: if kind == VideoKind::Archive {
                t
            } else {
                t + rng.random_range(0..3600)
            },
            duration,
            muted,
            view_count,
            deleted: false,
        }
    }

    /// The world's clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The seed the world was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The video with this id, deleted or not.
    pub fn video(&self, id: u64) -> Option<&Video> {
        let i = self.videos.binary_search_by_key(&id, |v| v.id).ok()?;
        Some(&self.videos[i])
    }

    /// Followers channel `c` had at the start: positions below this are users that exist whatever happens later.
    pub fn initial_followers(&self, c: usize) -> u64 {
        self.channels[c].followers.initial
    }

    // ---- users ----

    /// The Twitch user id of `u`.
    pub fn user_id(&self, u: UserRef) -> u64 {
        let (group, index) = match u {
            UserRef::Broadcaster(k) => return self.channels[k].id,
            UserRef::Follower { channel, index } => (channel as u64, index),
            // "Others" are the group after the last channel's followers.
            UserRef::Other(j) => (self.channels.len() as u64, u64::from(j)),
        };
        ID_BASE + self.feistel.encode((group << self.index_bits) | index)
    }

    /// The user with this id, if the world has one.
    pub fn user_by_id(&self, id: u64) -> Option<UserRef> {
        if let Some(k) = self.channels.iter().position(|c| c.id == id) {
            return Some(UserRef::Broadcaster(k));
        }
        let x = id.checked_sub(ID_BASE).filter(|x| *x < 1 << ID_BITS)?;
        let x = self.feistel.decode(x);
        let (g, i) = ((x >> self.index_bits) as usize, x & ((1 << self.index_bits) - 1));
        if g < self.channels.len() {
            let ch = &self.channels[g];
            // A re-follow's position names nobody new: its user is the one of the first follow.
            let f = &ch.followers;
            (i < f.count() && ch.cross != Some(i) && !f.refollows.contains_key(&i))
                .then_some(UserRef::Follower { channel: g, index: i })
        } else {
            (g == self.channels.len() && i < self.others as u64).then_some(UserRef::Other(i as u32))
        }
    }

    /// Whether Get Users leaves this account out (see [`MockConfig::gone_every`]).
    pub fn is_gone(&self, user: UserRef) -> bool {
        matches!(user, UserRef::Follower { index, .. } if self.gone_every > 0 && index % self.gone_every == 0)
    }

    /// The user with this login (any case), if the world has one.
    pub fn user_by_login(&self, login: &str) -> Option<UserRef> {
        let login = login.to_ascii_lowercase();
        if let Some(k) = self.channels.iter().position(|c| c.login == login) {
            return Some(UserRef::Broadcaster(k));
        }
        // User logins end in their id, so the id is read back and the login recomputed to check it.
        let digits = login.len() - login.bytes().rev().take_while(u8::is_ascii_digit).count();
        let id: u64 = login[digits..].parse().ok()?;
        let user = self.user_by_id(id)?;
        (self.login(user) == login).then_some(user)
    }

    fn login_words(&self, u: UserRef) -> [&'static str; 2] {
        let id = self.user_id(u);
        let noun = pick(NOUNS, hash(&[self.seed, tag::LOGIN, id, 1]));
        let wave = match u {
            UserRef::Follower { channel, index } => self.channels[channel].followers.wave_of(index),
            _ => None,
        };
        match wave {
            Some(w) => [w.word, noun],
            None => [pick(ADJECTIVES, hash(&[self.seed, tag::LOGIN, id])), noun],
        }
    }

    /// The login of `u`: `<adjective><noun><id>` for users who are not broadcasters, so it decodes back.
    pub fn login(&self, u: UserRef) -> String {
        match u {
            UserRef::Broadcaster(k) => self.channels[k].login.clone(),
            _ => {
                let [a, b] = self.login_words(u);
                format!("{a}{b}{}", self.user_id(u))
            }
        }
    }

    /// The display name of `u`: its login, capitalised.
    pub fn display_name(&self, u: UserRef) -> String {
        match u {
            UserRef::Broadcaster(k) => self.channels[k].display_name.clone(),
            _ => seed::display_name(&self.login_words(u), &self.user_id(u).to_string()),
        }
    }

    /// Everything Get Users reports about `u`.
    pub fn user(&self, u: UserRef) -> UserFacts {
        let id = self.user_id(u);
        let h = hash(&[self.seed, tag::PROFILE, id]);
        let default_picture = format!(
            "https://static-cdn.jtvnw.net/user-default-pictures-uv/{}-profile_image-300x300.png",
            seed::uuid(h % 7)
        );
        let custom_picture = format!(
            "https://static-cdn.jtvnw.net/jtv_user_pictures/{}-profile_image-300x300.png",
            seed::uuid(h)
        );
        let (broadcaster_type, description, profile_image_url, offline_image_url, created_at) = match u {
            UserRef::Broadcaster(k) => {
                let ch = &self.channels[k];
                let offline = format!(
                    "https://static-cdn.jtvnw.net/jtv_user_pictures/{}-channel_offline_image-1920x1080.png",
                    seed::uuid(!h)
                );
                (
                    ch.broadcaster_type,
                    ch.description.clone(),
                    custom_picture,
                    offline,
                    ch.created_at,
                )
            }
            UserRef::Follower { channel, index } => {
                let created = self.follower_created_at(channel, index);
                let btype = if h.is_multiple_of(40) { "affiliate" } else { "" };
                let picture = if h % 10 < 3 { custom_picture } else { default_picture };
                (btype, String::new(), picture, String::new(), created)
            }
            UserRef::Other(j) => {
                let followed = self.other_followed_at(j);
                let created = TWITCH_LAUNCH + (h % (followed - TWITCH_LAUNCH - DAY) as u64) as i64;
                let btype = if h.is_multiple_of(3) { "affiliate" } else { "" };
                (
                    btype,
                    "just a small streamer".to_owned(),
                    custom_picture,
                    String::new(),
                    created,
                )
            }
        };
        UserFacts {
            id,
            login: self.login(u),
            display_name: self.display_name(u),
            broadcaster_type,
            description,
            profile_image_url,
            offline_image_url,
            created_at,
        }
    }

    /// Channel information of any user: a broadcaster's is stored, an "other" user's is derived, and a
    /// follower's channel was never used (empty title and game, as Twitch reports it).
    pub fn channel_info(&self, u: UserRef) -> ChannelFacts {
        match u {
            UserRef::Broadcaster(k) => {
                let ch = &self.channels[k];
                ChannelFacts {
                    language: ch.language,
                    game: Some(ch.game),
                    title: ch.title.clone(),
                    tags: ch.tags.clone(),
                    labels: ch.labels.clone(),
                }
            }
            UserRef::Other(j) => {
                let h = hash(&[self.seed, tag::OTHER, j as u64]);
                let game = pick(GAMES, h);
                ChannelFacts {
                    language: pick(LANGUAGES, h >> 8),
                    game: Some(game),
                    title: title_for(game, h >> 16),
                    tags: vec![pick(TAGS, h >> 24)],
                    labels: Vec::new(),
                }
            }
            UserRef::Follower { .. } => ChannelFacts {
                language: "en",
                game: None,
                title: String::new(),
                tags: Vec::new(),
                labels: Vec::new(),
            },
        }
    }

    /// The channel index of a broadcaster user, if `u` is one.
    pub fn channel_of(&self, u: UserRef) -> Option<usize> {
        match u {
            UserRef::Broadcaster(k) => Some(k),
            _ => None,
        }
    }

    /// Whether `u` moderates channel `c` (the broadcaster counts, as Twitch's rules for these endpoints do).
    pub fn can_moderate(&self, u: UserRef, c: usize) -> bool {
        match u {
            UserRef::Broadcaster(k) => k == c,
            UserRef::Follower { channel, index } => channel == c && self.channels[c].moderators.contains(&index),
            UserRef::Other(_) => false,
        }
    }

    // ---- followers ----

    /// The user at follower position `index` of channel `c`.
    pub fn follower(&self, c: usize, index: u64) -> UserRef {
        let ch = &self.channels[c];
        if ch.cross == Some(index) {
            UserRef::Broadcaster(0)
        } else {
            let index = ch.followers.refollows.get(&index).copied().unwrap_or(index);
            UserRef::Follower { channel: c, index }
        }
    }

    /// When follower `index` of channel `c` followed.
    pub fn followed_at(&self, c: usize, index: u64) -> i64 {
        self.channels[c].followers.time(self.seed, c, index)
    }

    /// Account creation time of follower `index` of channel `c`: before the follow, by minutes to years; a
    /// bot wave's accounts minutes apart just before their wave.
    fn follower_created_at(&self, c: usize, index: u64) -> i64 {
        let f = &self.channels[c].followers;
        if let Some(w) = f.wave_of(index) {
            return w.t_start - w.lead - (w.len - (index - w.start)) as i64 * w.gap;
        }
        let followed = f.time(self.seed, c, index);
        let h = hash(&[self.seed, tag::AGE, c as u64, index]);
        // At least ten minutes old at the follow, and never older than Twitch. One follow in ten comes from an
        // account under a month old; the rest spread over every age.
        let span = followed - TWITCH_LAUNCH - 600;
        let young = (30 * DAY).min(span);
        let age = (h >> 8) as i64 % if h.is_multiple_of(10) { young } else { span };
        followed - 600 - age
    }

    /// Follower positions served newest first, starting below `before` (exclusive; `None` is the top), skipping
    /// unfollowed ones. Returns the page and the position to continue from, if anything is left.
    pub fn follower_page(&self, c: usize, before: Option<u64>, first: usize) -> (Vec<u64>, Option<u64>) {
        let f = &self.channels[c].followers;
        let mut pos = before.unwrap_or(u64::MAX).min(f.count());
        let mut page = Vec::with_capacity(first);
        while page.len() < first && pos > 0 {
            work::step();
            pos -= 1;
            if !f.removed.contains(&pos) {
                page.push(pos);
            }
        }
        let more = f.removed.range(..pos).count() < pos as usize;
        (page, more.then_some(pos))
    }

    /// Current follower total of channel `c`.
    pub fn follower_total(&self, c: usize) -> u64 {
        let f = &self.channels[c].followers;
        f.count() - f.removed.len() as u64
    }

    /// Whether `u` follows channel `c`, and since when.
    pub fn follows(&self, u: UserRef, c: usize) -> Option<i64> {
        let f = &self.channels[c].followers;
        let index = match u {
            UserRef::Follower { channel, index } if channel == c => f.latest.get(&index).copied().unwrap_or(index),
            UserRef::Broadcaster(0) => self.channels[c].cross?,
            _ => return None,
        };
        let removed = f.removed.contains(&index);
        (!removed).then(|| self.followed_at(c, index))
    }

    /// When the largest channel's broadcaster followed "other" user `j`.
    fn other_followed_at(&self, j: u32) -> i64 {
        let from = self.channels[0].created_at + 30 * DAY;
        from + (hash(&[self.seed, tag::OTHER, j as u64, 1]) % (CLOCK_START - from) as u64) as i64
    }

    /// The channels `u` follows with follow times, newest first.
    pub fn followed_by(&self, u: UserRef) -> Vec<(UserRef, i64)> {
        let mut out: Vec<(UserRef, i64)> = match u {
            UserRef::Broadcaster(0) => (1..self.channels.len())
                .filter_map(|c| Some((UserRef::Broadcaster(c), self.follows(u, c)?)))
                .chain((0..self.others).map(|j| (UserRef::Other(j), self.other_followed_at(j))))
                .collect(),
            UserRef::Follower { channel, .. } => self
                .follows(u, channel)
                .map(|t| (UserRef::Broadcaster(channel), t))
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        out.sort_unstable_by_key(|(_, t)| std::cmp::Reverse(*t));
        out
    }

    // ---- streams and chatters ----

    /// Viewers of channel `c`'s stream now: a share of its followers that drifts every ten minutes of clock.
    pub fn viewer_count(&self, c: usize) -> u64 {
        let Some(stream) = self.channels[c].stream else {
            return 0;
        };
        let base = (self.follower_total(c) / 100).max(2);
        let h = hash(&[self.seed, tag::VIEWERS, stream.id, (self.now / 600) as u64]);
        base * (70 + h % 60) / 100
    }

    /// Users in channel `c`'s chat now: about 250 while live (broadcaster, moderators, followers), a few
    /// lurkers when offline. Changes with each hour of clock.
    pub fn chatters(&self, c: usize) -> Vec<UserRef> {
        let ch = &self.channels[c];
        let live = ch.stream.is_some();
        let want = if live { 250 } else { 12 };
        let mut out = Vec::with_capacity(want);
        if live {
            out.push(UserRef::Broadcaster(c));
        }
        out.extend(ch.moderators.iter().map(|&i| self.follower(c, i)));
        let count = ch.followers.count();
        let active = self.follower_total(c) as usize;
        let target = want.min(out.len() + active);
        let mut seen: HashSet<u64> = ch.moderators.iter().copied().collect();
        let hour = (self.now / 3600) as u64;
        let mut k = 0;
        while out.len() < target && k < 20 * want as u64 {
            let i = hash(&[self.seed, tag::CHATTERS, c as u64, hour, k]) % count;
            k += 1;
            if !ch.followers.removed.contains(&i) && seen.insert(i) {
                out.push(self.follower(c, i));
            }
        }
        out
    }

    // ---- advance ----

    /// Moves the clock and applies the changes of `a`; an unknown login is an error and changes nothing.
    pub fn advance(&mut self, a: &crate::Advance) -> Result<(), String> {
        let find = |login: &str| {
            self.channels
                .iter()
                .position(|c| c.login == login.to_ascii_lowercase())
                .ok_or_else(|| format!("unknown channel {login:?}"))
        };
        let c = a.channel.as_deref().map(find).transpose()?.unwrap_or(0);
        let live: Vec<usize> = a.go_live.iter().map(|l| find(l)).collect::<Result<_, _>>()?;
        let offline: Vec<usize> = a.go_offline.iter().map(|l| find(l)).collect::<Result<_, _>>()?;

        let from = self.now;
        self.now += 3600 * i64::from(a.hours.max(1));
        let to = self.now;
        let capacity = 1u64 << self.index_bits;

        let f = &mut self.channels[c].followers;
        let added = a.new_followers.min(capacity - f.count());
        // Who follows again: users whose latest follow ended, chosen before this step's unfollows.
        let mut again = f.unfollowed_users();
        again.shuffle(&mut self.rng);
        again.truncate(a.refollows.min(capacity - f.count() - added) as usize);
        if added + again.len() as u64 > 0 {
            let start = f.count();
            f.batches.push(Batch {
                start,
                count: added + again.len() as u64,
                from,
                to,
            });
            // The newest positions of the step are the re-follows.
            for (k, user) in again.into_iter().enumerate() {
                let position = start + added + k as u64;
                f.refollows.insert(position, user);
                f.latest.insert(user, position);
            }
        }
        self.unfollow(c, a.unfollows);

        let mut rng = std::mem::replace(&mut self.rng, StdRng::seed_from_u64(0));
        // Deletions pick among the videos that existed before this step.
        let mut alive: Vec<usize> = self
            .videos
            .iter()
            .enumerate()
            .filter(|(_, v)| v.channel == c && !v.deleted)
            .map(|(i, _)| i)
            .collect();
        alive.shuffle(&mut rng);
        for &i in alive.iter().take(a.deleted_videos as usize) {
            self.videos[i].deleted = true;
        }
        for k in 0..a.new_videos {
            let t = from + (to - from) * i64::from(k + 1) / i64::from(a.new_videos + 1);
            let kind = if rng.random_range(0..5) == 0 {
                VideoKind::Highlight
            } else {
                VideoKind::Archive
            };
            let v = self.new_video(
                c,
                kind,
                t,
                Some(rng.random_range(600..((to - t) as u32).max(601))),
                &mut rng,
            );
            self.videos.push(v);
        }
        self.add_clips(c, a.new_clips, from, to);
        for k in offline {
            if let Some(s) = self.channels[k].stream.take() {
                // Ending a stream leaves its archive, with the ids taken when the stream started (the ones
                // `new_video` draws are skipped, like ids of other channels' videos).
                let dur = (to - s.started_at).max(60) as u32;
                let mut v = self.new_video(k, VideoKind::Archive, s.started_at, Some(dur), &mut rng);
                v.id = s.video_id;
                v.stream_id = Some(s.id);
                v.title = self.channels[k].title.clone();
                let at = self.videos.partition_point(|x| x.id < v.id);
                self.videos.insert(at, v);
            }
        }
        for k in live {
            if self.channels[k].stream.is_none() {
                self.start_stream(k, to - rng.random_range(60..1800));
            }
        }
        self.rng = rng;
        Ok(())
    }

    /// Marks `n` current followers of channel `c` (never the largest broadcaster) as unfollowed.
    fn unfollow(&mut self, c: usize, n: u64) {
        let ch = &mut self.channels[c];
        let cross = ch.cross;
        let f = &mut ch.followers;
        let eligible = |f: &Followers, i: u64| !f.removed.contains(&i) && cross != Some(i);
        let active = f.count() - f.removed.len() as u64 - u64::from(cross.is_some());
        let n = n.min(active);
        if n * 4 >= active {
            // Few left: list them rather than hunt for them at random.
            let mut left: Vec<u64> = (0..f.count()).filter(|&i| eligible(f, i)).collect();
            left.shuffle(&mut self.rng);
            f.removed.extend(left.into_iter().take(n as usize));
            return;
        }
        let mut done = 0;
        while done < n {
            let i = self.rng.random_range(0..f.count());
            if eligible(f, i) {
                f.removed.insert(i);
                done += 1;
            }
        }
    }
}

impl Followers {
    /// The users (by their first position) whose latest follow ended, in position order.
    fn unfollowed_users(&self) -> Vec<u64> {
        self.removed
            .iter()
            .map(|&p| self.refollows.get(&p).copied().unwrap_or(p))
            .filter(|user| self.latest.get(user).is_none_or(|&p| self.removed.contains(&p)))
            .collect::<BTreeSet<u64>>()
            .into_iter()
            .collect()
    }

    /// Positions ever used, unfollowed ones included.
    pub fn count(&self) -> u64 {
        self.initial + self.batches.iter().map(|b| b.count).sum::<u64>()
    }

    fn wave_of(&self, i: u64) -> Option<&Wave> {
        let w = &self.waves[..self.waves.partition_point(|w| w.start <= i)].last()?;
        (i < w.start + w.len).then_some(*w)
    }

    /// The follow time of an initial follower outside waves: `since + span * sqrt(i / initial)`, so follows come
    /// faster as the channel grows, with a sub-position jitter that keeps times increasing with `i`.
    fn base_time(&self, seed: u64, c: usize, i: u64) -> i64 {
        let jitter = hash(&[seed, tag::JITTER, c as u64, i]) & 0xf_ffff;
        let x = u128::from((i << 20) | jitter);
        let root = ((x << 20) / u128::from(self.initial)).isqrt();
        let span = (self.until - self.since) as u128;
        self.since + ((span * root) >> 20) as i64
    }

    fn time(&self, seed: u64, c: usize, i: u64) -> i64 {
        work::step();
        if i >= self.initial {
            let b = &self.batches[self.batches.partition_point(|b| b.start <= i) - 1];
            let jitter = u128::from(hash(&[seed, tag::JITTER, c as u64, i]) & 0xf_ffff);
            let x = (u128::from(i - b.start) << 20) | jitter;
            return b.from + 1 + ((b.to - b.from - 1) as u128 * x / (u128::from(b.count) << 20)) as i64;
        }
        match self.wave_of(i) {
            Some(w) => w.t_start + (i - w.start) as i64 * w.step_ms / 1000,
            None => self.base_time(seed, c, i),
        }
    }
}

fn title_for(game: Game, h: u64) -> String {
    pick(TITLES, h)
        .replace("{game}", game.name)
        .replace("{n}", &(h % 300 + 1).to_string())
}
