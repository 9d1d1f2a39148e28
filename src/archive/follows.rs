//! Follows: staged page by page during a walk (appends, cheap), merged into `follows` in key order when the
//! walk ends. A full walk also marks the follows it no longer found as unfollowed; nothing is ever deleted.

use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use std::collections::HashMap;

use crate::client::helix::followers::Follower;
use crate::client::helix::following::FollowedChannel;

use super::timestamp;
use super::{Stamp, Timestamp};
use crate::client::UserId;

/// Appends a page of followers of `broadcaster`, read by the walk `walk_id`, to the staging table.
pub fn stage_follows(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    walk_id: &str,
    followers: &[Follower],
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO follows_staging (broadcaster_id, user_id, user_login, user_name, followed_at, seen_at, sync_run_id,
                                      walk_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for f in followers {
        stmt.execute(params![
            broadcaster,
            f.user_id.as_str(),
            f.user_login,
            f.user_name,
            timestamp(f.followed_at),
            now,
            run,
            walk_id
        ])?;
    }
    Ok(())
}

/// How many follows the walk `walk_id` of `broadcaster` has staged.
pub fn count_staged(conn: &Connection, broadcaster: &UserId, walk_id: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2",
        params![broadcaster, walk_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// Drops staged follows of `broadcaster` left by walks other than `walk_id` (a walk that was given up, or an
/// archive written by an older itch). Called with the archive's lock held, when `walk_id` starts: no other walk
/// of this channel can be in progress then.
pub fn drop_stale_staged(tx: &Transaction<'_>, broadcaster: &UserId, walk_id: &str) -> rusqlite::Result<u64> {
    tx.execute(
        "DELETE FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS NOT ?2",
        params![broadcaster, walk_id],
    )
    .map(|n| n as u64)
}

/// For the ids among `user_ids` that currently follow `broadcaster` in the archive and were last written by run
/// `seen_by` or an earlier one (the run that completed a walk): their `followed_at`.
pub fn load_current_follows(
    conn: &Connection,
    broadcaster: &UserId,
    user_ids: &[String],
    seen_by: i64,
) -> rusqlite::Result<HashMap<String, String>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks = vec!["?"; user_ids.len()].join(",");
    let sql = format!(
        "SELECT user_id, followed_at FROM follows
         WHERE broadcaster_id = ? AND coalesce(sync_run_id, 0) <= ? AND unfollowed_seen_at IS NULL
           AND user_id IN ({marks})"
    );
    let mut stmt = conn.prepare_cached(&sql)?; // one text per page size: a walk prepares it once
    let params = [&broadcaster as &dyn rusqlite::ToSql, &seen_by]
        .into_iter()
        .chain(user_ids.iter().map(|id| id as &dyn rusqlite::ToSql));
    stmt.query_map(params_from_iter(params), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect()
}

/// What a merge changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FollowChanges {
    /// Follows not in the archive before (or followed again after an unfollow).
    pub new: u64,
    /// Follows a full walk no longer found.
    pub gone: u64,
    /// Follows seen again.
    pub seen: u64,
}

/// Below this many staged rows a merge goes straight into the indexed tables.
const BULK_MERGE: i64 = 50_000;

/// Moves into `users` what a walk in progress has staged so far: every staged hydrated account, and the accounts
/// of the follows `walk_id` staged after `after_seq`. The follower writer runs it while it waits for the walk (a
/// run of the merge), so that the walk's end merges only the rest. Both moves are upserts that give the same
/// rows done twice as done once, in the caller's transaction: a kill between runs loses nothing, and a resumed
/// sync, which cannot know what an earlier process moved, moves it again. The follows themselves stay staged
/// until the walk ends (a full walk's unfollows are the current follows it did not stage). Returns the last
/// staged follow covered, the `after_seq` of the next run.
pub fn merge_staged_accounts(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    walk_id: &str,
    after_seq: i64,
) -> rusqlite::Result<i64> {
    // This walk's own last row, not the table's: seq is a rowid, and another channel's walk that ends deletes its
    // rows, whose seqs SQLite then hands to this walk's next pages. Searched from the end, where this walk writes.
    let last_seq: i64 = tx
        .query_row(
            "SELECT seq FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2 ORDER BY seq DESC LIMIT 1",
            params![broadcaster, walk_id],
            |r| r.get(0),
        )
        .optional()?
        .map_or(after_seq, |last: i64| last.max(after_seq));
    super::users::merge_staged_users(tx)?;
    merge_followers_accounts(tx, broadcaster, walk_id, after_seq, last_seq)?;
    Ok(last_seq)
}

/// Ends a walk: merges the staged accounts and follows (see [`merge_staged_follows`]); `accounts_after` is the
/// last staged follow whose account a run of [`merge_staged_accounts`] already merged (0 for none). A table
/// about to take more rows than it holds (a channel's first walk) has its secondary indexes dropped and built
/// again after: inserting a million rows into indexes in random key order costs several times more than sorting
/// once. The index definitions are read from the schema, so they never drift from the migrations.
pub fn merge_staged(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    walk_id: &str,
    accounts_after: i64,
    full: bool,
    now: &Timestamp,
) -> rusqlite::Result<FollowChanges> {
    let count = |sql: &str| tx.query_row(sql, [], |r| r.get::<_, i64>(0));
    let staged = count_staged(tx, broadcaster, walk_id)? as i64;
    let accounts_left = count("SELECT count(*) FROM users_staging")?
        + tx.query_row(
            "SELECT count(*) FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2 AND seq > ?3",
            params![broadcaster, walk_id, accounts_after],
            |r| r.get::<_, i64>(0),
        )?;
    let bulk = |rows: i64, table: &str| -> rusqlite::Result<bool> {
        Ok(rows >= BULK_MERGE && rows >= count(&format!("SELECT count(*) FROM {table}"))?)
    };
    let mut bulk_tables = Vec::new();
    if bulk(accounts_left, "users")? {
        bulk_tables.push("users");
    }
    if bulk(staged, "follows")? {
        bulk_tables.push("follows");
    }
    let indexes: Vec<(String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name IN (SELECT value FROM json_each(?1)) AND sql IS NOT NULL",
        )?;
        let tables = serde_json::to_string(&bulk_tables).expect("names serialise");
        stmt.query_map([tables], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    timed("hydrated accounts merged", || super::users::merge_staged_users(tx))?;
    let changes = merge_staged_follows(tx, broadcaster, walk_id, accounts_after, full, now)?;
    if !indexes.is_empty() {
        timed("indexes rebuilt", || {
            with_small_sorter(tx, || indexes.iter().try_for_each(|(_, sql)| tx.execute_batch(sql)))
        })?;
    }
    Ok(changes)
}

/// The page cache, in KiB, while a bulk merge sorts. SQLite's sorter holds up to as much memory as the page
/// cache (8 MiB, `db::open`) before it spills to a temporary file, and it holds it on top of the cache: a
/// 3,000,000-follower first sync's RSS rose by 8 MB in these steps. They read and write in key order, so they
/// need few cached pages (with 2 MiB they took no longer).
const SORTING_CACHE_KIB: i64 = 2048;

/// Runs `work` (a statement that sorts) with the page cache, and so the sorter, held to [`SORTING_CACHE_KIB`];
/// the cache's size is set back after it, whether it failed or not.
fn with_small_sorter<T>(tx: &Transaction<'_>, work: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    tx.execute_batch(&format!("PRAGMA cache_size = -{SORTING_CACHE_KIB}"))?;
    let done = work();
    let restored = tx.execute_batch(&format!("PRAGMA cache_size = {cache}"));
    let done = done?;
    restored.map(|()| done)
}

/// Runs one step of a merge, logging how long it took (`RUST_LOG=itch=debug`): where a bulk merge's time goes.
fn timed<T>(step: &str, work: impl FnOnce() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let started = std::time::Instant::now();
    let done = work();
    tracing::debug!(step, seconds = started.elapsed().as_secs_f64(), "merge");
    done
}

/// Moves the follows of `broadcaster` staged by the walk `walk_id` (and their users) into the archive; after a
/// full walk, marks current follows it did not see as unfollowed at `now`. Rows staged by any other walk are
/// neither merged nor counted as seen. The accounts of the follows staged up to `accounts_after` are already
/// merged (by [`merge_staged_accounts`]).
///
/// Written for a first walk of a million follows as much as for a re-walk: the unfollows are marked before the
/// staged follows go in (at a first walk there is no current follow to look at), the follows go in sorted by key
/// (their table is clustered on it), and in a bulk merge what is new is counted from the current follows
/// before and after instead of looking every staged follow up.
pub fn merge_staged_follows(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    walk_id: &str,
    accounts_after: i64,
    full: bool,
    now: &Timestamp,
) -> rusqlite::Result<FollowChanges> {
    let staged = count_staged(tx, broadcaster, walk_id)?;
    // A merge of a few follows (the usual incremental sync) looks each up; a bulk one counts the current follows
    // before and after instead, two scans, cheaper than a million look-ups but not than a handful.
    let looked_up = (staged < BULK_MERGE as u64)
        .then(|| count_new(tx, broadcaster, walk_id))
        .transpose()?;
    let current_before = match looked_up {
        Some(_) => 0,
        None => count_current(tx, broadcaster)?,
    };
    // Unfollows first: a current follow this full walk did not stage. Marking them before the staged rows go in
    // leaves the same rows marked (the staged ones are current after the merge either way).
    let gone = if full && (looked_up.is_some() || current_before > 0) {
        tx.execute(
            "UPDATE follows SET unfollowed_seen_at = ?2
             WHERE broadcaster_id = ?1 AND unfollowed_seen_at IS NULL
               AND user_id NOT IN (SELECT user_id FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?3)",
            params![broadcaster, now, walk_id],
        )? as u64
    } else {
        0
    };
    // Users first (the follows refer to them); most are already there from the hydration and left alone.
    timed("followers' accounts merged", || {
        merge_followers_accounts(tx, broadcaster, walk_id, accounts_after, i64::MAX)
    })?;
    let refollowed_current = end_refollowed_episodes(tx, broadcaster, walk_id)?;
    // A follow listed with the followed_at it has is the same episode (an unfollow marked before was not one:
    // Twitch gives every new follow a new time); with another followed_at it is the next episode, whose earlier
    // one `end_refollowed_episodes` just kept.
    let bulk = looked_up.is_none();
    timed("follows merged", || {
        let merge = || {
            tx.execute(
                "INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, sync_run_id)
         SELECT broadcaster_id, user_id, followed_at, seen_at, seen_at, sync_run_id
         FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2 ORDER BY user_id, seq
         ON CONFLICT (broadcaster_id, user_id) DO UPDATE SET
             episode = follows.episode + (follows.followed_at IS NOT excluded.followed_at),
             first_seen_at = iif(follows.followed_at IS excluded.followed_at, follows.first_seen_at,
                                 excluded.first_seen_at),
             followed_at = excluded.followed_at,
             last_seen_at = iif(follows.followed_at IS excluded.followed_at,
                                max(follows.last_seen_at, excluded.last_seen_at), excluded.last_seen_at),
             unfollowed_seen_at = NULL,
             sync_run_id = excluded.sync_run_id",
                params![broadcaster, walk_id],
            )
        };
        if bulk { with_small_sorter(tx, merge) } else { merge() }
    })?;
    timed("staged follows dropped", || {
        tx.execute(
            "DELETE FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2",
            params![broadcaster, walk_id],
        )
    })?;
    // Every staged follow is current now: those that were not before are the new ones (a follow staged twice,
    // as the list shifted under the walk, counts once).
    let new = match looked_up {
        Some(new) => new,
        None => (count_current(tx, broadcaster)? + gone).saturating_sub(current_before) + refollowed_current,
    };
    Ok(FollowChanges {
        new,
        gone,
        seen: staged - new.min(staged),
    })
}

/// Upserts the accounts (id, login, name) of the follows `walk_id` staged with `seq` in `(after_seq, upto_seq]`,
/// in staging order as in `merge_staged_users`.
fn merge_followers_accounts(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    walk_id: &str,
    after_seq: i64,
    upto_seq: i64,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO users (id, login, display_name, first_seen_at, last_seen_at, sync_run_id)
         SELECT user_id, user_login, user_name, seen_at, seen_at, sync_run_id
         FROM follows_staging WHERE broadcaster_id = ?1 AND walk_id IS ?2 AND seq > ?3 AND seq <= ?4 ORDER BY seq
         ON CONFLICT (id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name,
             last_seen_at = max(users.last_seen_at, excluded.last_seen_at)
         -- Most followers are unchanged: leaving their rows alone saves a random page write each.
         WHERE users.login IS NOT excluded.login OR users.display_name IS NOT excluded.display_name",
        params![broadcaster, walk_id, after_seq, upto_seq],
    )
}

/// Keeps the episodes that the follows staged by `walk_id` end: an archived follow listed again with another
/// `followed_at` was unfollowed and followed again, so its row goes to `earlier_follows` before the new follow
/// replaces it. Returns how many of them were current (no full walk saw the unfollow in between).
fn end_refollowed_episodes(tx: &Transaction<'_>, broadcaster: &UserId, walk_id: &str) -> rusqlite::Result<u64> {
    // A first walk has nothing to end: skip its million look-ups.
    let archived: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM follows WHERE broadcaster_id = ?1)",
        [broadcaster],
        |r| r.get(0),
    )?;
    if !archived {
        return Ok(0);
    }
    // Listed twice by one walk (the list shifted under it), a follow ends its episode once.
    let end = |current: bool| {
        tx.execute(
            "INSERT INTO earlier_follows (broadcaster_id, user_id, episode, followed_at, first_seen_at, last_seen_at,
                                          unfollowed_seen_at, ended_before, sync_run_id)
             SELECT f.broadcaster_id, f.user_id, f.episode, f.followed_at, f.first_seen_at, f.last_seen_at,
                    f.unfollowed_seen_at, s.followed_at, s.sync_run_id
             FROM follows_staging s
             JOIN follows f ON f.broadcaster_id = s.broadcaster_id AND f.user_id = s.user_id
             WHERE s.broadcaster_id = ?1 AND s.walk_id IS ?2 AND f.followed_at IS NOT s.followed_at
               AND (f.unfollowed_seen_at IS NULL) = ?3
             ORDER BY s.seq
             ON CONFLICT DO NOTHING",
            params![broadcaster, walk_id, current],
        )
    };
    let ended_current = end(true)?;
    end(false)?;
    Ok(ended_current as u64)
}

