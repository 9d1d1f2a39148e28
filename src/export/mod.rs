//! `itch export <dir>`: the archive as files other tools read as they are (DuckDB, ClickHouse, Spark, pandas).
//! It sits beside the reports at the end of the data flow: it reads the archive, writes files, and knows no HTTP.
//!
//! - **Which tables**: every table of the archive except those [`catalog::EXCLUDED`] (staging, cache, work state,
//!   bookkeeping) and full-text indexes, found in the archive's schema, so a new table is exported without a change
//!   here. Each goes to `<dir>/<table>/`.
//! - **Typed columns** ([`catalog::Kind`]): `*_at` times become UTC timestamps (microseconds), INTEGER columns
//!   64-bit integers, 0/1 flags booleans; ids, JSON and `raw_json` stay strings; NULL stays NULL.
//! - **Hive partitions** for the big and per-sync tables (follows, chat messages and events, snapshots):
//!   `<table>/channel=<login>/date=<yyyy-mm-dd>/part-<export>.parquet` (chat; `month=` for snapshots, `year=` for
//!   follows: see [`catalog::Period`]), by the channel's current login and the UTC time of the row.
//! - **Streaming**: rows come off one SQLite cursor per table, in partition order, into one open file at a time,
//!   in record batches of bounded size ([`sink`]): memory does not grow with the table.
//! - **Incremental**: each export has an id (`exports`), and a part file is named after the export that wrote it.
//!   A second export into the same directory writes only the rows inserted or changed since the first (the
//!   watermarks in `export_watermarks`, and the keys of changed rows the V014 triggers log in `export_changes`).
//!   A row updated in place (a follower hydrated, a follow's `unfollowed_seen_at`, a video's `deleted_seen_at`)
//!   is written again, whole, into the new export's part: the newest version of a row is the one in the part
//!   with the highest export number. Nothing new means no file.
//! - **Never half done**: the whole export reads one snapshot of the archive; each file is written under a
//!   temporary name, synced and renamed, and its directory synced; the watermarks are saved only once every file
//!   is complete. An export that is interrupted (or fails) saves nothing: the next one removes its files and
//!   writes its rows again. The directory's marker is written before the first part, so a directory with parts
//!   is never taken as new.
//! - **One archive per directory**: the marker carries a random token the archive records (`exports.dir_token`);
//!   another archive's export into it is refused, and no part is renamed onto an existing file. Exports into
//!   different directories may run at once: each records its snapshot (`exports.snapshot_seq`), and the change
//!   log is never trimmed past a running one's.

pub mod catalog;
pub mod error;
pub mod sink;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::db::time::Timestamp;
pub use catalog::{Changes, Column, Kind, Table};
pub use error::{ExportError, Result};
use sink::{Cell, Part};

/// The files' format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Apache Parquet, zstd-compressed, typed columns.
    #[default]
    Parquet,
    /// CSV with a header line; NULL is an empty field, times as the archive's ISO-8601 text, flags true/false.
    Csv,
    /// One JSON object a line; NULL is null, times as ISO-8601 text, counts as numbers, flags true/false.
    Ndjson,
}

impl Format {
    /// The name stored in `exports.format` and used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
            Format::Ndjson => "ndjson",
        }
    }

    /// The part files' extension.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }
}

/// What to export, and where.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// The export directory (created if missing).
    pub dir: PathBuf,
    pub format: Format,
    /// Only these tables (by name); `None` for all.
    pub tables: Option<Vec<String>>,
}

/// What an export wrote for one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableExport {
    pub table: String,
    /// Rows written by this export (new and changed ones).
    pub rows: u64,
    /// Part files written.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// `full` (the table's first export into this directory), `incremental`, or `whole` (a table that has no
    /// change log, written whole each time).
    pub mode: &'static str,
}

/// What an export did.
#[derive(Clone, Debug)]
pub struct ExportSummary {
    /// The export's id (`exports.id`), which names its part files.
    pub id: i64,
    /// The directory, as recorded (absolute).
    pub dir: PathBuf,
    pub tables: Vec<TableExport>,
}

/// Written into an export directory by its first export, before any part file (it names the archive and
/// carries the directory's token): without it the directory is taken as new, and exported whole.
pub const MARKER_FILE: &str = ".itch-export";

/// The lock file inside an export directory: one export writes into a directory at a time.
pub const LOCK_FILE: &str = ".itch-export.lock";

