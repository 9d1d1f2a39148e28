//! `itch report videos <login>`: the channel's archived videos, newest first, including the ones Twitch has since
//! deleted (`deleted_seen_at` set). Replaces the 2016 itch's `past_streams`.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "videos",
    help: "the channel's videos, newest first, deleted ones included (with when they vanished)",
    subject: Subject::Channel,
    time_columns: &["created_at", "published_at", "deleted_seen_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("videos.sql"),
    notes_sql: None,
    reducer: None,
};
