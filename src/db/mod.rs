//! The archive file itself, below everything that stores in it (the archive's tables, the response cache's):
//! refuse what is not ours (untouched), set the pragmas every connection needs (WAL so `sqlite3` can read while a
//! sync writes, foreign keys, a busy timeout), migrate forward with refinery, keep the WAL short; and the file's
//! one time format ([`time`]).

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

pub mod time;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// `PRAGMA application_id` of an itch archive: "itch" in ASCII.
pub const APPLICATION_ID: i32 = 0x6974_6368;

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// Opens (creating if needed) the archive at `path` for writing, and migrates it to the latest schema.
pub fn open(path: &Path) -> Result<Connection> {
    let existing = check_file(path)?;
    let mut conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
        .map_err(|source| Error::Database {
            path: path.to_owned(),
            action: "opening",
            source,
        })?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(db_error(path, "opening"))?;
    if existing {
        check_ours(&conn, path, false)?;
    }
    // 8 MiB of page cache a connection. A bulk follower merge builds its indexes by sorting and writes the
    // rest in key or table order, so a bigger cache bought it nothing (a 1M first sync took as long with 16 MiB:
    // examples/sync_followers), while each connection's cache (the archive's and the response cache's) shows
    // whole in a sync's peak memory: 16 MiB peaked at 80 MB, 8 MiB at 67. 4 MiB took a tenth longer again (paired
    // runs, 2026-12-03).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192;",
    )
    .map_err(db_error(path, "setting up"))?;
    // Marked before the first migration: a first sync killed while migrating leaves a file that is still ours.
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(db_error(path, "marking"))?;
    embedded::migrations::runner()
        .run(&mut conn)
        .map_err(|source| Error::Migration {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
    checkpoint_beside_writes(&mut conn, path).map_err(db_error(path, "setting up"))?;
    Ok(conn)
}

/// As [`open`], for a connection beside the archive's own that reads and writes a row at a time (the response
/// cache, its counters): 1 MiB of page cache instead of 8, as it shows whole in a sync's peak memory too.
pub fn open_beside(path: &Path) -> Result<Connection> {
    let conn = open(path)?;
    conn.pragma_update(None, "cache_size", -1024)
        .map_err(db_error(path, "setting up"))?;
    Ok(conn)
}

/// WAL frames (pages) after which a commit asks for a checkpoint: SQLite's own automatic threshold.
const CHECKPOINT_FRAMES: i32 = 1000;
/// WAL frames (about 40 MB) past which the writer checkpoints itself.
const WAL_LIMIT_FRAMES: i32 = 10_000;

/// True for SQLite's "database is locked" / "database table is locked": someone else holds the file for now.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Moves checkpoints off the writer. SQLite's automatic checkpoint runs inside the commit that crosses the
/// threshold, copying pages back into the file and syncing it while the writer waits: 4 of the 10 seconds of
/// a 200,000-message chat download. Instead such a commit wakes a thread with a connection of its own that
/// runs a PASSIVE checkpoint beside the next writes (on the other core).
///
/// Closing the writer's connection closes the thread too, and waits for it: the thread runs a last TRUNCATE
/// checkpoint once every commit is in, then closes its connection. So when the writer's connection is dropped
/// the `.db` file alone holds every commit, and no connection of ours is left open behind it.
fn checkpoint_beside_writes(conn: &mut Connection, path: &Path) -> rusqlite::Result<()> {
    let checkpointer = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    checkpointer.busy_timeout(Duration::from_secs(5))?;
    // A connection learns the file is in WAL mode when it first reads it; until then a checkpoint is a no-op.
    let mode: String = checkpointer.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    debug_assert_eq!(mode, "wal");
    let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
    let spawned = std::thread::Builder::new()
        .name("itch-checkpoint".into())
        .spawn(move || {
            while woken.recv().is_ok() {
                match checkpointer.wal_checkpoint_v2(Some(rusqlite::MAIN_DB), CheckpointMode::PASSIVE) {
                    // A busy file (the writer's own checkpoint at the WAL limit, a reader's snapshot) is the normal
                    // case under load, not an error: the next commit past the threshold tries again.
                    Err(error) if is_busy(&error) => {}
                    Err(error) => tracing::debug!(%error, "background checkpoint"),
                    Ok(_) => {}
                }
            }
            // The writer is closing: every commit is in the WAL, so fold it all into the file.
            if let Err(error) = checkpoint(&checkpointer) {
                tracing::warn!(%error, "the last checkpoint of the archive failed; its -wal file holds the rest");
            }
        });
    let Ok(thread) = spawned else {
        // No thread to spare: SQLite checkpoints inside commits, as it does by default.
        return Ok(());
    };
    let closer = Closer {
        wake: Some(wake),
        thread: Some(thread),
    };
    conn.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, frames: std::ffi::c_int| {
        if frames >= WAL_LIMIT_FRAMES {
            // The thread never caught up between two commits, so the WAL could not start over: checkpoint here,
            // as SQLite would, and the next commit rewinds it. Busy means the thread is at it; fine either way.
            let _ = wal.checkpoint_v2(CheckpointMode::PASSIVE);
        } else if frames >= CHECKPOINT_FRAMES {
            // Full means a checkpoint is already asked for.
            let _ = closer.wake();
        }
        Ok(())
    }))
}

