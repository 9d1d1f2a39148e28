//! VOD chapters (`video_chapters`) and which VODs' chapters were fetched (`video_chapter_fetches`).
//!
//! History is kept, never overwritten: a chapter is one row per (video, start, game). A fetch that finds it
//! again moves its `last_seen_at` and takes the duration it now has (a recording VOD's last chapter grows); one
//! that no longer finds it sets `gone_seen_at` and keeps the row, so a chapter Twitch re-cut or corrected is
//! still there as it was seen. A VOD's chapters are final once fetched after its stream ended; a VOD still
//! recording is asked again at the next sync, and one GQL called gone is asked again while Helix lists it.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Stamp;
use crate::client::UserId;
use crate::client::gql::chapters::Chapter;

/// A VOD whose chapters are to be fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChapterVideo {
    pub id: String,
    /// Its stream is still live (as the archive last saw it): its chapters will grow.
    pub recording: bool,
    /// The game the archive knows for it (its stream's, else the channel's when it started), for a VOD whose
    /// answer names none.
    pub game: Option<(String, String)>,
}

/// How a fetch of a VOD's chapters ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchStatus {
    /// Fetched after its stream ended: not asked again.
    Final,
    /// Fetched while its stream was live: asked again next time.
    Recording,
    /// GQL said the video is gone: asked again while Helix still lists it.
    Unavailable,
}

impl FetchStatus {
    fn as_str(self) -> &'static str {
        match self {
            FetchStatus::Final => "final",
            FetchStatus::Recording => "recording",
            FetchStatus::Unavailable => "unavailable",
        }
    }
}

/// What saving one fetch changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChaptersSaved {
    /// Chapters seen for the first time.
    pub new: u64,
    /// Chapters no longer in Twitch's answer (kept, marked gone).
    pub gone: u64,
    /// The VOD's current chapters.
    pub current: u64,
}

