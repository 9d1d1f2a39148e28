//! Clips, walked by time windows of `created_at`. Helix lists a window's clips most viewed first and stops after
//! about 1000 results, and it misses clips in wide ranges (twitchdev/issues#48, #80), so the walk reads windows of
//! at most a week, and a window that comes back near the cap is halved and read again until it is under it:
//! nothing is silently left out. Stretches with no clip at all are crossed in growing windows (up to half a year)
//! that are trusted only when they come back empty; one with any clip is read again a week at a time.
//!
//! Each window read whole is committed with its checkpoint (the `clips` row of `sync_checkpoints`: `cursor`
//! is the walk's frontier), so a killed sync resumes at the first window it had not committed. The frontier
//! is Twitch's clock (the `Date` of its answers), never the local one, so a skewed local clock cannot make a walk
//! skip clips.
//!
//! - The first walk, `--full`, and one every `full_every` read the whole history, from the channel's creation
//!   (not before Twitch had clips), refreshing every clip's view count (a snapshot where it changed).
//! - Other syncs walk from the frontier minus [`LISTING_DELAY`] to now: with no change that is one window, one
//!   request, however busy the channel was just before the last sync.
//!
//! Why that start. Twitch lists a clip only once processed (the reference tells whoever made a clip to give Get
//! Clips 15 seconds before taking it as failed), so a clip made just before a sync may be listed only after it:
//! its `created_at` is behind the frontier. Everything made more than [`LISTING_DELAY`] (five minutes, twenty
//! times those 15 seconds) before the last sync's frontier was listed when that sync read it; what was made after
//! is read again. Helix reads `started_at` to ten minutes (twitchdev/issues#52), so the start is also rounded down
//! to a step: the re-read covers five to fifteen minutes. The walk used to re-read a whole hour, which also
//! refreshed young clips' view counts, but a busy channel makes hundreds of clips an hour (several pages each
//! sync: 4 requests on the 20,000-clip benchmark). The refresh now happens when it is worth it: an incremental
//! walk that found new clips (the channel is live and clipped, so the last hour's counts are climbing) reads the
//! hour before its start again ([`YOUNG`]), saving a snapshot where a count moved, without touching the
//! checkpoint. Every other count is refreshed by the full walk, at least every `full_every`.

use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};

use super::{ChannelContext, ChannelSummary};
use crate::archive::clips::{self as archive_clips, ClipWindow, PART};
use crate::archive::runs::Walk;
use crate::archive::timestamp;
use crate::client::helix::clips::{self, Clip, RESULT_CAP};
use crate::error::{Error, Result};

/// Windows are multiples of this: Helix reads `started_at` and `ended_at` to ten minutes.
const STEP: i64 = 600;
/// The widest window whose clips are read: Twitch's own default range, narrow enough to be complete.
const WEEK: i64 = 7 * 24 * 3600;
/// The widest window an empty stretch is crossed with.
const EMPTY_STRETCH: i64 = 26 * WEEK;
/// A window that comes back with this many clips may have been cut at the cap ("about 1000"): it is halved.
const NEAR_CAP: u64 = RESULT_CAP * 9 / 10;
/// How far before the frontier an incremental walk starts again: a clip made longer ago than this before a sync
/// was listed by then (Twitch lists a clip within 15 s of its making).
pub(crate) const LISTING_DELAY: i64 = 300;
/// How far before its start an incremental walk that found new clips reads again, to refresh young clips' views.
pub(crate) const YOUNG: i64 = 3600;
/// Twitch launched clips on 2016-05-26: no channel has an older one.
const CLIPS_LAUNCH: i64 = 1_464_220_800;

