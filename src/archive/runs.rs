//! Sync runs (what ran, how many requests, what changed, how it ended) and sync checkpoints (where a walk
//! through a list stands, committed with each page).

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{Stamp, Timestamp};
use crate::client::UserId;

/// `save_run_start`: a new run, returning its id. The caller holds the archive's lock, so a run still marked
/// running was killed: it is marked interrupted.
pub fn save_run_start(tx: &Transaction<'_>, command: &str, now: &Timestamp) -> rusqlite::Result<i64> {
    tx.execute(
        "UPDATE sync_runs SET status = 'interrupted' WHERE status = 'running'",
        [],
    )?;
    tx.execute(
        "UPDATE sync_run_parts SET status = 'interrupted' WHERE status = 'running'",
        [],
    )?;
    tx.execute(
        "INSERT INTO sync_runs (started_at, command, itch_version) VALUES (?1, ?2, ?3)",
        params![now, command, env!("CARGO_PKG_VERSION")],
    )?;
    Ok(tx.last_insert_rowid())
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct RunEnd {
    pub status: RunStatus,
    pub requests: u64,
    pub summary_json: String,
    pub error: Option<String>,
}

/// Records the end of a run.
pub fn save_run_end(tx: &Transaction<'_>, run: i64, end: &RunEnd, now: &Timestamp) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_runs SET finished_at = ?2, status = ?3, requests = ?4, summary_json = ?5, error = ?6 WHERE id = ?1",
        params![run, now, end.status.as_str(), end.requests as i64, end.summary_json, end.error],
    )?;
    Ok(())
}

/// How a run, or one part of one channel's sync in it, ended (`sync_runs.status`, `sync_run_parts.status`; both
/// are 'running' until then).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Everything it set out to do was done.
    Ok,
    /// Something failed; what was committed stays.
    Failed,
    /// Stopped by Ctrl-C or SIGTERM (or killed): the next run resumes.
    Interrupted,
}

impl RunStatus {
    /// The name stored in the archive.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    /// A stop outranks a failure, a failure outranks success: one rule for every command that runs.
    pub fn of(stopped: bool, failed: bool) -> RunStatus {
        match (stopped, failed) {
            (true, _) => RunStatus::Interrupted,
            (false, true) => RunStatus::Failed,
            (false, false) => RunStatus::Ok,
        }
    }
}

/// The commands of every run so far, oldest first (`itch demo` reads which fake world made an archive).
pub fn load_run_commands(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT command FROM sync_runs ORDER BY id")?;
    stmt.query_map([], |r| r.get(0))?.collect()
}

/// How many runs of `command` ended ok.
pub fn count_ok_runs(conn: &Connection, command: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM sync_runs WHERE command = ?1 AND status = 'ok'",
        [command],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// Records that `part` of a channel's sync started in `run` (status 'running' until [`save_part_end`]).
pub fn save_part_start(
    tx: &Transaction<'_>,
    run: i64,
    broadcaster: &UserId,
    part: &str,
    now: &Timestamp,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sync_run_parts (sync_run_id, broadcaster_id, part, started_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sync_run_id, broadcaster_id, part) DO UPDATE SET
             status = 'running', started_at = excluded.started_at, finished_at = NULL, error = NULL",
        params![run, broadcaster, part, now],
    )?;
    Ok(())
}

/// How a part ended: its status, the requests it sent and, when it failed, why.
pub struct PartEnd<'a> {
    pub status: RunStatus,
    pub requests: u64,
    pub error: Option<&'a str>,
}

/// Records how `part` of a channel's sync ended.
pub fn save_part_end(
    tx: &Transaction<'_>,
    run: i64,
    broadcaster: &UserId,
    part: &str,
    end: &PartEnd<'_>,
    now: &Timestamp,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_run_parts SET status = ?4, requests = ?5, error = ?6, finished_at = ?7
         WHERE sync_run_id = ?1 AND broadcaster_id = ?2 AND part = ?3",
        params![
            run,
            broadcaster,
            part,
            end.status.as_str(),
            end.requests as i64,
            end.error,
            now
        ],
    )?;
    Ok(())
}

/// Which kind of walk through a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walk {
    /// The whole list: records removals at the end.
    Full,
    /// From the top down to the first item already archived.
    Incremental,
}

impl Walk {
    pub fn as_str(self) -> &'static str {
        match self {
            Walk::Full => "full",
            Walk::Incremental => "incremental",
        }
    }
}

/// Where a list walk stands for one channel and part.
#[derive(Clone, Debug, Default)]
pub struct Checkpoint {
    /// The cursor of the next page of the walk in progress, and its kind.
    pub in_progress: Option<(Walk, Option<String>)>,
    /// Pages committed in the walk in progress.
    pub pages: i64,
    /// The walk in progress: its id (its staged rows carry it), the total it read, the follows it staged.
    pub walk_id: Option<String>,
    pub walk_total: Option<u64>,
    pub walk_items: u64,
    pub walk_started_at: Option<String>,
    pub last_complete_at: Option<String>,
    /// The run that completed the last walk.
    pub last_complete_run_id: Option<i64>,
    pub last_full_at: Option<String>,
}