/// Exports the archive at `db` as `options` say. Bad input (a missing archive, a directory that is a file or not
/// writable, an unknown table, a directory holding another format) is refused before anything is written.
pub fn export(db: &Path, options: &ExportOptions) -> Result<ExportSummary> {
    if !db.exists() {
        return Err(crate::Error::NoArchive { path: db.to_owned() }.into());
    }
    let (dir, _lock) = prepare_dir(&options.dir)?;
    let dir_key = dir.to_string_lossy().into_owned();
    let mut conn = crate::db::open(db)?;
    let all = catalog::exported_tables(&conn).map_err(db_error(db, "reading the schema"))?;
    let tables: Vec<Table> = match &options.tables {
        None => all,
        Some(names) => {
            let mut chosen = Vec::new();
            for name in names {
                let Some(table) = all.iter().find(|t| &t.name == name) else {
                    return Err(ExportError::UnknownTable {
                        table: name.clone(),
                        known: all.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                    });
                };
                if !chosen.iter().any(|t: &Table| &t.name == name) {
                    chosen.push(table.clone());
                }
            }
            chosen
        }
    };
    // The marker says whose directory this is: absent, it is new (or emptied) and any format goes; present, it
    // must name this archive, and the format of its last export holds.
    let marker = read_marker(&dir)?;
    let fresh = marker.is_none();
    let token = match &marker {
        None => new_token(&conn, db)?,
        Some(marker) => {
            let ours: bool = match &marker.token {
                Some(token) => conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM exports WHERE dir_token = ?1)",
                    [token],
                    |r| r.get(0),
                ),
                // Written by an itch before V016 (it names the archive's path only): ours if we exported here.
                None => conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM exports WHERE dir = ?1 AND status = 'ok')",
                    [&dir_key],
                    |r| r.get(0),
                ),
            }
            .map_err(db_error(db, "reading past exports"))?;
            if !ours {
                return Err(ExportError::OtherArchive {
                    dir,
                    archive: marker.archive.clone(),
                });
            }
            let previous: Option<String> = conn
                .query_row(
                    "SELECT format FROM exports WHERE dir = ?1 AND status = 'ok' ORDER BY id DESC LIMIT 1",
                    [&dir_key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error(db, "reading past exports"))?;
            if let Some(was) = previous.filter(|was| was != options.format.as_str()) {
                return Err(ExportError::FormatMismatch {
                    dir,
                    was,
                    asked: options.format.as_str(),
                });
            }
            match &marker.token {
                Some(token) => token.clone(),
                None => new_token(&conn, db)?,
            }
        }
    };
    remove_unfinished(&conn, db, &dir, &dir_key)?;
    // The watermarks describe files in the directory: a directory emptied (or made anew) since gets everything.
    if fresh {
        conn.execute("DELETE FROM export_watermarks WHERE dir = ?1", [&dir_key])
            .map_err(db_error(db, "forgetting the watermarks of an emptied directory"))?;
    }
    let names = tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(",");
    // The log as it is now: this export's snapshot (taken just after) holds at least this much, so no other
    // export trims what this one will need next time (see `save`).
    conn.execute(
        "INSERT INTO exports (dir, format, tables, status, started_at, itch_version, snapshot_seq, dir_token)
         VALUES (?1, ?2, ?3, 'running', ?4, ?5, (SELECT coalesce(max(seq), 0) FROM export_changes), ?6)",
        params![
            dir_key,
            options.format.as_str(),
            names,
            Timestamp::now(),
            env!("CARGO_PKG_VERSION"),
            token
        ],
    )
    .map_err(db_error(db, "recording the export"))?;
    let id = conn.last_insert_rowid();
    let mut written = Vec::new();
    let outcome = (|| {
        // Before the first part: a directory holding parts always has its marker, so a crash anywhere after this
        // never makes the next export take the directory as new (and write every row again beside the old parts).
        match &marker {
            None => write_marker(&dir, db, &token, options.format, false)?,
            Some(m) if m.token.is_none() => write_marker(&dir, db, &token, options.format, true)?,
            Some(_) => {}
        }
        let (results, marks, snapshot_seq) =
            write_all(&conn, db, &dir, &dir_key, id, options.format, &tables, &mut written)?;
        // Every renamed part's directory entry is on disk before the watermarks say it exists.
        sink::sync_dirs(&sink::dirs_to_sync(&dir, &written))?;
        Ok((results, marks, snapshot_seq))
    })();
    match outcome.and_then(|(results, marks, snapshot_seq)| {
        save(&mut conn, db, &dir_key, id, &results, &marks, snapshot_seq)?;
        Ok(results)
    }) {
        Ok(results) => Ok(ExportSummary {
            id,
            dir,
            tables: results,
        }),
        Err(error) => {
            // A file that cannot be removed now is removed by the next export into the directory (it cleans up
            // after failed exports as after killed ones).
            for file in &written {
                let _ = std::fs::remove_file(file);
            }
            let _ = conn.execute(
                "UPDATE exports SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                params![id, Timestamp::now(), crate::error::display_chain(&error)],
            );
            Err(error)
        }
    }
}

