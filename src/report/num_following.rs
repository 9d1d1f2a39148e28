//! `itch report num_following <login>`: how many channels the user follows now (the 2016 itch's
//! `num_following`, same two columns), counted from the follows the archive knows (see `following`).

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "num_following",
    help: "how many channels the user follows now, as far as the archive knows",
    subject: Subject::Channel,
    time_columns: &[],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("num_following.sql"),
    notes_sql: None,
    reducer: None,
};
