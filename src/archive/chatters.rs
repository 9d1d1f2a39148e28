//! Chatter snapshots: who was in a channel's chat at a sync (Helix Get Chatters with a moderator token, or the
//! chat room's NAMES list over IRC without one).

use rusqlite::{Transaction, params};

use super::Stamp;
use crate::client::UserId;
use crate::client::helix::chatters::Chatter;

/// Records one snapshot of a channel's chatters (deduplicated by id: Twitch may repeat names across pages),
/// taken from `source` (`helix` or `irc`).
pub fn save_chatters_snapshot(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    chatters: &[Chatter],
    source: &str,
    stamp: &Stamp,
) -> rusqlite::Result<u64> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    super::users::save_partial_users(
        tx,
        chatters
            .iter()
            .map(|c| (c.user_id.as_str(), c.user_login.as_str(), c.user_name.as_str())),
        stamp,
    )?;
    tx.execute(
        "INSERT INTO chatter_snapshots (broadcaster_id, taken_at, total, sync_run_id, source) VALUES (?1, ?2, 0, ?3, ?4)",
        params![broadcaster, now, run, source],
    )?;
    let snapshot = tx.last_insert_rowid();
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO chatter_snapshot_users (snapshot_id, user_id) VALUES (?1, ?2)")?;
    let mut total = 0;
    for chatter in chatters {
        total += insert.execute(params![snapshot, chatter.user_id.as_str()])? as u64;
    }
    tx.execute(
        "UPDATE chatter_snapshots SET total = ?2 WHERE id = ?1",
        params![snapshot, total as i64],
    )?;
    Ok(total)
}
