//! The conformance corpus: answers Twitch really sent (Helix, OAuth, GQL), kept in `tests/fixtures/real/` with
//! their provenance in the READMEs beside them. A local server on 127.0.0.1 replays each one byte for byte and
//! itch's own client reads it, through the same calls a sync makes; what a sync would store is then written to
//! a temporary archive to check no field Twitch sent is lost. An error body must come out as its own error with
//! Twitch's message.
//!
//! Every file in a corpus folder needs a row in that folder's table (and every row a file), so a new payload
//! without a test fails here. IRC lines are checked beside the parser, in `src/client/irc.rs`.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use itch::Error;
use itch::client::gql::chapters;
use itch::client::gql::comments::{self, CommentsPage};
use itch::client::helix::channels::{self, Channel};
use itch::client::helix::chatters::{self, Chatter};
use itch::client::helix::clips::{self, Clip};
use itch::client::helix::followers::{self, Follower};
use itch::client::helix::following::{self, FollowedChannel};
use itch::client::helix::games::{self, Game};
use itch::client::helix::schedule::{self, ScheduleRead};
use itch::client::helix::streams::{self, Stream};
use itch::client::helix::subscriptions::{self, Subscription};
use itch::client::helix::users::{self, User};
use itch::client::helix::videos::{self, Video, VideoType};
use itch::client::{Client, ClientConfig, Endpoints, GameId, Page, RetryPolicy, StoredToken, TokenStore, UserId};
use itch::secret::Secret;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---------------------------------------------------------------------------------------------------------
// The replay server: one answer per path, as stored.

#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
}

type Answers = Arc<Mutex<HashMap<String, Answer>>>;

async fn replay(State(answers): State<Answers>, uri: Uri) -> Response {
    let answer = answers.lock().unwrap().get(uri.path()).cloned();
    match answer {
        Some(a) => (
            StatusCode::from_u16(a.status).unwrap(),
            [("content-type", "application/json")],
            a.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, format!("no answer for {}", uri.path())).into_response(),
    }
}

/// A fake Twitch that answers each path with a stored body; everything else is a 404.
struct Replay {
    base: String,
    answers: Answers,
    _dir: tempfile::TempDir,
}

impl Replay {
    async fn start() -> Replay {
        let answers: Answers = Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(replay).with_state(answers.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let replay = Replay {
            base,
            answers,
            _dir: tempfile::tempdir().unwrap(),
        };
        // App tokens come from the reference example unless a case says otherwise.
        replay.answer("/oauth2/token", 200, &fixture("oauth", "token_app_reference.json"));
        replay
    }

    fn answer(&self, path: &str, status: u16, body: &[u8]) {
        let answer = Answer {
            status,
            body: body.to_vec(),
        };
        self.answers.lock().unwrap().insert(path.to_owned(), answer);
    }

    fn endpoints(&self) -> Endpoints {
        let b = &self.base;
        Endpoints::parse(&format!("{b}/helix/"), &format!("{b}/oauth2/"), &format!("{b}/gql")).unwrap()
    }

    /// A client with app credentials (it mints app tokens at `/oauth2/token`), retrying fast and waiting out
    /// no 429.
    fn client(&self) -> Client {
        self.client_with(None)
    }

    fn client_with(&self, store: Option<TokenStore>) -> Client {
        Client::new(ClientConfig {
            endpoints: self.endpoints(),
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("secret")),
            token_store: store,
            retry: RetryPolicy {
                max_retries: 1,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
                max_rate_limited: 0,
                timeout: Duration::from_secs(10),
            },
            ..ClientConfig::default()
        })
        .unwrap()
    }

    /// A client logged in as a user whose stored token has a refresh token, so a 401 makes it refresh.
    fn user_client(&self) -> Client {
        let store = TokenStore::new(self._dir.path().join("token.json"));
        store
            .save(&StoredToken {
                client_id: "cid".into(),
                access_token: Secret::new("user-access"),
                refresh_token: Some(Secret::new("user-refresh")),
                login: Some("someone".into()),
                user_id: Some("1".into()),
                scopes: vec![],
                expires_at: None,
            })
            .unwrap();
        self.client_with(Some(store))
    }
}

fn corpus(folder: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real")
        .join(folder)
}

fn fixture(folder: &str, file: &str) -> Vec<u8> {
    std::fs::read(corpus(folder).join(file)).unwrap_or_else(|e| panic!("{folder}/{file}: {e}"))
}

/// Every file of `folder` (but its README) has a row, and every row a file.
fn assert_table_covers_folder(folder: &str, rows: &[&str]) {
    let files: BTreeSet<String> = std::fs::read_dir(corpus(folder))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "README.md")
        .collect();
    let listed: BTreeSet<String> = rows.iter().map(|s| s.to_string()).collect();
    let untested: Vec<_> = files.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&files).collect();
    assert!(
        untested.is_empty(),
        "{folder}: files without an expectation: {untested:?}"
    );
    assert!(missing.is_empty(), "{folder}: expectations without a file: {missing:?}");
    let readme = std::fs::read_to_string(corpus(folder).join("README.md")).expect("a README.md with provenance");
    for file in &files {
        assert!(
            readme.contains(file.as_str()),
            "{folder}/README.md does not list {file}"
        );
    }
}

