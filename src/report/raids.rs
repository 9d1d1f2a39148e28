//! `itch report raids <login>`: the raids into the channel's chat (USERNOTICE `raid`, in `chat_events`), who
//! raided with how many viewers, and how many follows of the channel came in the 30 minutes after: "who followed
//! during last week's raid", answered by joining the live record's raids to the archived follows. Only a live
//! recording (`itch chat --live`) sees raids; a VOD's replay has none.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "raids",
    help: "raids into the channel's chat, newest first: raider, viewers, follows in the next 30 minutes",
    subject: Subject::Channel,
    time_columns: &["created_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("raids.sql"),
    notes_sql: None,
    reducer: None,
};
