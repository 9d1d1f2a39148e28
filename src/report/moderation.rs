//! `itch report moderation <login>`: what the channel's moderators took out of the chat (CLEARCHAT and
//! CLEARMSG, in `chat_moderation`): timeouts with their length, bans, whole-chat clears and single deletions,
//! with how many archived messages each marked deleted and, when the archive has it, the text: what a deletion
//! removed, or the last message a timeout or ban took away. The messages themselves stay in the archive
//! (`itch search` and `report chatlog` show them, marked by `deleted_at`).

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "moderation",
    help: "timeouts, bans, clears and deletions, newest first: target, duration, messages marked, deleted text",
    subject: Subject::Channel,
    time_columns: &["created_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("moderation.sql"),
    notes_sql: None,
    reducer: None,
};
