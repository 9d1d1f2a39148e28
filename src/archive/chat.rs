//! Chat replay: each VOD's download is planned as time segments; each page is staged with its segment's
//! cursor; when every segment is done the VOD's messages are merged into `chat_messages` (and its FTS index)
//! in key order, exactly once each, and the video is marked complete.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// A VOD whose chat is to be archived.
#[derive(Clone, Debug)]
pub struct ChatVideo {
    pub id: String,
    pub user_id: String,
    pub created_at: String,
    pub duration_seconds: u64,
}

/// One segment of a download: `[start, end)`, or `[start, ...)` for the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub segment: i64,
    pub start: u64,
    pub end: Option<u64>,
    pub cursor: Option<String>,
    pub done: bool,
}

/// A message ready to be stored.
#[derive(Clone, Debug)]
pub struct StagedMessage {
    pub id: String,
    pub user_id: Option<String>,
    pub user_login: Option<String>,
    pub user_name: Option<String>,
    pub offset_seconds: u64,
    pub created_at: String,
    pub created_at_corrected: bool,
    pub text: String,
    pub fragments_json: String,
    pub emotes_json: String,
    pub badges_json: String,
    pub color: Option<String>,
    pub raw_json: String,
}

/// The archive VODs of `broadcaster` whose chat is not complete and may still be fetched, oldest first (those
/// expire first): not deleted (unless a download had started: the attempt finds it gone and keeps what was
/// fetched), and not the recording of a stream that is still live.
pub fn load_videos_needing_chat(conn: &Connection, broadcaster: &str) -> rusqlite::Result<Vec<ChatVideo>> {
    let mut stmt = conn.prepare(
        "SELECT v.id, v.user_id, v.created_at, coalesce(v.duration_seconds, 0) FROM videos v
         WHERE v.user_id = ?1 AND v.type = 'archive'
           AND ((v.chat_status IS NULL AND v.deleted_seen_at IS NULL) OR v.chat_status = 'partial')
           AND NOT EXISTS (SELECT 1 FROM streams s WHERE s.id = v.stream_id AND s.ended_seen_at IS NULL)
         ORDER BY v.created_at",
    )?;
    stmt.query_map([broadcaster], |r| {
        Ok(ChatVideo {
            id: r.get(0)?,
            user_id: r.get(1)?,
            created_at: r.get(2)?,
            duration_seconds: r.get::<_, i64>(3)? as u64,
        })
    })?
    .collect()
}

/// Loads a video for chat by id, if archived.
pub fn load_chat_video(conn: &Connection, video: &str) -> rusqlite::Result<Option<ChatVideo>> {
    conn.query_row(
        "SELECT id, user_id, created_at, coalesce(duration_seconds, 0) FROM videos WHERE id = ?1",
        [video],
        |r| {
            Ok(ChatVideo {
                id: r.get(0)?,
                user_id: r.get(1)?,
                created_at: r.get(2)?,
                duration_seconds: r.get::<_, i64>(3)? as u64,
            })
        },
    )
    .optional()
}