impl Checkpoint {
    /// When the next full walk is due with one every `every`: the last full walk's time plus `every`, or `None`
    /// when the next walk is full anyway (no walk has completed, or none read the whole list).
    pub fn next_full_walk_due(&self, every: std::time::Duration) -> Option<chrono::DateTime<chrono::Utc>> {
        self.last_complete_at.as_ref()?;
        let last_full = self
            .last_full_at
            .as_deref()?
            .parse::<chrono::DateTime<chrono::Utc>>()
            .ok()?;
        // A period too long for the calendar is never due.
        let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
        Some(
            last_full
                .checked_add_signed(every)
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
        )
    }
}

/// Loads the checkpoint of `part` of a channel (default when none).
pub fn load_checkpoint(conn: &Connection, broadcaster: &UserId, part: &str) -> rusqlite::Result<Checkpoint> {
    conn.query_row(
        "SELECT walk, cursor, pages, walk_started_at, last_complete_at, last_full_at, walk_id, walk_total, walk_items,
                last_complete_run_id
         FROM sync_checkpoints WHERE broadcaster_id = ?1 AND part = ?2",
        params![broadcaster, part],
        |r| {
            let walk: Option<String> = r.get(0)?;
            let walk = walk.map(|w| if w == "full" { Walk::Full } else { Walk::Incremental });
            Ok(Checkpoint {
                in_progress: walk.map(|w| (w, r.get(1).ok().flatten())),
                pages: r.get(2)?,
                walk_started_at: r.get(3)?,
                last_complete_at: r.get(4)?,
                last_full_at: r.get(5)?,
                walk_id: r.get(6)?,
                walk_total: r.get::<_, Option<i64>>(7)?.map(|t| t as u64),
                walk_items: r.get::<_, i64>(8)? as u64,
                last_complete_run_id: r.get(9)?,
            })
        },
    )
    .optional()
    .map(Option::unwrap_or_default)
}

/// One committed page of a walk: which walk, where the next page starts, what it read.
#[derive(Clone, Debug)]
pub struct WalkPage<'a> {
    pub walk: Walk,
    /// The walk's id, the same on every page of it (resumed runs included).
    pub walk_id: &'a str,
    /// The cursor of the next page; `None` when the list ended (still in progress until [`save_walk_done`]).
    pub next_cursor: Option<&'a str>,
    /// The follower total a fresh page of this walk reported, if this one did.
    pub total: Option<u64>,
    /// Items this page staged.
    pub items: u64,
}

/// Records a page of a walk with the walk's running facts.
pub fn save_walk_page(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    part: &str,
    page: &WalkPage<'_>,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    tx.execute(
        "INSERT INTO sync_checkpoints (broadcaster_id, part, cursor, walk, walk_started_at, walk_sync_run_id, pages,
                                       updated_at, walk_id, walk_total, walk_items)
         VALUES (?1, ?2, ?3, ?4, ?6, ?5, 1, ?6, ?7, ?8, ?9)
         ON CONFLICT (broadcaster_id, part) DO UPDATE SET
             cursor = excluded.cursor,
             walk = excluded.walk,
             walk_started_at = coalesce(sync_checkpoints.walk_started_at, excluded.walk_started_at),
             walk_sync_run_id = excluded.walk_sync_run_id,
             pages = CASE WHEN sync_checkpoints.walk IS NULL THEN 1 ELSE sync_checkpoints.pages + 1 END,
             updated_at = excluded.updated_at,
             walk_id = excluded.walk_id,
             walk_total = coalesce(excluded.walk_total, sync_checkpoints.walk_total),
             walk_items = CASE WHEN sync_checkpoints.walk IS NULL THEN excluded.walk_items
                               ELSE sync_checkpoints.walk_items + excluded.walk_items END",
        params![
            broadcaster,
            part,
            page.next_cursor,
            page.walk.as_str(),
            run,
            now,
            page.walk_id,
            page.total.map(|t| t as i64),
            page.items as i64
        ],
    )?;
    Ok(())
}

/// Closes the walk in progress, completed by `run`: it reached the end of the list (or an item already archived).
pub fn save_walk_done(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    part: &str,
    walk: Walk,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    tx.execute(
        "INSERT INTO sync_checkpoints (broadcaster_id, part, last_complete_at, last_full_at, updated_at,
                                       last_complete_run_id)
         VALUES (?1, ?2, ?3, CASE WHEN ?4 = 'full' THEN ?3 END, ?3, ?5)
         ON CONFLICT (broadcaster_id, part) DO UPDATE SET
             cursor = NULL, walk = NULL, walk_started_at = NULL, walk_sync_run_id = NULL, pages = 0,
             walk_id = NULL, walk_total = NULL, walk_items = 0,
             last_complete_at = excluded.last_complete_at,
             last_complete_run_id = excluded.last_complete_run_id,
             last_full_at = coalesce(excluded.last_full_at, sync_checkpoints.last_full_at),
             updated_at = excluded.updated_at",
        params![broadcaster, part, now, walk.as_str(), run],
    )?;
    Ok(())
}

/// Drops the walk in progress without counting it as complete (a `--limit` trial): the next sync starts over.
pub fn save_walk_abandoned(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    part: &str,
    now: &Timestamp,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sync_checkpoints SET cursor = NULL, walk = NULL, walk_started_at = NULL, walk_sync_run_id = NULL,
             pages = 0, walk_id = NULL, walk_total = NULL, walk_items = 0, updated_at = ?3
         WHERE broadcaster_id = ?1 AND part = ?2",
        params![broadcaster, part, now],
    )?;
    Ok(())
}
