//! `itch report subscriber-count <login>`: the subscriber total and sub points at every complete subscriber
//! snapshot and every sync that read only the first page (then `listed` is empty: the list was not read), oldest
//! first. `itch plot follower-count` draws the total as a second line.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "subscriber-count",
    help: "the subscriber total and sub points at each sync that read them, oldest first",
    subject: Subject::Channel,
    time_columns: &["taken_at"],
    filter_column: Some("taken_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("subscriber_count.sql"),
    notes_sql: None,
    reducer: None,
};
