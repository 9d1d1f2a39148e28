//! The one time format of the archive file: RFC 3339 UTC to the second with a `Z`, so text order is time order.

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
