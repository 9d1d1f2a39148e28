//! `itch search "<query>"`: full-text search over the archived chat (`chat_messages_fts`, SQLite FTS5), printed
//! with the reports' writer and formats. Not a report: it takes a query instead of a channel, and the channel is
//! an optional filter. A query FTS5 cannot parse is [`Error::BadSearch`], naming it. Messages a moderator deleted
//! are found too, marked by the last column, `deleted_at` (empty for the others), unless
//! [`Search::hide_deleted`]: the archive is the record, and a moderator searching a banned user's messages needs
//! them.

use rusqlite::Connection;
use std::io::Write;

use super::{DIRECTION_MARKER, Direction, OutputOptions, RowWriter, SeedForm, bind, channel_id, db_error, time};
use crate::error::{Error, Result};

/// The search query (see the module docs of [`crate::report`] for the direction marker).
pub const SQL: &str = include_str!("search.sql");

/// The columns holding times (`--epoch`).
pub const TIME_COLUMNS: &[&str] = &["created_at", "deleted_at"];

/// `--format seed` prints the columns search had before `deleted_at`, so its lines keep their shape.
const SEED: SeedForm = SeedForm {
    columns: &["created_at", "channel", "video_id", "offset_seconds", "user", "text"],
    separator: "\t",
};

/// What to look for, and where.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// An FTS5 query: words (all must match), `"a phrase"`, `OR`, `NOT`, `prefix*`, `NEAR(a b)`.
    pub query: String,
    /// Only this channel's chat (any case).
    pub channel: Option<String>,
    /// Messages at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Messages at or before this time.
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    /// At most this many messages.
    pub limit: Option<u64>,
    /// Oldest first (the default) or newest first.
    pub direction: Option<Direction>,
    /// Leave out messages a moderator deleted (they are found by default, with their `deleted_at`).
    pub hide_deleted: bool,
}

/// Runs `search` and streams the matching messages to `out` (`created_at, channel, video_id, offset_seconds,
/// user, text, deleted_at`); returns how many were written. A channel that is not archived is [`Error::UnknownChannel`].
pub fn write_search<W: Write>(conn: &Connection, search: &Search, options: &OutputOptions, out: W) -> Result<u64> {
    let broadcaster_id = search
        .channel
        .as_deref()
        .map(|login| channel_id(conn, &login.trim().to_ascii_lowercase()))
        .transpose()?;
    let direction = search.direction.unwrap_or(Direction::Asc);
    let sql = SQL.replace(DIRECTION_MARKER, direction.keyword());
    let mut stmt = conn.prepare(&sql).map_err(db_error(conn))?;
    let limit = search.limit.map(|limit| i64::try_from(limit).unwrap_or(i64::MAX));
    bind(conn, &mut stmt, ":query", Some(&search.query))?;
    bind(
        conn,
        &mut stmt,
        ":broadcaster_id",
        broadcaster_id.as_ref().map(|id| id.as_str()).as_ref(),
    )?;
    bind(conn, &mut stmt, ":since", search.since.map(time::since_text).as_ref())?;
    bind(conn, &mut stmt, ":until", search.until.map(time::until_text).as_ref())?;
    bind(conn, &mut stmt, ":limit", limit.as_ref())?;
    bind(
        conn,
        &mut stmt,
        ":hide_deleted",
        search.hide_deleted.then_some(1).as_ref(),
    )?;

    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    // FTS5 parses the query when the statement first steps, so the first row is fetched before the header is
    // written: a bad query prints nothing at all.
    let mut rows = stmt.raw_query();
    let first = rows
        .next()
        .map_err(|source| search_error(conn, &search.query, source))?;
    let mut writer = RowWriter::start(out, options, &columns, TIME_COLUMNS, &SEED).map_err(Error::Write)?;
    if let Some(row) = first {
        writer.write_row(row).map_err(Error::Write)?;
        while let Some(row) = rows
            .next()
            .map_err(|source| search_error(conn, &search.query, source))?
        {
            writer.write_row(row).map_err(Error::Write)?;
        }
    }
    writer.finish().map_err(Error::Write)
}

/// FTS5 parses the query when the statement steps and reports what it cannot read as a plain `SQLITE_ERROR`
/// (`fts5: syntax error near ...`, `unterminated string`, `no such column: x` for `x:word`): the statement itself
/// prepared, so such an error is the query's. Anything else (busy, I/O, corruption) is a database error.
fn search_error(conn: &Connection, query: &str, source: rusqlite::Error) -> Error {
    let bad_query = matches!(
        &source,
        rusqlite::Error::SqliteFailure(failure, _) if failure.code == rusqlite::ErrorCode::Unknown
    );
    if bad_query {
        Error::BadSearch {
            query: query.to_owned(),
            source,
        }
    } else {
        db_error(conn)(source)
    }
}
