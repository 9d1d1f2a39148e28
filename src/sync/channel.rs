//! One channel's sync: the parts in order, then a snapshot of what they saw. Games met along the way (the
//! channel's, the live stream's) are fetched once and archived before anything refers to them.

use serde_json::Value;

use super::{ChannelContext, ChannelSummary, Part, now};
use crate::archive::profiles::{self, ChannelSnapshot};
use crate::client::GameId;
use crate::client::helix::{channels, games};
use crate::error::Result;

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
    let (user, seen) = (ctx.user.clone(), now());
    let run = ctx.run;
    ctx.archive
        .write("saving the channel's user", move |tx| {
            profiles::save_users(tx, &[(user, raw_user)], &seen, run)
        })
        .await?;

    let mut snapshot = ChannelSnapshot::default();
    let parts = &ctx.options.parts;
    if parts.contains(&Part::Channel) {
        ctx.check()?;
        bar.set("channel");
        sync_channel_settings(ctx, &mut snapshot).await?;
    }
    if parts.contains(&Part::Followers) {
        ctx.check()?;
        bar.set("followers");
        super::followers::sync_followers(ctx, &mut summary, bar).await?;
        snapshot.follower_total = summary.follower_total;
    }
    if parts.contains(&Part::Videos) {
        ctx.check()?;
        bar.set("videos");
        super::videos::sync_videos(ctx, &mut summary).await?;
    }
    if parts.contains(&Part::Stream) {
        ctx.check()?;
        bar.set("stream");
        super::streams::sync_stream(ctx, &mut summary).await?;
        snapshot.is_live = Some(summary.live_viewers.is_some());
    }
    if parts.contains(&Part::Chatters) {
        ctx.check()?;
        bar.set("chatters");
        super::chatters::sync_chatters(ctx, &mut summary).await?;
    }
    if parts.contains(&Part::Following) {
        ctx.check()?;
        bar.set("following");
        super::following::sync_following(ctx, &mut summary).await?;
    }
    if parts.contains(&Part::Chat) {
        ctx.check()?;
        bar.set("chat replay");
        super::chat::sync_chat(ctx, &mut summary).await?;
    }
    let (broadcaster, taken) = (ctx.id().to_string(), now());
    ctx.archive
        .write("saving a channel snapshot", move |tx| {
            profiles::save_channel_snapshot(tx, &broadcaster, &snapshot, &taken, run)
        })
        .await?;
    Ok(summary)
}

async fn sync_channel_settings(ctx: &ChannelContext, snapshot: &mut ChannelSnapshot) -> Result<()> {
    let Some((channel, raw)) = channels::fetch_channels(&ctx.client, std::slice::from_ref(ctx.id()))
        .await?
        .pop()
    else {
        return Ok(());
    };
    if let Some(game) = channel.game() {
        ensure_games(ctx, vec![game]).await?;
    }
    *snapshot = ChannelSnapshot {
        title: Some(channel.title.clone()),
        game_id: channel.game().map(|g| g.0),
        game_name: Some(channel.game_name.clone()),
        language: Some(channel.broadcaster_language.clone()),
        ..ChannelSnapshot::default()
    };
    let (seen, run) = (now(), ctx.run);
    ctx.archive
        .write("saving the channel", move |tx| {
            profiles::save_channel(tx, &channel, &raw, &seen, run)
        })
        .await
}

/// Fetches and archives the games among `ids` that the archive does not know yet.
pub(crate) async fn ensure_games(ctx: &ChannelContext, ids: Vec<GameId>) -> Result<()> {
    let keys: Vec<String> = ids.iter().map(|g| g.0.clone()).collect();
    let known = ctx
        .archive
        .read("looking up games", move |conn| profiles::load_known_games(conn, &keys))
        .await?;
    let missing: Vec<GameId> = ids.into_iter().filter(|g| !known.contains(&g.0)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let found = games::fetch_games(&ctx.client, &missing).await?;
    let seen = now();
    ctx.archive
        .write("saving games", move |tx| profiles::save_games(tx, &found, &seen))
        .await
}
