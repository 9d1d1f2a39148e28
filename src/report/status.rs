//! `itch status`: the archive's state at a glance, without writing SQL. For each channel it holds: each part's
//! last run (when, how it ended, its requests and error, and when it last worked), the follower walk (complete,
//! or in progress with its pages and staged follows, and when the next full walk is due), and what is archived
//! (follows, videos, chat messages, VODs whose chat is still to fetch). For the whole file: its size, the
//! write-ahead log's, the response cache's share, the schema version and the last run.
//!
//! It only reads, like every report: the counts come from the archive's own indexes, so it stays quick on a
//! channel with millions of follows.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

use crate::archive::chat::load_videos_needing_chat;
use crate::archive::runs::{Checkpoint, load_checkpoint};
use crate::archive::timestamp;
use crate::client::UserId;
use crate::error::{Error, Result};

/// The archive's state.
#[derive(Debug, Serialize)]
pub struct ArchiveStatus {
    /// The archive file.
    pub path: String,
    /// `max(version)` of the applied migrations.
    pub schema_version: i64,
    /// The file's size, and its write-ahead log's (`<archive>-wal`; 0 when there is none).
    pub bytes: u64,
    pub wal_bytes: u64,
    /// Of `bytes`, the pages of the response cache's tables (`--cache sqlite`).
    pub cache_bytes: u64,
    /// The most recent run of any command that writes facts.
    pub last_run: Option<RunRow>,
    /// Every channel the archive has synced or recorded, by login.
    pub channels: Vec<ChannelStatus>,
}

/// A row of `sync_runs`.
#[derive(Debug, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub command: String,
    /// running | ok | failed | interrupted (a run still `running` is going on now, or was killed).
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub error: Option<String>,
}

/// One channel's state.
#[derive(Debug, Serialize)]
pub struct ChannelStatus {
    pub login: String,
    pub id: String,
    /// The last run of each part this channel has had.
    pub parts: Vec<PartStatus>,
    pub followers_walk: WalkStatus,
    pub counts: Counts,
}

/// The last run of one part of a channel's sync.
#[derive(Debug, Serialize)]
pub struct PartStatus {
    pub part: String,
    /// running | ok | failed | interrupted.
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub requests: i64,
    pub error: Option<String>,
    /// When this part last ended ok (the same run's time when `status` is ok; older when it has failed since).
    pub last_ok_at: Option<String>,
}

/// Where the follower walk stands.
#[derive(Debug, Serialize)]
pub struct WalkStatus {
    /// never (no walk yet), complete (none in progress), in progress.
    pub state: &'static str,
    /// The walk in progress: full or incremental, its pages committed, follows staged, the total it read and
    /// when it started. A walk in progress is resumed by the next sync.
    pub walk: Option<&'static str>,
    pub pages: i64,
    pub staged: u64,
    pub total: Option<u64>,
    pub started_at: Option<String>,
    pub last_complete_at: Option<String>,
    pub last_full_at: Option<String>,
    /// When a sync next walks the whole list (recording unfollows) with `--full-every` as given; `None` when the
    /// next walk is full anyway.
    pub next_full_due: Option<String>,
}

/// What the archive holds of a channel.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Followers now, and follows a full walk found gone.
    pub follows: u64,
    pub follows_gone: u64,
    /// Videos, and those Twitch no longer lists.
    pub videos: u64,
    pub videos_deleted: u64,
    /// Chat messages (replay and live).
    pub chat_messages: u64,
    /// Archive VODs whose chat a sync still has to fetch (not started, partial, or unavailable for now).
    pub vods_chat_pending: u64,
    /// Holes in the live chat record (`chat_gaps`).
    pub live_chat_gaps: u64,
}

/// Reads the state of the archive at `path` through `conn` (read-only). `full_every` is the period of full
/// follower walks the next-due time is counted with (sync's `--full-every`).
pub fn read_status(conn: &Connection, path: &Path, full_every: Duration) -> Result<ArchiveStatus> {
    let read = |e| database(path, e);
    let channels = load_channels(conn)
        .map_err(read)?
        .into_iter()
        .map(|(id, login)| channel_status(conn, id, login, full_every).map_err(read))
        .collect::<Result<Vec<_>>>()?;
    Ok(ArchiveStatus {
        path: path.display().to_string(),
        schema_version: conn
            .query_row("SELECT max(version) FROM refinery_schema_history", [], |r| r.get(0))
            .map_err(read)?,
        bytes: file_size(path),
        wal_bytes: file_size(&crate::archive::db::wal_path(path)),
        cache_bytes: cache_bytes(conn).map_err(read)?,
        last_run: last_run(conn).map_err(read)?,
        channels,
    })
}

