//! Chat: replay and live. Each VOD's replay download is planned as time segments, split further while it runs
//! (each split committed before either half relies on it); each page goes into `chat_messages` (and its FTS
//! index) with its segment's cursor, once per message id, so an interrupted download resumes each segment where
//! it stopped; when every segment is done the video is marked complete.
//! Live chat goes into the same table (`source = 'live'`, no video) in batches as it is read.

use super::Timestamp;
use crate::client::UserId;
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
pub struct ChatMessage {
    pub id: String,
    pub user_id: Option<String>,
    pub user_login: Option<String>,
    pub user_name: Option<String>,
    /// Seconds into the VOD, for replay; `None` for live chat.
    pub offset_seconds: Option<u64>,
    pub created_at: String,
    pub created_at_corrected: bool,
    pub text: String,
    pub fragments_json: String,
    pub emotes_json: String,
    pub badges_json: String,
    pub color: Option<String>,
    pub raw_json: String,
    /// `chat`, or the kind of event the text was typed with (`resub`, `announcement`, ...).
    pub kind: String,
    /// Shared chat: the room the message was sent in, when it was read in another.
    pub source_room_id: Option<String>,
}

/// The archive VODs of `broadcaster` whose chat is not complete and may still be fetched, oldest first (those
/// expire first): not deleted (unless a download had started: the attempt finds it gone and keeps what was
/// fetched), and not the recording of a stream that is still live. A VOD whose chat GQL called gone
/// (`unavailable`) is asked again at every sync while Helix still lists it (issue 11): GQL and Helix disagree
/// for a while after a deletion, and a GQL answer that was wrong must not lose a chat for good.
pub fn load_videos_needing_chat(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<Vec<ChatVideo>> {
    let mut stmt = conn.prepare(
        "SELECT v.id, v.user_id, v.created_at, coalesce(v.duration_seconds, 0) FROM videos v
         WHERE v.user_id = ?1 AND v.type = 'archive'
           AND (((v.chat_status IS NULL OR v.chat_status = 'unavailable') AND v.deleted_seen_at IS NULL)
                OR v.chat_status = 'partial')
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
    now: &Timestamp,
) -> rusqlite::Result<Vec<Segment>> {
    let existing = load_segments(tx, video)?;
    if !existing.is_empty() {
        // Asked again after GQL called it gone: the download is under way once more.
        tx.execute(
            "UPDATE videos SET chat_status = 'partial', chat_checked_at = ?2 WHERE id = ?1 AND chat_status = 'unavailable'",
            params![video, now],
        )?;
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

/// Splits pending segment `segment` of `video` at `at` seconds: it now ends at `at`, and a new segment
/// `new_segment` (not started) covers `[at, its old end)`, in one transaction. Nothing between the two is lost or
/// counted twice: a page the shortened segment fetched past `at` before the split only repeats messages stored
/// once by id. Returns the new segment, or `None` when `segment` is done or `at` is not inside it.
pub fn split_segment(
    tx: &Transaction<'_>,
    video: &str,
    segment: i64,
    at: u64,
    new_segment: i64,
    now: &Timestamp,
) -> rusqlite::Result<Option<Segment>> {
    let end: Option<Option<i64>> = tx
        .query_row(
            "SELECT end_seconds FROM chat_segments
             WHERE video_id = ?1 AND segment = ?2 AND done_at IS NULL AND start_seconds < ?3
               AND (end_seconds IS NULL OR end_seconds > ?3)",
            params![video, segment, at as i64],
            |r| r.get(0),
        )
        .optional()?;
    let Some(end) = end else { return Ok(None) };
    tx.execute(
        "INSERT INTO chat_segments (video_id, segment, start_seconds, end_seconds, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![video, new_segment, at as i64, end, now],
    )?;
    tx.execute(
        "UPDATE chat_segments SET end_seconds = ?3, updated_at = ?4 WHERE video_id = ?1 AND segment = ?2",
        params![video, segment, at as i64, now],
    )?;
    Ok(Some(Segment {
        segment: new_segment,
        start: at,
        end: end.map(|e| e as u64),
        cursor: None,
        done: false,
    }))
}

/// The video's segments as stored, by number (a split's new segment comes after every earlier one).
pub fn load_segments(conn: &Connection, video: &str) -> rusqlite::Result<Vec<Segment>> {
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

/// One page of a segment, ready to be saved with where the segment goes next.
#[derive(Clone, Debug)]
pub struct ChatPage {
    pub segment: i64,
    pub messages: Vec<ChatMessage>,
    /// The next page's cursor; `None` when the segment is done.
    pub next_cursor: Option<String>,
    pub seen_at: Timestamp,
}

/// Saves pages of a VOD's chat, each with its segment's cursor (or marked done), in the caller's transaction:
/// commenters are upserted as partial users, messages inserted once each by Twitch's id (a page fetched again
/// after an interruption adds nothing).
pub fn save_chat_pages(
    tx: &Transaction<'_>,
    video: &ChatVideo,
    pages: &[ChatPage],
    run: Option<i64>,
) -> rusqlite::Result<()> {
    let messages: Vec<(&ChatMessage, &Timestamp)> = pages
        .iter()
        .flat_map(|p| p.messages.iter().map(|m| (m, &p.seen_at)))
        .collect();
    let origin = Origin {
        source: "replay",
        video_id: Some(&video.id),
        broadcaster_id: &video.user_id,
    };
    insert_messages(tx, &messages, &origin, run)?;
    let mut segment = tx.prepare_cached(
        "UPDATE chat_segments SET cursor = ?3, comments = comments + ?4,
             done_at = CASE WHEN ?3 IS NULL THEN ?5 END, updated_at = ?5
         WHERE video_id = ?1 AND segment = ?2",
    )?;
    for page in pages {
        segment.execute(params![
            video.id,
            page.segment,
            page.next_cursor,
            page.messages.len() as i64,
            page.seen_at
        ])?;
    }
    Ok(())
}

/// Saves messages read from a channel's live chat (`source = 'live'`, no video), once each by Twitch's id.
pub fn save_live_messages(
    tx: &Transaction<'_>,
    broadcaster_id: &str,
    messages: &[(ChatMessage, Timestamp)],
    run: Option<i64>,
) -> rusqlite::Result<()> {
    let messages: Vec<(&ChatMessage, &Timestamp)> = messages.iter().map(|(m, at)| (m, at)).collect();
    let origin = Origin {
        source: "live",
        video_id: None,
        broadcaster_id,
    };
    insert_messages(tx, &messages, &origin, run)
}

/// Where messages were read.
struct Origin<'a> {
    source: &'static str,
    video_id: Option<&'a str>,
    broadcaster_id: &'a str,
}

/// Upserts the commenters (partial users), then inserts the messages, each `(message, seen at)`, once per id.
///
/// The messages go in through a temp table with one `INSERT ... SELECT`, in offset (then time) order: FTS5
/// writes its pending index out at every statement's savepoint, so a statement per message would flush it per
/// message (four times slower in all).
fn insert_messages(
    tx: &Transaction<'_>,
    messages: &[(&ChatMessage, &Timestamp)],
    origin: &Origin<'_>,
    run: Option<i64>,
) -> rusqlite::Result<()> {
    // The temp schema has SQLite's default page cache (2 MB), smaller than a batch of 128 pages (about 7 MB):
    // it would spill the batch to a temp file and read it back for every commit.
    tx.execute_batch(
        "PRAGMA temp.cache_size = -32768;
         CREATE TEMP TABLE IF NOT EXISTS chat_batch (
             id TEXT NOT NULL, user_id TEXT, user_login TEXT, user_name TEXT, offset_seconds INTEGER,
             created_at TEXT NOT NULL, created_at_corrected INTEGER NOT NULL, text TEXT NOT NULL,
             fragments_json TEXT, emotes_json TEXT, badges_json TEXT, color TEXT, seen_at TEXT NOT NULL,
             raw_json TEXT, kind TEXT NOT NULL, source_room_id TEXT)",
    )?;
    // A page repeats its regulars; each account needs one upsert.
    let mut commenters: Vec<&(&ChatMessage, &Timestamp)> =
        messages.iter().filter(|(m, _)| m.user_id.is_some()).collect();
    commenters.sort_unstable_by(|a, b| a.0.user_id.cmp(&b.0.user_id).then(b.1.cmp(a.1)));
    commenters.dedup_by(|a, b| a.0.user_id == b.0.user_id);
    let commenters = commenters.into_iter().filter_map(|(m, seen_at)| {
        Some((
            m.user_id.as_deref()?,
            m.user_login.as_deref(),
            m.user_name.as_deref(),
            *seen_at,
        ))
    });
    super::users::save_chat_users(tx, commenters, run)?;
    let mut batch = tx.prepare_cached(
        "INSERT INTO temp.chat_batch (id, user_id, user_login, user_name, offset_seconds, created_at,
             created_at_corrected, text, fragments_json, emotes_json, badges_json, color, seen_at, raw_json, kind,
             source_room_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    for (m, seen_at) in messages {
        batch.execute(params![
            m.id,
            m.user_id,
            m.user_login,
            m.user_name,
            m.offset_seconds.map(|o| o as i64),
            m.created_at,
            m.created_at_corrected,
            m.text,
            m.fragments_json,
            m.emotes_json,
            m.badges_json,
            m.color,
            seen_at,
            m.raw_json,
            m.kind,
            m.source_room_id,
        ])?;
    }
    tx.prepare_cached(
        "INSERT INTO chat_messages (id, source, video_id, broadcaster_id, user_id, user_login, user_name,
             offset_seconds, created_at, created_at_corrected, text, fragments_json, emotes_json, badges_json, color,
             first_seen_at, sync_run_id, raw_json, kind, source_room_id)
         SELECT id, ?1, ?2, ?3, user_id, user_login, user_name, offset_seconds, created_at, created_at_corrected,
             text, fragments_json, emotes_json, badges_json, color, seen_at, ?4, raw_json, kind, source_room_id
         FROM temp.chat_batch
         WHERE true
         ORDER BY offset_seconds, created_at, id
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![origin.source, origin.video_id, origin.broadcaster_id, run])?;
    tx.execute("DELETE FROM temp.chat_batch", [])?;
    Ok(())
}

/// Marks a VOD whose every segment finished as complete; returns its message count. Moderation seen live
/// during the VOD (a deletion, a timeout) marks its replayed messages too, those a live recording missed.
pub fn finish_chat(tx: &Transaction<'_>, video: &str, now: &Timestamp) -> rusqlite::Result<u64> {
    let (broadcaster, started): (String, String) =
        tx.query_row("SELECT user_id, created_at FROM videos WHERE id = ?1", [video], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    super::chat_events::mark_moderated_since(tx, &broadcaster, &started)?;
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
pub fn mark_chat_unavailable(tx: &Transaction<'_>, video: &str, now: &Timestamp) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE videos SET chat_status = 'unavailable', chat_checked_at = ?2 WHERE id = ?1",
        params![video, now],
    )?;
    Ok(())
}