pub(crate) async fn sync_clips(
    ctx: &ChannelContext,
    summary: &mut ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    let broadcaster = ctx.id().clone();
    let key = broadcaster.clone();
    let checkpoint = ctx
        .archive
        .read("reading the clips checkpoint", move |c| {
            archive_clips::load_clip_checkpoint(c, &key)
        })
        .await?;
    let parse = |t: &Option<String>| t.as_deref().and_then(|t| t.parse::<DateTime<Utc>>().ok());
    let frontier = parse(&checkpoint.frontier);
    let history_start = floor(
        ctx.user
            .created_at
            .max(Utc.timestamp_opt(CLIPS_LAUNCH, 0).single().unwrap_or_default()),
    );
    let full_due = ctx.options.full_read_due(checkpoint.last_full_at.as_deref());
    let trial = ctx.options.limit.is_some();
    let (walk, start) = match (checkpoint.in_progress, frontier) {
        // A walk that was stopped resumes at its first uncommitted window, unless a full one is asked for.
        (Some(walk), Some(at)) if !trial && (walk == Walk::Full || !ctx.options.full) => (walk, at),
        (_, Some(at)) if !full_due => (Walk::Incremental, floor(at - Duration::seconds(LISTING_DELAY))),
        _ => (Walk::Full, history_start),
    };
    tracing::info!(channel = %ctx.user.login, walk = walk.as_str(), from = %timestamp(start), "walking clips");
    let limit = ctx.options.limit.unwrap_or(u64::MAX);
    let walk_start = start;
    let (mut start, mut width, mut now, mut saved, mut found) = (start, WEEK, Utc::now(), 0u64, 0u64);
    loop {
        ctx.check()?;
        let end = start + Duration::seconds(width);
        bar.set(format!("{} {}", super::Part::Clips.label(), start.format("%Y-%m-%d")));
        let mut pager = clips::clips_in_window(&ctx.client, &broadcaster, start, end);
        let mut window: Vec<(Clip, serde_json::Value)> = Vec::new();
        let mut probe_failed = false;
        while let Some(page) = match pager.next_page().await {
            // Twitch refusing Get Clips (401, 403) is said once; the other parts are not held up by it.
            Err(
                Error::Unauthorized { message, .. }
                | Error::Helix {
                    status: 403, message, ..
                },
            ) => {
                summary.notes.push(format!(
                    "clips were not synced: Twitch refused Get Clips ({message}); the next sync asks again"
                ));
                return Ok(());
            }
            other => other?,
        } {
            if let Some(date) = page.date {
                now = date;
            }
            window.extend(page.items.into_iter().zip(page.raw));
            if width > WEEK && !window.is_empty() {
                // A wide window is only trusted empty: read this stretch a week at a time.
                probe_failed = true;
                break;
            }
        }
        if probe_failed {
            width = WEEK;
            continue;
        }
        let n = window.len() as u64;
        if cut_at_cap(n, width) {
            // Read it again in halves (what was read is read again, so nothing is lost).
            width = half(width);
            tracing::debug!(channel = %ctx.user.login, clips = n, width, "a clip window came back full, narrowing it");
            continue;
        }
        if n >= NEAR_CAP {
            summary.notes.push(format!(
                "{} clips were made in the ten minutes from {}: Twitch lists about {RESULT_CAP}, some may be missing",
                n,
                timestamp(start)
            ));
        }
        let done = end >= now;
        let reached = if done { end.min(now) } else { end };
        if trial {
            window.truncate(limit.saturating_sub(saved) as usize);
        }
        saved += window.len() as u64;
        let (id, stamp, frontier) = (broadcaster.clone(), ctx.stamp(), timestamp(reached));
        let changes = ctx
            .archive
            .write("saving clips", move |tx| {
                let changes = archive_clips::save_clips(tx, &window, &stamp)?;
                // A `--limit` trial never moves the checkpoint: the next plain sync does what it would have done.
                if !trial {
                    let window = ClipWindow {
                        walk,
                        frontier: &frontier,
                        done,
                    };
                    archive_clips::save_clip_window(tx, &id, &window, &stamp)?;
                }
                Ok(changes)
            })
            .await?;
        summary.clips_new += changes.new;
        summary.clip_snapshots += changes.new + changes.views_changed;
        found += changes.new;
        if done || saved >= limit {
            tracing::debug!(channel = %ctx.user.login, part = PART, "clips walk done");
            break;
        }
        start = end;
        width = match n {
            0 => (width * 2).min(EMPTY_STRETCH),
            n if n < NEAR_CAP / 4 => (width * 2).min(WEEK.max(width)),
            _ => width,
        };
    }
    if walk == Walk::Incremental && !trial && found > 0 {
        let from = floor(walk_start - Duration::seconds(YOUNG));
        refresh_views(ctx, summary, &broadcaster, from, walk_start).await?;
    }
    Ok(())
}

/// Reads the clips made in `[from, to)` again and snapshots the view counts that moved (new clips found there,
/// which the walk before would have read, are saved too). The checkpoint is not touched: a refresh that is killed
/// is simply not done. A listing that comes back near the cap is read again in halves, as the walk does.
async fn refresh_views(
    ctx: &ChannelContext,
    summary: &mut ChannelSummary,
    broadcaster: &crate::client::UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<()> {
    let mut windows = vec![(from, to)];
    while let Some((start, end)) = windows.pop() {
        ctx.check()?;
        let mut pager = clips::clips_in_window(&ctx.client, broadcaster, start, end);
        let mut window: Vec<(Clip, serde_json::Value)> = Vec::new();
        while let Some(page) = pager.next_page().await? {
            window.extend(page.items.into_iter().zip(page.raw));
        }
        let width = (end - start).num_seconds();
        if cut_at_cap(window.len() as u64, width) {
            let middle = start + Duration::seconds(half(width));
            windows.extend([(middle, end), (start, middle)]);
            continue;
        }
        let stamp = ctx.stamp();
        let changes = ctx
            .archive
            .write("refreshing young clips' view counts", move |tx| {
                archive_clips::save_clips(tx, &window, &stamp)
            })
            .await?;
        summary.clips_new += changes.new;
        summary.clip_snapshots += changes.new + changes.views_changed;
    }
    tracing::debug!(channel = %ctx.user.login, from = %timestamp(from), "young clips' view counts refreshed");
    Ok(())
}

/// Whether a window `width` seconds wide that listed `n` clips may have been cut at Twitch's cap: then it is read
/// again in halves, down to one step.
fn cut_at_cap(n: u64, width: i64) -> bool {
    n >= NEAR_CAP && width > STEP
}

/// Half of a window's width, in whole steps (one at least).
fn half(width: i64) -> i64 {
    (width / 2).div_euclid(STEP).max(1) * STEP
}

/// `t` rounded down to a window step.
fn floor(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::seconds(STEP)).unwrap_or(t)
}
