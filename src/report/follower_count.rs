//! `itch report follower-count <login>`: the follower total at every sync that counted it, oldest first, so the
//! count's movement around each stream can be charted (Twitch itself keeps only the current total).

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "follower-count",
    help: "the follower total at each sync, oldest first",
    subject: Subject::Channel,
    time_columns: &["taken_at"],
    filter_column: Some("taken_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("follower_count.sql"),
    notes_sql: None,
    reducer: None,
};
