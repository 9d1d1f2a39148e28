//! Followers. Helix lists them newest first, so a sync walks down from the top and stops at the first follow
//! the archive already holds from a complete earlier walk: a channel with a million followers and no change
//! costs one request. A full walk (`--full`, the first one, and one every `full_every`) reads the whole list
//! and records unfollows. Each page is staged and committed with its checkpoint (in groups, by the writer of
//! `follower_writer`, so the walk never waits on the disk); the walk's end merges the staged rows. Follower
//! accounts are hydrated through Get Users (100 ids a request) while the walk goes on, so every follow can tell
//! how old the account was.

use futures::{StreamExt, TryStreamExt};
use std::collections::HashMap;
use tokio::sync::mpsc;

use super::follower_writer::{self, Accounts, PART, StagedPage};
use super::{ChannelContext, ChannelSummary, FollowersWalk};
use crate::archive::runs::{self, Walk};
use crate::archive::{self, Stamp, Timestamp, channels, follows, timestamp};
use crate::client::UserId;
use crate::client::helix::followers::{self, Follower};
use crate::client::helix::users;
use crate::error::{Error, Result};

/// Pages fetched and not yet committed, at most: what a slow disk lets the walk run ahead by.
const PAGES_IN_FLIGHT: usize = 32;
/// Get Users requests in flight at once while hydrating.
const HYDRATION_CONCURRENCY: usize = 4;

pub(crate) async fn sync_followers(
    ctx: &ChannelContext,
    summary: &mut ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    let broadcaster = ctx.id().clone();
    let key = broadcaster.clone();
    let checkpoint = ctx
        .archive
        .read("reading the followers checkpoint", move |c| {
            runs::load_checkpoint(c, &key, PART)
        })
        .await?;
    let plan = plan_walk(ctx, &checkpoint);
    summary.followers_walk = Some(if plan.walk == Walk::Full {
        FollowersWalk::Full
    } else {
        FollowersWalk::Incremental
    });

    // walk → writer (pages, in order) → hydration (ids it has no account for) → writer (accounts). Every
    // channel but the last is bounded, so memory stays flat; the last cannot fill up, as the hydration holds at
    // most what the writer gave it, so the writer never waits on a hydration that waits on it.
    let (page_sender, pages) = mpsc::channel::<StagedPage>(PAGES_IN_FLIGHT);
    let (ids_sender, ids) = mpsc::channel::<Vec<String>>(16);
    let (account_sender, accounts) = mpsc::unbounded_channel::<Accounts>();
    let started = std::time::Instant::now();
    let (walked, written, hydrated) = tokio::join!(
        walk_pages_or_restart(ctx, &plan, page_sender, bar),
        follower_writer::write(ctx, pages, accounts, ids_sender),
        hydrate(ctx, ids, account_sender),
    );
    // The walk's error first (a writer or hydration that stopped early made it stop too), then theirs.
    let (outcome, account_runs, hydrated) = (walked?, written?, hydrated?);
    tracing::info!(channel = %ctx.user.login, seconds = started.elapsed().as_secs_f64(), "follower walk and hydration done");
    summary.users_hydrated = hydrated.0;
    summary.notes.extend(outcome.note.clone());
    // A walk resumed for its merge alone read no page, so no total: ask (one request).
    let total = match outcome.total {
        Some(total) => total,
        None => save_total(ctx, followers::fetch_follower_total(&ctx.client, ctx.id()).await?).await?,
    };
    summary.follower_total = Some(total);

    if let WalkEnd::TotalOnly = outcome.end {
        summary.followers_walk = Some(FollowersWalk::TotalOnly);
        summary.notes.push(
            "follower lists need `itch auth login` as the channel's broadcaster or a moderator; only totals were recorded"
                .into(),
        );
        return Ok(());
    }
    let walk_id = outcome.walk_id.clone();
    let accounts_after = account_runs.merged_upto(&walk_id);
    let (full, end, trial) = (plan.walk == Walk::Full, outcome.end, plan.trial);
    let (missing, stamp) = (hydrated.1, ctx.stamp());
    let merging = std::time::Instant::now();
    let merged = ctx
        .archive
        .write("merging followers", move |tx| {
            let walk = MergedWalk {
                walk_id: &walk_id,
                accounts_after,
                full,
                end,
                trial,
            };
            merge_walk(tx, &broadcaster, &walk, &missing, &stamp)
        })
        .await?;
    tracing::info!(
        channel = %ctx.user.login,
        seconds = started.elapsed().as_secs_f64(),
        merge_seconds = merging.elapsed().as_secs_f64(),
        "followers merged"
    );
    let changes = merged.map_err(|lost| Error::StagedFollowsMissing {
        channel: ctx.user.login.clone(),
        staged: lost.staged,
        expected: lost.expected,
    })?;
    summary.follows_new = changes.new;
    summary.follows_gone = changes.gone;
    summary.users_hydrated += hydrate_leftovers(ctx).await?;
    if trial {
        summary
            .notes
            .push(trial_note(ctx, &checkpoint, changes.new + changes.seen, total));
    }
    Ok(())
}

