//! Streams and their snapshots: each sync that finds a channel live records the viewer count; the first sync
//! that finds it offline closes the stream (`ended_seen_at`).

use rusqlite::{Transaction, params};
use serde_json::Value;

use super::games::known_game;
use super::timestamp;
use super::{Stamp, Timestamp};
use crate::client::UserId;
use crate::client::helix::streams::Stream;

/// Records a live stream and a snapshot of it; returns true when the stream is new to the archive.
pub fn save_stream_snapshot(
    tx: &Transaction<'_>,
    stream: &Stream,
    raw: &Value,
    stamp: &Stamp,
) -> rusqlite::Result<bool> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let game = known_game(tx, &stream.game_id)?;
    let new = !tx
        .prepare_cached("SELECT 1 FROM streams WHERE id = ?1")?
        .exists([stream.id.as_str()])?;
    tx.execute(
        "INSERT INTO streams (id, user_id, game_id, game_name, title, language, tags_json, started_at,
                              first_seen_at, last_seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)
         ON CONFLICT (id) DO UPDATE SET game_id = excluded.game_id, game_name = excluded.game_name,
             title = excluded.title, tags_json = excluded.tags_json, last_seen_at = excluded.last_seen_at,
             ended_seen_at = NULL, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json",
        params![
            stream.id.as_str(),
            stream.user_id.as_str(),
            game,
            stream.game_name,
            stream.title,
            stream.language,
            serde_json::to_string(&stream.tags).expect("tags serialise"),
            timestamp(stream.started_at),
            now,
            run,
            raw.to_string(),
        ],
    )?;
    tx.execute(
        "INSERT INTO stream_snapshots (stream_id, taken_at, viewer_count, game_id, title, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            stream.id.as_str(),
            now,
            stream.viewer_count as i64,
            game,
            stream.title,
            run
        ],
    )?;
    Ok(new)
}

/// Closes the streams of `user` still open other than `live` (the one live now, if any); returns how many.
pub fn mark_ended_streams(
    tx: &Transaction<'_>,
    user: &UserId,
    live: Option<&str>,
    now: &Timestamp,
) -> rusqlite::Result<u64> {
    let ended = tx.execute(
        "UPDATE streams SET ended_seen_at = ?2
         WHERE user_id = ?1 AND ended_seen_at IS NULL AND id IS NOT ?3",
        params![user, now, live],
    )?;
    Ok(ended as u64)
}
