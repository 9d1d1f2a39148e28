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

/// The archive's time format: RFC 3339 UTC to the second with a `Z`, so text order is time order.
pub fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}