/// Owned by the writer's WAL hook, so it is dropped when the writer's connection closes: it tells the
/// checkpoint thread to finish and waits until it has.
struct Closer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Closer {
    fn wake(&self) -> Option<()> {
        self.wake.as_ref()?.try_send(()).ok()
    }
}

impl Drop for Closer {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Folds the whole WAL into the database file and empties it (TRUNCATE), waiting while another connection's
/// checkpoint or read is in the way (which makes SQLite answer "busy" instead of doing it), up to 10 s.
pub fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (busy, _log, _done): (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        if busy == 0 || std::time::Instant::now() > deadline {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Opens an existing itch archive read-only whatever its schema version this build can migrate (an older one
/// included): for a check before a write command, which then migrates it. `None` when there is no file yet.
pub fn open_for_check(path: &Path) -> Result<Option<Connection>> {
    if check_file(path)? {
        Ok(Some(open_for_reading(path, false)?))
    } else {
        Ok(None)
    }
}

/// Checks, without creating or changing anything, that `path` is either free or an itch archive this build
/// can open, so a command can refuse early, before it spends any request.
pub fn check(path: &Path) -> Result<()> {
    if check_file(path)? {
        // An older schema is fine here: the write command that asks migrates it next.
        drop(open_for_reading(path, false)?);
    }
    Ok(())
}

/// Opens an existing archive read-only (reports, `itch sql`, `itch cache stats`): nothing is migrated or
/// written, so it works on read-only media and without write permission. A missing file is an error, not a new
/// archive; an archive of an older schema is refused with the way to migrate it (a reader cannot).
pub fn open_read_only(path: &Path) -> Result<Connection> {
    open_for_reading(path, true)
}

fn open_for_reading(path: &Path, current: bool) -> Result<Connection> {
    if !check_file(path)? {
        return Err(Error::NoArchive { path: path.to_owned() });
    }
    let conn = connect_read_only(path, OpenFlags::SQLITE_OPEN_READ_ONLY, path)?;
    match check_ours(&conn, path, current) {
        Err(Error::Database {
            source: rusqlite::Error::SqliteFailure(failure, _),
            ..
        }) if matches!(
            failure.code,
            rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen
        ) && !has_wal(path) =>
        {
            // A WAL archive is read through its -shm file, which SQLite creates beside it: impossible in a
            // directory itch may not write. With no -wal file (or an empty one) the archive file holds every
            // commit, and `immutable=1` reads it without -shm or locks.
            tracing::debug!(path = %path.display(), "no -shm can be made beside the archive: reading it as immutable");
            let uri = immutable_uri(path)?;
            let conn = connect_read_only(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
                &uri,
            )?;
            check_ours(&conn, path, current)?;
            Ok(conn)
        }
        Err(error) => Err(error),
        Ok(()) => Ok(conn),
    }
}

fn connect_read_only(path: &Path, flags: OpenFlags, target: impl AsRef<Path>) -> Result<Connection> {
    let conn = Connection::open_with_flags(target, flags).map_err(|source| Error::Database {
        path: path.to_owned(),
        action: "opening",
        source,
    })?;
    conn.busy_timeout(Duration::from_secs(30))
        .map_err(db_error(path, "opening"))?;
    Ok(conn)
}

/// The archive's write-ahead log: `<archive>-wal`, beside it.
pub fn wal_path(path: &Path) -> std::path::PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

/// True when a -wal file with frames is beside the archive (commits not yet in the file itself).
fn has_wal(path: &Path) -> bool {
    std::fs::metadata(wal_path(path)).is_ok_and(|m| m.len() > 0)
}

/// `file:///abs/path?immutable=1`, the path percent-encoded.
fn immutable_uri(path: &Path) -> Result<String> {
    let absolute = std::path::absolute(path).map_err(|source| Error::ArchiveFile {
        path: path.to_owned(),
        source,
    })?;
    let mut url = url::Url::from_file_path(&absolute).map_err(|()| Error::NotAnArchive {
        path: path.to_owned(),
        why: "its path cannot be written as a file: URI",
    })?;
    url.set_query(Some("immutable=1"));
    Ok(url.to_string())
}

/// True when an archive file exists with content. Refuses directories and files that are not SQLite before
/// SQLite touches them.
fn check_file(path: &Path) -> Result<bool> {
    // Look before opening: opening a FIFO waits for a writer forever, and a device or socket is no archive.
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(Error::ArchiveFile {
                path: path.to_owned(),
                source,
            });
        }
        Ok(metadata) if metadata.is_dir() => {
            return Err(Error::NotAnArchive {
                path: path.to_owned(),
                why: "it is a directory",
            });
        }
        Ok(metadata) if !metadata.is_file() => {
            return Err(Error::NotAnArchive {
                path: path.to_owned(),
                why: "it is not a regular file but a FIFO, a device or a socket",
            });
        }
        Ok(_) => {}
    }
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(Error::ArchiveFile {
                path: path.to_owned(),
                source,
            });
        }
    };
    let metadata = file.metadata().map_err(|source| Error::ArchiveFile {
        path: path.to_owned(),
        source,
    })?;
    if metadata.is_dir() {
        return Err(Error::NotAnArchive {
            path: path.to_owned(),
            why: "it is a directory",
        });
    }
    if metadata.len() == 0 {
        return Ok(false);
    }
    let mut header = [0u8; 16];
    let read = file.read(&mut header).map_err(|source| Error::ArchiveFile {
        path: path.to_owned(),
        source,
    })?;
    if read < 16 || &header != b"SQLite format 3\0" {
        return Err(Error::NotAnArchive {
            path: path.to_owned(),
            why: "it is not a SQLite database",
        });
    }
    Ok(true)
}