/// What this sync's follower walk will be.
struct WalkPlan {
    walk: Walk,
    start: Resume,
    /// The walk's id: the checkpoint's when resuming, a new one otherwise.
    walk_id: String,
    /// A `--limit` trial: it never touches the checkpoint, so a walk in progress stays as it was and the next
    /// plain sync does what it would have done without the trial.
    trial: bool,
    /// The total the checkpoint kept for the walk in progress.
    total: Option<u64>,
    /// Follows the walk in progress staged before this run (0 for a new walk): where the count resumes.
    staged_before: u64,
}

fn plan_walk(ctx: &ChannelContext, checkpoint: &runs::Checkpoint) -> WalkPlan {
    let new_id = || format!("{:016x}", rand::random::<u64>());
    if ctx.options.limit.is_some() {
        let walk = if ctx.options.full {
            Walk::Full
        } else {
            Walk::Incremental
        };
        return WalkPlan {
            walk,
            start: Resume::Top,
            walk_id: new_id(),
            trial: true,
            total: None,
            staged_before: 0,
        };
    }
    match (&checkpoint.in_progress, &checkpoint.walk_id) {
        (Some((walk, cursor)), Some(walk_id)) => {
            tracing::info!(channel = %ctx.user.login, pages = checkpoint.pages, "resuming an interrupted follower walk");
            WalkPlan {
                walk: *walk,
                start: Resume::After(cursor.clone()),
                walk_id: walk_id.clone(),
                trial: false,
                total: checkpoint.walk_total,
                staged_before: checkpoint.walk_items,
            }
        }
        _ => WalkPlan {
            walk: if full_walk_due(ctx, checkpoint) {
                Walk::Full
            } else {
                Walk::Incremental
            },
            start: Resume::Top,
            walk_id: new_id(),
            trial: false,
            total: None,
            staged_before: 0,
        },
    }
}

/// The staged rows of a walk are not all there: merged without recording unfollows, and the walk given up.
#[derive(Debug)]
struct LostStaged {
    staged: u64,
    expected: u64,
}

/// The walk a merge ends.
struct MergedWalk<'a> {
    walk_id: &'a str,
    /// The last staged follow whose account a run of the writer merged.
    accounts_after: i64,
    full: bool,
    end: WalkEnd,
    trial: bool,
}

