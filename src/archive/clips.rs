//! Clips: upserted as each time window of the walk is read, with a view-count snapshot on a clip's first
//! sighting and whenever a sync sees a different count (never overwritten, so the history is there); and the
//! walk's place, the `clips` row of `sync_checkpoints`, committed in the same transaction as its window.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use super::runs::Walk;
use super::{Stamp, timestamp};
use crate::client::UserId;
use crate::client::helix::clips::Clip;

/// The part name of the clips walk in `sync_checkpoints` and `sync_run_parts`.
pub const PART: &str = "clips";

/// What saving a window's clips changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClipChanges {
    /// Clips the archive did not hold.
    pub new: u64,
    /// Known clips whose view count differed from their latest snapshot (each got a new snapshot).
    pub views_changed: u64,
}

/// Upserts clips and snapshots their view counts where new or changed.
pub fn save_clips(tx: &Transaction<'_>, clips: &[(Clip, Value)], stamp: &Stamp) -> rusqlite::Result<ClipChanges> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let mut changes = ClipChanges::default();
    let mut latest = tx.prepare_cached(
        "SELECT s.view_count FROM clips c
         LEFT JOIN clip_snapshots s ON s.clip_id = c.id
         WHERE c.id = ?1 ORDER BY s.taken_at DESC LIMIT 1",
    )?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO clips (id, broadcaster_id, creator_id, creator_name, video_id, vod_offset, game_id, title,
                            language, duration, thumbnail_url, url, embed_url, is_featured, created_at,
                            first_seen_at, last_seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17, ?18)
         ON CONFLICT (id) DO UPDATE SET
             creator_id = excluded.creator_id, creator_name = excluded.creator_name,
             video_id = coalesce(excluded.video_id, clips.video_id),
             vod_offset = coalesce(excluded.vod_offset, clips.vod_offset),
             game_id = excluded.game_id, title = excluded.title, language = excluded.language,
             duration = excluded.duration, thumbnail_url = excluded.thumbnail_url, url = excluded.url,
             embed_url = excluded.embed_url, is_featured = excluded.is_featured, created_at = excluded.created_at,
             last_seen_at = excluded.last_seen_at, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json",
    )?;
    let mut snapshot = tx.prepare_cached(
        "INSERT INTO clip_snapshots (clip_id, taken_at, view_count, sync_run_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (clip_id, sync_run_id) DO UPDATE SET view_count = excluded.view_count",
    )?;
    for (clip, raw) in clips {
        // Outer None: a clip never archived; inner None: archived without a snapshot (never, but harmless).
        let before: Option<Option<i64>> = latest.query_row([clip.id.as_str()], |r| r.get(0)).optional()?;
        let count = clip.view_count as i64;
        let snap = match before {
            None => {
                changes.new += 1;
                true
            }
            Some(Some(seen)) if seen == count => false,
            Some(_) => {
                changes.views_changed += 1;
                true
            }
        };
        upsert.execute(params![
            clip.id.as_str(),
            clip.broadcaster_id.as_str(),
            clip.creator_id,
            clip.creator_name,
            clip.video_id.as_ref().map(|v| v.as_str()),
            clip.vod_offset.map(|o| o as i64),
            clip.game_id,
            clip.title,
            clip.language,
            clip.duration,
            clip.thumbnail_url,
            clip.url,
            clip.embed_url,
            clip.is_featured,
            timestamp(clip.created_at),
            now,
            run,
            raw.to_string(),
        ])?;
        if snap {
            snapshot.execute(params![clip.id.as_str(), now, count, run])?;
        }
    }
    Ok(changes)
}

/// Where a channel's clips walk stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClipCheckpoint {
    /// Every window before this time has been read: by the walk in progress, or (none in progress) by the last
    /// complete walk, which the next incremental walk continues from.
    pub frontier: Option<String>,
    /// The walk in progress, if one was interrupted.
    pub in_progress: Option<Walk>,
    /// Windows the walk in progress has committed.
    pub windows: i64,
    pub last_complete_at: Option<String>,
    /// The last walk that read the channel's whole history (refreshing every view count).
    pub last_full_at: Option<String>,
}

/// Loads the clips walk's checkpoint of a channel (default when none).
pub fn load_clip_checkpoint(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<ClipCheckpoint> {
    conn.query_row(
        "SELECT cursor, walk, pages, last_complete_at, last_full_at FROM sync_checkpoints
         WHERE broadcaster_id = ?1 AND part = ?2",
        params![broadcaster, PART],
        |r| {
            let walk: Option<String> = r.get(1)?;
            Ok(ClipCheckpoint {
                frontier: r.get(0)?,
                in_progress: walk.map(|w| if w == "full" { Walk::Full } else { Walk::Incremental }),
                windows: r.get(2)?,
                last_complete_at: r.get(3)?,
                last_full_at: r.get(4)?,
            })
        },
    )
    .optional()
    .map(Option::unwrap_or_default)
}

/// A window of the walk read whole: the walk now stands at `frontier`; `done` when it reached Twitch's "now".
#[derive(Clone, Copy, Debug)]
pub struct ClipWindow<'a> {
    pub walk: Walk,
    pub frontier: &'a str,
    pub done: bool,
}

/// Records a committed window (in the transaction that saved its clips).
pub fn save_clip_window(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    window: &ClipWindow<'_>,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    tx.execute(
        "INSERT INTO sync_checkpoints (broadcaster_id, part, cursor, walk, walk_started_at, walk_sync_run_id, pages,
                                       updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?5)
         ON CONFLICT (broadcaster_id, part) DO UPDATE SET
             cursor = excluded.cursor,
             walk = excluded.walk,
             walk_started_at = coalesce(sync_checkpoints.walk_started_at, excluded.walk_started_at),
             walk_sync_run_id = excluded.walk_sync_run_id,
             pages = CASE WHEN sync_checkpoints.walk IS NULL THEN 1 ELSE sync_checkpoints.pages + 1 END,
             updated_at = excluded.updated_at",
        params![broadcaster, PART, window.frontier, window.walk.as_str(), now, run],
    )?;
    if window.done {
        tx.execute(
            "UPDATE sync_checkpoints SET walk = NULL, walk_started_at = NULL, walk_sync_run_id = NULL, pages = 0,
                 last_complete_at = ?3, last_complete_run_id = ?4,
                 last_full_at = CASE WHEN ?5 = 'full' THEN ?3 ELSE last_full_at END
             WHERE broadcaster_id = ?1 AND part = ?2",
            params![broadcaster, PART, now, run, window.walk.as_str()],
        )?;
    }
    Ok(())
}
