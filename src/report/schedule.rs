//! `itch report schedule <login>`: the channel's stream schedule as the archive saw it change, from
//! `schedule_segment_versions` and `schedule_vacations`: each planned segment's first sighting, every change of
//! time, title or category, its cancellation (`canceled_until`) and its disappearance, each with when a sync saw
//! it. `itch plot follower-count` and `itch plot viewers` shade the planned times from it.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "schedule",
    help: "the stream schedule's history, by planned start: each segment's versions (new, changed, canceled, gone) and vacations",
    subject: Subject::Channel,
    time_columns: &["start_time", "end_time", "seen_at", "canceled_until"],
    filter_column: Some("start_time"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("schedule.sql"),
    notes_sql: None,
    reducer: None,
};
