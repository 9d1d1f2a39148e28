//! Users: every account met (channels, followers, chatters, chat authors). A user's upsert touches only the
//! columns it has: a follower page knows a login and a name, Get Users knows everything, and the first never
//! blanks the second.

use rusqlite::{Connection, Transaction, params, params_from_iter};
use serde_json::Value;
use std::collections::HashSet;

use super::timestamp;
use super::{Stamp, Timestamp};
use crate::client::helix::users::User;

const UPSERT_USER: &str = "
    INSERT INTO users (id, login, display_name, user_type, broadcaster_type, description, profile_image_url,
                       offline_image_url, created_at, hydrated_at, first_seen_at, last_seen_at, sync_run_id, raw_json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?10, ?11, ?12)
    ON CONFLICT (id) DO UPDATE SET
        login = excluded.login, display_name = excluded.display_name, user_type = excluded.user_type,
        broadcaster_type = excluded.broadcaster_type, description = excluded.description,
        profile_image_url = excluded.profile_image_url, offline_image_url = excluded.offline_image_url,
        created_at = excluded.created_at, hydrated_at = excluded.hydrated_at,
        last_seen_at = excluded.last_seen_at, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json";

/// The Get Users fields that have columns of their own.
const USER_COLUMNS: &[&str] = &[
    "id",
    "login",
    "display_name",
    "type",
    "broadcaster_type",
    "description",
    "profile_image_url",
    "offline_image_url",
    "created_at",
];

/// The fields of `raw` that have no column: what `raw_json` keeps for tables written in bulk (a million
/// hydrated followers), so the archive does not store every value twice.
pub(crate) fn unmodelled(raw: &Value, columns: &[&str]) -> String {
    match raw.as_object() {
        Some(fields) => {
            let rest: serde_json::Map<String, Value> = fields
                .iter()
                .filter(|(k, _)| !columns.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Value::Object(rest).to_string()
        }
        None => raw.to_string(),
    }
}

/// Saves fully known users (from Get Users).
pub fn save_users(tx: &Transaction<'_>, users: &[(User, Value)], stamp: &Stamp) -> rusqlite::Result<()> {
    write_users(tx, UPSERT_USER, users, stamp)
}

/// Runs `sql` (whose twelve parameters are a Get Users item, the time, the run and the unmodelled fields)
/// for each user.
fn write_users(tx: &Transaction<'_>, sql: &str, users: &[(User, Value)], stamp: &Stamp) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let mut stmt = tx.prepare_cached(sql)?;
    for (user, raw) in users {
        stmt.execute(params![
            user.id.as_str(),
            user.login,
            user.display_name,
            user.user_type,
            user.broadcaster_type,
            user.description,
            user.profile_image_url,
            user.offline_image_url,
            timestamp(user.created_at),
            now,
            run,
            unmodelled(raw, USER_COLUMNS),
        ])?;
    }
    Ok(())
}

/// Saves users known only by id, login and name (from a follow, a chatter, a followed channel).
pub fn save_partial_users<'a>(
    tx: &Transaction<'_>,
    users: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name,
             last_seen_at = excluded.last_seen_at",
    )?;
    for (id, login, name) in users {
        stmt.execute(params![id, login, name, now, run])?;
    }
    Ok(())
}

/// Saves users met in chat (a commenter, a gifter, a raider): `(id, login, display name, seen at)`, as partial
/// users. A user already archived is not touched but for `last_seen_at`, which only moves forward: chat names
/// are as old as the message, and a hydrated user must not be blanked by one.
pub fn save_chat_users<'a>(
    tx: &Transaction<'_>,
    users: impl IntoIterator<Item = (&'a str, Option<&'a str>, Option<&'a str>, &'a Timestamp)>,
    run: Option<i64>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET last_seen_at = max(users.last_seen_at, excluded.last_seen_at)",
    )?;
    for (id, login, name, seen_at) in users {
        stmt.execute(params![id, login, name, seen_at, run])?;
    }
    Ok(())
}

/// Appends hydrated users to the staging table (merged by [`merge_staged_users`]).
pub fn stage_users(tx: &Transaction<'_>, users: &[(User, Value)], stamp: &Stamp) -> rusqlite::Result<()> {
    const STAGE: &str = "INSERT INTO users_staging (id, login, display_name, user_type, broadcaster_type, description,
             profile_image_url, offline_image_url, created_at, seen_at, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    write_users(tx, STAGE, users, stamp)
}

/// Moves every staged hydrated user into `users`, in staging order (the later of two rows of one account wins).
/// Not sorted by key: the rows go to the end of the table whatever their order, and only its narrow key index
/// takes them at random, which costs less than sorting a million wide rows with their JSON.
pub fn merge_staged_users(tx: &Transaction<'_>) -> rusqlite::Result<usize> {
    let merged = tx.execute(
        "INSERT INTO users (id, login, display_name, user_type, broadcaster_type, description, profile_image_url,
                            offline_image_url, created_at, hydrated_at, first_seen_at, last_seen_at, sync_run_id, raw_json)
         SELECT id, login, display_name, user_type, broadcaster_type, description, profile_image_url,
                offline_image_url, created_at, seen_at, seen_at, seen_at, sync_run_id, raw_json
         FROM users_staging WHERE true ORDER BY seq
         ON CONFLICT (id) DO UPDATE SET
             login = excluded.login, display_name = excluded.display_name, user_type = excluded.user_type,
             broadcaster_type = excluded.broadcaster_type, description = excluded.description,
             profile_image_url = excluded.profile_image_url, offline_image_url = excluded.offline_image_url,
             created_at = excluded.created_at, hydrated_at = excluded.hydrated_at,
             last_seen_at = excluded.last_seen_at, sync_run_id = excluded.sync_run_id, raw_json = excluded.raw_json",
        [],
    )?;
    tx.execute("DELETE FROM users_staging", [])?;
    Ok(merged)
}

/// The ids among `ids` whose account details are already archived (staged ones are not counted: after an
/// interruption they are fetched again, which costs requests but never a gap).
pub fn load_hydrated(conn: &Connection, ids: &[String]) -> rusqlite::Result<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let marks = vec!["?"; ids.len()].join(",");
    let sql = format!("SELECT id FROM users WHERE hydrated_at IS NOT NULL AND id IN ({marks})");
    let mut stmt = conn.prepare_cached(&sql)?; // one text per page size: a walk prepares it once
    stmt.query_map(params_from_iter(ids), |r| r.get(0))?.collect()
}

/// Marks ids Get Users did not return (banned or deleted accounts) as looked up, so they are not asked again.
pub fn save_missing_users(tx: &Transaction<'_>, ids: &[String], now: &Timestamp) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached("UPDATE users SET hydrated_at = ?2 WHERE id = ?1 AND hydrated_at IS NULL")?;
    for id in ids {
        stmt.execute(params![id, now])?;
    }
    Ok(())
}