/// Refuses SQLite files of other programs and archives of a newer itch, and with `current` of an older one.
fn check_ours(conn: &Connection, path: &Path, current: bool) -> Result<()> {
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(db_error(path, "reading"))?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| {
            r.get(0)
        })
        .map_err(db_error(path, "reading"))?;
    if id != APPLICATION_ID && !(id == 0 && (tables == 0 || migrated_unmarked(conn, path)?)) {
        return Err(Error::NotAnArchive {
            path: path.to_owned(),
            why: "it is a SQLite database of another program",
        });
    }
    if tables == 0 {
        return Ok(());
    }
    let newest: Option<i64> = conn
        .query_row("SELECT max(version) FROM refinery_schema_history", [], |r| r.get(0))
        .optional()
        .map_err(db_error(path, "reading"))?
        .flatten();
    match newest {
        Some(version) if version > latest_version() => Err(Error::NewerArchive {
            path: path.to_owned(),
            version,
            supported: latest_version(),
        }),
        Some(version) if current && version < latest_version() => Err(Error::OlderArchive {
            path: path.to_owned(),
            version,
            supported: latest_version(),
        }),
        _ => Ok(()),
    }
}

/// Whether the archive's migration history starts with itch's first migration: an archive made before itch
/// marked new files ahead of migrating them, whose first sync was killed between its migrations and the mark.
fn migrated_unmarked(conn: &Connection, path: &Path) -> Result<bool> {
    let first = embedded::migrations::runner()
        .get_migrations()
        .iter()
        .min_by_key(|m| m.version())
        .map(|m| m.name().to_owned());
    let recorded: Option<String> = conn
        .query_row("SELECT name FROM refinery_schema_history WHERE version = 1", [], |r| {
            r.get(0)
        })
        .optional()
        .or_else(|e| match e {
            // No history table: not a file itch began.
            rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.starts_with("no such table") => Ok(None),
            e => Err(e),
        })
        .map_err(db_error(path, "reading"))?;
    Ok(recorded.is_some() && recorded == first)
}