/// Ends a walk in one transaction: merges its staged follows (unfollows only after a complete full walk whose
/// staged rows are all there), records the missing accounts and closes or drops the walk.
fn merge_walk(
    tx: &rusqlite::Transaction<'_>,
    broadcaster: &UserId,
    merged: &MergedWalk<'_>,
    missing: &[String],
    stamp: &Stamp,
) -> rusqlite::Result<std::result::Result<follows::FollowChanges, LostStaged>> {
    let MergedWalk {
        walk_id,
        accounts_after,
        full,
        end,
        trial,
    } = *merged;
    let seen = &stamp.seen_at;
    let staged = follows::count_staged(tx, broadcaster, walk_id)?;
    let expected = if trial {
        staged
    } else {
        runs::load_checkpoint(tx, broadcaster, PART)?.walk_items
    };
    let whole = staged == expected;
    let changes = follows::merge_staged(
        tx,
        broadcaster,
        walk_id,
        accounts_after,
        full && whole && end == WalkEnd::Complete,
        seen,
    )?;
    archive::users::save_missing_users(tx, missing, seen)?;
    if trial {
        return Ok(Ok(changes));
    }
    if whole && end == WalkEnd::Complete {
        let walk = if full { Walk::Full } else { Walk::Incremental };
        runs::save_walk_done(tx, broadcaster, PART, walk, stamp)?;
    } else {
        runs::save_walk_abandoned(tx, broadcaster, PART, seen)?;
    }
    Ok(if whole {
        Ok(changes)
    } else {
        Err(LostStaged { staged, expected })
    })
}

/// What the next sync will do after a `--limit` trial, so a trial never hides an hours-long walk.
fn trial_note(ctx: &ChannelContext, checkpoint: &runs::Checkpoint, stored: u64, total: u64) -> String {
    let pages = total.div_ceil(u64::from(followers::MAX_PAGE)).max(1);
    let next = if let Some((walk, _)) = &checkpoint.in_progress {
        let kind = if *walk == Walk::Full { "full" } else { "incremental" };
        format!(
            "resumes the interrupted {kind} walk ({} of {total} follows read)",
            checkpoint.walk_items
        )
    } else if full_walk_due(ctx, checkpoint) {
        format!("walks the whole list ({total} follows, about {pages} requests)")
    } else {
        "walks down from the top to the last complete walk".into()
    };
    format!(
        "{}: a --limit trial read {stored} of {total} followers; the next sync without --limit {next}",
        ctx.user.login
    )
}

/// Records a fresh follower total in this run's snapshot of the channel, and returns it.
async fn save_total(ctx: &ChannelContext, total: u64) -> Result<u64> {
    let snapshot = channels::ChannelSnapshot {
        follower_total: Some(total),
        ..Default::default()
    };
    ctx.save_snapshot(snapshot).await?;
    Ok(total)
}

