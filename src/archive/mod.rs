//! The archive: one SQLite file with normalized tables keyed by Twitch ids (TEXT), times as ISO-8601 UTC text,
//! `first_seen_at`/`last_seen_at` on every entity and `raw_json` for fields we do not model. [`crate::db`] opens and
//! migrates it; the `save_*` functions write one table group each inside a caller's transaction; `load_*`
//! read. It never makes HTTP calls: the sync engine hands it what the client fetched.

pub mod channels;
pub mod chapters;
pub mod chat;
pub mod chat_events;
pub mod chatters;
pub mod clips;
pub mod follows;
pub mod games;
pub mod runs;
pub mod schedule;
pub mod store;
pub mod streams;
pub mod subscriptions;
pub mod users;
pub mod videos;

pub use crate::db::time::{Timestamp, now, timestamp};
pub use crate::db::{self, open, open_read_only};
pub use store::Archive;

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
