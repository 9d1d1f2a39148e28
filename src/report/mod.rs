//! Reports: fixed, named questions over the archive, printed as TSV, CSV, JSON, NDJSON or the 2016 itch's form
//! (`itch report`), `itch sql` for any other read-only question and `itch search` over the chat. This is the last step of the data flow: it only reads the archive
//! the sync engine wrote, and `itch plot` draws from the same report queries.
//!
//! Each report is a file `<name>.rs` declaring a [`Report`] plus its SQL in `<name>.sql`. The SQL takes bound
//! parameters only: `:broadcaster_id` (the channel's user id, which the framework looks up once from the login,
//! see [`channel_id`]) or `:video` (its [`Subject`]), `:since` and `:until` (inclusive, archive time text) and
//! `:limit`; an unset one is NULL, meaning "no bound". A report over chat messages may take `:hide_deleted` too
//! (1 with `--hide-deleted`, else NULL): deleted messages are shown by default, marked by a `deleted_at` column,
//! because the archive is the record (a moderator reading a banned user's messages needs them); a report whose
//! SQL has no `:hide_deleted` refuses the flag. Likewise `:by_views` (`clips --by-views`) and `:at`/`:around`
//! (`chatlog --at`, seconds into the VOD), refused by reports whose SQL lacks them. Its ORDER BY marks the direction with a `/*direction*/` comment that
//! becomes `ASC` or `DESC` (a keyword from [`Direction`], never user text), so each direction keeps its index
//! walk instead of a sort; run as it is in `sqlite3`, the comment is ignored and the order is ascending.
//!
//! A question SQL answers slowly can hand its query's rows to Rust: a [`Reducer`] reads them in order and makes the
//! report's rows (grouping by `--min-size` if it says so), which the framework then orders, limits and prints like
//! any other (`bot-waves`).
//!
//! Adding a report: write `<name>.rs` and `<name>.sql`, and add the module to the `reports!` line below.
//! [`search`] is the one query that is not a report: it takes a full-text query instead of a subject.

pub mod output;
pub mod search;
pub mod status;
pub mod time;

use chrono::{DateTime, Utc};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension, Statement, ToSql};
use std::io::Write;
use std::path::PathBuf;

use crate::client::{UserId, VideoId};
use crate::error::{Error, Result};
pub use output::{Format, OutputOptions, RowWriter, SeedForm};

/// A named report: what it prints and how it may be filtered.
#[derive(Debug)]
pub struct Report {
    /// The name users type (`itch report <name>`).
    pub name: &'static str,
    /// One line for `itch report --list`.
    pub help: &'static str,
    /// What it is about: the word after its name on the command line.
    pub subject: Subject,
    /// The columns holding times, printed as Unix seconds with `--epoch`.
    pub time_columns: &'static [&'static str],
    /// The time column `--since`/`--until` filter on; `None` when the report has none (they are then refused).
    pub filter_column: Option<&'static str>,
    /// The order when `--direction` is not given.
    pub default_direction: Direction,
    /// How `--format seed` prints it (the 2016 itch's form).
    pub seed: SeedForm,
    /// The query (see the module docs for its parameters and the direction marker).
    pub sql: &'static str,
    /// A query, with the same parameters, whose rows (one text column) warn about what the output lacks, such as
    /// a chat download that has not finished; see [`notes`].
    pub notes_sql: Option<&'static str>,
    /// Rust that makes the report's rows out of the query's; `None` when the query's rows are the report's.
    pub reducer: Option<Reducer>,
}

/// Rust that turns the rows of a report's query into the rows it prints, for a question SQL answers slowly
/// (`bot-waves`: SQLite's window functions take ten seconds over a million follows, a pass in Rust a fraction of
/// one). Its query has no `/*direction*/` and no `:limit`: the reducer reads every row and the framework
/// orders and limits what it makes.
#[derive(Debug)]
pub struct Reducer {
    /// The columns of the rows it makes.
    pub columns: &'static [&'static str],
    /// For a reducer that groups rows, the fewest that make a group unless `--min-size` says otherwise; `None`
    /// when it takes no `--min-size`.
    pub min_size: Option<u64>,
    /// Reads the query's rows; returns the report's rows in ascending order of its filter column.
    pub reduce: fn(&mut rusqlite::Rows<'_>, &Params) -> rusqlite::Result<Vec<Vec<Value>>>,
}

