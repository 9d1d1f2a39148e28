//! One channel's sync: the parts in order, each on its own (a failing part is recorded and the others still
//! run), and this run's snapshot of the channel filled in as each fact is read.

use serde_json::Value;

use super::{ChannelContext, ChannelSummary, FailedPart, Part, PartOutcome, SyncError};
use crate::archive::Timestamp;
use crate::archive::channels::{self, ChannelSnapshot};
use crate::archive::runs::{self, RunStatus};
use crate::archive::users;
use crate::client::helix::channels as helix_channels;
use crate::client::metered;
use crate::error::{Error, Result};

pub(crate) async fn sync_channel(
    ctx: &ChannelContext,
    raw_user: Value,
    bar: &super::ChannelBar,
) -> Result<ChannelSummary> {
    let mut summary = ChannelSummary {
        login: ctx.user.login.clone(),
        id: ctx.id().to_string(),
        ..Default::default()
    };
    let (user, stamp) = (ctx.user.clone(), ctx.stamp());
    ctx.archive
        .write("saving the channel's user", move |tx| {
            users::save_users(tx, &[(user, raw_user)], &stamp)
        })
        .await?;
    for part in Part::ALL.into_iter().filter(|p| ctx.options.parts.contains(p)) {
        // A stop keeps the counts so far: what they say was committed, and the next sync resumes the rest.
        let stopped = match ctx.check() {
            Ok(()) => {
                bar.set(part.label());
                run_part(ctx, part, &mut summary, bar).await
            }
            Err(error) => Err(error),
        };
        match stopped {
            Err(Error::Interrupted) => {
                summary.interrupted = true;
                break;
            }
            other => other?,
        }
    }
    Ok(summary)
}

/// Runs one part on its own: its start and end are recorded in `sync_run_parts`, and a failure is noted in the
/// summary without stopping the other parts. Only a stop (Ctrl-C, SIGTERM) ends the channel's sync.
async fn run_part(
    ctx: &ChannelContext,
    part: Part,
    summary: &mut ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    let (broadcaster, started, run) = (ctx.id().clone(), Timestamp::now(), ctx.run);
    let name = part.name();
    ctx.archive
        .write("recording a part's start", move |tx| {
            runs::save_part_start(tx, run, &broadcaster, name, &started)
        })
        .await?;
    let clock = std::time::Instant::now();
    let (result, requests) = metered(fetch_part(ctx, part, summary, bar)).await;
    let (status, error) = match result {
        Ok(()) => (RunStatus::Ok, None),
        Err(Error::Interrupted) => (RunStatus::Interrupted, None),
        Err(error) => (RunStatus::Failed, Some(SyncError::from(error))),
    };
    bar.part_done(name, status.as_str(), requests, clock.elapsed());
    if let Some(error) = &error {
        tracing::warn!(channel = %ctx.user.login, part = name, "{error}");
        summary.failed_parts.push(FailedPart {
            part,
            error: error.clone(),
        });
    }
    if status == RunStatus::Interrupted && part == Part::Followers && summary.follower_total.is_none() {
        // Stopped mid-walk: the total its first page brought is already in this run's snapshot.
        let broadcaster = ctx.id().clone();
        summary.follower_total = ctx
            .archive
            .read("reading this run's follower total", move |c| {
                channels::load_snapshot_total(c, &broadcaster, run)
            })
            .await?;
    }
    summary.parts.push(PartOutcome {
        part,
        status,
        requests,
        error: error.clone(),
    });
    let (broadcaster, finished) = (ctx.id().clone(), Timestamp::now());
    let error = error.map(|e| e.to_string());
    ctx.archive
        .write("recording a part's end", move |tx| {
            let end = runs::PartEnd {
                status,
                requests,
                error: error.as_deref(),
            };
            runs::save_part_end(tx, run, &broadcaster, name, &end, &finished)
        })
        .await?;
    match status {
        RunStatus::Interrupted => Err(Error::Interrupted),
        _ => Ok(()),
    }
}

async fn fetch_part(
    ctx: &ChannelContext,
    part: Part,
    summary: &mut ChannelSummary,
    bar: &super::ChannelBar,
) -> Result<()> {
    match part {
        Part::Channel => sync_channel_settings(ctx).await,
        Part::Followers => super::followers::sync_followers(ctx, summary, bar).await,
        Part::Videos => super::videos::sync_videos(ctx, summary).await,
        Part::Stream => {
            super::streams::sync_stream(ctx, summary).await?;
            let is_live = summary.live_viewers.is_some();
            ctx.save_snapshot(ChannelSnapshot {
                is_live: Some(is_live),
                ..ChannelSnapshot::default()
            })
            .await
        }
        Part::Chatters => super::chatters::sync_chatters(ctx, summary).await,
        Part::Following => super::following::sync_following(ctx, summary).await,
        Part::Chapters => super::chapters::sync_chapters(ctx, summary, bar).await,
        Part::Chat => super::chat::sync_chat(ctx, summary, bar).await,
        Part::Clips => super::clips::sync_clips(ctx, summary, bar).await,
        Part::Schedule => super::stream_schedule::sync_stream_schedule(ctx, summary).await,
        Part::Subscribers => super::subscribers::sync_subscribers(ctx, summary).await,
    }
}

async fn sync_channel_settings(ctx: &ChannelContext) -> Result<()> {
    let Some((channel, raw)) = helix_channels::fetch_channels(&ctx.client, std::slice::from_ref(ctx.id()))
        .await?
        .pop()
    else {
        return Ok(());
    };
    if let Some(game) = channel.game() {
        super::games::ensure_games(ctx, vec![game]).await?;
    }
    let snapshot = ChannelSnapshot {
        title: Some(channel.title.clone()),
        game_id: channel.game().map(|g| g.0),
        game_name: Some(channel.game_name.clone()),
        language: Some(channel.broadcaster_language.clone()),
        ..ChannelSnapshot::default()
    };
    let stamp = ctx.stamp();
    ctx.archive
        .write("saving the channel", move |tx| {
            channels::save_channel(tx, &channel, &raw, &stamp)
        })
        .await?;
    ctx.save_snapshot(snapshot).await
}
