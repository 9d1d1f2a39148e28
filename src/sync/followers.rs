//! Followers. Helix lists them newest first, so a sync walks down from the top and stops at the first follow
//! the archive already holds from a complete earlier walk: a channel with a million followers and no change
//! costs one request. A full walk (`--full`, the first one, and one every `full_every`) reads the whole list
//! and records unfollows. Each page is staged and committed with its checkpoint; the walk's end merges the
//! staged rows in key order. Follower accounts are hydrated through Get Users (100 ids a request) while the
//! walk goes on, so every follow can tell how old the account was.

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use std::collections::HashMap;
use tokio::sync::mpsc;

use super::{ChannelContext, ChannelSummary, now};
use crate::archive::runs::{self, Walk};
use crate::archive::{follows, profiles, timestamp};
use crate::client::UserId;
use crate::client::helix::followers::{self, Follower};
use crate::client::helix::users;
use crate::error::Result;

const PART: &str = "followers";
/// Get Users requests in flight at once while hydrating.
const HYDRATION_CONCURRENCY: usize = 4;

pub(crate) async fn sync_followers(
    ctx: &ChannelContext,
    summary: &mut ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    let broadcaster = ctx.id().to_string();
    let key = broadcaster.clone();
    let checkpoint = ctx
        .archive
        .read("reading the followers checkpoint", move |c| {
            runs::load_checkpoint(c, &key, PART)
        })
        .await?;
    let (walk, start) = match checkpoint.in_progress.clone() {
        Some((walk, cursor)) => {
            tracing::info!(channel = %ctx.user.login, pages = checkpoint.pages, "resuming an interrupted follower walk");
            (walk, Resume::After(cursor))
        }
        None if ctx.options.full || due_for_full(&checkpoint, ctx.options.full_every) => (Walk::Full, Resume::Top),
        None => (Walk::Incremental, Resume::Top),
    };
    summary.followers_walk = Some(if walk == Walk::Full { "full" } else { "incremental" });

    let (sender, receiver) = mpsc::channel::<Vec<String>>(16);
    let walking = walk_pages(ctx, walk, start, sender, bar);
    let hydrating = hydrate(ctx, receiver);
    let started = std::time::Instant::now();
    let (outcome, hydrated) = tokio::try_join!(walking, hydrating)?;
    tracing::info!(channel = %ctx.user.login, seconds = started.elapsed().as_secs_f64(), "follower walk and hydration done");
    summary.users_hydrated = hydrated.0;
    summary.follower_total = outcome.total;

    if let WalkEnd::TotalOnly = outcome.end {
        summary.followers_walk = Some("total only");
        summary.notes.push(
            "follower lists need `itch auth login` as the channel's broadcaster or a moderator; only totals were recorded"
                .into(),
        );
        return Ok(());
    }
    let (full, complete) = (
        walk == Walk::Full && outcome.end == WalkEnd::Complete,
        outcome.end != WalkEnd::Limited,
    );
    let (missing, seen) = (hydrated.1, now());
    let changes = ctx
        .archive
        .write("merging followers", move |tx| {
            let changes = follows::merge_staged(tx, &broadcaster, full, &seen)?;
            profiles::save_missing_users(tx, &missing, &seen)?;
            if complete {
                runs::save_walk_done(tx, &broadcaster, PART, walk, &seen)?;
            } else {
                runs::save_walk_abandoned(tx, &broadcaster, PART, &seen)?;
            }
            Ok(changes)
        })
        .await?;
    tracing::info!(channel = %ctx.user.login, seconds = started.elapsed().as_secs_f64(), "followers merged");
    summary.follows_new = changes.new;
    summary.follows_gone = changes.gone;
    summary.users_hydrated += hydrate_leftovers(ctx).await?;
    Ok(())
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
    total: Option<u64>,
}

fn due_for_full(checkpoint: &runs::Checkpoint, every: std::time::Duration) -> bool {
    let last_full = checkpoint
        .last_full_at
        .as_deref()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok());
    match (&checkpoint.last_complete_at, last_full) {
        (None, _) | (_, None) => true,
        (Some(_), Some(at)) => Utc::now() - at >= chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX),
    }
}