/// One row of a report, as [`read_report`] hands it out.
pub struct Record<'a> {
    columns: &'a [String],
    values: &'a [ValueRef<'a>],
}

impl<'a> Record<'a> {
    /// The value of `column`; `None` when the report has no such column.
    pub fn get(&self, column: &str) -> Option<ValueRef<'a>> {
        self.columns
            .iter()
            .position(|name| name == column)
            .map(|i| self.values[i])
    }

    /// The values in column order.
    pub fn values(&self) -> &'a [ValueRef<'a>] {
        self.values
    }

    /// The column names.
    pub fn columns(&self) -> &'a [String] {
        self.columns
    }
}

/// What a report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The whole archive: the report takes no argument.
    Archive,
    /// One archived channel, by login (bound as its `:broadcaster_id`).
    Channel,
    /// One archived video, by id (`:video`).
    Video,
}

/// The ORDER BY direction marker in report SQL.
const DIRECTION_MARKER: &str = "/*direction*/";

/// The parameter of `--hide-deleted`.
const HIDE_DELETED: &str = ":hide_deleted";

impl Report {
    /// The report's SQL with its ORDER BY in `direction`.
    pub fn sql(&self, direction: Direction) -> String {
        self.sql.replace(DIRECTION_MARKER, direction.keyword())
    }

    /// Whether its SQL takes `:hide_deleted` (it lists chat messages, and can leave out the deleted ones).
    pub fn takes_hide_deleted(&self) -> bool {
        self.sql.contains(HIDE_DELETED)
    }

