//! The stream schedule as history (Helix Get Channel Stream Schedule): each segment once in `schedule_segments`,
//! as last seen, and every version a read saw in `schedule_segment_versions` (new, changed, canceled, restored,
//! gone, back), the vacations in `schedule_vacations`, and one `schedule_reads` row per read, so a no-change
//! sync is visible too. Nothing is overwritten without a version row saying what it was.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Stamp, Timestamp};
use crate::client::UserId;
use crate::client::helix::schedule::{ScheduleRead, Segment};

/// What one read changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScheduleChanges {
    /// Segments never seen before.
    pub new: u64,
    /// Segments whose time, title, category or cancellation changed (cancellations included).
    pub changed: u64,
    /// Of those, segments newly cancelled.
    pub canceled: u64,
    /// Segments no longer listed while still ahead.
    pub gone: u64,
}

/// The fields a version compares.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Planned {
    start: String,
    end: Option<String>,
    title: String,
    category_id: Option<String>,
    category_name: Option<String>,
    recurring: bool,
    canceled_until: Option<String>,
}

fn text(time: DateTime<Utc>) -> String {
    Timestamp::from(time).as_str().to_owned()
}

impl Planned {
    fn of(s: &Segment) -> Planned {
        Planned {
            start: text(s.start_time),
            end: s.end_time.map(text),
            title: s.title.clone(),
            category_id: s.category.as_ref().map(|c| c.id.clone()),
            category_name: s.category.as_ref().map(|c| c.name.clone()),
            recurring: s.is_recurring,
            canceled_until: s.canceled_until.map(text),
        }
    }

    /// How `self` differs from the version before it.
    fn change_from(&self, before: &Planned) -> Option<&'static str> {
        if self == before {
            return None;
        }
        let same_but_cancel = Planned {
            canceled_until: before.canceled_until.clone(),
            ..self.clone()
        } == *before;
        Some(match (&before.canceled_until, &self.canceled_until) {
            (None, Some(_)) if same_but_cancel => "canceled",
            (Some(_), None) if same_but_cancel => "restored",
            _ => "changed",
        })
    }
}

fn insert_version(
    tx: &Transaction<'_>,
    id: &str,
    change: &str,
    p: &Planned,
    raw: Option<&str>,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO schedule_segment_versions (segment_id, seen_at, change, start_time, end_time, title, category_id,
             category_name, is_recurring, canceled_until, sync_run_id, raw_json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        stamp.seen_at,
        change,
        p.start,
        p.end,
        p.title,
        p.category_id,
        p.category_name,
        p.recurring,
        p.canceled_until,
        stamp.run,
        raw
    ])?;
    Ok(())
}

