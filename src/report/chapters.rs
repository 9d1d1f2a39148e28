//! `itch report chapters <video-id>`: a VOD's chapters, the games and where each starts, as Twitch's player shows
//! them (synced by the `chapters` part into `video_chapters`): offset as `h:mm:ss` and in seconds, the game, and
//! how long it lasted. A VOD with one game is one chapter of its whole length. Chapters Twitch no longer sends
//! (re-cut or corrected) are kept in the archive but not listed here.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "chapters",
    help: "a VOD's chapters in order: offset (h:mm:ss, seconds), game, duration (h:mm:ss, seconds)",
    subject: Subject::Video,
    time_columns: &["first_seen_at"],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("chapters.sql"),
    notes_sql: None,
    reducer: None,
};