/// How many distinct follows the walk `walk_id` staged that are not current in the archive with the same
/// `followed_at` (new, or followed again after an unfollow).
fn count_new(conn: &Connection, broadcaster: &UserId, walk_id: &str) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(DISTINCT s.user_id) FROM follows_staging s
         WHERE s.broadcaster_id = ?1 AND s.walk_id IS ?2 AND NOT EXISTS (
             SELECT 1 FROM follows f
             WHERE f.broadcaster_id = s.broadcaster_id AND f.user_id = s.user_id AND f.unfollowed_seen_at IS NULL
               AND f.followed_at = s.followed_at)",
        params![broadcaster, walk_id],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// How many follows of `broadcaster` are current (not seen unfollowed).
fn count_current(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM follows WHERE broadcaster_id = ?1 AND unfollowed_seen_at IS NULL",
        [broadcaster],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as u64)
}

/// The followers of `broadcaster` whose accounts were never looked up (after an interrupted hydration), newest
/// follow first: the order (and so the batches of Get Users) of the walk's pages, whose answers a response cache
/// outside the archive may still hold (the one inside it keeps no copy of a walk's hydration).
pub fn load_unhydrated_followers(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT u.id FROM users u INDEXED BY users_unhydrated
         JOIN follows f ON f.broadcaster_id = ?1 AND f.user_id = u.id
         WHERE u.hydrated_at IS NULL
         ORDER BY f.followed_at DESC",
    )?;
    stmt.query_map([broadcaster], |r| r.get(0))?.collect()
}