/// What [`forget`] dropped.
#[derive(Clone, Debug)]
pub struct Forgotten {
    /// The directory, as recorded (absolute).
    pub dir: PathBuf,
    /// Tables whose watermark was dropped; 0 if the archive had none for this directory.
    pub tables: u64,
    /// Change-log entries no directory needs any more, deleted.
    pub changes: u64,
}

/// Forgets an export directory the user deleted: drops its watermarks, so the change log no longer keeps what it
/// had not seen (an export into that path again is a full one). Refused while the directory holds its marker:
/// forgetting it then would make the next export write every row again beside its parts.
pub fn forget(db: &Path, dir: &Path) -> Result<Forgotten> {
    if !db.exists() {
        return Err(crate::Error::NoArchive { path: db.to_owned() }.into());
    }
    if dir.join(MARKER_FILE).exists() {
        return Err(ExportError::StillThere { dir: dir.to_owned() });
    }
    let dir = recorded_path(dir).map_err(|e| ExportError::Dir {
        dir: dir.to_owned(),
        problem: "it cannot be made absolute",
        source: Some(e),
    })?;
    let dir_key = dir.to_string_lossy().into_owned();
    let mut conn = crate::db::open(db)?;
    let err = db_error(db, "forgetting an export directory");
    let tx = conn.transaction().map_err(&err)?;
    let tables = tx
        .execute("DELETE FROM export_watermarks WHERE dir = ?1", [&dir_key])
        .map_err(&err)? as u64;
    let upto: i64 = tx
        .query_row("SELECT coalesce(max(seq), 0) FROM export_changes", [], |r| r.get(0))
        .map_err(&err)?;
    let changes = trim_changes(&tx, upto, None).map_err(&err)? as u64;
    tx.commit().map_err(&err)?;
    Ok(Forgotten { dir, tables, changes })
}

