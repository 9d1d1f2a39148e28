//! Which tables an export writes, and how: derived from the archive's own schema (`sqlite_master`,
//! `PRAGMA table_info`), so a table a later migration adds is exported without a change here. Only the tables
//! listed in [`EXCLUDED`] (staging, cache, work state, bookkeeping) and full-text indexes are left out.

use rusqlite::Connection;

/// Tables that hold no archive data, with why: never exported.
pub const EXCLUDED: &[(&str, &str)] = &[
    ("follows_staging", "staging: emptied when a walk merges"),
    ("users_staging", "staging: emptied when a walk merges"),
    ("http_cache", "the response cache"),
    ("http_cache_counters", "the response cache's counters"),
    ("refinery_schema_history", "applied migrations"),
    ("sync_checkpoints", "work state of follower walks in progress"),
    ("chat_segments", "work state of chat downloads"),
    ("exports", "the export's own bookkeeping"),
    ("export_watermarks", "the export's own bookkeeping"),
    ("export_changes", "the export's own bookkeeping"),
];

/// Tables written Hive-partitioned, as `channel=<login>/<period>/`: the big ones and the per-sync snapshots, which
/// are read by channel and time range. The channel is an SQL expression over the row (`t`); the period is the UTC
/// day (`date=2024-05-01`), month (`month=2024-05`) or year (`year=2024`) of the time column, chosen so a part
/// file holds many rows: chat by day (a stream's chat is one day's), snapshots by month (a few a day), follows
/// by year (a channel's followers spread over every day of its life: day files would hold a handful of rows each).
/// The other tables are small or have no single time, and stay one directory.
const PARTITIONED: &[(&str, &str, &str, Period)] = &[
    ("chat_messages", "t.broadcaster_id", "created_at", Period::Day),
    ("chat_events", "t.broadcaster_id", "created_at", Period::Day),
    ("follows", "t.broadcaster_id", "followed_at", Period::Year),
    ("channel_snapshots", "t.broadcaster_id", "taken_at", Period::Month),
    ("chatter_snapshots", "t.broadcaster_id", "taken_at", Period::Month),
    (
        "stream_snapshots",
        "(SELECT s.user_id FROM streams s WHERE s.id = t.stream_id)",
        "taken_at",
        Period::Month,
    ),
];

/// The time span of a partition directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// `date=2024-05-01`
    Day,
    /// `month=2024-05`
    Month,
    /// `year=2024`
    Year,
}

impl Period {
    /// The directory's key and the `strftime` format of its value.
    pub fn key_and_format(self) -> (&'static str, &'static str) {
        match self {
            Period::Day => ("date", "%Y-%m-%d"),
            Period::Month => ("month", "%Y-%m"),
            Period::Year => ("year", "%Y"),
        }
    }
}

/// INTEGER columns that hold 0/1 flags: exported as booleans.
const FLAGS: &[(&str, &str)] = &[
    ("chat_messages", "created_at_corrected"),
    ("chat_events", "has_message"),
    ("channel_snapshots", "is_live"),
    ("room_states", "emote_only"),
    ("room_states", "r9k"),
    ("room_states", "subs_only"),
];

/// How a column is typed in the files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// TEXT: ids, names, JSON.
    Text,
    /// INTEGER: counts, run ids.
    Int,
    /// REAL.
    Real,
    /// An INTEGER 0/1 flag.
    Bool,
    /// A TEXT `*_at` column: an RFC 3339 UTC time, exported as a timestamp (microseconds, UTC).
    Time,
    /// BLOB.
    Blob,
}

/// One column of an exported table.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// How a second export finds what changed since the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// An INTEGER PRIMARY KEY (append order, kept by VACUUM): new rows are those above the last export's highest
    /// key; rows updated in place are in `export_changes` when the table has its update trigger.
    Key { key: String, updates_logged: bool },
    /// Any other key: every inserted or updated row's key is in `export_changes` (insert and update triggers).
    Log { keys: Vec<String> },
    /// Neither (a table whose triggers are missing): exported whole each time.
    Whole,
}

/// Where a partitioned table's rows go.
#[derive(Clone, Debug)]
pub struct Partition {
    /// SQL for the channel's user id, over the row aliased `t`.
    pub channel: &'static str,
    /// The time column whose UTC day, month or year names the second directory.
    pub time: String,
    pub period: Period,
}

