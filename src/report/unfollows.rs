//! `itch report unfollows <login>`: follows that ended, newest first, every episode of each follower. Twitch keeps
//! no history of follows, so these are only known from the archive: a full follower pass that no longer finds a
//! follow marks it, and a follow listed again with a new time ends the episode before it.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "unfollows",
    help: "follows that ended, newest first, with the sync that first missed them and any follow after",
    subject: Subject::Channel,
    time_columns: &["followed_at", "unfollowed_seen_at", "followed_again_at"],
    filter_column: Some("unfollowed_seen_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("unfollows.sql"),
    notes_sql: None,
    reducer: None,
};