/// The absolute form an export records for `dir`, which may be gone: its nearest existing ancestor resolved
/// (symbolic links, `..`) as `canonicalize` does, the rest as given.
fn recorded_path(dir: &Path) -> std::io::Result<PathBuf> {
    let absolute = std::path::absolute(dir)?;
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    loop {
        if let Ok(resolved) = base.canonicalize() {
            return Ok(rest.iter().rev().fold(resolved, |path, part| path.join(part)));
        }
        match (base.parent(), base.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                base = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

/// What a directory's [`MARKER_FILE`] says.
#[derive(Debug, PartialEq, Eq)]
struct Marker {
    /// The archive that wrote it, as its path was then (for messages only: archives move).
    archive: String,
    /// The directory's token, also in that archive's `exports.dir_token`. None in a marker from before V016.
    token: Option<String>,
}

const MARKER_HEADER: &str = "itch export directory";

/// The marker's text: a header line, then `key: value` lines.
fn marker_text(db: &Path, token: &str, format: Format) -> String {
    format!(
        "{MARKER_HEADER} (itch reads this file: do not edit it)\narchive: {}\ntoken: {token}\nformat: {}\n",
        db.display(),
        format.as_str()
    )
}

/// Reads a marker's text; None if it is not one itch wrote.
fn parse_marker(text: &str) -> Option<Marker> {
    let mut lines = text.lines();
    let first = lines.next()?;
    if !first.starts_with(MARKER_HEADER) {
        // Before V016 the marker was the archive's path alone.
        let single = text.trim_end_matches('\n');
        return (!single.is_empty() && !single.contains('\n')).then(|| Marker {
            archive: single.to_owned(),
            token: None,
        });
    }
    let mut marker = Marker {
        archive: String::new(),
        token: None,
    };
    for line in lines {
        match line.split_once(": ") {
            Some(("archive", value)) => marker.archive = value.to_owned(),
            Some(("token", value)) if !value.is_empty() => marker.token = Some(value.to_owned()),
            _ => {}
        }
    }
    marker.token.is_some().then_some(marker)
}

/// The directory's marker, None if there is none.
fn read_marker(dir: &Path) -> Result<Option<Marker>> {
    let path = dir.join(MARKER_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|source| ExportError::File {
        path: path.clone(),
        source,
    })?;
    match parse_marker(&text) {
        Some(marker) => Ok(Some(marker)),
        None => Err(ExportError::BadMarker {
            dir: dir.to_owned(),
            marker: path,
        }),
    }
}

/// Writes the marker, synced with its directory entry. A new one never replaces a file there; `replace` rewrites
/// a marker from before V016 (under a temporary name, then renamed over it).
fn write_marker(dir: &Path, db: &Path, token: &str, format: Format, replace: bool) -> Result<()> {
    let path = dir.join(MARKER_FILE);
    let target = if replace {
        dir.join(format!(".{MARKER_FILE}.tmp"))
    } else {
        path.clone()
    };
    let io = |source| ExportError::File {
        path: path.clone(),
        source,
    };
    if replace {
        let _ = std::fs::remove_file(&target);
    }
    let mut file = File::options().write(true).create_new(true).open(&target).map_err(io)?;
    let written =
        std::io::Write::write_all(&mut file, marker_text(db, token, format).as_bytes()).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        // Half a marker would make the directory refused as not itch's: none is better.
        let _ = std::fs::remove_file(&target);
        return Err(io(e));
    }
    if replace {
        std::fs::rename(&target, &path).map_err(io)?;
    }
    File::open(dir).and_then(|d| d.sync_all()).map_err(io)
}

/// A new random directory token (128 bits, hex).
fn new_token(conn: &Connection, db: &Path) -> Result<String> {
    conn.query_row("SELECT lower(hex(randomblob(16)))", [], |r| r.get(0))
        .map_err(db_error(db, "making the export directory's token"))
}

/// Checks the directory (creating it), takes its lock, returns its absolute path.
fn prepare_dir(dir: &Path) -> Result<(PathBuf, File)> {
    let problem = |problem, source| ExportError::Dir {
        dir: dir.to_owned(),
        problem,
        source,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(problem("it is a file, not a directory", None));
    }
    std::fs::create_dir_all(dir).map_err(|e| problem("it cannot be created", Some(e)))?;
    let dir = dir.canonicalize().map_err(|e| problem("it cannot be read", Some(e)))?;
    let lock_path = dir.join(LOCK_FILE);
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| problem("it is not writable", Some(e)))?;
    match lock.try_lock() {
        Ok(()) => Ok((dir, lock)),
        Err(std::fs::TryLockError::WouldBlock) => Err(ExportError::Busy { dir, lock: lock_path }),
        Err(std::fs::TryLockError::Error(e)) => Err(problem("its lock file cannot be locked", Some(e))),
    }
}

/// Removes what exports into `dir` that never finished left (their renamed parts, any temporary file): killed
/// ones (still `running`), marked abandoned, and failed ones, whose own cleanup may have failed. The caller holds
/// the directory's lock, so none of them is still running.
fn remove_unfinished(conn: &Connection, db: &Path, dir: &Path, dir_key: &str) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM exports WHERE dir = ?1 AND status IN ('running', 'failed')")
        .and_then(|mut stmt| stmt.query_map([dir_key], |r| r.get(0))?.collect())
        .map_err(db_error(db, "reading past exports"))?;
    let prefixes: Vec<String> = ids.iter().map(|id| part_stem(*id)).collect();
    remove_files(dir, &|name| {
        (name.starts_with(".part-") && name.ends_with(".tmp"))
            || prefixes.iter().any(|p| {
                name.strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with(['.', '-']))
            })
    })?;
    if !ids.is_empty() {
        tracing::debug!(?ids, "removed any files of unfinished exports");
        conn.execute(
            "UPDATE exports SET status = 'abandoned', finished_at = ?2 WHERE dir = ?1 AND status = 'running'",
            params![dir_key, Timestamp::now()],
        )
        .map_err(db_error(db, "recording the export"))?;
    }
    Ok(())
}

