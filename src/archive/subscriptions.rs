//! Subscriber snapshots (Helix Get Broadcaster Subscriptions): one `subscription_snapshots` row per sync, with
//! Twitch's total and points, and its subscribers in `subscription_snapshot_users`, written a page at a time with
//! the cursor of the next page, so a killed sync resumes the same snapshot. History is the series of complete
//! snapshots; nothing is overwritten. A sync that read only the first page (its total, points and subscribers as
//! in the latest complete snapshot) records a row with `list_read = 0` and no subscribers: the total and points
//! are known at that time, the list is not.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Stamp;
use crate::client::helix::subscriptions::Subscription;
use crate::client::{Page, UserId};

/// Where an unfinished snapshot of `broadcaster` stopped: its id and the cursor of the page to read next.
pub fn load_resume(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        "SELECT id, next_cursor FROM subscription_snapshots
         WHERE broadcaster_id = ?1 AND complete = 0 AND next_cursor IS NOT NULL
         ORDER BY id DESC LIMIT 1",
        [broadcaster],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Gives up the resume point of snapshot `id` (Twitch refused its cursor): it stays, incomplete.
pub fn save_snapshot_abandoned(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE subscription_snapshots SET next_cursor = NULL WHERE id = ?1",
        [id],
    )?;
    Ok(())
}

/// The latest complete snapshot of a channel: what a sync compares its first page with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestSnapshot {
    pub taken_at: String,
    pub total: Option<u64>,
    pub points: Option<u64>,
    /// The digest of its first page; `None` for a snapshot taken before V023.
    pub first_page_digest: Option<String>,
}

/// Loads the latest complete snapshot of `broadcaster`, if any.
pub fn load_latest_complete(conn: &Connection, broadcaster: &UserId) -> rusqlite::Result<Option<LatestSnapshot>> {
    conn.query_row(
        "SELECT taken_at, total, points, first_page_digest FROM subscription_snapshots
         WHERE broadcaster_id = ?1 AND complete ORDER BY id DESC LIMIT 1",
        [broadcaster],
        |r| {
            let count = |i: usize| r.get::<_, Option<i64>>(i).map(|n| n.map(|n| n.max(0) as u64));
            Ok(LatestSnapshot {
                taken_at: r.get(0)?,
                total: count(1)?,
                points: count(2)?,
                first_page_digest: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Records a sync that read the first page only: Twitch's total and points now, the first page's digest, and no
/// subscribers (`list_read = 0`, never `complete`). Returns the row's id.
pub fn save_counts_only(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    page: &Page<Subscription>,
    digest: &str,
    stamp: &Stamp,
) -> rusqlite::Result<i64> {
    insert_snapshot(tx, broadcaster, page, Some(digest), stamp, true)
}

/// A new snapshot row with the first page's total, points and digest: a counts-only one (`list_read = 0`,
/// finished at once) or one whose list is about to be written page by page.
fn insert_snapshot(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    page: &Page<Subscription>,
    digest: Option<&str>,
    stamp: &Stamp,
    counts_only: bool,
) -> rusqlite::Result<i64> {
    tx.execute(
        "INSERT INTO subscription_snapshots (broadcaster_id, taken_at, total, points, sync_run_id, first_page_digest,
                                             finished_at, list_read)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?7 THEN ?2 END, NOT ?7)",
        params![
            broadcaster,
            stamp.seen_at,
            page.total.map(|t| t as i64),
            page.points.map(|p| p as i64),
            stamp.run,
            digest,
            counts_only
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes one page of subscribers into snapshot `snapshot` (a new one when `None`, with the page's total and
/// points and `first_page_digest`, the digest of this, its first page), with the cursor of the next page; the last
/// page completes it. Returns the snapshot's id.
pub fn save_subscription_page(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    snapshot: Option<i64>,
    page: &Page<Subscription>,
    first_page_digest: Option<&str>,
    stamp: &Stamp,
) -> rusqlite::Result<i64> {
    let id = match snapshot {
        Some(id) => id,
        None => insert_snapshot(tx, broadcaster, page, first_page_digest, stamp, false)?,
    };
    let people = page.items.iter().flat_map(|s| {
        std::iter::once((s.user_id.as_str(), s.user_login.as_str(), s.user_name.as_str()))
            .chain(s.gifter().map(|g| (g, s.gifter_login.as_str(), s.gifter_name.as_str())))
    });
    super::users::save_partial_users(tx, people, stamp)?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO subscription_snapshot_users (snapshot_id, user_id, tier, is_gift, gifter_id, plan_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut added = 0i64;
    for s in &page.items {
        added += insert.execute(params![
            id,
            s.user_id.as_str(),
            s.tier,
            s.is_gift,
            s.gifter(),
            s.plan_name
        ])? as i64;
    }
    let done = page.cursor.is_none();
    tx.execute(
        "UPDATE subscription_snapshots SET listed = listed + ?2, next_cursor = ?3, complete = ?4,
             finished_at = CASE WHEN ?4 THEN ?5 END, sync_run_id = ?6
         WHERE id = ?1",
        params![id, added, page.cursor, done, stamp.seen_at, stamp.run],
    )?;
    Ok(id)
}

/// The total and points of snapshot `id`, and how many subscribers it lists.
pub fn load_snapshot_counts(conn: &Connection, id: i64) -> rusqlite::Result<(Option<u64>, Option<u64>, u64)> {
    conn.query_row(
        "SELECT total, points, listed FROM subscription_snapshots WHERE id = ?1",
        [id],
        |r| {
            let count = |i: usize| r.get::<_, Option<i64>>(i).map(|n| n.map(|n| n.max(0) as u64));
            Ok((count(0)?, count(1)?, count(2)?.unwrap_or(0)))
        },
    )
}
