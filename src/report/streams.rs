//! `itch report streams <login>`: the channel's stream sessions, one a row with start and end: the 2016 itch's
//! `loots_streams` (same two columns), from the archive instead of loots.com. Sessions a sync saw live come
//! from `streams`; older ones, and those no sync caught live, from the channel's archive VODs. The output is
//! what `itch plot --input ... -S` reads as stream spans.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "streams",
    help: "stream sessions, newest first: start and end (the 2016 itch's loots_streams)",
    subject: Subject::Channel,
    time_columns: &["started_at", "ended_at"],
    filter_column: Some("started_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("streams.sql"),
    notes_sql: None,
    reducer: None,
};