fn remove_files(dir: &Path, doomed: &dyn Fn(&str) -> bool) -> Result<()> {
    let io = |source| ExportError::File {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if entry.file_type().map_err(io)?.is_dir() {
            remove_files(&path, doomed)?;
        } else if doomed(&entry.file_name().to_string_lossy()) {
            std::fs::remove_file(&path).map_err(|source| ExportError::File { path, source })?;
        }
    }
    Ok(())
}

/// `part-000007`: the part files of export 7.
fn part_stem(id: i64) -> String {
    format!("part-{id:06}")
}

/// A table's watermark after this export: its highest integer key (if keyed by one).
type Mark = (String, Option<i64>);

/// Writes every table from one snapshot of the archive. Returns what was written, the new key watermarks and
/// the last change-log entry the snapshot holds.
#[allow(clippy::too_many_arguments)]
fn write_all(
    conn: &Connection,
    db: &Path,
    dir: &Path,
    dir_key: &str,
    id: i64,
    format: Format,
    tables: &[Table],
    written: &mut Vec<PathBuf>,
) -> Result<(Vec<TableExport>, Vec<Mark>, i64)> {
    let read = crate::db::open_read_only(db)?;
    // One read transaction: every table from the same moment, and the change log as of that moment.
    read.execute_batch("BEGIN").map_err(db_error(db, "exporting"))?;
    let snapshot_seq: i64 = read
        .query_row("SELECT coalesce(max(seq), 0) FROM export_changes", [], |r| r.get(0))
        .map_err(db_error(db, "exporting"))?;
    conn.execute("UPDATE exports SET snapshot_seq = ?2 WHERE id = ?1", [id, snapshot_seq])
        .map_err(db_error(db, "recording the export"))?;
    let mut results = Vec::new();
    let mut marks = Vec::new();
    for table in tables {
        let (result, mark) = write_table(&read, db, dir, dir_key, id, format, table, written)?;
        tracing::info!(table = %table.name, rows = result.rows, files = result.files, "exported");
        results.push(result);
        marks.push((table.name.clone(), mark));
    }
    read.execute_batch("COMMIT").map_err(db_error(db, "exporting"))?;
    Ok((results, marks, snapshot_seq))
}

