//! `itch report chat-gaps <login>`: the holes in the channel's live chat record (`chat_gaps`): when a
//! recording lost the room (a dropped connection, or Twitch asking it to reconnect) and when it was back, and
//! how many messages of that time the VOD's replay has filled in since (`itch chat <video-id>`), with the VOD
//! that covers the hole.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "chat-gaps",
    help: "holes in the live chat record, newest first: start, end, seconds, reason, replay messages filling it",
    subject: Subject::Channel,
    time_columns: &["started_at", "ended_at"],
    filter_column: Some("started_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("chat_gaps.sql"),
    notes_sql: None,
    reducer: None,
};