#[derive(Debug)]
enum Resume {
    Top,
    /// After this cursor; `None` means every page was read and only the merge is left.
    After(Option<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WalkEnd {
    /// The list's end, or (incremental) a follow already archived.
    Complete,
    /// `--limit` reached.
    Limited,
    /// The token may see only the total.
    TotalOnly,
}

struct WalkOutcome {
    end: WalkEnd,
    /// The total a fresh page of this sync reported (already in this run's snapshot).
    total: Option<u64>,
    /// The walk the staged rows belong to (a new one when an expired cursor made the walk start over).
    walk_id: String,
    /// Something the user should know (the walk started over).
    note: Option<String>,
}

/// A full walk is due also while no walk of the list ever completed (a first walk that was stopped).
fn full_walk_due(ctx: &ChannelContext, checkpoint: &runs::Checkpoint) -> bool {
    let last_full = checkpoint
        .last_complete_at
        .as_ref()
        .and(checkpoint.last_full_at.as_deref());
    ctx.options.full_read_due(last_full)
}

/// Walks the pages; a resumed walk whose cursor Twitch no longer takes (an expired cursor from an old
/// checkpoint answers 400) starts over from the top as a new walk, with a note, instead of failing for good.
async fn walk_pages_or_restart(
    ctx: &ChannelContext,
    plan: &WalkPlan,
    pages: mpsc::Sender<StagedPage>,
    bar: &super::ChannelBar,
) -> Result<WalkOutcome> {
    let resumed_cursor = matches!(plan.start, Resume::After(Some(_)));
    match walk_pages(ctx, plan, &plan.start, &plan.walk_id, pages.clone(), bar).await {
        Err(Error::Helix {
            status: 400, message, ..
        }) if resumed_cursor => {
            tracing::warn!(channel = %ctx.user.login, "the follower walk's cursor was refused ({message}); starting over");
            let (broadcaster, seen) = (ctx.id().clone(), Timestamp::now());
            ctx.archive
                .write("starting the follower walk over", move |tx| {
                    runs::save_walk_abandoned(tx, &broadcaster, PART, &seen)
                })
                .await?;
            let walk_id = format!("{:016x}", rand::random::<u64>());
            let mut outcome = walk_pages(ctx, plan, &Resume::Top, &walk_id, pages, bar).await?;
            outcome.note = Some(format!(
                "{}: Twitch no longer took the interrupted follower walk's cursor ({message}); the walk started over from the top",
                ctx.user.login
            ));
            Ok(outcome)
        }
        other => other,
    }
}

/// Walks the pages, handing each to the writer, which stages it with its checkpoint.
async fn walk_pages(
    ctx: &ChannelContext,
    plan: &WalkPlan,
    start: &Resume,
    walk_id: &str,
    writer: mpsc::Sender<StagedPage>,
    bar: &super::ChannelBar,
) -> Result<WalkOutcome> {
    let walk = plan.walk;
    let outcome = |end, total| WalkOutcome {
        end,
        total,
        walk_id: walk_id.to_owned(),
        note: None,
    };
    let cursor = match start {
        Resume::After(None) => return Ok(outcome(WalkEnd::Complete, None)),
        Resume::After(Some(cursor)) => Some(cursor.clone()),
        Resume::Top => None,
    };
    let from_top = cursor.is_none();
    // A resumed walk counts on from what it staged before, not from 0.
    let before = if from_top { 0 } else { plan.staged_before };
    if !from_top {
        bar.set(format!(
            "followers: resuming at {}",
            super::progress::amount(before, plan.total)
        ));
    }
    // Follower pages are never cached (see `cache::freshness`): each decides what is new, gone or the total.
    let mut pager = followers::followers(&ctx.client, ctx.id()).resume_after(cursor);
    let last_complete = ctx
        .archive
        .read("reading the followers checkpoint", {
            let key = ctx.id().clone();
            move |c| runs::load_checkpoint(c, &key, PART)
        })
        .await?
        .last_complete_run_id;
    let (mut total, mut staged, mut pages) = (None, 0u64, 0u64);
    let limit = ctx.options.limit.unwrap_or(u64::MAX);
    while let Some(page) = {
        ctx.check()?;
        pager.next_page().await?
    } {
        pages += 1;
        if total.is_none()
            && let Some(read) = page.total
        {
            total = Some(save_total(ctx, read).await?);
        }
        if from_top && pages == 1 && page.items.is_empty() && page.total.unwrap_or(0) > 0 {
            return Ok(outcome(WalkEnd::TotalOnly, total));
        }
        let mut items = page.items;
        let end = cut_page(ctx, walk, &mut items, last_complete, limit - staged).await?;
        let next = if end.is_some() { None } else { page.cursor.clone() };
        staged += items.len() as u64;
        let stage = StagedPage {
            walk,
            walk_id: walk_id.to_owned(),
            first_of_walk: from_top && pages == 1,
            checkpoint: !plan.trial,
            next,
            total: page.total,
            items,
        };
        if writer.send(stage).await.is_err() {
            break; // the writer stopped: its error (or the hydration's) is the one reported
        }
        bar.count("followers", before + staged, total.or(plan.total));
        if let Some(end) = end {
            return Ok(outcome(end, total));
        }
        if page.cursor.is_none() {
            break;
        }
    }
    Ok(outcome(WalkEnd::Complete, total))
}

/// Cuts a page where the walk ends, if it ends in it: an incremental walk at the first follow an earlier walk saw,
/// any walk once `room` more follows (what `--limit` leaves) are staged.
async fn cut_page(
    ctx: &ChannelContext,
    walk: Walk,
    items: &mut Vec<Follower>,
    last_complete: Option<i64>,
    room: u64,
) -> Result<Option<WalkEnd>> {
    let mut end = None;
    if walk == Walk::Incremental
        && let Some(known_at) = first_known(ctx, items, last_complete).await?
    {
        items.truncate(known_at);
        end = Some(WalkEnd::Complete);
    }
    if items.len() as u64 >= room {
        items.truncate(room as usize);
        end = end.or(Some(WalkEnd::Limited));
    }
    Ok(end)
}

/// The position of the first follower the last complete walk (completed by run `last_complete`) or an earlier one
/// saw with the same follow time, if any. Follows seen only since (by a `--limit` trial) do not count: below
/// them there may be follows no walk read.
async fn first_known(ctx: &ChannelContext, items: &[Follower], last_complete: Option<i64>) -> Result<Option<usize>> {
    let Some(last_complete) = last_complete else {
        return Ok(None);
    };
    let broadcaster = ctx.id().clone();
    let ids: Vec<String> = items.iter().map(|f| f.user_id.0.clone()).collect();
    let known: HashMap<String, String> = ctx
        .archive
        .read("looking up known follows", move |c| {
            follows::load_current_follows(c, &broadcaster, &ids, last_complete)
        })
        .await?;
    Ok(items
        .iter()
        .position(|f| known.get(f.user_id.as_str()) == Some(&timestamp(f.followed_at))))
}

/// Fetches accounts as the writer sends their ids, several requests at once, and hands them to the writer.
/// Returns how many were hydrated and the ids Twitch did not return (banned or deleted accounts).
async fn hydrate(
    ctx: &ChannelContext,
    receiver: mpsc::Receiver<Vec<String>>,
    writer: mpsc::UnboundedSender<Accounts>,
) -> Result<(u64, Vec<String>)> {
    let batches = futures::stream::unfold(receiver, |mut r| async move { r.recv().await.map(|ids| (ids, r)) });
    batches
        .map(|ids| hydrate_batch(ctx, ids, &writer))
        .buffer_unordered(HYDRATION_CONCURRENCY)
        .try_fold((0u64, Vec::new()), |(count, mut missing), (found, lost)| async move {
            missing.extend(lost);
            Ok((count + found, missing))
        })
        .await
}

async fn hydrate_batch(
    ctx: &ChannelContext,
    ids: Vec<String>,
    writer: &mpsc::UnboundedSender<Accounts>,
) -> Result<(u64, Vec<String>)> {
    let (found, missing) = fetch_accounts(ctx, &ids).await?;
    let count = found.len() as u64;
    // A writer that is gone stopped on an error of its own, the one reported.
    let _reported_by_the_writer = writer.send(found);
    Ok((count, missing))
}

/// Get Users for `ids`: the accounts found, and the ids Twitch did not return.
async fn fetch_accounts(
    ctx: &ChannelContext,
    ids: &[String],
) -> Result<(Vec<(users::User, serde_json::Value)>, Vec<String>)> {
    let user_ids: Vec<UserId> = ids.iter().map(|id| UserId(id.clone())).collect();
    let found = users::fetch_users_to_keep(&ctx.client, &user_ids).await?;
    let returned: std::collections::HashSet<&str> = found.iter().map(|(u, _)| u.id.as_str()).collect();
    let missing = ids
        .iter()
        .filter(|id| !returned.contains(id.as_str()))
        .cloned()
        .collect();
    Ok((found, missing))
}

/// Hydrates followers whose accounts were never fetched (an earlier sync was interrupted mid-walk).
async fn hydrate_leftovers(ctx: &ChannelContext) -> Result<u64> {
    let broadcaster = ctx.id().clone();
    let ids = ctx
        .archive
        .read("finding unhydrated followers", move |c| {
            follows::load_unhydrated_followers(c, &broadcaster)
        })
        .await?;
    let mut hydrated = 0;
    for chunk in ids.chunks(crate::client::helix::MAX_IDS_PER_REQUEST) {
        let (found, missing) = fetch_accounts(ctx, chunk).await?;
        hydrated += found.len() as u64;
        let stamp = ctx.stamp();
        ctx.archive
            .write("saving follower accounts", move |tx| {
                archive::users::save_users(tx, &found, &stamp)?;
                archive::users::save_missing_users(tx, &missing, &stamp.seen_at)
            })
            .await?;
    }
    Ok(hydrated)
}