/// Walks the pages, staging each with its checkpoint and sending the ids that need hydrating.
async fn walk_pages(
    ctx: &ChannelContext,
    walk: Walk,
    start: Resume,
    hydrate: mpsc::Sender<Vec<String>>,
    bar: &super::ChannelBar,
) -> Result<WalkOutcome> {
    let cursor = match start {
        Resume::After(None) => {
            return Ok(WalkOutcome {
                end: WalkEnd::Complete,
                total: None,
            });
        }
        Resume::After(Some(cursor)) => Some(cursor),
        Resume::Top => None,
    };
    let from_top = cursor.is_none();
    let mut pager = followers::followers(&ctx.client, ctx.id()).resume_after(cursor);
    let (mut total, mut staged, mut pages) = (None, 0u64, 0u64);
    let limit = ctx.options.limit.unwrap_or(u64::MAX);
    while let Some(page) = {
        ctx.check()?;
        pager.next_page().await?
    } {
        pages += 1;
        total = page.total.or(total);
        if from_top && pages == 1 && page.items.is_empty() && page.total.unwrap_or(0) > 0 {
            return Ok(WalkOutcome {
                end: WalkEnd::TotalOnly,
                total,
            });
        }
        let mut items = page.items;
        let mut end = None;
        if walk == Walk::Incremental
            && let Some(known_at) = first_known(ctx, &items).await?
        {
            items.truncate(known_at);
            end = Some(WalkEnd::Complete);
        }
        if staged + items.len() as u64 >= limit {
            items.truncate((limit - staged) as usize);
            end = end.or(Some(WalkEnd::Limited));
        }
        let next = if end.is_some() { None } else { page.cursor.clone() };
        staged += items.len() as u64;
        let to_hydrate = stage_page(ctx, walk, items, next).await?;
        if !to_hydrate.is_empty() && hydrate.send(to_hydrate).await.is_err() {
            break; // the hydrator failed; its error is what try_join reports
        }
        bar.set(format!("followers: {staged} of {}", total.unwrap_or(0)));
        if let Some(end) = end {
            return Ok(WalkOutcome { end, total });
        }
        if page.cursor.is_none() {
            break;
        }
    }
    Ok(WalkOutcome {
        end: WalkEnd::Complete,
        total,
    })
}

/// The position of the first follower the archive already has with the same follow time, if any.
async fn first_known(ctx: &ChannelContext, items: &[Follower]) -> Result<Option<usize>> {
    let broadcaster = ctx.id().to_string();
    let ids: Vec<String> = items.iter().map(|f| f.user_id.0.clone()).collect();
    let known: HashMap<String, String> = ctx
        .archive
        .read("looking up known follows", move |c| {
            follows::load_current_follows(c, &broadcaster, &ids)
        })
        .await?;
    Ok(items
        .iter()
        .position(|f| known.get(f.user_id.as_str()) == Some(&timestamp(f.followed_at))))
}

/// Commits a page's follows with the checkpoint; returns the ids whose accounts are not archived yet.
async fn stage_page(
    ctx: &ChannelContext,
    walk: Walk,
    items: Vec<Follower>,
    next: Option<String>,
) -> Result<Vec<String>> {
    let (broadcaster, seen, run) = (ctx.id().to_string(), now(), ctx.run);
    ctx.archive
        .write("saving a page of followers", move |tx| {
            follows::stage_follows(tx, &broadcaster, &items, &seen, run)?;
            runs::save_walk_page(tx, &broadcaster, PART, walk, next.as_deref(), run, &seen)?;
            let ids: Vec<String> = items.iter().map(|f| f.user_id.0.clone()).collect();
            let hydrated = profiles::load_hydrated(tx, &ids)?;
            Ok(ids.into_iter().filter(|id| !hydrated.contains(id)).collect())
        })
        .await
}

/// Fetches accounts as the walk sends their ids, several requests at once, and stages them. Returns how many
/// were hydrated and the ids Twitch did not return (banned or deleted accounts).
async fn hydrate(ctx: &ChannelContext, receiver: mpsc::Receiver<Vec<String>>) -> Result<(u64, Vec<String>)> {
    let batches = futures::stream::unfold(receiver, |mut r| async move { r.recv().await.map(|ids| (ids, r)) });
    batches
        .map(|ids| hydrate_batch(ctx, ids))
        .buffer_unordered(HYDRATION_CONCURRENCY)
        .try_fold((0u64, Vec::new()), |(count, mut missing), (found, lost)| async move {
            missing.extend(lost);
            Ok((count + found, missing))
        })
        .await
}

async fn hydrate_batch(ctx: &ChannelContext, ids: Vec<String>) -> Result<(u64, Vec<String>)> {
    let (found, missing) = fetch_accounts(ctx, &ids).await?;
    let (count, seen, run) = (found.len() as u64, now(), ctx.run);
    ctx.archive
        .write("saving follower accounts", move |tx| {
            profiles::stage_users(tx, &found, &seen, run)
        })
        .await?;
    Ok((count, missing))
}

/// Get Users for `ids`: the accounts found, and the ids Twitch did not return.
async fn fetch_accounts(
    ctx: &ChannelContext,
    ids: &[String],
) -> Result<(Vec<(users::User, serde_json::Value)>, Vec<String>)> {
    let user_ids: Vec<UserId> = ids.iter().map(|id| UserId(id.clone())).collect();
    let found = users::fetch_users_by_id(&ctx.client, &user_ids).await?;
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
    let broadcaster = ctx.id().to_string();
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
        let (seen, run) = (now(), ctx.run);
        ctx.archive
            .write("saving follower accounts", move |tx| {
                profiles::save_users(tx, &found, &seen, run)?;
                profiles::save_missing_users(tx, &missing, &seen)
            })
            .await?;
    }
    Ok(hydrated)
}