/// Saves the whole list of channels `user` follows (always read whole: it is short), marking the ones that
/// are gone. Returns (new, gone).
pub fn save_following(
    tx: &Transaction<'_>,
    user: &UserId,
    channels: &[FollowedChannel],
    stamp: &Stamp,
) -> rusqlite::Result<(u64, u64)> {
    let (now, run) = (&stamp.seen_at, stamp.run);
    super::users::save_partial_users(
        tx,
        channels.iter().map(|c| {
            (
                c.broadcaster_id.as_str(),
                c.broadcaster_login.as_str(),
                c.broadcaster_name.as_str(),
            )
        }),
        stamp,
    )?;
    let mut new = 0;
    {
        let mut archived = tx.prepare_cached(
            "SELECT followed_at, unfollowed_seen_at IS NULL FROM follows WHERE broadcaster_id = ?1 AND user_id = ?2",
        )?;
        let mut end_episode = tx.prepare_cached(
            "INSERT INTO earlier_follows (broadcaster_id, user_id, episode, followed_at, first_seen_at, last_seen_at,
                                          unfollowed_seen_at, ended_before, sync_run_id)
             SELECT broadcaster_id, user_id, episode, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at,
                    ?3, ?4
             FROM follows WHERE broadcaster_id = ?1 AND user_id = ?2",
        )?;
        // As in `merge_staged_follows`: another followed_at is the next episode.
        let mut upsert = tx.prepare_cached(
            "INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, sync_run_id)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)
             ON CONFLICT (broadcaster_id, user_id) DO UPDATE SET
                 episode = follows.episode + (follows.followed_at IS NOT excluded.followed_at),
                 first_seen_at = iif(follows.followed_at IS excluded.followed_at, follows.first_seen_at,
                                     excluded.first_seen_at),
                 followed_at = excluded.followed_at, last_seen_at = excluded.last_seen_at, unfollowed_seen_at = NULL,
                 sync_run_id = excluded.sync_run_id",
        )?;
        for c in channels {
            let (channel, followed_at) = (c.broadcaster_id.as_str(), timestamp(c.followed_at));
            let before: Option<(String, bool)> = archived
                .query_row(params![channel, user], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match before {
                Some((at, current)) if at == followed_at => new += u64::from(!current),
                Some(_) => {
                    end_episode.execute(params![channel, user, followed_at, run])?;
                    new += 1;
                }
                None => new += 1,
            }
            upsert.execute(params![channel, user, followed_at, now, run])?;
        }
    }
    let seen: Vec<&str> = channels.iter().map(|c| c.broadcaster_id.as_str()).collect();
    let gone = tx.execute(
        "UPDATE follows SET unfollowed_seen_at = ?2
         WHERE user_id = ?1 AND unfollowed_seen_at IS NULL AND broadcaster_id NOT IN (SELECT value FROM json_each(?3))",
        params![user, now, serde_json::to_string(&seen).expect("ids serialise")],
    )? as u64;
    Ok((new, gone))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexes(conn: &Connection) -> Vec<String> {
        dump(
            conn,
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
        )
    }

    #[test]
    fn a_bulk_merge_rebuilds_the_indexes_it_dropped_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        let before = indexes(&conn);
        let cache = |conn: &Connection| conn.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0)).unwrap();
        let cache_before = cache(&conn);
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'channel', 't', 't');
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59999)
             INSERT INTO follows_staging (broadcaster_id, user_id, user_login, followed_at, seen_at, walk_id)
             SELECT '1', CAST(1000000 + (i * 7919) % 60000 AS TEXT), 'u' || i, printf('2026-01-01T00:%05dZ', i), 'now', 'w'
             FROM n;",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let changes = merge_staged(&tx, &UserId::from("1"), "w", 0, true, &Timestamp::now()).unwrap();
        tx.commit().unwrap();
        assert_eq!(changes.new, 60_000);
        assert_eq!(indexes(&conn), before, "every index is back, as it was");
        assert_eq!(
            cache(&conn),
            cache_before,
            "the page cache is its size again after the sorting steps"
        );
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM follows"), 60_000);
        assert_eq!(count("SELECT count(*) FROM users"), 60_001);
        assert_eq!(count("SELECT count(*) FROM follows_staging"), 0);
        assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok");
    }

    /// Stages follows `from..to` of channel '1' (walk 'w'), and hydrated accounts of follows `accounts` (the
    /// hydration lags the pages) but for those divisible by 7 (banned: Get Users does not return them). Ids are
    /// scattered, as Twitch's.
    fn stage_range(conn: &Connection, (from, to): (i64, i64), accounts: (i64, i64)) {
        let (accounts_from, accounts_to) = accounts;
        conn.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to} - 1)
             INSERT INTO follows_staging (broadcaster_id, user_id, user_login, user_name, followed_at, seen_at, walk_id)
             SELECT '1', CAST(1000000 + (i * 7919) % 60000 AS TEXT), 'u' || i, 'U' || i,
                    printf('2026-01-01T00:%05dZ', 60000 - i), 'now', 'w'
             FROM n;
             WITH RECURSIVE n(i) AS (SELECT {accounts_from} UNION ALL SELECT i + 1 FROM n WHERE i < {accounts_to} - 1)
             INSERT INTO users_staging (id, login, display_name, description, created_at, seen_at, raw_json)
             SELECT CAST(1000000 + (i * 7919) % 60000 AS TEXT), 'u' || i, 'U' || i, 'about ' || i,
                    '2020-01-01T00:00:00Z', 'now', '{{}}'
             FROM n WHERE i % 7 <> 0;"
        ))
        .unwrap();
    }

    fn dump(conn: &Connection, sql: &str) -> Vec<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn a_run_covers_its_own_walks_follows_when_another_channels_staged_rows_are_gone_since() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        let stage = |conn: &Connection, broadcaster: &str, walk: &str, users: std::ops::Range<i64>| {
            conn.execute_batch(&format!(
                "WITH RECURSIVE n(i) AS (SELECT {} UNION ALL SELECT i + 1 FROM n WHERE i < {} - 1)
                 INSERT INTO follows_staging (broadcaster_id, user_id, user_login, followed_at, seen_at, walk_id)
                 SELECT '{broadcaster}', CAST(i AS TEXT), 'u' || i, 't', 't', '{walk}' FROM n",
                users.start, users.end
            ))
            .unwrap();
        };
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'one', 't', 't'), ('2', 'two', 't', 't')",
        )
        .unwrap();
        // Channel 1's walk stages, channel 2's walk stages after it, and a run of channel 1 merges.
        stage(&conn, "1", "w1", 100..200);
        stage(&conn, "2", "w2", 300..400);
        let tx = conn.transaction().unwrap();
        let after = merge_staged_accounts(&tx, &UserId::from("1"), "w1", 0).unwrap();
        tx.commit().unwrap();
        // Channel 2's walk ends, its staged rows go, and SQLite hands their seqs to channel 1's next page.
        conn.execute("DELETE FROM follows_staging WHERE broadcaster_id = '2'", [])
            .unwrap();
        stage(&conn, "1", "w1", 200..300);
        // Get Users returned none of them (banned): only the follow pages name these accounts.
        let tx = conn.transaction().unwrap();
        let changes = merge_staged(&tx, &UserId::from("1"), "w1", after, true, &Timestamp::now()).unwrap();
        tx.commit().unwrap();
        assert_eq!(changes.new, 200);
        let users: i64 = conn
            .query_row(
                "SELECT count(*) FROM users WHERE CAST(id AS INTEGER) BETWEEN 100 AND 299",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(users, 200, "every follower of the walk has an account");
    }

    #[test]
    fn runs_of_the_account_merge_during_a_walk_leave_the_archive_a_merge_at_its_end_leaves() {
        let merged = |runs: &[i64]| {
            let dir = tempfile::tempdir().unwrap();
            let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
            conn.execute_batch(
                "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('1', 'channel', 't', 't')",
            )
            .unwrap();
            // The hydration is 500 follows behind the pages at every run.
            const LAG: i64 = 500;
            let (mut from, mut after) = (0, 0);
            for &to in runs {
                stage_range(&conn, (from, to), ((from - LAG).max(0), to - LAG));
                let tx = conn.transaction().unwrap();
                after = merge_staged_accounts(&tx, &UserId::from("1"), "w", after).unwrap();
                tx.commit().unwrap();
                from = to;
            }
            stage_range(&conn, (from, 60_000), ((from - LAG).max(0), 60_000));
            let tx = conn.transaction().unwrap();
            let changes = merge_staged(&tx, &UserId::from("1"), "w", after, true, &Timestamp::now()).unwrap();
            tx.commit().unwrap();
            assert_eq!(changes.new, 60_000);
            assert_eq!(
                dump(
                    &conn,
                    "SELECT count(*) || '' FROM follows_staging UNION ALL SELECT count(*) || '' FROM users_staging"
                ),
                ["0", "0"]
            );
            let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(check, "ok");
            (
                dump(&conn, "SELECT id || ' ' || login || ' ' || coalesce(display_name, '-') || ' ' || coalesce(description, '-')
                                || ' ' || coalesce(hydrated_at, '-') || ' ' || first_seen_at || ' ' || last_seen_at
                             FROM users ORDER BY id"),
                dump(&conn, "SELECT user_id || ' ' || followed_at || ' ' || first_seen_at FROM follows ORDER BY user_id"),
                indexes(&conn),
            )
        };
        let at_the_end = merged(&[]);
        assert_eq!(at_the_end.0.len(), 60_001);
        assert_eq!(at_the_end.1.len(), 60_000);
        assert!(
            at_the_end.0.iter().any(|u| u.ends_with("- - now now")),
            "the banned stay partial"
        );
        // Three runs, then the rest at the end: the accounts of 500 follows of every run are merged partial first,
        // hydrated by the next.
        assert_eq!(merged(&[10_000, 25_000, 59_999]), at_the_end);
    }

    #[test]
    fn a_merge_counts_new_gone_and_seen_follows_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at)
             VALUES ('1', 'channel', 't', 't'), ('a', 'a', 't', 't'), ('b', 'b', 't', 't'), ('c', 'c', 't', 't');
             INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at)
             VALUES ('1', 'a', 'f', 't', 't', NULL), ('1', 'b', 'f', 't', 't', NULL), ('1', 'c', 'f', 't', 't', 'gone');
             -- a seen again, c followed again, d new and staged twice (the list shifted under the walk), b missed;
             -- a row of another walk is neither merged nor counted.
             INSERT INTO follows_staging (broadcaster_id, user_id, user_login, followed_at, seen_at, walk_id)
             VALUES ('1', 'a', 'a', 'f', 'now', 'w'), ('1', 'c', 'c', 'f2', 'now', 'w'), ('1', 'd', 'd', 'f3', 'now', 'w'),
                    ('1', 'd', 'd', 'f3', 'now', 'w'), ('1', 'e', 'e', 'f4', 'now', 'other');",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let changes = merge_staged_follows(&tx, &UserId::from("1"), "w", 0, true, &Timestamp::now()).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            changes,
            FollowChanges {
                new: 2,
                gone: 1,
                seen: 2
            }
        );
        let current: Vec<String> = conn
            .prepare("SELECT user_id FROM follows WHERE unfollowed_seen_at IS NULL ORDER BY user_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(current, ["a", "c", "d"]);
    }

    #[test]
    fn a_follow_listed_again_with_its_own_time_is_the_same_episode_and_another_time_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at)
             VALUES ('1', 'channel', 't', 't'), ('a', 'a', 't', 't'), ('b', 'b', 't', 't');
             -- a was marked unfollowed by a full walk, b too; both are listed again: a with the time it had (the
             -- unfollow was not one), b with a new one (a re-follow).
             INSERT INTO follows (broadcaster_id, user_id, followed_at, first_seen_at, last_seen_at, unfollowed_seen_at)
             VALUES ('1', 'a', 'f1', 't1', 't2', 'gone'), ('1', 'b', 'f1', 't1', 't2', 'gone');
             INSERT INTO follows_staging (broadcaster_id, user_id, user_login, followed_at, seen_at, walk_id)
             VALUES ('1', 'a', 'a', 'f1', 't3', 'w'), ('1', 'b', 'b', 'f2', 't3', 'w'), ('1', 'b', 'b', 'f2', 't3', 'w');",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        let changes = merge_staged_follows(&tx, &UserId::from("1"), "w", 0, false, &Timestamp::now()).unwrap();
        tx.commit().unwrap();
        assert_eq!(changes.new, 2, "both follow again");
        let episodes: Vec<String> = conn
            .prepare(
                "SELECT user_id || ' ' || episode || ' ' || followed_at || ' ' || first_seen_at || ' '
                        || coalesce(unfollowed_seen_at, '-') || ' ' || coalesce(ended_before, '-')
                 FROM follow_episodes ORDER BY user_id, episode",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            episodes,
            ["a 1 f1 t1 - -", "b 1 f1 t1 gone f2", "b 2 f2 t3 - -"],
            "b's first follow is kept whole, once, though the walk listed b twice"
        );
    }

    #[test]
    fn the_logged_in_users_follows_keep_their_episodes_too() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::archive::db::open(&dir.path().join("a.db")).unwrap();
        let channel = |at: &str| FollowedChannel {
            broadcaster_id: UserId::from("9"),
            broadcaster_login: "nine".into(),
            broadcaster_name: "Nine".into(),
            followed_at: chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc(),
        };
        let user = UserId::from("5");
        conn.execute_batch(
            "INSERT INTO users (id, login, first_seen_at, last_seen_at) VALUES ('5', 'me', 't', 't');
             INSERT INTO sync_runs (id, started_at, command, itch_version) VALUES (1, 't', 'sync me', 'test');",
        )
        .unwrap();
        for (list, expected) in [
            (vec![channel("2025-01-01T00:00:00Z")], (1, 0)),
            (vec![], (0, 1)),
            (vec![channel("2025-03-01T00:00:00Z")], (1, 0)),
            (vec![channel("2025-03-01T00:00:00Z")], (0, 0)),
        ] {
            let tx = conn.transaction().unwrap();
            let changes = save_following(&tx, &user, &list, &Stamp::now(1)).unwrap();
            tx.commit().unwrap();
            assert_eq!(changes, expected);
        }
        let episodes: Vec<(i64, String, bool)> = conn
            .prepare("SELECT episode, followed_at, unfollowed_seen_at IS NULL FROM follow_episodes ORDER BY episode")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            episodes,
            [
                (1, "2025-01-01T00:00:00Z".into(), false),
                (2, "2025-03-01T00:00:00Z".into(), true)
            ]
        );
    }
}
