//! `itch report subs <login>`: subscriptions and gifts in the channel's chat over time (USERNOTICEs in
//! `chat_events`): new subs, resubs with their months and streak, gifts with gifter and recipient, gift bombs
//! (`submysterygift`: the gifter and how many at once, followed by one `subgift` row per recipient), upgrades
//! from a gift or Prime, and paid-forward gifts; with the text the viewer typed with it, when any. Only a live
//! recording (`itch chat --live`) sees these; a VOD's replay has none.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "subs",
    help: "subs, resubs and gifts, newest first: kind, user (gifter), recipient, months, tier, count, message",
    subject: Subject::Channel,
    time_columns: &["created_at"],
    filter_column: Some("created_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("subs.sql"),
    notes_sql: None,
    reducer: None,
};
