//! A fake Twitch (Helix, id.twitch.tv OAuth, GQL chat replay, IRC chat with NAMES lists and live messages,
//! control endpoints) for tests, benchmarks and demos.
//!
//! It sits beside the client in the data flow: the client talks to it exactly as it talks to Twitch, through
//! `TWITCH_HELIX_URL`, `TWITCH_OAUTH2_URL`, `TWITCH_GQL_URL` and `TWITCH_IRC_URL`. The world is computed from a seed and a mock clock
//! (see `seed.rs` and `world.rs`), so the same seed always serves the same channels, followers, videos and chat,
//! and a channel with a million followers (or a video with 200,000 comments) costs no more memory than one with
//! ten: each follower and each comment is derived from its position (`chat_replay.rs`).
//!
//! Its JSON is written here from the Twitch reference shapes, never from the client's types, so a client bug
//! cannot hide behind a fake with the same bug. Start one with [`MockServer::start`]; `itch mock-api` runs one
//! standalone.
//!
//! Where it differs from twitch-cli's mock on purpose: ratelimit headers and real 429s, total-only follower
//! lists for tokens without moderator rights, `pagination: {}` on the last page, a device-code flow, and
//! injectable faults.
//!
//! Layout (file names follow the client's, so `helix/followers.rs` here answers `src/client/helix/followers.rs`
//! there):
//! - `server.rs`: the router, the Helix pipeline and the `/_mock` controls; `responses.rs`: the response builders
//!   every pipeline shares.
//! - `helix/`: one handler file per Helix resource; `gql/`: the GQL pipeline, `gql/comments.rs` the chat replay
//!   operation; `oauth.rs`: id.twitch.tv; `irc.rs`: chat over TCP (one connection), `irc_rooms.rs`: the rooms
//!   (readers, what they said), `irc_clock.rs`: the clock that makes them talk, `irc_events.rs`: each line a
//!   room says, in Twitch's shapes.
//! - `seed.rs`, `world.rs`, `chat_replay.rs`: the world computed from the seed (channels, followers, videos, and
//!   every video's comments); `cursor.rs`: pagination cursors.
//! - `state.rs`, `tokens.rs`, `ratelimit.rs`, `faults.rs`, `query.rs`, `errors.rs`: what a request meets on the
//!   way (shared state, tokens, buckets, injected faults, query parsing, error bodies).

mod chat_replay;
mod clip_data;
mod clips;
mod cursor;
mod errors;
mod faults;
mod gql;
mod helix;
mod irc;
mod irc_clock;
mod irc_events;
mod irc_rooms;
mod oauth;
mod query;
mod ratelimit;
mod responses;
mod schedule;
mod seed;
mod server;
mod state;
mod subscriptions;
mod tokens;
mod world;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

pub use clips::MockClip;
pub use schedule::{MockSegment, ScheduleEdit};
pub use server::MockServer;
pub use subscriptions::SubsEdit;