fn db_error<'p>(path: &'p Path, action: &'static str) -> impl Fn(rusqlite::Error) -> Error + 'p {
    move |source| Error::Database {
        path: path.to_owned(),
        action,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type IN ('table','view') ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn a_new_archive_is_migrated_with_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("a.db")).unwrap();
        let names = tables(&conn);
        for table in [
            "users",
            "follows",
            "videos",
            "streams",
            "sync_runs",
            "sync_checkpoints",
            "http_cache",
            "channel_followers",
        ] {
            assert!(names.contains(&table.to_string()), "{table} in {names:?}");
        }
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), fk), ("wal", 1));
        // Enforced, not only declared: a follow of a user the archive does not hold is refused.
        let orphan = conn.execute(
            "INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at)
             VALUES ('1', '2', 't', 't', 't')",
            [],
        );
        assert!(
            matches!(&orphan, Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            "{orphan:?}"
        );
        drop(conn);
        // Opening again is a no-op migration.
        open(&dir.path().join("a.db")).unwrap();
    }

    #[test]
    fn foreign_files_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "hello, not a database").unwrap();
        assert!(matches!(open(&text), Err(Error::NotAnArchive { .. })));
        assert_eq!(std::fs::read_to_string(&text).unwrap(), "hello, not a database");

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        let before = std::fs::read(&other).unwrap();
        assert!(matches!(open(&other), Err(Error::NotAnArchive { .. })));
        assert_eq!(std::fs::read(&other).unwrap(), before);
        assert!(!dir.path().join("other.db-wal").exists());
    }

    #[test]
    fn an_archive_from_a_newer_itch_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let conn = open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '', '0')",
            [],
        )
        .unwrap();
        drop(conn);
        assert!(matches!(open(&path), Err(Error::NewerArchive { version: 999, .. })));
    }

    #[test]
    fn an_archive_whose_first_sync_was_killed_while_migrating_opens_and_migrates_on() {
        for target in [refinery::Target::Version(3), refinery::Target::Latest] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.db");
            // What a kill between the migrations and the mark left: itch's tables, no application_id yet.
            let mut conn = Connection::open(&path).unwrap();
            embedded::migrations::runner()
                .set_target(target)
                .run(&mut conn)
                .unwrap();
            drop(conn);
            let conn = open(&path).expect("itch's own half-made archive");
            let version: i64 = conn
                .query_row("SELECT max(version) FROM refinery_schema_history", [], |r| r.get(0))
                .unwrap();
            assert_eq!(version, latest_version());
            let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
            assert_eq!(id, APPLICATION_ID);
        }
    }

    #[test]
    fn a_sqlite_file_with_another_migration_history_and_no_mark_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        drop(open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        // Another program that uses refinery too: its history does not begin with itch's first migration.
        conn.execute_batch(
            "PRAGMA application_id = 0; UPDATE refinery_schema_history SET name = 'other' WHERE version = 1;",
        )
        .unwrap();
        drop(conn);
        assert!(matches!(open(&path), Err(Error::NotAnArchive { .. })));
    }

    #[test]
    fn chat_staged_by_itch_0_4_0_moves_into_chat_messages() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(8))
            .run(&mut conn)
            .unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        // An interrupted download: two messages staged (one twice, by a page fetched again) and one merged.
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('20', 'rig', 'x', 'x');
             INSERT INTO videos (id, user_id, type, title, created_at, duration, duration_seconds, first_seen_at,
                                 last_seen_at, chat_status)
             VALUES ('2002', '20', 'archive', 't', '2026-02-20T18:00:00Z', '1h', 3600, 'x', 'x', 'partial');
             INSERT INTO chat_messages (id, source, video_id, broadcaster_id, offset_seconds, created_at, text,
                                        first_seen_at)
             VALUES ('m0', 'replay', '2002', '20', 1, '2026-02-20T18:00:01Z', 'merged', 'x');
             INSERT INTO chat_staging (video_id, broadcaster_id, id, user_id, user_login, user_name, offset_seconds,
                                       created_at, created_at_corrected, text, seen_at) VALUES
                 ('2002', '20', 's2', '7', 'erin', 'Erin', 20, '2026-02-20T18:00:20Z', 0, 'second', '2026-03-05'),
                 ('2002', '20', 's1', '3', 'bob', 'bob', 10, '2026-02-20T18:00:10Z', 0, 'first bob', '2026-03-05'),
                 ('2002', '20', 's1', '3', 'bob', 'bob', 10, '2026-02-20T18:00:10Z', 0, 'first bob', '2026-03-06');",
        )
        .unwrap();
        drop(conn);

        let conn = open(&path).unwrap();
        assert!(!tables(&conn).contains(&"chat_staging".to_string()));
        let texts: Vec<String> = conn
            .prepare("SELECT text FROM chat_messages WHERE video_id = '2002' ORDER BY offset_seconds")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(texts, ["merged", "first bob", "second"]);
        let commenters: i64 = conn
            .query_row(
                "SELECT count(*) FROM users WHERE id IN ('3', '7') AND login IN ('bob', 'erin')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(commenters, 2, "the commenters became partial users");
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'bob'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "moved messages are searchable");
    }

    #[test]
    fn follows_of_itch_0_4_become_first_episodes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
        embedded::migrations::runner()
            .set_target(refinery::Target::Version(16))
            .run(&mut conn)
            .unwrap();
        conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'c', 'x', 'x'), ('2', 'f', 'x', 'x');
             INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at)
             VALUES ('1', '2', '2025-01-01T00:00:00Z', 'x', 'x', '2025-06-01T00:00:00Z');",
        )
        .unwrap();
        drop(conn);

        let conn = open(&path).unwrap();
        let episode: (i64, String, Option<String>, i64) = conn
            .query_row(
                "SELECT episode, followed_at, unfollowed_seen_at, is_latest FROM follow_episodes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            episode,
            (1, "2025-01-01T00:00:00Z".into(), Some("2025-06-01T00:00:00Z".into()), 1)
        );
    }

    #[test]
    fn a_thread_beside_the_writer_checkpoints_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let conn = open(&path).unwrap();
        let empty = std::fs::metadata(&path).unwrap().len();
        // About 2,500 pages of WAL over five commits: past the threshold, so the checkpoint thread is woken.
        for batch in 0..5 {
            conn.execute(
                "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 2000)
                 INSERT INTO users (id, login, description, first_seen_at, last_seen_at)
                 SELECT ?1 || '-' || n, 'u' || n, printf('%.4000c', 'x'), 'x', 'x' FROM i",
                [batch],
            )
            .unwrap();
        }
        // The writer never checkpoints itself (the hook replaced SQLite's automatic one), so only the thread can
        // have copied the pages back into the file.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::fs::metadata(&path).unwrap().len() < empty + 20_000_000 {
            assert!(std::time::Instant::now() < deadline, "no checkpoint ran");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn once_closed_the_db_file_alone_holds_every_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let conn = open(&path).unwrap();
        // Enough pages to wake the checkpoint thread, then one small commit last.
        for batch in 0..3 {
            conn.execute(
                "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 1000)
                 INSERT INTO users (id, login, description, first_seen_at, last_seen_at)
                 SELECT ?1 || '-' || n, 'u' || n, printf('%.4000c', 'x'), 'x', 'x' FROM i",
                [batch],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('last', 'last', 'x', 'x')",
            [],
        )
        .unwrap();
        drop(conn);
        let wal = std::fs::metadata(dir.path().join("a.db-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "nothing left in the WAL once closed");
        let copy = tempfile::tempdir().unwrap();
        std::fs::copy(&path, copy.path().join("a.db")).unwrap();
        let copied = Connection::open(copy.path().join("a.db")).unwrap();
        let users: i64 = copied
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 3001);
    }

    #[test]
    fn read_only_open_needs_an_existing_archive() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            open_read_only(&dir.path().join("none.db")),
            Err(Error::NoArchive { .. })
        ));
        assert!(!dir.path().join("none.db").exists());
    }
}
