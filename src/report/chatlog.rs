//! `itch report chatlog <video-id>`: a VOD's archived chat in the order it was said, the 2016 itch's `chatlog`
//! from the archive (so it outlives the VOD). `--format seed` prints the old `user : message` lines. A download
//! that has not finished prints what it has saved so far, with a note on stderr. Messages a moderator deleted are
//! printed, marked by `deleted_at` (empty for the others); `--hide-deleted` leaves them out.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "chatlog",
    help: "a VOD's chat in order: offset, time, user, text, deleted_at (--hide-deleted; seed: `user : text`)",
    subject: Subject::Video,
    time_columns: &["created_at", "deleted_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Asc,
    seed: SeedForm {
        columns: &["user", "text"],
        separator: " : ",
    },
    sql: include_str!("chatlog.sql"),
    notes_sql: Some(include_str!("chatlog_notes.sql")),
    reducer: None,
};