/// Everything a [`MockServer`] needs to build its world and police its clients.
#[derive(Clone)]
pub struct MockConfig {
    /// Seed of the world: same seed, same channels, followers, videos and tokens.
    pub seed: u64,
    /// Number of broadcasters (1..=1000). Channel 0 is the largest.
    pub channels: usize,
    /// Followers of channel 0; channel k has `followers / 10^k`, at least 5.
    pub followers: u64,
    /// Videos per channel at start.
    pub videos: u32,
    /// Clips per channel at start (Get Clips); a benchmark asks for 20,000.
    pub clips: u32,
    /// The only client id the fake accepts.
    pub client_id: String,
    /// The secret that goes with `client_id`.
    pub client_secret: String,
    /// Capacity of each rate-limit bucket (one per client id and user, or app).
    pub bucket_size: u32,
    /// Points refilled per minute, continuously.
    pub refill_per_minute: u32,
    /// Delay added to every Helix and OAuth request.
    pub latency: Duration,
    /// Shares of Helix requests that fail, drawn per request.
    pub faults: FaultPlan,
    /// Lifetime of every access token it mints.
    pub token_ttl: Duration,
    /// The client id GQL accepts for chat replay (Twitch's first-party `kd1unb...`). The web client's id
    /// `kimne78...` is accepted too, but fails cursor requests with `failed integrity check`, as Twitch has
    /// since 2023-05.
    pub gql_client_id: String,
    /// Comments of the largest channel's newest archive video at start. Other videos get about 3 per minute of
    /// chat.
    pub comments: u64,
    /// Live chat lines per second in each joined room (see [`MockServer::irc_rate`]).
    pub irc_rate: u32,
    /// Rooms say nothing, only PING comes (see [`MockServer::irc_quiet`]).
    pub irc_quiet: bool,
    /// How often each chat connection gets `PING :tmi.twitch.tv`; zero never.
    pub irc_ping_every: Duration,
    /// Every this-many-th follower of each channel is an account Get Users leaves out (as Twitch does for one
    /// suspended or deleted after a follower page named it), while the follower lists still name it; zero for
    /// none.
    pub gone_every: u64,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            seed: 0,
            channels: 3,
            followers: 1000,
            videos: 30,
            clips: 40,
            client_id: "itchmockclientid00000000000000".to_owned(),
            client_secret: "itchmocksecret0000000000000000".to_owned(),
            bucket_size: 800,
            refill_per_minute: 800,
            latency: Duration::ZERO,
            faults: FaultPlan::default(),
            token_ttl: Duration::from_secs(4 * 3600),
            gql_client_id: GQL_CLIENT_ID.to_owned(),
            comments: 2000,
            irc_rate: 100,
            irc_quiet: false,
            irc_ping_every: Duration::from_secs(30),
            gone_every: 0,
        }
    }
}

/// The first-party client id every maintained chat downloader sends to GQL (observed, 2023-05 to 2026).
pub const GQL_CLIENT_ID: &str = "kd1unb4b3q4t58fwlpcbzcbnm76a8fp";

/// The Twitch web client's id: GQL still answers offset requests with it, but not cursor requests (observed).
pub const WEB_CLIENT_ID: &str = "kimne78kx3ncx6brgo4mv6wki5h1ko";

/// The persisted-query hash of `VideoCommentsByOffsetOrCursor`, stable since at least 2022-10 (observed).
pub const COMMENTS_QUERY_HASH: &str = "b70a3591ff0f4e0313d126c6a1502d79a1c02baebb288227c582044aa76adf6a";

/// The persisted-query hash of `VideoPlayer_ChapterSelectButtonVideo` that TwitchDownloader and other current
/// clients send (observed 2025-2026; it rotated before, from `8d279338...`). See [`MockServer::refuse_chapters`].
pub const CHAPTERS_QUERY_HASH: &str = "71835d5ef425e154bf282453a926d99b328cdc5e32f36d3a209d0f4778b41203";

pub use gql::MockChapter;

// Hand-written so a config printed in a log never shows the secret, as everywhere else in itch.
impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("seed", &self.seed)
            .field("channels", &self.channels)
            .field("followers", &self.followers)
            .field("videos", &self.videos)
            .field("clips", &self.clips)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("bucket_size", &self.bucket_size)
            .field("refill_per_minute", &self.refill_per_minute)
            .field("latency", &self.latency)
            .field("faults", &self.faults)
            .field("token_ttl", &self.token_ttl)
            .field("gql_client_id", &self.gql_client_id)
            .field("comments", &self.comments)
            .field("irc_rate", &self.irc_rate)
            .field("irc_quiet", &self.irc_quiet)
            .field("irc_ping_every", &self.irc_ping_every)
            .finish()
    }
}