    /// How to call it: `followers <login>`, `chatlog <video-id>`.
    pub fn synopsis(&self) -> String {
        match self.subject {
            Subject::Archive => self.name.to_owned(),
            Subject::Channel => format!("{} <login>", self.name),
            Subject::Video => format!("{} <video-id>", self.name),
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

reports![
    followers,
    following,
    num_followers,
    num_following,
    created,
    chatters,
    streams,
    chatlog,
    videos,
    unfollows,
    refollows,
    follower_count,
    viewers,
    bot_waves,
    raids,
    subs,
    moderation,
    chat_gaps,
    chat_events,
    chapters,
    clips,
    schedule,
    subscribers,
    subscriber_count,
];

pub use clips::resolve_clip;

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
    /// The video, for reports that take one, parsed where the input entered ([`VideoId::parse`]).
    pub video: Option<VideoId>,
    /// Rows whose filter time is at or after this.
    pub since: Option<DateTime<Utc>>,
    /// Rows whose filter time is at or before this (see [`time::parse_until`] for date-only input).
    pub until: Option<DateTime<Utc>>,
    /// At most this many rows.
    pub limit: Option<u64>,
    /// The order; the report's default when unset.
    pub direction: Option<Direction>,
    /// The fewest rows that make a group, for reports that group (`bot-waves`); their default when unset.
    pub min_size: Option<u64>,
    /// Leave out chat messages a moderator deleted (bound as `:hide_deleted`, 1 or NULL), for reports over chat
    /// messages (`chatlog`); they are shown by default, with their `deleted_at`.
    pub hide_deleted: bool,
    /// Order by view count first (`clips --by-views`), bound as `:by_views` (1 or NULL).
    pub by_views: bool,
    /// Only chat within `around` seconds (60 when unset) of this offset into the VOD (`chatlog --at`), bound as
    /// `:at` and `:around`.
    pub at: Option<u64>,
    pub around: Option<u64>,
    /// `chatlog <clip-id>`: the clip whose VOD and offset [`resolve_clip`] turns into `video` and `at`.
    pub clip: Option<String>,
}

/// The archived channel called `:login`: a user with a `channels` row or at least one snapshot; of several
/// with that login (an account renamed and its old login taken by another), the one seen last, and of those seen
/// at the same time the one archived first.
const CHANNEL_ID: &str = "SELECT u.id FROM users u WHERE u.login = :login \
     AND (EXISTS (SELECT 1 FROM channels c WHERE c.broadcaster_id = u.id) \
          OR EXISTS (SELECT 1 FROM channel_snapshots s WHERE s.broadcaster_id = u.id)) \
     ORDER BY u.last_seen_at DESC, u.rowid LIMIT 1";

/// The id of the archived channel `login` (lower-cased) names, the one every report about it reads (see
/// [`CHANNEL_ID`] for which of several); [`Error::UnknownChannel`] when it names none.
pub(crate) fn channel_id(conn: &Connection, login: &str) -> Result<UserId> {
    conn.query_row(CHANNEL_ID, rusqlite::named_params! { ":login": login }, |row| {
        row.get(0)
    })
    .optional()
    .map_err(db_error(conn))?
    .map(UserId)
    .ok_or_else(|| Error::UnknownChannel {
        login: login.to_owned(),
    })
}

/// Whether `:video` is an archived video.
const VIDEO_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM videos v WHERE v.id = :video)";

/// Runs `report` and streams its rows to `out`; returns how many were written. A login that is not an archived
/// channel is [`Error::UnknownChannel`], a video that is not archived [`Error::UnknownVideo`]; no matching row is
/// not an error (just the header, or `[]`).
pub fn write_report<W: Write>(
    conn: &Connection,
    report: &Report,
    params: &Params,
    options: &OutputOptions,
    out: W,
) -> Result<u64> {
    let mut stmt = prepare(
        conn,
        report,
        report.sql(params.direction.unwrap_or(report.default_direction)),
        params,
    )?;
    if let Some(reducer) = &report.reducer {
        let rows = reduce(conn, &mut stmt, report, reducer, params)?;
        let mut writer =
            RowWriter::start(out, options, reducer.columns, report.time_columns, &report.seed).map_err(Error::Write)?;
        for row in &rows {
            let values: Vec<ValueRef<'_>> = row.iter().map(ValueRef::from).collect();
            writer.write_values(&values).map_err(Error::Write)?;
        }
        return writer.finish().map_err(Error::Write);
    }
    write_rows(conn, &mut stmt, options, report.time_columns, &report.seed, out)
}

/// Runs `report` and hands each row to `each` (charts read reports this way); returns how many rows there were.
/// Values are as SQLite holds them: times are archive text, whatever `--epoch` would do. Checks as
/// [`write_report`] does; an error from `each` stops the walk and is returned.
pub fn read_report(
    conn: &Connection,
    report: &Report,
    params: &Params,
    mut each: impl FnMut(&Record<'_>) -> Result<()>,
) -> Result<u64> {
    let mut stmt = prepare(
        conn,
        report,
        report.sql(params.direction.unwrap_or(report.default_direction)),
        params,
    )?;
    if let Some(reducer) = &report.reducer {
        let rows = reduce(conn, &mut stmt, report, reducer, params)?;
        let columns: Vec<String> = reducer.columns.iter().map(|c| c.to_string()).collect();
        for row in &rows {
            let values: Vec<ValueRef<'_>> = row.iter().map(ValueRef::from).collect();
            each(&Record {
                columns: &columns,
                values: &values,
            })?;
        }
        return Ok(rows.len() as u64);
    }
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.raw_query();
    let mut count = 0;
    while let Some(row) = rows.next().map_err(db_error(conn))? {
        let values: Vec<ValueRef<'_>> = (0..columns.len()).map(|i| row.get_ref_unwrap(i)).collect();
        each(&Record {
            columns: &columns,
            values: &values,
        })?;
        count += 1;
    }
    Ok(count)
}

/// The reducer's rows, in the asked direction and within the limit.
fn reduce(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    report: &Report,
    reducer: &Reducer,
    params: &Params,
) -> Result<Vec<Vec<Value>>> {
    let mut rows = (reducer.reduce)(&mut stmt.raw_query(), params).map_err(db_error(conn))?;
    if params.direction.unwrap_or(report.default_direction) == Direction::Desc {
        rows.reverse();
    }
    if let Some(limit) = params.limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(rows)
}

/// What the output of `report` lacks, one sentence a note (empty for most reports and most subjects), for
/// stderr beside the rows: "the chat of video 123 is only partly downloaded...".
pub fn notes(conn: &Connection, report: &Report, params: &Params) -> Result<Vec<String>> {
    let Some(sql) = report.notes_sql else {
        return Ok(Vec::new());
    };
    let mut stmt = prepare(conn, report, sql.to_owned(), params)?;
    let mut rows = stmt.raw_query();
    let mut notes = Vec::new();
    while let Some(row) = rows.next().map_err(db_error(conn))? {
        notes.push(row.get(0).map_err(db_error(conn))?);
    }
    Ok(notes)
}

/// Checks `params` against `report` (its subject, its filters, that the channel or video is archived), then
/// prepares `sql` with every parameter bound.
fn prepare<'c>(conn: &'c Connection, report: &Report, sql: String, params: &Params) -> Result<Statement<'c>> {
    let login = match (report.subject, params.login.as_deref()) {
        (Subject::Channel, None) => return Err(usage(report, "needs a channel login")),
        (Subject::Archive | Subject::Video, Some(_)) => return Err(usage(report, "takes no login")),
        (_, login) => login.map(|login| login.trim().to_ascii_lowercase()),
    };
    let video = match (report.subject, &params.video) {
        (Subject::Video, None) => return Err(usage(report, "needs a video id")),
        (Subject::Archive | Subject::Channel, Some(_)) => return Err(usage(report, "takes no video id")),
        (_, video) => video.as_ref(),
    };
    if report.filter_column.is_none() && (params.since.is_some() || params.until.is_some()) {
        return Err(usage(report, "has no time to filter by (drop --since and --until)"));
    }
    if params.hide_deleted && !report.takes_hide_deleted() {
        return Err(usage(report, "takes no --hide-deleted (it lists no chat messages)"));
    }
    if params.by_views && !report.sql.contains(":by_views") {
        return Err(usage(report, "takes no --by-views (only clips orders by views)"));
    }
    if (params.at.is_some() || params.around.is_some()) && !report.sql.contains(":at") {
        return Err(usage(
            report,
            "takes no --at or --around (only chatlog reads a moment of a VOD)",
        ));
    }
    let broadcaster_id = login.as_deref().map(|login| channel_id(conn, login)).transpose()?;
    if let Some(video) = video {
        let known: bool = conn
            .query_row(
                VIDEO_EXISTS,
                rusqlite::named_params! { ":video": video.as_str() },
                |row| row.get(0),
            )
            .map_err(db_error(conn))?;
        if !known {
            return Err(Error::UnknownVideo {
                video: video.as_str().to_owned(),
            });
        }
    }
    let mut stmt = conn.prepare(&sql).map_err(db_error(conn))?;
    if params.min_size.is_some() && report.reducer.as_ref().and_then(|r| r.min_size).is_none() {
        return Err(usage(report, "takes no --min-size (only bot-waves groups rows)"));
    }
    let limit = params.limit.map(|limit| i64::try_from(limit).unwrap_or(i64::MAX));
    let min_size = params.min_size.map(|size| i64::try_from(size).unwrap_or(i64::MAX));
    bind(
        conn,
        &mut stmt,
        ":broadcaster_id",
        broadcaster_id.as_ref().map(UserId::as_str).as_ref(),
    )?;
    bind(conn, &mut stmt, ":video", video.map(VideoId::as_str).as_ref())?;
    bind(conn, &mut stmt, ":since", params.since.map(time::since_text).as_ref())?;
    bind(conn, &mut stmt, ":until", params.until.map(time::until_text).as_ref())?;
    bind(conn, &mut stmt, ":limit", limit.as_ref())?;
    bind(conn, &mut stmt, ":min_size", min_size.as_ref())?;
    bind(conn, &mut stmt, HIDE_DELETED, params.hide_deleted.then_some(1).as_ref())?;
    bind(conn, &mut stmt, ":by_views", params.by_views.then_some(1).as_ref())?;
    let at = params.at.map(|at| i64::try_from(at).unwrap_or(i64::MAX));
    bind(conn, &mut stmt, ":at", at.as_ref())?;
    let around = params.around.map(|s| i64::try_from(s).unwrap_or(i64::MAX));
    bind(conn, &mut stmt, ":around", around.as_ref())?;
    Ok(stmt)
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
    write_rows(conn, &mut stmt, options, &[], &SeedForm::TSV, out)
}

fn write_rows<W: Write>(
    conn: &Connection,
    stmt: &mut Statement<'_>,
    options: &OutputOptions,
    time_columns: &[&str],
    seed: &SeedForm,
    out: W,
) -> Result<u64> {
    let columns: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut writer = RowWriter::start(out, options, &columns, time_columns, seed).map_err(Error::Write)?;
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
pub(crate) mod tests;
