//! `itch report subscribers <login>`: who subscribes to the channel at the latest complete snapshot, with tier,
//! gift and gifter (Helix Get Broadcaster Subscriptions, synced when logged in as the channel with
//! `itch auth login --scopes subs`). `subscriber-count` has the totals over time.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "subscribers",
    help: "the channel's subscribers at the latest snapshot, by login: tier, gifted or not, gifter, plan",
    subject: Subject::Channel,
    time_columns: &["taken_at"],
    filter_column: None,
    default_direction: Direction::Asc,
    seed: SeedForm::TSV,
    sql: include_str!("subscribers.sql"),
    notes_sql: None,
    reducer: None,
};