/// The video's segment plan: the stored one if a download started before, else `plan` (stored now).
pub fn save_segment_plan(
    tx: &Transaction<'_>,
    video: &str,
    plan: &[Segment],
    now: &str,
) -> rusqlite::Result<Vec<Segment>> {
    let existing = load_segments(tx, video)?;
    if !existing.is_empty() {
        return Ok(existing);
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO chat_segments (video_id, segment, start_seconds, end_seconds, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in plan {
        insert.execute(params![video, s.segment, s.start as i64, s.end.map(|e| e as i64), now])?;
    }
    tx.execute(
        "UPDATE videos SET chat_status = 'partial', chat_checked_at = ?2 WHERE id = ?1",
        params![video, now],
    )?;
    Ok(plan.to_vec())
}

fn load_segments(conn: &Connection, video: &str) -> rusqlite::Result<Vec<Segment>> {
    let mut stmt = conn.prepare(
        "SELECT segment, start_seconds, end_seconds, cursor, done_at IS NOT NULL FROM chat_segments
         WHERE video_id = ?1 ORDER BY segment",
    )?;
    stmt.query_map([video], |r| {
        Ok(Segment {
            segment: r.get(0)?,
            start: r.get::<_, i64>(1)? as u64,
            end: r.get::<_, Option<i64>>(2)?.map(|e| e as u64),
            cursor: r.get(3)?,
            done: r.get(4)?,
        })
    })?
    .collect()
}

/// Stages a page of a segment and moves the segment's cursor (or marks it done), in one transaction.
#[allow(clippy::too_many_arguments)]
pub fn stage_chat_page(
    tx: &Transaction<'_>,
    video: &ChatVideo,
    segment: i64,
    messages: &[StagedMessage],
    next_cursor: Option<&str>,
    done: bool,
    now: &str,
    run: Option<i64>,
) -> rusqlite::Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO chat_staging (video_id, broadcaster_id, id, user_id, user_login, user_name, offset_seconds, created_at,
             created_at_corrected, text, fragments_json, emotes_json, badges_json, color, seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for m in messages {
        insert.execute(params![
            video.id,
            video.user_id,
            m.id,
            m.user_id,
            m.user_login,
            m.user_name,
            m.offset_seconds as i64,
            m.created_at,
            m.created_at_corrected,
            m.text,
            m.fragments_json,
            m.emotes_json,
            m.badges_json,
            m.color,
            now,
            run,
            m.raw_json,
        ])?;
    }
    tx.execute(
        "UPDATE chat_segments SET cursor = ?3, comments = comments + ?4, done_at = CASE WHEN ?5 THEN ?6 END, updated_at = ?6
         WHERE video_id = ?1 AND segment = ?2",
        params![video.id, segment, next_cursor, messages.len() as i64, done, now],
    )?;
    Ok(())
}

/// Merges a finished download: commenters (partial users), then messages in offset order (so the row numbers,
/// the full-text index and the by-video and by-time indexes all grow in order), exactly once each.
/// Returns the video's message count.
pub fn merge_chat(tx: &Transaction<'_>, video: &str, now: &str) -> rusqlite::Result<u64> {
    tx.execute(
        "INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at, sync_run_id)
         SELECT user_id, user_login, user_name, seen_at, seen_at, sync_run_id
         FROM chat_staging WHERE video_id = ?1 AND user_id IS NOT NULL GROUP BY user_id ORDER BY user_id
         ON CONFLICT (id) DO UPDATE SET last_seen_at = max(users.last_seen_at, excluded.last_seen_at)",
        [video],
    )?;
    tx.execute(
        "INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_id, user_login, user_name, offset_seconds,
             created_at, created_at_corrected, text, fragments_json, emotes_json, badges_json, color, first_seen_at,
             sync_run_id, raw_json)
         SELECT id, 'replay', video_id, broadcaster_id, user_id, user_login, user_name, offset_seconds, created_at,
             created_at_corrected, text, fragments_json, emotes_json, badges_json, color, seen_at, sync_run_id, raw_json
         FROM chat_staging WHERE video_id = ?1 ORDER BY offset_seconds, id
         ON CONFLICT (id) DO NOTHING",
        [video],
    )?;
    tx.execute("DELETE FROM chat_staging WHERE video_id = ?1", [video])?;
    let count: i64 = tx.query_row("SELECT count(*) FROM chat_messages WHERE video_id = ?1", [video], |r| {
        r.get(0)
    })?;
    tx.execute(
        "UPDATE videos SET chat_status = 'complete', chat_messages = ?2, chat_checked_at = ?3 WHERE id = ?1",
        params![video, count, now],
    )?;
    Ok(count as u64)
}

/// Marks a video whose chat Twitch no longer serves (the VOD is gone).
pub fn mark_chat_unavailable(tx: &Transaction<'_>, video: &str, now: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE videos SET chat_status = 'unavailable', chat_checked_at = ?2 WHERE id = ?1",
        params![video, now],
    )?;
    Ok(())
}
