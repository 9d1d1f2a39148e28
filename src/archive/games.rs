//! Games (Twitch's categories): archived before anything refers to them, so foreign keys to them hold.

use rusqlite::{Connection, Transaction, params};
use serde_json::Value;
use std::collections::HashSet;

use super::Timestamp;
use crate::client::helix::games::Game;

/// Saves games.
pub fn save_games(tx: &Transaction<'_>, games: &[(Game, Value)], now: &Timestamp) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO games (id, name, box_art_url, igdb_id, first_seen_at, last_seen_at, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, box_art_url = excluded.box_art_url,
             igdb_id = excluded.igdb_id, last_seen_at = excluded.last_seen_at, raw_json = excluded.raw_json",
    )?;
    for (game, raw) in games {
        stmt.execute(params![
            game.id.as_str(),
            game.name,
            game.box_art_url,
            game.igdb_id,
            now,
            raw.to_string()
        ])?;
    }
    Ok(())
}

/// The game ids among `ids` already archived.
pub fn load_known_games(conn: &Connection, ids: &[String]) -> rusqlite::Result<HashSet<String>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM games WHERE id = ?1")?;
    let mut known = HashSet::new();
    for id in ids {
        if stmt.exists([id])? {
            known.insert(id.clone());
        }
    }
    Ok(known)
}

/// `Some(id)` when the game is archived, so a foreign key to it holds; `None` for "" or an unknown game.
pub(crate) fn known_game(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<Option<String>> {
    if id.is_empty() {
        return Ok(None);
    }
    let exists = tx.prepare_cached("SELECT 1 FROM games WHERE id = ?1")?.exists([id])?;
    Ok(exists.then(|| id.to_owned()))
}