/// The data items of a stored Helix page, as Twitch sent them.
fn items(file: &str) -> Vec<Value> {
    let page: Value = serde_json::from_slice(&fixture("helix", file)).unwrap();
    page["data"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------------------------------------
// The archive side: what a sync stores of each item, read back.

struct Archive {
    _dir: tempfile::TempDir,
    conn: rusqlite::Connection,
    run: i64,
}

const NOW: &str = "2026-12-01T00:00:00Z";

/// Seen at `NOW` by `run`.
fn stamp(run: i64) -> itch::archive::Stamp {
    itch::archive::Stamp { seen_at: now(), run }
}

/// `NOW` as the archive's time type.
fn now() -> itch::archive::Timestamp {
    itch::archive::Timestamp::from(NOW.parse::<DateTime<Utc>>().unwrap())
}

impl Archive {
    fn new() -> Archive {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = itch::archive::open(&dir.path().join("itch.db")).unwrap();
        let tx = conn.transaction().unwrap();
        let run = itch::archive::runs::save_run_start(&tx, "test", &now()).unwrap();
        tx.commit().unwrap();
        Archive { _dir: dir, conn, run }
    }

    fn write(&mut self, f: impl FnOnce(&rusqlite::Transaction<'_>, i64)) {
        let tx = self.conn.transaction().unwrap();
        f(&tx, self.run);
        tx.commit().unwrap();
    }

    fn text(&self, sql: &str, key: &str) -> Option<String> {
        self.conn.query_row(sql, [key], |r| r.get(0)).unwrap()
    }

    fn raw_json(&self, table: &str, key_column: &str, key: &str) -> Value {
        let text = self
            .text(&format!("SELECT raw_json FROM {table} WHERE {key_column} = ?1"), key)
            .unwrap_or_else(|| panic!("{table} {key} has no raw_json"));
        serde_json::from_str(&text).unwrap()
    }

    /// A table that keeps the whole item in `raw_json` must give back exactly what Twitch sent.
    fn assert_kept_whole(&self, table: &str, key_column: &str, raw: &Value) {
        let key = raw[key_column].as_str().unwrap();
        assert_eq!(
            &self.raw_json(table, key_column, key),
            raw,
            "{table} {key}: raw_json differs"
        );
    }
}

/// Saves users as Get Users hydration does, then checks every field Twitch sent is in a typed column (the same
/// value) or in `raw_json` (the same value).
fn assert_users_kept(found: &[(User, Value)]) {
    let mut archive = Archive::new();
    archive.write(|tx, run| itch::archive::users::save_users(tx, found, &stamp(run)).unwrap());
    let columns = [
        ("id", "id"),
        ("login", "login"),
        ("display_name", "display_name"),
        ("type", "user_type"),
        ("broadcaster_type", "broadcaster_type"),
        ("description", "description"),
        ("profile_image_url", "profile_image_url"),
        ("offline_image_url", "offline_image_url"),
        ("created_at", "created_at"),
    ];
    for (_, raw) in found {
        let id = raw["id"].as_str().unwrap();
        let rest = archive.raw_json("users", "id", id);
        for (field, value) in raw.as_object().unwrap() {
            if let Some((_, column)) = columns.iter().find(|(f, _)| f == field) {
                let stored = archive
                    .text(&format!("SELECT {column} FROM users WHERE id = ?1"), id)
                    .unwrap_or_default();
                let sent = value.as_str().unwrap();
                if *field == "created_at" {
                    // The archive keeps times to the second (see the README: sub-second digits are dropped).
                    let sent: DateTime<Utc> = sent.parse().unwrap();
                    let stored: DateTime<Utc> = stored.parse().unwrap();
                    assert_eq!(stored.timestamp(), sent.timestamp(), "user {id}: created_at");
                } else {
                    assert_eq!(stored, sent, "user {id}: {field} in column {column}");
                }
            } else {
                assert_eq!(
                    rest.get(field),
                    Some(value),
                    "user {id}: {field} is in no column and not in raw_json"
                );
            }
        }
    }
}

/// The owners of what is saved next, as a partial user (the archive's foreign keys want them).
fn save_owner(tx: &rusqlite::Transaction<'_>, run: i64, id: &str, login: &str) {
    itch::archive::users::save_partial_users(tx, [(id, login, login)], &stamp(run)).unwrap();
}

// ---------------------------------------------------------------------------------------------------------
// Helix

/// The call a case makes.
#[derive(Clone, Copy, Debug)]
enum Call {
    Users,
    Videos,
    Streams,
    Channels,
    Games,
    Followers,
    Chatters,
    Followed,
    Schedule,
    Subscriptions,
    Clips,
}

impl Call {
    fn path(self) -> &'static str {
        match self {
            Call::Users => "/helix/users",
            Call::Videos => "/helix/videos",
            Call::Streams => "/helix/streams",
            Call::Channels => "/helix/channels",
            Call::Games => "/helix/games",
            Call::Followers => "/helix/channels/followers",
            Call::Chatters => "/helix/chat/chatters",
            Call::Followed => "/helix/channels/followed",
            Call::Schedule => "/helix/schedule",
            Call::Subscriptions => "/helix/subscriptions",
            Call::Clips => "/helix/clips",
        }
    }
}

/// What a call read.
enum Read {
    Users(Vec<(User, Value)>),
    Videos(Page<Video>),
    Streams(Vec<(Stream, Value)>),
    Channels(Vec<(Channel, Value)>),
    Games(Vec<(Game, Value)>),
    Followers(Page<Follower>),
    Chatters(Page<Chatter>),
    Followed(Page<FollowedChannel>),
    Schedule(Option<ScheduleRead>),
    Subscriptions(Page<Subscription>),
    Clips(Page<Clip>),
}

fn first<T>(page: Option<Page<T>>) -> Page<T> {
    page.expect("a first page")
}

async fn call(client: &Client, call: Call) -> itch::Result<Read> {
    let user = UserId::from("1");
    Ok(match call {
        Call::Users => Read::Users(users::fetch_users_by_id(client, std::slice::from_ref(&user)).await?),
        Call::Videos => Read::Videos(first(videos::videos(client, &user, VideoType::All).next_page().await?)),
        Call::Streams => Read::Streams(streams::fetch_streams(client, std::slice::from_ref(&user)).await?),
        Call::Channels => Read::Channels(channels::fetch_channels(client, std::slice::from_ref(&user)).await?),
        Call::Games => Read::Games(games::fetch_games(client, &[GameId::from("1")]).await?),
        Call::Followers => Read::Followers(first(followers::followers(client, &user).next_page().await?)),
        Call::Chatters => Read::Chatters(first(chatters::chatters(client, &user, &user).next_page().await?)),
        Call::Followed => Read::Followed(first(following::followed_channels(client, &user).next_page().await?)),
        Call::Subscriptions => {
            Read::Subscriptions(first(subscriptions::subscriptions(client, &user).next_page().await?))
        }
        Call::Clips => {
            let (from, to) = (
                "2023-06-01T00:00:00Z".parse().unwrap(),
                "2023-06-08T00:00:00Z".parse().unwrap(),
            );
            Read::Clips(first(
                clips::clips_in_window(client, &user, from, to).next_page().await?,
            ))
        }
        Call::Schedule => {
            Read::Schedule(schedule::fetch_schedule(client, &user, "2100-01-01T00:00:00Z".parse().unwrap()).await?)
        }
    })
}

/// What a stored Helix answer must come to.
enum Helix {
    /// A 200 read by `Call`, then checked.
    Reads(Call, fn(&str, Read)),
    /// An error body with its status, served for `Call`; the error must match.
    Fails(Call, u16, fn(&Error) -> bool),
}

const HELIX: &[(&str, Helix)] = &[
    ("users_alexelcapo_2023.json", Helix::Reads(Call::Users, check_users)),
    (
        "users_sodapoppin_summit1g_2018.json",
        Helix::Reads(Call::Users, check_users),
    ),
    ("videos_zeling_page_2023.json", Helix::Reads(Call::Videos, check_videos)),
    ("videos_muxfd_2021.json", Helix::Reads(Call::Videos, check_videos)),
    ("streams_cruciie_2023.json", Helix::Reads(Call::Streams, check_streams)),
    (
        "channels_bobito217_2023.json",
        Helix::Reads(Call::Channels, check_channels),
    ),
    ("games_minecraft_2018.json", Helix::Reads(Call::Games, check_games)),
    (
        "followers_reference.json",
        Helix::Reads(Call::Followers, check_followers),
    ),
    ("chatters_reference.json", Helix::Reads(Call::Chatters, check_chatters)),
    ("followed_reference.json", Helix::Reads(Call::Followed, check_followed)),
    ("schedule_reference.json", Helix::Reads(Call::Schedule, check_schedule)),
    (
        "subscriptions_reference.json",
        Helix::Reads(Call::Subscriptions, check_subscriptions),
    ),
    (
        "subscriptions_jasperdiscovers_2026.json",
        Helix::Reads(Call::Subscriptions, check_subscriptions_without_total),
    ),
    ("clips_zeling_page_2023.json", Helix::Reads(Call::Clips, check_clips)),
    (
        "clips_summit1g_2018.json",
        Helix::Reads(Call::Clips, check_clip_summit1g),
    ),
    (
        "clips_viafruity_2024.json",
        Helix::Reads(Call::Clips, check_clip_viafruity),
    ),
    (
        "error_400_videos_params.json",
        Helix::Fails(Call::Videos, 400, |e| {
            matches!(e, Error::Helix { status: 400, path, message, .. }
                if path == "videos" && message.starts_with("Must provide only one of the following query params"))
        }),
    ),
    (
        "error_400_invalid_cursor.json",
        Helix::Fails(Call::Followers, 400, |e| {
            matches!(e, Error::Helix { status: 400, path, message, .. }
                if path == "channels/followers" && message == "Invalid cursor.")
        }),
    ),
    (
        "error_401_invalid_oauth_token.json",
        // Refused again after a fresh app token: the 401's own message, and the path, never the token.
        Helix::Fails(
            Call::Users,
            401,
            |e| matches!(e, Error::Unauthorized { path, message } if path == "users" && message == "Invalid OAuth token"),
        ),
    ),
    (
        "error_429_request_limit_exceeded.json",
        Helix::Fails(Call::Streams, 429, |e| matches!(e, Error::GaveUp { status: 429, .. })),
    ),
];

fn check_users(file: &str, read: Read) {
    let Read::Users(found) = read else { unreachable!() };
    let sent = items(file);
    assert_eq!(found.len(), sent.len(), "{file}: every user read");
    for ((user, raw), sent) in found.iter().zip(&sent) {
        assert_eq!(raw, sent, "{file}: the raw item is what Twitch sent");
        assert_eq!(user.id.as_str(), sent["id"].as_str().unwrap());
        assert_eq!(user.login, sent["login"].as_str().unwrap());
        assert_eq!(user.broadcaster_type, "partner");
        assert_eq!(
            user.created_at,
            sent["created_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap()
        );
    }
    assert_users_kept(&found);
}

fn check_videos(file: &str, read: Read) {
    let Read::Videos(page) = read else { unreachable!() };
    let sent = items(file);
    assert_eq!(page.items.len(), sent.len(), "{file}: every video read");
    assert_eq!(page.raw, sent, "{file}: the raw items are what Twitch sent");
    for (video, sent) in page.items.iter().zip(&sent) {
        assert_eq!(video.id.as_str(), sent["id"].as_str().unwrap());
        assert_eq!(video.stream_id.as_ref().map(|s| s.as_str()), sent["stream_id"].as_str());
        assert!(video.muted_segments.is_empty(), "muted_segments: null reads as none");
        assert!(
            video.duration_seconds().is_some(),
            "{file}: duration {} reads",
            video.duration
        );
        assert_eq!(
            video.title,
            sent["title"].as_str().unwrap(),
            "titles with emoji survive"
        );
    }
    let pagination = serde_json::from_slice::<Value>(&fixture("helix", file)).unwrap()["pagination"].clone();
    assert_eq!(page.cursor.as_deref(), pagination["cursor"].as_str(), "{file}: cursor");
    let mut archive = Archive::new();
    archive.write(|tx, run| {
        for v in &page.items {
            save_owner(tx, run, v.user_id.as_str(), &v.user_login);
        }
        let saved: Vec<(Video, Value)> = page.items.iter().cloned().zip(page.raw.iter().cloned()).collect();
        let changes = itch::archive::videos::save_videos(tx, &saved, &stamp(run)).unwrap();
        assert_eq!(changes.new, saved.len() as u64);
    });
    for raw in &sent {
        archive.assert_kept_whole("videos", "id", raw);
        let id = raw["id"].as_str().unwrap();
        let seconds = archive.text("SELECT CAST(duration_seconds AS TEXT) FROM videos WHERE id = ?1", id);
        assert!(seconds.is_some(), "video {id}: duration_seconds stored");
    }
}

fn check_streams(file: &str, read: Read) {
    let Read::Streams(found) = read else { unreachable!() };
    let sent = items(file);
    assert_eq!(found.len(), sent.len());
    let (stream, raw) = &found[0];
    assert_eq!(raw, &sent[0]);
    assert_eq!(stream.tags.len(), 9, "tags read, tag_ids ([] since 2023) left in raw");
    assert_eq!((stream.viewer_count, stream.stream_type.as_str()), (68, "live"));
    let mut archive = Archive::new();
    archive.write(|tx, run| {
        save_owner(tx, run, stream.user_id.as_str(), &stream.user_login);
        itch::archive::streams::save_stream_snapshot(tx, stream, raw, &stamp(run)).unwrap();
    });
    archive.assert_kept_whole("streams", "id", raw);
}

fn check_channels(file: &str, read: Read) {
    let Read::Channels(found) = read else { unreachable!() };
    let sent = items(file);
    let (channel, raw) = &found[0];
    assert_eq!(raw, &sent[0]);
    assert_eq!(channel.tags, vec!["Русский".to_owned()]);
    assert_eq!(channel.title, "Escape From Tarkov / Страдания новичка");
    let mut archive = Archive::new();
    archive.write(|tx, run| {
        save_owner(tx, run, channel.broadcaster_id.as_str(), &channel.broadcaster_login);
        itch::archive::channels::save_channel(tx, channel, raw, &stamp(run)).unwrap();
    });
    archive.assert_kept_whole("channels", "broadcaster_id", raw);
}

fn check_games(file: &str, read: Read) {
    let Read::Games(found) = read else { unreachable!() };
    let (game, raw) = &found[0];
    assert_eq!(raw, &items(file)[0]);
    assert_eq!(
        (game.name.as_str(), game.igdb_id.as_str()),
        ("Minecraft", ""),
        "no igdb_id in 2018"
    );
    let mut archive = Archive::new();
    archive.write(|tx, _| itch::archive::games::save_games(tx, &found, &now()).unwrap());
    archive.assert_kept_whole("games", "id", raw);
}

fn check_followers(file: &str, read: Read) {
    let Read::Followers(page) = read else { unreachable!() };
    assert_eq!(page.total, Some(8), "{file}: total");
    assert_eq!(page.items[0].user_login, "userloginname");
    assert_eq!(page.cursor.as_deref(), Some("eyJiIjpudWxsLCJhIjp7Ik9mZnNldCI6NX19"));
}

fn check_chatters(file: &str, read: Read) {
    let Read::Chatters(page) = read else { unreachable!() };
    assert_eq!((page.total, page.items.len()), (Some(8), 1), "{file}");
    assert_eq!(page.items[0].user_login, "smittysmithers");
}

fn check_followed(file: &str, read: Read) {
    let Read::Followed(page) = read else { unreachable!() };
    assert_eq!(page.total, Some(8), "{file}");
    assert_eq!(page.items[0].broadcaster_login, "basketweaver101");
}

/// `total` and `points` at the top level; a gift names its gifter.
fn check_subscriptions(file: &str, read: Read) {
    let Read::Subscriptions(page) = read else {
        unreachable!()
    };
    assert_eq!((page.total, page.points), (Some(13), Some(13)), "{file}");
    assert_eq!(page.cursor.as_deref(), Some("xxxx"), "{file}");
    let sub = &page.items[0];
    assert_eq!(
        (sub.tier.as_str(), sub.is_gift, sub.gifter()),
        ("1000", true, Some("12826"))
    );
}

/// A real first page: no `total` (read as none, so the archive's total is NULL, not 0), `points` 2 though a tier-3
/// subscription is listed (the broadcaster's own, which earns no points), and a next cursor; each subscriber saved.
fn check_subscriptions_without_total(file: &str, read: Read) {
    let Read::Subscriptions(page) = read else {
        unreachable!()
    };
    assert_eq!((page.total, page.points), (None, Some(2)), "{file}");
    assert!(page.cursor.as_deref().is_some_and(|c| c.len() > 1000), "{file}");
    let tiers: Vec<&str> = page.items.iter().map(|s| s.tier.as_str()).collect();
    assert_eq!(tiers, ["1000", "1000", "3000"], "{file}");
    assert!(page.items.iter().all(|s| !s.is_gift && s.gifter().is_none()), "{file}");
    assert_eq!(
        page.items[2].user_id, page.items[2].broadcaster_id,
        "{file}: the broadcaster's own"
    );
    let mut archive = Archive::new();
    let owner = UserId::from("73327367");
    archive.write(|tx, run| {
        save_owner(tx, run, "73327367", "jasperdiscovers");
        let id =
            itch::archive::subscriptions::save_subscription_page(tx, &owner, None, &page, Some("digest"), &stamp(run))
                .unwrap();
        let (total, points, listed) = itch::archive::subscriptions::load_snapshot_counts(tx, id).unwrap();
        assert_eq!((total, points, listed), (None, Some(2), 3), "{file}");
    });
    assert_eq!(
        archive
            .text(
                "SELECT plan_name FROM subscription_snapshot_users WHERE user_id = ?1",
                "73327367"
            )
            .as_deref(),
        Some("Tier 3 Sub"),
        "{file}"
    );
}

/// A real page of clips whose VODs are gone: `video_id` `""` and `vod_offset` null on every clip, durations as
/// integers and floats, keys in alphabetical order, no `is_featured`; each clip is archived whole.
fn check_clips(file: &str, read: Read) {
    let Read::Clips(page) = read else { unreachable!() };
    assert_eq!(page.items.len(), 8, "{file}");
    assert!(page.cursor.is_some(), "{file}");
    let durations: Vec<f64> = page.items.iter().map(|c| c.duration).collect();
    assert_eq!(durations, [9.0, 14.9, 20.6, 21.8, 18.7, 28.0, 30.0, 26.0], "{file}");
    assert!(
        page.items
            .iter()
            .all(|c| c.video_id.is_none() && c.vod_offset.is_none()),
        "{file}"
    );
    assert!(page.items.iter().all(|c| !c.is_featured), "{file}");
    let mut archive = Archive::new();
    let clips: Vec<(Clip, Value)> = page.items.iter().cloned().zip(page.raw.iter().cloned()).collect();
    archive.write(|tx, run| {
        save_owner(tx, run, "58753574", "zeling");
        let changes = itch::archive::clips::save_clips(tx, &clips, &stamp(run)).unwrap();
        assert_eq!(changes.new, 8, "{file}");
    });
    for (clip, raw) in &clips {
        archive.assert_kept_whole("clips", "id", raw);
        let stored: (Option<String>, Option<i64>, f64) = archive
            .conn
            .query_row(
                "SELECT video_id, vod_offset, duration FROM clips WHERE id = ?1",
                [clip.id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(stored, (None, None, clip.duration), "{file}: {}", clip.id);
    }
}

/// 2018: no `vod_offset` field at all (Twitch added it later), no `is_featured`, the VOD gone (`""`).
fn check_clip_summit1g(file: &str, read: Read) {
    check_one_clip_without_vod(file, read, ("26490481", "summit1g"), 22.3);
}

/// 2024, from Twitch's own CLI: `vod_offset: null` beside `video_id: ""`, a float duration, and the broken
/// thumbnail URL of that report (`…tv//-preview-480x272.jpg`), kept as sent.
fn check_clip_viafruity(file: &str, read: Read) {
    check_one_clip_without_vod(file, read, ("501539914", "viafruity"), 33.8);
}

/// A page of one clip whose VOD is gone: read with no VOD and no offset, its duration as sent, archived whole.
fn check_one_clip_without_vod(file: &str, read: Read, owner: (&str, &str), duration: f64) {
    let Read::Clips(page) = read else { unreachable!() };
    assert_eq!(page.items.len(), 1, "{file}");
    assert!(page.cursor.is_none(), "{file}");
    let clip = &page.items[0];
    assert_eq!(
        (clip.video_id.as_ref(), clip.vod_offset, clip.duration, clip.is_featured),
        (None, None, duration, false),
        "{file}"
    );
    let mut archive = Archive::new();
    let clips = vec![(clip.clone(), page.raw[0].clone())];
    archive.write(|tx, run| {
        save_owner(tx, run, owner.0, owner.1);
        let changes = itch::archive::clips::save_clips(tx, &clips, &stamp(run)).unwrap();
        assert_eq!(changes.new, 1, "{file}");
    });
    archive.assert_kept_whole("clips", "id", &page.raw[0]);
    let stored: (Option<String>, Option<i64>, f64, String) = archive
        .conn
        .query_row(
            "SELECT video_id, vod_offset, duration, thumbnail_url FROM clips WHERE id = ?1",
            [clip.id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((stored.0, stored.1, stored.2), (None, None, duration), "{file}");
    assert_eq!(Some(stored.3.as_str()), page.raw[0]["thumbnail_url"].as_str(), "{file}");
}

/// The schedule's `data` is an object with `pagination` beside it; each segment is archived whole.
fn check_schedule(file: &str, read: Read) {
    let Read::Schedule(Some(read)) = read else {
        panic!("{file}: no schedule")
    };
    assert_eq!(read.pages, 1, "{file}");
    assert_eq!(read.vacation, None, "{file}");
    let (segment, raw) = &read.segments[0];
    assert_eq!(segment.category.as_ref().unwrap().name, "Science & Technology");
    let mut archive = Archive::new();
    archive.write(|tx, run| {
        save_owner(tx, run, "1", "twitchdev");
        let changes = itch::archive::schedule::save_schedule(tx, &UserId::from("1"), Some(&read), &stamp(run)).unwrap();
        assert_eq!(changes.new, 1, "{file}");
    });
    archive.assert_kept_whole("schedule_segments", "id", raw);
    assert_eq!(
        archive
            .text("SELECT series_id FROM schedule_segments WHERE id = ?1", &segment.id)
            .as_deref(),
        Some("e4acc724-371f-402c-81ca-23ada79759d4"),
        "{file}"
    );
}

#[tokio::test]
async fn every_helix_answer_reads_or_gives_its_own_error() {
    assert_table_covers_folder("helix", &HELIX.iter().map(|(f, _)| *f).collect::<Vec<_>>());
    for (file, case) in HELIX {
        let twitch = Replay::start().await;
        let body = fixture("helix", file);
        match case {
            Helix::Reads(which, check) => {
                twitch.answer(which.path(), 200, &body);
                let read = call(&twitch.client(), *which)
                    .await
                    .unwrap_or_else(|e| panic!("{file}: {}", itch::error::display_chain(&e)));
                check(file, read);
            }
            Helix::Fails(which, status, expect) => {
                twitch.answer(which.path(), *status, &body);
                match call(&twitch.client(), *which).await {
                    Ok(_) => panic!("{file}: a {status} read as data"),
                    Err(e) => assert!(expect(&e), "{file}: unexpected error {e:?}"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// OAuth

enum OAuth {
    /// An app token answer at `/token`: the client mints it and sends it.
    AppToken(&'static str),
    /// A `/validate` answer, then checked.
    Validates(fn(&itch::client::auth::Validation)),
    /// An error at `/token` (status) while minting an app token.
    MintFails(u16, fn(&Error) -> bool),
    /// An error at `/token` (status) while refreshing a user token after a Helix 401.
    RefreshFails(u16, fn(&Error) -> bool),
    /// An error at `/validate` (status).
    ValidateFails(u16, fn(&Error) -> bool),
}

const OAUTH: &[(&str, OAuth)] = &[
    (
        "token_app_reference.json",
        OAuth::AppToken("jostpf5q0uzmxmkba9iyug38kjtgh"),
    ),
    ("token_app_2023.json", OAuth::AppToken("35gvw1iqwvvrkpstby0f3hmxw2xqxb")),
    (
        "validate_user_reference.json",
        OAuth::Validates(|v| {
            assert_eq!(
                (v.login.as_deref(), v.user_id.as_deref()),
                (Some("twitchdev"), Some("141981764"))
            );
            assert_eq!(v.scopes, ["channel:read:subscriptions"]);
            assert_eq!(v.expires_in, 5520838);
        }),
    ),
    (
        "validate_app_token.json",
        OAuth::Validates(|v| {
            assert_eq!(
                (v.login.as_deref(), v.user_id.as_deref()),
                (None, None),
                "an app token has no user"
            );
            assert!(v.scopes.is_empty());
            assert_eq!(v.expires_in, 5445171);
        }),
    ),
    (
        "error_invalid_client.json",
        OAuth::MintFails(
            400,
            |e| matches!(e, Error::Auth { action: "minting an app token", status: 400, message, .. } if message == "invalid client"),
        ),
    ),
    (
        "error_missing_client_secret.json",
        OAuth::RefreshFails(400, |e| {
            matches!(e, Error::RefreshNeedsSecret { status: 400, message, .. } if message == "missing client secret")
                && e.hint().is_some_and(|h| h.contains("TWITCH_CLIENT_SECRET"))
        }),
    ),
    (
        "error_invalid_refresh_token.json",
        OAuth::RefreshFails(
            400,
            |e| matches!(e, Error::RefreshRefused { status: 400, message, .. } if message == "Invalid refresh token"),
        ),
    ),
    (
        "error_invalid_access_token.json",
        OAuth::ValidateFails(401, |e| {
            matches!(e, Error::Auth { action: "validating the token", status: 401, message, .. }
                if message == "invalid access token")
        }),
    ),
];

#[tokio::test]
async fn every_oauth_answer_reads_or_gives_its_own_error() {
    assert_table_covers_folder("oauth", &OAUTH.iter().map(|(f, _)| *f).collect::<Vec<_>>());
    for (file, case) in OAUTH {
        let twitch = Replay::start().await;
        let body = fixture("oauth", file);
        match case {
            OAuth::AppToken(token) => {
                twitch.answer("/oauth2/token", 200, &body);
                let client = twitch.client();
                let bearer = client.auth().bearer(client.http()).await.unwrap();
                assert_eq!(bearer.token.expose(), *token, "{file}");
                assert_eq!(bearer.user_id, None, "{file}: an app token");
            }
            OAuth::Validates(check) => {
                twitch.answer("/oauth2/validate", 200, &body);
                let client = twitch.client();
                let validation = client
                    .auth()
                    .validate(client.http(), &Secret::new("t"))
                    .await
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
                check(&validation);
            }
            OAuth::MintFails(status, expect) => {
                twitch.answer("/oauth2/token", *status, &body);
                let client = twitch.client();
                let error = client.auth().bearer(client.http()).await.expect_err(file);
                assert!(expect(&error), "{file}: unexpected error {error:?}");
            }
            OAuth::RefreshFails(status, expect) => {
                twitch.answer(
                    "/helix/users",
                    401,
                    &fixture("helix", "error_401_invalid_oauth_token.json"),
                );
                twitch.answer("/oauth2/token", *status, &body);
                let error = users::fetch_users_by_id(&twitch.user_client(), &[UserId::from("1")])
                    .await
                    .expect_err(file);
                assert!(expect(&error), "{file}: unexpected error {error:?}");
            }
            OAuth::ValidateFails(status, expect) => {
                twitch.answer("/oauth2/validate", *status, &body);
                let client = twitch.client();
                let error = client
                    .auth()
                    .validate(client.http(), &Secret::new("t"))
                    .await
                    .expect_err(file);
                assert!(expect(&error), "{file}: unexpected error {error:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// GQL

enum Gql {
    /// A captured page's edges (the capture kept `edges` only): served inside the `data.video.comments`
    /// envelope Twitch wraps them in, with `hasNextPage: true`.
    Edges(fn(&CommentsPage)),
    /// A whole answer, served as it is; the page must fail with this error.
    Fails(fn(&Error) -> bool),
    /// A batched answer (an array, one answer per operation sent): its first answer is what Twitch sends for
    /// that operation alone, the way itch asks; it must fail with this error.
    FailsAlone(fn(&Error) -> bool),
}

const GQL: &[(&str, Gql)] = &[
    (
        "comments_edges_video_1602009987_2022.json",
        Gql::Edges(|page| {
            assert_eq!(page.comments.len(), 6);
            assert!(page.has_next);
            let cursor = page.cursor.as_deref().unwrap();
            assert!(cursor.starts_with("eyJpZCI6IjEzZmQ2MzI3"), "the last edge's cursor");
            let (first, raw) = &page.comments[0];
            assert_eq!(
                (first.id.as_str(), first.text().as_str()),
                ("5904b3f7-6fc1-4b2a-92a7-80b8c0f3bf5f", "lets gooooo")
            );
            assert_eq!(
                first.created_at.timestamp_subsec_millis(),
                789,
                "createdAt keeps its milliseconds"
            );
            assert!(
                raw.get().contains("\"__typename\":\"VideoComment\""),
                "the node is kept verbatim"
            );
            let (zen, _) = &page.comments[1];
            assert_eq!(zen.message.user_badges[0].set_id, "artist-badge");
            let (french, _) = &page.comments[5];
            assert_eq!(french.text(), "ça commence !!!!!!");
            assert_eq!(
                french.commenter.as_ref().unwrap().display_name.as_deref(),
                Some("Friget_Koelkast")
            );
        }),
    ),
    (
        "error_persisted_query_not_found.json",
        Gql::Fails(|e| {
            matches!(
                e,
                Error::GqlPersistedQuery {
                    operation: "VideoCommentsByOffsetOrCursor"
                }
            )
        }),
    ),
    (
        "error_integrity_batched.json",
        Gql::FailsAlone(|e| matches!(e, Error::GqlIntegrity { video } if video == "1602009987")),
    ),
];

#[tokio::test]
async fn every_gql_answer_reads_or_gives_its_own_error() {
    let files = GQL.iter().map(|(f, _)| *f).chain(GQL_CHAPTERS.iter().copied());
    assert_table_covers_folder("gql", &files.collect::<Vec<_>>());
    for (file, case) in GQL {
        let twitch = Replay::start().await;
        let stored: Value = serde_json::from_slice(&fixture("gql", file)).unwrap();
        let (served, expect_ok, expect_err) = match case {
            Gql::Edges(check) => {
                let envelope = serde_json::json!({"data": {"video": {"id": "1602009987", "comments": {
                    "edges": stored, "pageInfo": {"hasNextPage": true, "hasPreviousPage": false}}}}});
                (envelope, Some(check), None)
            }
            Gql::Fails(expect) => (stored, None, Some(expect)),
            Gql::FailsAlone(expect) => (stored[0].clone(), None, Some(expect)),
        };
        twitch.answer("/gql", 200, served.to_string().as_bytes());
        let page = comments::fetch_comments(&twitch.client(), "1602009987", &comments::From::Offset(0)).await;
        match (page, expect_ok, expect_err) {
            (Ok(page), Some(check), _) => check(&page),
            (Err(e), _, Some(expect)) => assert!(expect(&e), "{file}: unexpected error {e:?}"),
            (Ok(_), _, _) => panic!("{file}: read as a page"),
            (Err(e), _, _) => panic!("{file}: {}", itch::error::display_chain(&e)),
        }
    }
}

/// Chapters answers (`VideoPlayer_ChapterSelectButtonVideo`), read through the chapters query's own call.
const GQL_CHAPTERS: &[&str] = &["chapters_video_744916367_2020.json"];

#[tokio::test]
async fn the_captured_chapters_answer_reads_as_its_two_games() {
    let twitch = Replay::start().await;
    let file = String::from_utf8(fixture("gql", GQL_CHAPTERS[0])).unwrap();
    // A batched answer: its element, byte for byte (duplicate `__typename` keys and all), is what Twitch sends
    // to the operation alone.
    let alone = file.trim().strip_prefix('[').unwrap().strip_suffix(']').unwrap();
    twitch.answer("/gql", 200, alone.as_bytes());
    let found = chapters::fetch_chapters(&twitch.client(), "744916367").await.unwrap();
    let got: Vec<_> = found
        .chapters(None)
        .into_iter()
        .map(|c| (c.position_ms, c.duration_ms, c.game_id, c.game_name, c.source))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                0,
                Some(8_021_000),
                Some("30014".to_owned()),
                Some("Ni no Kuni: Wrath of the White Witch".to_owned()),
                "moment"
            ),
            (
                8_021_000,
                Some(5_865_000),
                Some("26936".to_owned()),
                Some("Music".to_owned()),
                "moment"
            ),
        ]
    );
    assert!(
        found.moments[1].1.get().contains("\"lengthSeconds\":13886"),
        "the node is kept as sent"
    );
}