#[allow(clippy::too_many_arguments)]
fn write_table(
    read: &Connection,
    db: &Path,
    dir: &Path,
    dir_key: &str,
    id: i64,
    format: Format,
    table: &Table,
    written: &mut Vec<PathBuf>,
) -> Result<(TableExport, Option<i64>)> {
    let err = db_error(db, "exporting");
    let watermark: Option<(Option<i64>, i64)> = read
        .query_row(
            "SELECT max_key, change_seq FROM export_watermarks WHERE dir = ?1 AND table_name = ?2",
            [dir_key, &table.name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(&err)?;
    let name = catalog::quoted(&table.name);
    let new_mark: Option<i64> = match &table.changes {
        Changes::Key { key, .. } => read
            .query_row(&format!("SELECT max({}) FROM {name}", catalog::quoted(key)), [], |r| {
                r.get(0)
            })
            .map_err(&err)?,
        _ => None,
    };
    let mut sql = String::from("SELECT ");
    sql.push_str(
        &table
            .columns
            .iter()
            .map(|c| format!("t.{}", catalog::quoted(&c.name)))
            .collect::<Vec<_>>()
            .join(", "),
    );
    if let Some(partition) = &table.partition {
        sql.push_str(&format!(
            ", itch_channel.login FROM {name} AS t LEFT JOIN users AS itch_channel ON itch_channel.id = {}",
            partition.channel
        ));
    } else {
        sql.push_str(&format!(" FROM {name} AS t"));
    }
    let mode = match (&table.changes, watermark) {
        (Changes::Whole, _) => "whole",
        (_, None) => "full",
        (Changes::Key { key, updates_logged }, Some((max_key, seq))) => {
            let key = catalog::quoted(key);
            sql.push_str(&format!(" WHERE t.{key} > {}", max_key.unwrap_or(i64::MIN)));
            if *updates_logged {
                sql.push_str(&format!(
                    " OR t.{key} IN (SELECT k1 FROM export_changes WHERE table_name = {} AND seq > {seq})",
                    sql_text(&table.name)
                ));
            }
            "incremental"
        }
        (Changes::Log { keys }, Some((_, seq))) => {
            let columns: Vec<String> = keys.iter().map(|k| format!("t.{}", catalog::quoted(k))).collect();
            let logged: Vec<String> = (1..=keys.len()).map(|i| format!("k{i}")).collect();
            sql.push_str(&format!(
                " WHERE ({}) IN (SELECT {} FROM export_changes WHERE table_name = {} AND seq > {seq})",
                columns.join(", "),
                logged.join(", "),
                sql_text(&table.name)
            ));
            "incremental"
        }
    };
    if table.changes == Changes::Whole {
        tracing::warn!(table = %table.name, "no change log for this table: exported whole");
    }
    if let Some(partition) = &table.partition {
        sql.push_str(&format!(
            " ORDER BY {}, t.{}",
            partition.channel,
            catalog::quoted(&partition.time)
        ));
    }
    let time_index = table
        .partition
        .as_ref()
        .and_then(|p| table.columns.iter().position(|c| c.name == p.time));
    let mut stmt = read.prepare(&sql).map_err(&err)?;
    let mut rows = stmt.query([]).map_err(&err)?;
    let table_dir = dir.join(&table.name);
    let mut result = TableExport {
        table: table.name.clone(),
        rows: 0,
        files: 0,
        bytes: 0,
        mode,
    };
    let mut used: HashSet<PathBuf> = HashSet::new();
    let mut current: Option<(String, Part)> = None;
    let outcome = (|| -> Result<()> {
        while let Some(row) = rows.next().map_err(&err)? {
            let mut cells = Vec::with_capacity(table.columns.len());
            for (i, column) in table.columns.iter().enumerate() {
                cells.push(cell(row.get_ref(i).map_err(&err)?, column, &table.name)?);
            }
            let partition = match &table.partition {
                None => String::new(),
                Some(p) => {
                    let login: Option<String> = row.get(table.columns.len()).map_err(&err)?;
                    let (key, format) = p.period.key_and_format();
                    let period = match time_index.map(|i| cells[i]) {
                        Some(Cell::Time(micros, _)) => {
                            chrono::DateTime::from_timestamp_micros(micros).map(|t| t.format(format).to_string())
                        }
                        _ => None,
                    };
                    format!(
                        "channel={}/{key}={}",
                        login.as_deref().map_or_else(|| DEFAULT_PARTITION.to_owned(), escape),
                        period.as_deref().unwrap_or(DEFAULT_PARTITION)
                    )
                }
            };
            if current.as_ref().is_none_or(|(p, _)| *p != partition) {
                if let Some((_, part)) = current.take() {
                    finish(part, &mut result, written)?;
                }
                let path = part_path(&table_dir, &partition, id, format, &mut used);
                current = Some((partition, Part::create(path, format, &table.columns)?));
            }
            if let Some((_, part)) = current.as_mut() {
                part.push(&cells)?;
            }
        }
        Ok(())
    })();
    match (outcome, current) {
        (Ok(()), Some((_, part))) => finish(part, &mut result, written)?,
        (Ok(()), None) => {}
        (Err(error), current) => {
            if let Some((_, part)) = current {
                part.abandon();
            }
            return Err(error);
        }
    }
    Ok((result, new_mark))
}

/// What Hive (and DuckDB, Spark) read as a NULL partition value.
const DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

fn finish(part: Part, result: &mut TableExport, written: &mut Vec<PathBuf>) -> Result<()> {
    let rows = part.rows();
    let path = part.path().to_owned();
    written.push(part.tmp().to_owned());
    result.bytes += part.finish()?;
    // Listed only once renamed: a name that was taken is someone else's file, never to be removed.
    written.push(path);
    result.rows += rows;
    result.files += 1;
    Ok(())
}

/// `<table>/<partition>/part-<id>.<ext>`, or `part-<id>-<n>` when this export already wrote that name (two
/// channel ids with the same login).
fn part_path(table_dir: &Path, partition: &str, id: i64, format: Format, used: &mut HashSet<PathBuf>) -> PathBuf {
    let dir = if partition.is_empty() {
        table_dir.to_owned()
    } else {
        table_dir.join(partition)
    };
    let mut path = dir.join(format!("{}.{}", part_stem(id), format.extension()));
    let mut n = 1;
    while !used.insert(path.clone()) {
        path = dir.join(format!("{}-{n}.{}", part_stem(id), format.extension()));
        n += 1;
    }
    path
}

/// A partition value safe as a path segment: Hive's percent-escaping of anything but letters, digits, `_`, `-`.
fn escape(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.is_empty() {
        DEFAULT_PARTITION.to_owned()
    } else {
        out
    }
}

/// One value as its column's kind, or an error naming it: an export never writes a value it cannot type.
fn cell<'a>(value: ValueRef<'a>, column: &Column, table: &str) -> Result<Cell<'a>> {
    let bad = |problem, value: String| ExportError::Value {
        table: table.to_owned(),
        column: column.name.clone(),
        problem,
        value,
    };
    let text = |bytes: &'a [u8]| std::str::from_utf8(bytes).map_err(|_| bad("text is not UTF-8", format!("{bytes:?}")));
    Ok(match (column.kind, value) {
        (_, ValueRef::Null) => Cell::Null,
        (Kind::Text, ValueRef::Text(t)) => Cell::Text(text(t)?),
        (Kind::Int, ValueRef::Integer(i)) => Cell::Int(i),
        (Kind::Bool, ValueRef::Integer(i @ (0 | 1))) => Cell::Bool(i == 1),
        (Kind::Real, ValueRef::Real(f)) => Cell::Real(f),
        (Kind::Real, ValueRef::Integer(i)) => Cell::Real(i as f64),
        (Kind::Time, ValueRef::Text(t)) => {
            let t = text(t)?;
            let time =
                chrono::DateTime::parse_from_rfc3339(t).map_err(|_| bad("not an RFC 3339 time", t.to_owned()))?;
            Cell::Time(time.timestamp_micros(), t)
        }
        (Kind::Blob, ValueRef::Blob(b)) => Cell::Blob(b),
        (kind, other) => {
            return Err(bad(
                match kind {
                    Kind::Bool => "not a 0/1 flag",
                    Kind::Int => "not an integer",
                    Kind::Real => "not a number",
                    Kind::Time => "not a time",
                    Kind::Text => "not text",
                    Kind::Blob => "not a blob",
                },
                format!("{other:?}"),
            ));
        }
    })
}

