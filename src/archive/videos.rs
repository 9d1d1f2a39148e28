//! Videos: upserted as each page arrives; after a walk that read the whole list, the channel's videos it did
//! not find are marked deleted (Twitch expires VODs after 7 to 60 days; the archive keeps them).

use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::Value;

use super::timestamp;
use super::{Stamp, Timestamp};
use crate::client::UserId;
use crate::client::helix::videos::Video;

/// What saving a page changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VideoChanges {
    pub new: u64,
    pub changed: u64,
}

/// The columns whose change makes a video "changed": title, description, view count, duration, muted segments,
/// and deleted_seen_at (a video seen again after it was marked deleted changed too).
type Compared = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The muted segments as the archive stores them: `[{"duration":..,"offset":..}]`.
fn muted_json(video: &Video) -> String {
    let segments: Vec<Value> = video
        .muted_segments
        .iter()
        .map(|m| serde_json::json!({"duration": m.duration, "offset": m.offset}))
        .collect();
    serde_json::to_string(&segments).expect("segments serialise")
}

/// Upserts a page of videos. A video counts as changed when its title, description, view count, duration or
/// muted segments differ from the archive's.
pub fn save_videos(tx: &Transaction<'_>, videos: &[(Video, Value)], stamp: &Stamp) -> rusqlite::Result<VideoChanges> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let mut changes = VideoChanges::default();
    let mut current = tx.prepare_cached(
        "SELECT title, description, view_count, duration, muted_segments_json, deleted_seen_at FROM videos WHERE id = ?1",
    )?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO videos (id, user_id, stream_id, type, title, description, created_at, published_at, url,
                             thumbnail_url, viewable, view_count, language, duration, duration_seconds,
                             muted_segments_json, first_seen_at, last_seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?17, ?18, ?19)
         ON CONFLICT (id) DO UPDATE SET
             stream_id = excluded.stream_id, type = excluded.type, title = excluded.title,
             description = excluded.description, published_at = excluded.published_at, url = excluded.url,
             thumbnail_url = excluded.thumbnail_url, viewable = excluded.viewable, view_count = excluded.view_count,
             language = excluded.language, duration = excluded.duration, duration_seconds = excluded.duration_seconds,
             muted_segments_json = excluded.muted_segments_json, last_seen_at = excluded.last_seen_at,
             deleted_seen_at = NULL, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json",
    )?;
    for (video, raw) in videos {
        let muted = muted_json(video);
        let before: Option<Compared> = current
            .query_row([video.id.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .optional()?;
        let after: Compared = (
            Some(video.title.clone()),
            Some(video.description.clone()),
            Some(video.view_count as i64),
            Some(video.duration.clone()),
            Some(muted.clone()),
            None,
        );
        match before {
            None => changes.new += 1,
            Some(before) if before != after => changes.changed += 1,
            Some(_) => {}
        }
        upsert.execute(params![
            video.id.as_str(),
            video.user_id.as_str(),
            video.stream_id.as_ref().map(|s| s.as_str()),
            video.video_type,
            video.title,
            video.description,
            timestamp(video.created_at),
            video.published_at.map(timestamp),
            video.url,
            video.thumbnail_url,
            video.viewable,
            video.view_count as i64,
            video.language,
            video.duration,
            video.duration_seconds().map(|s| s as i64),
            muted,
            now,
            run,
            raw.to_string(),
        ])?;
    }
    Ok(changes)
}

/// After a walk that read all of `user`'s videos: marks the archived ones it did not see as deleted.
pub fn mark_deleted_videos(
    tx: &Transaction<'_>,
    user: &UserId,
    seen: &[String],
    now: &Timestamp,
) -> rusqlite::Result<u64> {
    let gone = tx.execute(
        "UPDATE videos SET deleted_seen_at = ?2
         WHERE user_id = ?1 AND deleted_seen_at IS NULL AND id NOT IN (SELECT value FROM json_each(?3))",
        params![user, now, serde_json::to_string(seen).expect("ids serialise")],
    )?;
    Ok(gone as u64)
}
