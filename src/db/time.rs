//! The one time format of the archive file: RFC 3339 UTC to the second with a `Z`, so text order is time order.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

/// How far the archive's clock is from the system's, in seconds: 0, except in `itch demo`, whose archive lives on
/// the fake Twitch's clock (the days it simulates), so its snapshots and runs fall where the fake's follows,
/// streams and videos do.
static CLOCK_OFFSET: AtomicI64 = AtomicI64::new(0);

/// The archive's now: what rows are stamped with and what "due" is measured against (see [`set_clock`]).
pub fn now() -> DateTime<Utc> {
    Utc::now() + TimeDelta::seconds(CLOCK_OFFSET.load(Ordering::Relaxed))
}

/// Sets the archive's clock of this process to `now` from here on (`itch demo`, on the fake's simulated days).
pub fn set_clock(now: DateTime<Utc>) {
    CLOCK_OFFSET.store((now - Utc::now()).num_seconds(), Ordering::Relaxed);
}

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
        Timestamp::from(now())
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