/// Shares (0.0..=1.0) of Helix and GQL requests that fail, each drawn per request from a seeded RNG.
///
/// The shares are tried in field order on one uniform draw, so their sum should stay at or below 1.
/// `gql_service_error` is drawn on `/gql` requests only.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct FaultPlan {
    /// Answer 500, 502 or 503 with a Helix error body.
    pub server_error: f64,
    /// Close the connection before any response byte: the client sees a transport error.
    pub reset: f64,
    /// Send the status and half the body, then break the connection.
    pub truncate: f64,
    /// Send a complete response whose body is not valid JSON.
    pub malformed: f64,
    /// Delay the response by `slow_ms`, then answer normally.
    pub slow: f64,
    /// Delay of a slow response, in milliseconds.
    pub slow_ms: u64,
    /// GQL only: answer `comments: null` with an in-band `service error` (see [`Fault::GqlServiceError`]).
    pub gql_service_error: f64,
}

/// One forced failure for [`MockServer::fail_next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Answer with this status (e.g. 500, 503) and a Helix error body.
    ServerError(u16),
    /// Close the connection before any response byte.
    Reset,
    /// Send the status and half the body, then break the connection.
    Truncate,
    /// Send a complete response whose body is not valid JSON.
    Malformed,
    /// Answer 429 as if the bucket were empty (`Ratelimit-Reset` one second ahead; no headers on GQL).
    RateLimit,
    /// GQL only: HTTP 200 with `data.video.comments: null` and `errors: [{"message":"service error"}]`, the
    /// transient failure chat downloaders retry. Helix requests pass it by and leave it queued.
    GqlServiceError,
    /// GQL only: HTTP 200 with `failed integrity check` and `extensions.challenge.type: "integrity"`, whatever
    /// the client id. Helix requests pass it by and leave it queued.
    GqlIntegrity,
    // Issue 11, item 9 (h/authchat): answers that once ended a chat replay silently or marked a video gone.
    /// GQL only: the page as usual, `hasNextPage` included, but its edges carry no `cursor` key.
    GqlCursorMissing,
    /// GQL only: the page as usual, but every edge's `cursor` is `null`.
    GqlCursorNull,
    /// GQL only: the page as usual, but every edge's `cursor` is `""`.
    GqlCursorEmpty,
    /// GQL only: the page as usual, but every edge carries the cursor the request came with, so paging would
    /// never move (an offset request has none to repeat: its edges carry no cursor, as [`Fault::GqlCursorMissing`]).
    GqlCursorRepeated,
    /// GQL only: `data.video: null` (what a deleted video gets) for a video that exists.
    GqlVideoNull,
    /// GQL only: `data: {}`, no `video` at all, as if another query had been answered.
    GqlNoVideo,
    /// GQL only: `data: null` with `errors: [{"message":"service unavailable"}]`.
    GqlDataNull,
}

impl Fault {
    /// Whether only `/gql` requests can take this fault.
    pub(crate) fn gql_only(self) -> bool {
        matches!(
            self,
            Fault::GqlServiceError
                | Fault::GqlIntegrity
                | Fault::GqlCursorMissing
                | Fault::GqlCursorNull
                | Fault::GqlCursorEmpty
                | Fault::GqlCursorRepeated
                | Fault::GqlVideoNull
                | Fault::GqlNoVideo
                | Fault::GqlDataNull
        )
    }
}

/// Answers of the fake id.twitch.tv that Twitch gives for some tokens, switched on for every request while set
/// (issue 11, item 10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OAuthQuirks {
    /// `/validate` answers `expires_in: 0`, as Twitch does for tokens that never expire.
    pub validate_expires_in_zero: bool,
    /// `/validate` answers without `login` and `user_id`, whatever the token (as for an app token).
    pub validate_without_user: bool,
    /// A refresh without `client_secret` is refused with 400 `missing client secret`, as Twitch refuses it for
    /// a confidential client.
    pub refresh_requires_secret: bool,
}