/// Records one read of `broadcaster`'s schedule (`None`: Twitch said it has none) and what changed since the
/// last. A segment that is not listed any more is marked gone only when the read covered its time: it starts
/// after the read's beginning (now, or the first segment listed if that is earlier: the fake Twitch's clock is
/// not the wall clock) and, for a read stopped at a horizon, no later than the last segment read.
pub fn save_schedule(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    read: Option<&ScheduleRead>,
    stamp: &Stamp,
) -> rusqlite::Result<ScheduleChanges> {
    let empty = ScheduleRead::default();
    let listed = read.unwrap_or(&empty);
    tx.execute(
        "INSERT INTO schedule_reads (broadcaster_id, read_at, has_schedule, segments, pages, read_until, sync_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            broadcaster,
            stamp.seen_at,
            read.is_some(),
            listed.segments.len() as i64,
            listed.pages as i64,
            listed.read_until.map(text),
            stamp.run
        ],
    )?;
    let mut changes = ScheduleChanges::default();
    for (segment, raw) in &listed.segments {
        let now = Planned::of(segment);
        let raw = raw.to_string();
        let before = tx
            .prepare_cached(
                "SELECT start_time, end_time, title, category_id, category_name, is_recurring, canceled_until,
                        gone_seen_at
                 FROM schedule_segments WHERE id = ?1",
            )?
            .query_row([&segment.id], |r| {
                Ok((
                    Planned {
                        start: r.get(0)?,
                        end: r.get(1)?,
                        title: r.get(2)?,
                        category_id: r.get(3)?,
                        category_name: r.get(4)?,
                        recurring: r.get(5)?,
                        canceled_until: r.get(6)?,
                    },
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .optional()?;
        let change = match &before {
            None => Some("new"),
            Some((was, gone)) => now.change_from(was).or(gone.as_ref().map(|_| "back")),
        };
        tx.prepare_cached(
            "INSERT INTO schedule_segments (id, broadcaster_id, series_id, start_time, end_time, title, category_id,
                 category_name, is_recurring, canceled_until, first_seen_at, last_seen_at, sync_run_id, raw_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, ?13)
             ON CONFLICT (id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time,
                 title = excluded.title, category_id = excluded.category_id, category_name = excluded.category_name,
                 is_recurring = excluded.is_recurring, canceled_until = excluded.canceled_until,
                 last_seen_at = excluded.last_seen_at, gone_seen_at = NULL, sync_run_id = excluded.sync_run_id,
                 raw_json = excluded.raw_json",
        )?
        .execute(params![
            segment.id,
            broadcaster,
            segment.series_id(),
            now.start,
            now.end,
            now.title,
            now.category_id,
            now.category_name,
            now.recurring,
            now.canceled_until,
            stamp.seen_at,
            stamp.run,
            raw
        ])?;
        if let Some(change) = change {
            insert_version(tx, &segment.id, change, &now, Some(&raw), stamp)?;
            match change {
                "new" => changes.new += 1,
                "canceled" => {
                    changes.changed += 1;
                    changes.canceled += 1;
                }
                "changed" | "restored" => changes.changed += 1,
                _ => {}
            }
        }
    }
    // What the read covered: from its beginning to its horizon.
    let from = listed
        .segments
        .first()
        .map(|(s, _)| text(s.start_time))
        .filter(|first| first.as_str() < stamp.seen_at.as_str())
        .unwrap_or_else(|| stamp.seen_at.as_str().to_owned());
    let until = listed.read_until.map(text);
    let ids: std::collections::HashSet<&str> = listed.segments.iter().map(|(s, _)| s.id.as_str()).collect();
    let missing: Vec<(String, Planned)> = tx
        .prepare_cached(
            "SELECT id, start_time, end_time, title, category_id, category_name, is_recurring, canceled_until
             FROM schedule_segments
             WHERE broadcaster_id = ?1 AND gone_seen_at IS NULL AND start_time >= ?2
               AND start_time <= coalesce(?3, '9999')",
        )?
        .query_map(params![broadcaster, from, until], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Planned {
                    start: r.get(1)?,
                    end: r.get(2)?,
                    title: r.get(3)?,
                    category_id: r.get(4)?,
                    category_name: r.get(5)?,
                    recurring: r.get(6)?,
                    canceled_until: r.get(7)?,
                },
            ))
        })?
        .filter(|row| !matches!(row, Ok((id, _)) if ids.contains(id.as_str())))
        .collect::<rusqlite::Result<_>>()?;
    for (id, was) in missing {
        tx.execute(
            "UPDATE schedule_segments SET gone_seen_at = ?2, sync_run_id = ?3 WHERE id = ?1",
            params![id, stamp.seen_at, stamp.run],
        )?;
        insert_version(tx, &id, "gone", &was, None, stamp)?;
        changes.gone += 1;
    }
    save_vacation(tx, broadcaster, listed, stamp)?;
    Ok(changes)
}

/// The vacation now shown stays open (`gone_seen_at` NULL); any other open one of the channel is closed.
fn save_vacation(
    tx: &Transaction<'_>,
    broadcaster: &UserId,
    read: &ScheduleRead,
    stamp: &Stamp,
) -> rusqlite::Result<()> {
    let current = read.vacation.as_ref().map(|v| (text(v.start_time), text(v.end_time)));
    let (start, end) = current.clone().unzip();
    tx.execute(
        "UPDATE schedule_vacations SET gone_seen_at = ?2, sync_run_id = ?3
         WHERE broadcaster_id = ?1 AND gone_seen_at IS NULL
           AND NOT (start_time IS ?4 AND end_time IS ?5)",
        params![broadcaster, stamp.seen_at, stamp.run, start, end],
    )?;
    if let Some((start, end)) = current {
        tx.execute(
            "INSERT INTO schedule_vacations (broadcaster_id, start_time, end_time, first_seen_at, last_seen_at,
                 sync_run_id)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)
             ON CONFLICT DO UPDATE SET last_seen_at = excluded.last_seen_at, gone_seen_at = NULL,
                 sync_run_id = excluded.sync_run_id",
            params![broadcaster, start, end, stamp.seen_at, stamp.run],
        )?;
    }
    Ok(())
}
