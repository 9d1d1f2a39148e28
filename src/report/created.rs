//! `itch report created <login>`: when the channel's account was created (the 2016 itch's `created`, same two
//! columns; the time is ISO-8601 unless `--epoch` asks for Unix seconds as the old tool printed).

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "created",
    help: "when the channel's account was created",
    subject: Subject::Channel,
    time_columns: &["created_at"],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("created.sql"),
    notes_sql: None,
    reducer: None,
};
