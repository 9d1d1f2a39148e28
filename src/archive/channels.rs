//! Channels: each archived channel's current settings, and its snapshots (what one run saw of it: follower
//! total, title, game, language, live or not), one per run and never overwritten by a later run.

use rusqlite::{Connection, Transaction, params};
use serde_json::Value;

use super::Stamp;
use super::games::known_game;
use crate::client::UserId;
use crate::client::helix::channels::Channel;

/// Saves a channel's current settings. Its game must be saved first (or be unknown to Twitch: then NULL).
pub fn save_channel(tx: &Transaction<'_>, channel: &Channel, raw: &Value, stamp: &Stamp) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let game = known_game(tx, &channel.game_id)?;
    tx.execute(
        "INSERT INTO channels (broadcaster_id, broadcaster_login, broadcaster_name, broadcaster_language, game_id,
                               game_name, title, tags_json, first_seen_at, last_seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)
         ON CONFLICT (broadcaster_id) DO UPDATE SET
             broadcaster_login = excluded.broadcaster_login, broadcaster_name = excluded.broadcaster_name,
             broadcaster_language = excluded.broadcaster_language, game_id = excluded.game_id,
             game_name = excluded.game_name, title = excluded.title, tags_json = excluded.tags_json,
             last_seen_at = excluded.last_seen_at, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json",
        params![
            channel.broadcaster_id.as_str(),
            channel.broadcaster_login,
            channel.broadcaster_name,
            channel.broadcaster_language,
            game,
            channel.game_name,
            channel.title,
            serde_json::to_string(&channel.tags).expect("tags serialise"),
            now,
            run,
            raw.to_string(),
        ],
    )?;
    Ok(())
}

/// What a sync saw of a channel at one moment.
#[derive(Clone, Debug, Default)]
pub struct ChannelSnapshot {
    pub follower_total: Option<u64>,
    pub title: Option<String>,
    pub game_id: Option<String>,
    pub game_name: Option<String>,
    pub language: Option<String>,
    pub is_live: Option<bool>,
}

/// Records facts of a channel's snapshot for `run`, as soon as a part has read them: the first call of a run
/// adds the snapshot (taken at `now`), later calls of the same run fill in the facts they bring (a `None` leaves
/// a fact as it is). So a run that fails or is killed late still leaves the facts it read.
pub fn save_channel_snapshot(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    snapshot: &ChannelSnapshot,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let game = match &snapshot.game_id {
        Some(id) => known_game(tx, id)?,
        None => None,
    };
    let facts = params![
        broadcaster,
        now,
        snapshot.follower_total.map(|t| t as i64),
        snapshot.title,
        game,
        snapshot.game_name,
        snapshot.language,
        snapshot.is_live,
        run
    ];
    let filled = tx.execute(
        "UPDATE channel_snapshots SET
             follower_total = coalesce(?3, follower_total), title = coalesce(?4, title),
             game_id = coalesce(?5, game_id), game_name = coalesce(?6, game_name),
             language = coalesce(?7, language), is_live = coalesce(?8, is_live)
         WHERE broadcaster_id = ?1 AND sync_run_id = ?9",
        facts,
    )?;
    if filled == 0 {
        tx.execute(
            "INSERT INTO channel_snapshots (broadcaster_id, taken_at, follower_total, title, game_id, game_name,
                                            language, is_live, sync_run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            facts,
        )?;
    }
    Ok(())
}

/// The follower total in `run`'s snapshot of `broadcaster`, if the run has read one.
pub fn load_snapshot_total(conn: &Connection, broadcaster: &UserId, run: i64) -> rusqlite::Result<Option<u64>> {
    conn.query_row(
        "SELECT max(follower_total) FROM channel_snapshots WHERE broadcaster_id = ?1 AND sync_run_id = ?2",
        params![broadcaster, run],
        |r| r.get::<_, Option<i64>>(0),
    )
    .map(|total| total.map(|t| t as u64))
}