/// Saves the watermarks and closes the export, in one transaction, then trims the change log to what some
/// directory still needs.
fn save(
    conn: &mut Connection,
    db: &Path,
    dir_key: &str,
    id: i64,
    results: &[TableExport],
    marks: &[Mark],
    snapshot_seq: i64,
) -> Result<()> {
    let err = db_error(db, "saving the export's watermarks");
    let tx = conn.transaction().map_err(&err)?;
    let now = Timestamp::now();
    for (result, (table, mark)) in results.iter().zip(marks) {
        tx.execute(
            "INSERT INTO export_watermarks (dir, table_name, export_id, max_key, change_seq, rows, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (dir, table_name) DO UPDATE SET export_id = excluded.export_id,
                 max_key = coalesce(excluded.max_key, max_key), change_seq = excluded.change_seq,
                 rows = excluded.rows, updated_at = excluded.updated_at",
            params![dir_key, table, id, mark, snapshot_seq, result.rows as i64, now],
        )
        .map_err(&err)?;
    }
    let rows: u64 = results.iter().map(|r| r.rows).sum();
    let files: u64 = results.iter().map(|r| r.files).sum();
    tx.execute(
        "UPDATE exports SET status = 'ok', finished_at = ?2, rows = ?3, files = ?4 WHERE id = ?1",
        params![id, now, rows as i64, files as i64],
    )
    .map_err(&err)?;
    // A change is kept while some directory's watermark of its table is older; a table no directory has
    // exported needs none (its first export is whole). And while another export is running (into another
    // directory: this one is locked), nothing past its snapshot goes: it will save that snapshot as its watermark.
    // A running row without a snapshot (an itch before V016) keeps everything; a killed export's row keeps the
    // log until the next export into its directory marks it abandoned.
    trim_changes(&tx, snapshot_seq, Some(id)).map_err(&err)?;
    tx.commit().map_err(&err)?;
    Ok(())
}

