//! `itch report num_followers <login>`: the channel's follower total as the last sync that counted it saw it
//! (the 2016 itch's `num_followers`, same two columns).

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "num_followers",
    help: "the channel's follower total at the last sync that counted it",
    subject: Subject::Channel,
    time_columns: &[],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("num_followers.sql"),
    notes_sql: None,
    reducer: None,
};
