//! `itch report following <login>`: the channels a user follows, as the 2016 itch's `following` printed them. The
//! archive learns them two ways: Helix lists the logged-in user's own follows when their channel is synced, and
//! every synced channel's follower list shows who of its followers this user is.

use super::{Direction, Report, SeedForm, Subject};

/// The report's declaration.
pub(super) const REPORT: Report = Report {
    name: "following",
    help: "channels the user follows, newest first: the user's account creation, follow time, seconds between",
    subject: Subject::Channel,
    time_columns: &["account_created_at", "followed_at"],
    filter_column: Some("followed_at"),
    default_direction: Direction::Desc,
    seed: SeedForm::TSV,
    sql: include_str!("following.sql"),
    notes_sql: None,
    reducer: None,
};