/// One table an export writes.
#[derive(Clone, Debug)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub changes: Changes,
    pub partition: Option<Partition>,
}

/// Why `name` is not exported, or `None` when it is. `virtual_tables` are the archive's virtual (FTS) tables:
/// they and their shadow tables are indexes, not data.
pub fn excluded(name: &str, virtual_tables: &[String]) -> Option<&'static str> {
    if name.starts_with("sqlite_") {
        return Some("SQLite's own");
    }
    if virtual_tables.iter().any(|v| {
        name == v
            || name
                .strip_prefix(v.as_str())
                .and_then(|rest| rest.strip_prefix('_'))
                .is_some_and(|shadow| ["data", "idx", "docsize", "config", "content"].contains(&shadow))
    }) {
        return Some("full-text index");
    }
    EXCLUDED.iter().find(|(table, _)| *table == name).map(|(_, why)| *why)
}

/// Every table of the archive with why it is excluded (`None`: exported), in name order.
pub fn all_tables(conn: &Connection) -> rusqlite::Result<Vec<(String, Option<&'static str>)>> {
    let mut stmt =
        conn.prepare("SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'table' ORDER BY name")?;
    let tables: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let virtual_tables: Vec<String> = tables
        .iter()
        .filter(|(_, sql)| sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"))
        .map(|(name, _)| name.clone())
        .collect();
    Ok(tables
        .into_iter()
        .map(|(name, _)| {
            let why = excluded(&name, &virtual_tables);
            (name, why)
        })
        .collect())
}

/// The exported tables, described from the archive's schema.
pub fn exported_tables(conn: &Connection) -> rusqlite::Result<Vec<Table>> {
    let mut tables = Vec::new();
    for (name, why) in all_tables(conn)? {
        if why.is_none() {
            tables.push(describe(conn, &name)?);
        }
    }
    Ok(tables)
}

fn describe(conn: &Connection, name: &str) -> rusqlite::Result<Table> {
    let mut stmt = conn.prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let info: Vec<(String, String, i64)> = stmt
        .query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let columns = info
        .iter()
        .map(|(column, declared, _)| Column {
            name: column.clone(),
            kind: kind(name, column, declared),
        })
        .collect();
    let mut keys: Vec<(i64, String)> = info
        .iter()
        .filter(|(_, _, pk)| *pk > 0)
        .map(|(column, _, pk)| (*pk, column.clone()))
        .collect();
    keys.sort();
    let keys: Vec<String> = keys.into_iter().map(|(_, k)| k).collect();
    let without_rowid: bool = conn.query_row(
        "SELECT upper(sql) LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )?;
    let integer_key = keys.len() == 1
        && !without_rowid
        && info
            .iter()
            .any(|(column, declared, pk)| *pk == 1 && column == &keys[0] && declared.eq_ignore_ascii_case("INTEGER"));
    let trigger = |suffix: &str| -> rusqlite::Result<bool> {
        conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 AND name = ?2",
            [name, &format!("export_log_{name}_{suffix}")],
            |r| r.get(0),
        )
    };
    let changes = if integer_key {
        Changes::Key {
            key: keys[0].clone(),
            updates_logged: trigger("au")?,
        }
    } else if !keys.is_empty() && keys.len() <= 3 && trigger("ai")? && trigger("au")? {
        Changes::Log { keys }
    } else {
        Changes::Whole
    };
    let partition = PARTITIONED
        .iter()
        .find(|(table, ..)| *table == name)
        .map(|(_, channel, time, period)| Partition {
            channel,
            time: (*time).to_owned(),
            period: *period,
        });
    Ok(Table {
        name: name.to_owned(),
        columns,
        changes,
        partition,
    })
}

/// A column's kind from its declared type and the archive's conventions (`*_at` TEXT is a time, listed
/// INTEGER flags are booleans).
fn kind(table: &str, column: &str, declared: &str) -> Kind {
    let declared = declared.to_ascii_uppercase();
    if declared.contains("INT") {
        if FLAGS.contains(&(table, column)) {
            Kind::Bool
        } else {
            Kind::Int
        }
    } else if declared.contains("REAL") || declared.contains("FLOA") || declared.contains("DOUB") {
        Kind::Real
    } else if declared.contains("BLOB") {
        Kind::Blob
    } else if column.ends_with("_at") {
        Kind::Time
    } else {
        Kind::Text
    }
}

/// Quotes an SQL identifier.
pub fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
