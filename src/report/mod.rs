//! Reports: fixed, named questions over the archive, printed as TSV, CSV, JSON or NDJSON (`itch report`), and
//! `itch sql` for any other read-only question. This is the last step of the data flow: it only reads the archive
//! the sync engine wrote, and `itch plot` draws from the same report queries.
//!
//! Each report is a file `<name>.rs` declaring a [`Report`] plus its SQL in `<name>.sql`. The SQL takes bound
//! parameters only: `:login` (lower-cased), `:since` and `:until` (inclusive, archive time text), `:limit`; an
//! unset one is NULL, meaning "no bound". Its ORDER BY marks the direction with a `/*direction*/` comment that
//! becomes `ASC` or `DESC` (a keyword from [`Direction`], never user text), so each direction keeps its index
//! walk instead of a sort; run as it is in `sqlite3`, the comment is ignored and the order is ascending.
//!
//! Adding a report: write `<name>.rs` and `<name>.sql`, and add the module to the `reports!` line below.

pub mod output;
pub mod time;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Statement, ToSql};
use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
pub use output::{Format, OutputOptions, RowWriter};

/// A named report: what it prints and how it may be filtered.
#[derive(Debug)]
pub struct Report {
    /// The name users type (`itch report <name>`).
    pub name: &'static str,
    /// One line for `itch report --list`.
    pub help: &'static str,
    /// Whether it is about one channel (`itch report <name> <login>`).
    pub takes_login: bool,
    /// The columns holding times, printed as Unix seconds with `--epoch`.
    pub time_columns: &'static [&'static str],
    /// The time column `--since`/`--until` filter on; `None` when the report has none (they are then refused).
    pub filter_column: Option<&'static str>,
    /// The order when `--direction` is not given.
    pub default_direction: Direction,
    /// The query (see the module docs for its parameters and the direction marker).
    pub sql: &'static str,
}

/// The ORDER BY direction marker in report SQL.
const DIRECTION_MARKER: &str = "/*direction*/";

impl Report {
    /// The report's SQL with its ORDER BY in `direction`.
    pub fn sql(&self, direction: Direction) -> String {
        self.sql.replace(DIRECTION_MARKER, direction.keyword())
    }

    /// How to call it: `followers <login>`.
    pub fn synopsis(&self) -> String {
        if self.takes_login {
            format!("{} <login>", self.name)
        } else {
            self.name.to_owned()
        }
    }
}

macro_rules! reports {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every report, in the order `itch report --list` shows them.
        pub static REPORTS: &[&Report] = &[$(&$module::REPORT),*];
    };
}

reports![followers, num_followers, created, videos, unfollows, follower_count];

/// The report called `name`.
pub fn find(name: &str) -> Option<&'static Report> {
    REPORTS.iter().copied().find(|report| report.name == name)
}

/// Row order by the report's time column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Direction {
    /// Oldest first.
    Asc,
    /// Newest first.
    Desc,
}

impl Direction {
    /// The SQL keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// Which rows a report prints. Every field is optional; an unset bound is no bound.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// The channel, for reports that take one (any case: logins are lower-cased).
    pub login: Option<String>,
    /// Rows whose filter time is at or after this.
    pub since: Option<DateTime<Utc>>,
    /// Rows whose filter time is at or before this (see [`time::parse_until`] for date-only input).
    pub until: Option<DateTime<Utc>>,
    /// At most this many rows.
    pub limit: Option<u64>,
    /// The order; the report's default when unset.
    pub direction: Option<Direction>,
}

/// Whether `:login` is an archived channel: a user with a `channels` row or at least one snapshot. The reports'
/// `channel` CTE picks the channel the same way.
const CHANNEL_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM users u WHERE u.login = :login \
     AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id) \
          OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id)))";

/// Runs `report` and streams its rows to `out`; returns how many were written. A login that is not an archived
/// channel is [`Error::UnknownChannel`]; no matching row is not an error (just the header, or `[]`).
pub fn write_report<W: Write>(
    conn: &Connection,
    report: &Report,
    params: &Params,
    options: &OutputOptions,
    out: W,
) -> Result<u64> {
    let login = match (report.takes_login, params.login.as_deref()) {
        (true, None) => return Err(usage(report, "needs a channel login")),
        (false, Some(_)) => return Err(usage(report, "takes no login")),
        (_, login) => login.map(|login| login.trim().to_ascii_lowercase()),
    };
    if report.filter_column.is_none() && (params.since.is_some() || params.until.is_some()) {
        return Err(usage(report, "has no time to filter by (drop --since and --until)"));
    }
    if let Some(login) = &login {
        let known: bool = conn
            .query_row(CHANNEL_EXISTS, rusqlite::named_params! { ":login": login }, |row| {
                row.get(0)
            })
            .map_err(db_error(conn))?;
        if !known {
            return Err(Error::UnknownChannel { login: login.clone() });
        }
    }
    let sql = report.sql(params.direction.unwrap_or(report.default_direction));
    let mut stmt = conn.prepare(&sql).map_err(db_error(conn))?;
    let limit = params.limit.map(|limit| i64::try_from(limit).unwrap_or(i64::MAX));
    bind(conn, &mut stmt, ":login", login.as_ref())?;
    bind(conn, &mut stmt, ":since", params.since.map(time::since_text).as_ref())?;
    bind(conn, &mut stmt, ":until", params.until.map(time::until_text).as_ref())?;
    bind(conn, &mut stmt, ":limit", limit.as_ref())?;
    write_rows(conn, &mut stmt, options, report.time_columns, out)
}

/// Runs one read-only statement (`itch sql`) and streams its rows to `out`; returns how many were written.
/// The connection is switched to `query_only` first, and a statement that would write is refused before it
/// runs ([`Error::ReadOnlySql`]). Column types come from the values: integers stay numbers in JSON.
pub fn write_query<W: Write>(conn: &Connection, sql: &str, options: &OutputOptions, out: W) -> Result<u64> {
    conn.pragma_update(None, "query_only", true).map_err(db_error(conn))?;
    let mut stmt = conn.prepare(sql).map_err(db_error(conn))?;
    if !stmt.readonly() {
        return Err(Error::ReadOnlySql {
            sql: sql.trim().to_owned(),
        });
    }
    write_rows(conn, &mut stmt, options, &[], out)
}

fn write_rows<W: Write>(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    options: &OutputOptions,
    time_columns: &[&str],
    out: W,
) -> Result<u64> {
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut writer = RowWriter::start(out, options, &columns, time_columns).map_err(Error::Write)?;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(db_error(conn))? {
        writer.write_row(row).map_err(Error::Write)?;
    }
    writer.finish().map_err(Error::Write)
}

/// Binds a named parameter when the statement has it; unbound parameters are NULL.
fn bind(conn: &Connection, stmt: &mut Statement<'_>, name: &str, value: Option<&impl ToSql>) -> Result<()> {
    if let (Some(index), Some(value)) = (stmt.parameter_index(name).map_err(db_error(conn))?, value) {
        stmt.raw_bind_parameter(index, value).map_err(db_error(conn))?;
    }
    Ok(())
}

fn usage(report: &Report, problem: &'static str) -> Error {
    Error::ReportUsage {
        report: report.name,
        problem,
    }
}

fn db_error(conn: &Connection) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Database {
        path: PathBuf::from(conn.path().unwrap_or_default()),
        action: "reading",
        source,
    }
}

#[cfg(test)]
mod tests;
