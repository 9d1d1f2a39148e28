//! `itch report chat-events <video-id>`: the events the live record holds from a VOD's time (`chat_events` of
//! the video's channel from its start to its end): raids, subs, gift bombs, announcements and the rest, each with
//! its offset into the VOD. `itch plot chat-activity` reads it to mark raids and gift bombs on its time axis.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "chat-events",
    help: "the live chat's events during a VOD, in order: offset, kind, user, recipient, viewers, gifts, months, tier",
    subject: Subject::Video,
    time_columns: &["created_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("chat_events.sql"),
    notes_sql: None,
    reducer: None,
};