/// Deletes the change-log entries up to `upto` no directory's watermark (nor running export but `except`) still
/// needs; returns how many.
fn trim_changes(tx: &rusqlite::Transaction<'_>, upto: i64, except: Option<i64>) -> rusqlite::Result<usize> {
    tx.execute(
        "DELETE FROM export_changes WHERE seq <= min(
             coalesce(
                 (SELECT min(w.change_seq) FROM export_watermarks w WHERE w.table_name = export_changes.table_name),
                 ?1),
             coalesce(
                 (SELECT min(coalesce(e.snapshot_seq, 0)) FROM exports e
                  WHERE e.status = 'running' AND e.id IS NOT ?2),
                 ?1))",
        params![upto, except],
    )
}

fn sql_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn db_error<'p>(path: &'p Path, action: &'static str) -> impl Fn(rusqlite::Error) -> ExportError + 'p {
    move |source| {
        ExportError::Archive(crate::Error::Database {
            path: path.to_owned(),
            action,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: Kind) -> Column {
        Column {
            name: name.into(),
            kind,
        }
    }

    #[test]
    fn values_are_typed_or_refused_with_their_column() {
        let time = column("followed_at", Kind::Time);
        let Cell::Time(micros, text) = cell(ValueRef::Text(b"2024-05-01T19:04:11Z"), &time, "follows").unwrap() else {
            panic!("not a time");
        };
        assert_eq!((micros, text), (1_714_590_251_000_000, "2024-05-01T19:04:11Z"));
        assert!(matches!(cell(ValueRef::Null, &time, "follows"), Ok(Cell::Null)));
        let error = cell(ValueRef::Text(b"2024-05-01 19:04:11"), &time, "follows").unwrap_err();
        assert_eq!(
            error.to_string(),
            "table follows, column followed_at: not an RFC 3339 time (2024-05-01 19:04:11)"
        );
        let flag = column("is_live", Kind::Bool);
        assert!(matches!(cell(ValueRef::Integer(1), &flag, "t"), Ok(Cell::Bool(true))));
        assert!(cell(ValueRef::Integer(2), &flag, "t").is_err());
        assert!(cell(ValueRef::Text(b"12"), &column("total", Kind::Int), "t").is_err());
    }

    #[test]
    fn part_names_never_repeat_within_an_export() {
        let mut used = HashSet::new();
        let dir = Path::new("/x/follows");
        let first = part_path(dir, "channel=a/year=2024", 7, Format::Parquet, &mut used);
        let again = part_path(dir, "channel=a/year=2024", 7, Format::Parquet, &mut used);
        assert_eq!(first, Path::new("/x/follows/channel=a/year=2024/part-000007.parquet"));
        assert_eq!(again, Path::new("/x/follows/channel=a/year=2024/part-000007-1.parquet"));
        assert_eq!(
            part_path(dir, "", 7, Format::Csv, &mut used),
            Path::new("/x/follows/part-000007.csv")
        );
    }

    #[test]
    fn markers_read_back_and_old_ones_name_their_archive_only() {
        let text = marker_text(Path::new("/a/itch.db"), "00ff", Format::Csv);
        assert_eq!(
            parse_marker(&text),
            Some(Marker {
                archive: "/a/itch.db".into(),
                token: Some("00ff".into())
            })
        );
        // What an itch before V016 wrote: the archive's path and a newline.
        assert_eq!(
            parse_marker("/a/itch.db\n"),
            Some(Marker {
                archive: "/a/itch.db".into(),
                token: None
            })
        );
        assert_eq!(parse_marker(""), None);
        assert_eq!(parse_marker(&format!("{MARKER_HEADER}\narchive: /a/itch.db\n")), None);
    }

    #[test]
    fn partition_values_are_escaped_as_hive_does() {
        assert_eq!(escape("burke_black9"), "burke_black9");
        assert_eq!(escape("a/b=c"), "a%2Fb%3Dc");
        assert_eq!(escape(""), DEFAULT_PARTITION);
    }

    #[test]
    fn excluded_tables_are_internal_and_fts_shadows() {
        let fts = vec!["chat_messages_fts".to_owned()];
        assert!(catalog::excluded("chat_messages_fts_data", &fts).is_some());
        assert!(catalog::excluded("chat_messages_fts", &fts).is_some());
        assert!(catalog::excluded("follows_staging", &fts).is_some());
        assert!(catalog::excluded("sqlite_sequence", &fts).is_some());
        assert_eq!(catalog::excluded("chat_messages", &fts), None);
        assert_eq!(catalog::excluded("follows", &fts), None);
    }
}
