//! `itch report refollows <login>`: followers who came back, one row per return: the follow before, when the
//! unfollow was seen, and the new follow. Only the archive knows: Twitch shows a re-follow as a plain new follow.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "refollows",
    help: "followers who unfollowed and followed again, newest return first",
    subject: Subject::Channel,
    time_columns: &["earlier_followed_at", "unfollowed_seen_at", "followed_at"],
    filter_column: Some("followed_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("refollows.sql"),
    notes_sql: None,
    reducer: None,
};
