//! `itch report chatters <login>`: who was in the channel's chat at the latest chatter snapshot (Helix Get
//! Chatters, taken by syncs with a moderator's token). The 2016 itch printed one name a line; `--format seed`
//! still does, and `--until` picks the last snapshot before a time ("who was there during the raid").

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "chatters",
    help: "who was in chat at the latest chatter snapshot (--until: the last one before then), by login",
    subject: Subject::Channel,
    time_columns: &["taken_at"],
    filter_column: Some("taken_at"),
    default_direction: Direction::Asc,
    seed: SeedForm {
        columns: &["chatter"],
        separator: "\t",
    },
    sql: include_str!("chatters.sql"),
    notes_sql: None,
    reducer: None,
};