/// A step of the world's clock, with the changes that happened during it.
///
/// Followers and videos change on `channel` (a login), or on the largest channel when it is `None`.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Advance {
    /// Followers added at the top of the list, followed during the step.
    pub new_followers: u64,
    /// Existing followers (chosen by the seeded RNG) that unfollow.
    pub unfollows: u64,
    /// Earlier unfollowers (chosen by the seeded RNG, before this step's unfollows) that follow again, with a
    /// new `followed_at` at the top of the list, as Twitch shows a re-follow.
    pub refollows: u64,
    /// Videos published during the step.
    pub new_videos: u32,
    /// Existing videos (chosen by the seeded RNG) that are deleted.
    pub deleted_videos: u32,
    /// Clips made during the step (of the live stream, if the channel is live).
    pub new_clips: u32,
    /// Logins of channels that start streaming at the end of the step.
    pub go_live: Vec<String>,
    /// Logins of channels that stop streaming; each ended stream leaves an archive video.
    pub go_offline: Vec<String>,
    /// Length of the step in hours; 0 means 1.
    pub hours: u32,
    /// Login of the channel whose followers and videos change; `None` is the largest channel.
    pub channel: Option<String>,
}

/// A broadcaster of the fake world, as the controls report it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MockChannel {
    /// Twitch user id (digits).
    pub id: String,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Current follower total (what Get Channel Followers reports as `total`).
    pub followers: u64,
}

/// Request counters since the start or the last [`MockServer::reset_stats`].
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct MockStats {
    /// Every HTTP request, whatever its path.
    pub requests: u64,
    /// Requests under `/helix/`.
    pub helix_requests: u64,
    /// Requests to `/gql` (one per HTTP request, however many operations it batches).
    pub gql_requests: u64,
    /// 429 responses sent, from an empty bucket or forced with [`Fault::RateLimit`].
    pub rate_limited: u64,
    /// Injected faults (drawn or forced), including forced 429s and slow responses.
    pub faults: u64,
    /// Requests per path, e.g. `/helix/users`.
    pub by_path: BTreeMap<String, u64>,
    /// GQL operations answered, by `operationName` (a batched POST counts each of its operations).
    pub gql_operations: BTreeMap<String, u64>,
    /// Time the fake spent answering Helix and GQL requests, latency and slow faults left out, in
    /// microseconds: the fake's own share of a benchmark (HTTP parsing and writing by the server not included).
    pub busy_micros: u64,
}

/// Lines a chat room (IRC) sent since the server started, by command, from [`MockServer::irc_sent`]: what the
/// room said (counted when said, whoever was reading) and the lines injected into it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IrcSent {
    /// The room's own chat messages.
    pub privmsg: u64,
    /// Chat messages of another room relayed into this one (Shared Chat, see [`MockServer::share_chat`]).
    pub shared: u64,
    /// Subs, gifts (each gift of a gift bomb counts), raids, announcements and other events.
    pub usernotice: u64,
    /// Events of another room relayed into this one (`msg-id=sharedchatnotice`, Shared Chat).
    pub shared_usernotice: u64,
    /// Timeouts, bans and whole-chat clears.
    pub clearchat: u64,
    /// Deleted messages.
    pub clearmsg: u64,
    /// Mode changes (JOIN's full ROOMSTATE is not counted: it goes to one connection, not the room).
    pub roomstate: u64,
    /// NOTICE lines injected.
    pub notice: u64,
    /// Any other injected line.
    pub other: u64,
}

/// A video of the fake world as the test helpers report it, with what its chat replay will serve.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MockVideo {
    /// Video id (digits).
    pub id: String,
    /// The channel's user id.
    pub user_id: String,
    /// `archive`, `highlight` or `upload`.
    pub video_type: String,
    /// RFC3339, UTC, whole seconds (as Get Videos reports it).
    pub created_at: String,
    /// The reported duration.
    pub duration_seconds: u64,
    /// Comments its chat replay serves, null-commenter ones included (0 served once `deleted`).
    pub comments: u64,
    /// Deleted videos answer `video: null` on GQL and vanish from Get Videos.
    pub deleted: bool,
    /// Every comment offset is below this. Larger than `duration_seconds` for videos whose chat outlasts their
    /// reported duration (up to ~10% more).
    pub chat_end_seconds: u64,
    /// How far each comment's `createdAt` is from the truth: `-25200` for the video that replays the
    /// April-2025 bug (local time labelled `Z`, 7 hours early), 0 otherwise.
    pub created_at_shift_seconds: i64,
}
