//! `itch report followers <login>`: the 2016 itch's headline report, from the archive instead of kraken. One row
//! per current follower with the account's creation, the follow time, the seconds between them and the channel's
//! follower total; `itch plot` draws follow-bot waves from the same rows.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "followers",
    help: "current followers, newest first: account creation, follow time, seconds between them",
    subject: Subject::Channel,
    time_columns: &["account_created_at", "followed_at"],
    filter_column: Some("followed_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("followers.sql"),
    notes_sql: None,
    reducer: None,
};
