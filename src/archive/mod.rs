//! The archive: one SQLite file with normalized tables keyed by Twitch ids (TEXT), times as ISO-8601 UTC text,
//! `first_seen_at`/`last_seen_at` on every entity and `raw_json` for fields we do not model. `db` opens and
//! migrates it; the `save_*` functions write one table group each inside a caller's transaction; `load_*`
//! read. It never makes HTTP calls: the sync engine hands it what the client fetched.

pub mod channels;
pub mod chat;
pub mod chatters;
pub mod db;
pub mod follows;
pub mod games;
pub mod runs;
pub mod store;
pub mod streams;
pub mod users;
pub mod videos;

pub use db::{open, open_read_only};
pub use store::Archive;

use chrono::{DateTime, SecondsFormat, Utc};
use std::fmt;

/// The archive's time format: RFC 3339 UTC to the second with a `Z`, so text order is time order.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A moment in the archive's format (see [`timestamp`]): what `*_at` columns hold. Made only from a
/// `DateTime<Utc>`, so a text that is not a time cannot reach a column through it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(String);

impl Timestamp {
    /// This moment.
    pub fn now() -> Timestamp {
        Timestamp::from(Utc::now())
    }

    /// The text stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(time: DateTime<Utc>) -> Timestamp {
        Timestamp(timestamp(time))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl rusqlite::ToSql for Timestamp {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

/// Ids are stored as Twitch sends them (TEXT). Here rather than in the client, which knows no SQL.
impl rusqlite::ToSql for crate::client::UserId {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        self.as_str().to_sql()
    }
}

/// When a fact was seen and which run saw it: what every row a run writes carries (`first_seen_at` /
/// `last_seen_at` / `taken_at`, and `sync_run_id`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub seen_at: Timestamp,
    pub run: i64,
}

impl Stamp {
    /// Seen now by `run`.
    pub fn now(run: i64) -> Stamp {
        Stamp {
            seen_at: Timestamp::now(),
            run,
        }
    }
}
