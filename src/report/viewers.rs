//! `itch report viewers <login>`: the viewer count at every sync that found the channel live, per stream, so a
//! stream's audience can be charted (`itch plot viewers`). Twitch itself keeps only the current count.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "viewers",
    help: "the viewer count at each sync that found the channel live, oldest first, with the stream and title",
    subject: Subject::Channel,
    time_columns: &["taken_at"],
    filter_column: Some("taken_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("viewers.sql"),
    notes_sql: None,
    reducer: None,
};