fn database(path: &Path, source: rusqlite::Error) -> Error {
    Error::Database {
        path: path.to_owned(),
        action: "reading the archive's status",
        source,
    }
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The channels: those synced (a profile or a part on record) and those only recorded live.
fn load_channels(conn: &Connection) -> rusqlite::Result<Vec<(UserId, String)>> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.login FROM users u
         WHERE u.id IN (SELECT broadcaster_id FROM channels
                        UNION SELECT broadcaster_id FROM sync_run_parts
                        UNION SELECT broadcaster_id FROM room_states)
         ORDER BY u.login",
    )?;
    stmt.query_map([], |r| Ok((UserId(r.get(0)?), r.get(1)?)))?.collect()
}

fn channel_status(
    conn: &Connection,
    id: UserId,
    login: String,
    full_every: Duration,
) -> rusqlite::Result<ChannelStatus> {
    let checkpoint = load_checkpoint(conn, &id, "followers")?;
    Ok(ChannelStatus {
        parts: part_statuses(conn, &id)?,
        followers_walk: walk_status(&checkpoint, full_every),
        counts: counts(conn, &id)?,
        id: id.0,
        login,
    })
}

fn part_statuses(conn: &Connection, id: &UserId) -> rusqlite::Result<Vec<PartStatus>> {
    let mut stmt = conn.prepare(
        "SELECT l.part, l.status, l.started_at, l.finished_at, l.requests, l.error,
                (SELECT max(p.finished_at) FROM sync_run_parts p
                 WHERE p.broadcaster_id = l.broadcaster_id AND p.part = l.part AND p.status = 'ok')
         FROM sync_parts_latest l WHERE l.broadcaster_id = ?1
         ORDER BY l.started_at, l.part",
    )?;
    stmt.query_map([id], |r| {
        Ok(PartStatus {
            part: r.get(0)?,
            status: r.get(1)?,
            started_at: r.get(2)?,
            finished_at: r.get(3)?,
            requests: r.get(4)?,
            error: r.get(5)?,
            last_ok_at: r.get(6)?,
        })
    })?
    .collect()
}

fn walk_status(checkpoint: &Checkpoint, full_every: Duration) -> WalkStatus {
    let walk = checkpoint.in_progress.as_ref().map(|(walk, _)| walk.as_str());
    let state = match (walk, &checkpoint.last_complete_at) {
        (Some(_), _) => "in progress",
        (None, Some(_)) => "complete",
        (None, None) => "never",
    };
    WalkStatus {
        state,
        walk,
        pages: checkpoint.pages,
        staged: checkpoint.walk_items,
        total: checkpoint.walk_total,
        started_at: walk.and(checkpoint.walk_started_at.clone()),
        last_complete_at: checkpoint.last_complete_at.clone(),
        last_full_at: checkpoint.last_full_at.clone(),
        next_full_due: checkpoint.next_full_walk_due(full_every).map(timestamp),
    }
}

fn counts(conn: &Connection, id: &UserId) -> rusqlite::Result<Counts> {
    let (follows, follows_gone) = conn.query_row(
        "SELECT count(*) FILTER (WHERE unfollowed_seen_at IS NULL), count(*) FILTER (WHERE unfollowed_seen_at IS NOT NULL)
         FROM follows WHERE broadcaster_id = ?1",
        [id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let (videos, videos_deleted) = conn.query_row(
        "SELECT count(*), count(deleted_seen_at) FROM videos WHERE user_id = ?1",
        [id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let count = |sql: &str| conn.query_row(sql, [id], |r| r.get::<_, i64>(0));
    Ok(Counts {
        follows: follows as u64,
        follows_gone: follows_gone as u64,
        videos: videos as u64,
        videos_deleted: videos_deleted as u64,
        chat_messages: count("SELECT count(*) FROM chat_messages WHERE broadcaster_id = ?1")? as u64,
        // The very list `itch sync` fetches chat for, so the two cannot disagree.
        vods_chat_pending: load_videos_needing_chat(conn, id)?.len() as u64,
        live_chat_gaps: count("SELECT count(*) FROM chat_gaps WHERE broadcaster_id = ?1")? as u64,
    })
}

/// Bytes of the response cache's tables and indexes, from SQLite's own page accounting.
fn cache_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT coalesce(sum(pgsize), 0) FROM dbstat
         WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name LIKE 'http\\_cache%' ESCAPE '\\')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|bytes| bytes as u64)
}

fn last_run(conn: &Connection) -> rusqlite::Result<Option<RunRow>> {
    conn.query_row(
        "SELECT id, command, status, started_at, finished_at, error FROM sync_runs ORDER BY id DESC LIMIT 1",
        params![],
        |r| {
            Ok(RunRow {
                id: r.get(0)?,
                command: r.get(1)?,
                status: r.get(2)?,
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
                error: r.get(5)?,
            })
        },
    )
    .optional()
}