/// The archive VODs of `broadcaster` whose chapters are not final, oldest first: never fetched (and not seen
/// deleted), still recording when last fetched, or called gone by GQL while Helix still lists them.
pub fn load_videos_needing_chapters(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<Vec<ChapterVideo>> {
    let mut stmt = conn.prepare(
        "SELECT v.id,
                EXISTS (SELECT 1 FROM streams s WHERE s.id = v.stream_id AND s.ended_seen_at IS NULL),
                coalesce(
                    (SELECT s.game_id FROM streams s WHERE s.id = v.stream_id AND s.game_id IS NOT NULL),
                    (SELECT c.game_id FROM channel_snapshots c
                     WHERE c.broadcaster_id = v.user_id AND c.game_id IS NOT NULL AND c.taken_at <= v.created_at
                     ORDER BY c.taken_at DESC LIMIT 1)),
                coalesce(
                    (SELECT s.game_name FROM streams s WHERE s.id = v.stream_id AND s.game_id IS NOT NULL),
                    (SELECT c.game_name FROM channel_snapshots c
                     WHERE c.broadcaster_id = v.user_id AND c.game_id IS NOT NULL AND c.taken_at <= v.created_at
                     ORDER BY c.taken_at DESC LIMIT 1))
         FROM videos v
         LEFT JOIN video_chapter_fetches f ON f.video_id = v.id
         WHERE v.user_id = ?1 AND v.type = 'archive'
           AND ((f.video_id IS NULL AND v.deleted_seen_at IS NULL)
                OR f.status = 'recording'
                OR (f.status = 'unavailable' AND v.deleted_seen_at IS NULL))
         ORDER BY v.created_at, v.id",
    )?;
    stmt.query_map([broadcaster], |r| {
        let game = match (r.get::<_, Option<String>>(2)?, r.get::<_, Option<String>>(3)?) {
            (Some(id), name) => Some((id, name.unwrap_or_default())),
            _ => None,
        };
        Ok(ChapterVideo {
            id: r.get(0)?,
            recording: r.get(1)?,
            game,
        })
    })?
    .collect()
}

/// Saves one fetch of `video`'s chapters (see the module docs for what is kept) and records the fetch.
pub fn save_chapters(
    tx: &Transaction<'_>,
    video: &str,
    chapters: &[Chapter],
    status: FetchStatus,
    stamp: &Stamp,
) -> rusqlite::Result<ChaptersSaved> {
    let mut saved = ChaptersSaved::default();
    let mut seen = Vec::with_capacity(chapters.len());
    let mut find = tx.prepare_cached(
        "SELECT id FROM video_chapters
         WHERE video_id = ?1 AND position_ms = ?2 AND ifnull(game_id, '') = ifnull(?3, '')",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE video_chapters SET
             duration_ms = coalesce(?2, duration_ms), type = ?3, source = ?4,
             moment_id = coalesce(?5, moment_id), game_name = coalesce(?6, game_name),
             description = coalesce(?7, description), box_art_url = coalesce(?8, box_art_url),
             last_seen_at = ?9, gone_seen_at = NULL, sync_run_id = ?10, raw_json = coalesce(?11, raw_json)
         WHERE id = ?1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO video_chapters (video_id, position_ms, duration_ms, type, source, moment_id, game_id,
             game_name, description, box_art_url, first_seen_at, last_seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)",
    )?;
    for c in chapters {
        let position = c.position_ms as i64;
        let duration = c.duration_ms.map(|d| d as i64);
        let existing: Option<i64> = find
            .query_row(params![video, position, c.game_id], |r| r.get(0))
            .optional()?;
        let id = match existing {
            Some(id) => {
                update.execute(params![
                    id,
                    duration,
                    c.kind,
                    c.source,
                    c.moment_id,
                    c.game_name,
                    c.description,
                    c.box_art_url,
                    stamp.seen_at,
                    stamp.run,
                    c.raw_json
                ])?;
                id
            }
            None => {
                insert.execute(params![
                    video,
                    position,
                    duration,
                    c.kind,
                    c.source,
                    c.moment_id,
                    c.game_id,
                    c.game_name,
                    c.description,
                    c.box_art_url,
                    stamp.seen_at,
                    stamp.run,
                    c.raw_json
                ])?;
                saved.new += 1;
                tx.last_insert_rowid()
            }
        };
        seen.push(id);
    }
    // What this answer no longer holds is kept, marked gone; a chapter seen twice in one answer counts once.
    seen.sort_unstable();
    seen.dedup();
    let mut current =
        tx.prepare_cached("SELECT id FROM video_chapters WHERE video_id = ?1 AND gone_seen_at IS NULL")?;
    let ids: Vec<i64> = current
        .query_map([video], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut gone = tx.prepare_cached("UPDATE video_chapters SET gone_seen_at = ?2 WHERE id = ?1")?;
    for id in ids.into_iter().filter(|id| seen.binary_search(id).is_err()) {
        gone.execute(params![id, stamp.seen_at])?;
        saved.gone += 1;
    }
    saved.current = seen.len() as u64;
    record_fetch(tx, video, status, saved.current, stamp)?;
    Ok(saved)
}

/// Records that GQL called `video` gone: its chapters are kept as they were.
pub fn mark_chapters_unavailable(tx: &Transaction<'_>, video: &str, stamp: &Stamp) -> rusqlite::Result<()> {
    let current: i64 = tx.query_row(
        "SELECT count(*) FROM video_chapters WHERE video_id = ?1 AND gone_seen_at IS NULL",
        [video],
        |r| r.get(0),
    )?;
    record_fetch(tx, video, FetchStatus::Unavailable, current as u64, stamp)
}

fn record_fetch(
    tx: &Transaction<'_>,
    video: &str,
    status: FetchStatus,
    chapters: u64,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO video_chapter_fetches (video_id, status, chapters, fetched_at, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (video_id) DO UPDATE SET
             status = excluded.status, chapters = excluded.chapters, fetched_at = excluded.fetched_at,
             sync_run_id = excluded.sync_run_id",
    )?
    .execute(params![
        video,
        status.as_str(),
        chapters as i64,
        stamp.seen_at,
        stamp.run
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Timestamp;

    fn archive() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(
            "INSERT INTO sync_runs (id, started_at, command, itch_version) VALUES (1, '2026-01-01T00:00:00Z', 'sync', 't');
             INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('9', 'someone', 'x', 'x');
             INSERT INTO streams (id, user_id, game_id, game_name, started_at, first_seen_at, last_seen_at)
                 VALUES ('s1', '9', NULL, 'Art', '2026-01-01T00:00:00Z', 'x', 'x'),
                        ('s2', '9', NULL, NULL, '2026-01-02T00:00:00Z', 'x', 'x');
             UPDATE streams SET ended_seen_at = 'x' WHERE id = 's1';
             INSERT INTO games (id, name, first_seen_at, last_seen_at) VALUES ('33214', 'Fortnite', 'x', 'x');
             INSERT INTO channel_snapshots (broadcaster_id, taken_at, game_id, game_name)
                 VALUES ('9', '2025-12-31T00:00:00Z', '33214', 'Fortnite');
             INSERT INTO videos (id, user_id, stream_id, type, created_at, first_seen_at, last_seen_at)
                 VALUES ('1', '9', 's1', 'archive', '2026-01-01T00:00:00Z', 'x', 'x'),
                        ('2', '9', 's2', 'archive', '2026-01-02T00:00:00Z', 'x', 'x'),
                        ('3', '9', NULL, 'highlight', '2026-01-03T00:00:00Z', 'x', 'x'),
                        ('4', '9', NULL, 'archive', '2026-01-04T00:00:00Z', 'x', 'x');
             UPDATE videos SET deleted_seen_at = 'x' WHERE id = '4';",
        )
        .unwrap();
        tx.commit().unwrap();
        (dir, conn)
    }

    fn chapter(position_ms: u64, duration_ms: Option<u64>, game: &str) -> Chapter {
        Chapter {
            position_ms,
            duration_ms,
            kind: "GAME_CHANGE".into(),
            source: "moment",
            moment_id: None,
            game_id: Some(game.into()),
            game_name: Some(format!("game {game}")),
            description: None,
            box_art_url: None,
            raw_json: Some("{}".into()),
        }
    }

    fn stamp() -> Stamp {
        Stamp {
            seen_at: Timestamp::now(),
            run: 1,
        }
    }

    fn save(conn: &mut Connection, video: &str, chapters: &[Chapter], status: FetchStatus) -> ChaptersSaved {
        let tx = conn.transaction().unwrap();
        let saved = save_chapters(&tx, video, chapters, status, &stamp()).unwrap();
        tx.commit().unwrap();
        saved
    }

    fn needing(conn: &Connection) -> Vec<String> {
        load_videos_needing_chapters(conn, &UserId::from("9"))
            .unwrap()
            .into_iter()
            .map(|v| v.id)
            .collect()
    }

    #[test]
    fn recording_vods_are_asked_again_and_final_ones_not() {
        let (_dir, mut conn) = archive();
        let videos = load_videos_needing_chapters(&conn, &UserId::from("9")).unwrap();
        assert_eq!(
            videos.iter().map(|v| (v.id.as_str(), v.recording)).collect::<Vec<_>>(),
            vec![("1", false), ("2", true)],
            "archives only, deleted never-fetched ones left out"
        );
        assert_eq!(
            videos[0].game,
            Some(("33214".into(), "Fortnite".into())),
            "no stream game: the channel's before the VOD"
        );
        save(&mut conn, "1", &[chapter(0, Some(60_000), "a")], FetchStatus::Final);
        save(&mut conn, "2", &[chapter(0, None, "a")], FetchStatus::Recording);
        assert_eq!(needing(&conn), vec!["2"]);
        save(&mut conn, "2", &[chapter(0, Some(90_000), "a")], FetchStatus::Final);
        assert!(needing(&conn).is_empty());
        let tx = conn.transaction().unwrap();
        mark_chapters_unavailable(&tx, "1", &stamp()).unwrap();
        tx.commit().unwrap();
        assert_eq!(needing(&conn), vec!["1"], "gone on GQL, still listed: asked again");
    }

    #[test]
    fn refetching_is_idempotent_and_changed_chapters_are_kept_as_seen() {
        let (_dir, mut conn) = archive();
        let first = [chapter(0, Some(60_000), "a"), chapter(60_000, None, "b")];
        let saved = save(&mut conn, "1", &first, FetchStatus::Recording);
        assert_eq!((saved.new, saved.gone, saved.current), (2, 0, 2));
        let again = save(&mut conn, "1", &first, FetchStatus::Recording);
        assert_eq!(
            (again.new, again.gone, again.current),
            (0, 0, 2),
            "the same answer adds nothing"
        );
        // The last chapter grew; the second game was corrected to another one.
        let changed = [chapter(0, Some(60_000), "a"), chapter(60_000, Some(30_000), "c")];
        let saved = save(&mut conn, "1", &changed, FetchStatus::Final);
        assert_eq!((saved.new, saved.gone, saved.current), (1, 1, 2));
        let rows: Vec<(String, Option<i64>, bool)> = conn
            .prepare("SELECT game_id, duration_ms, gone_seen_at IS NOT NULL FROM video_chapters ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("a".into(), Some(60_000), false),
                ("b".into(), None, true),
                ("c".into(), Some(30_000), false)
            ]
        );
        let (status, count): (String, i64) = conn
            .query_row(
                "SELECT status, chapters FROM video_chapter_fetches WHERE video_id = '1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), count), ("final", 2));
    }
}
