//! Videos: every sync walks the channel's list (a few pages: Twitch keeps archives for weeks only), saving
//! new and changed videos page by page; a walk that reached the end marks the archived videos it no longer
//! found as deleted. Interrupted, the next sync simply walks again: upserts make that idempotent.

use super::{ChannelContext, ChannelSummary};
use crate::archive::Timestamp;
use crate::archive::videos as archive_videos;
use crate::client::helix::videos::{self, VideoType};
use crate::error::Result;

pub(crate) async fn sync_videos(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    // A walk that reaches the end marks what it did not see as deleted: its pages are never cached.
    let mut pager = videos::videos(&ctx.client, ctx.id(), VideoType::All);
    let (mut seen, limit) = (Vec::new(), ctx.options.limit.unwrap_or(u64::MAX));
    let mut limited = false;
    while let Some(page) = {
        ctx.check()?;
        pager.next_page().await?
    } {
        let mut batch: Vec<_> = page.items.into_iter().zip(page.raw).collect();
        if seen.len() as u64 + batch.len() as u64 >= limit {
            batch.truncate((limit - seen.len() as u64) as usize);
            limited = true;
        }
        seen.extend(batch.iter().map(|(v, _)| v.id.0.clone()));
        let stamp = ctx.stamp();
        let changes = ctx
            .archive
            .write("saving videos", move |tx| {
                archive_videos::save_videos(tx, &batch, &stamp)
            })
            .await?;
        summary.videos_new += changes.new;
        summary.videos_changed += changes.changed;
        if limited {
            return Ok(());
        }
    }
    let (user, at) = (ctx.id().clone(), Timestamp::now());
    summary.videos_gone = ctx
        .archive
        .write("marking deleted videos", move |tx| {
            archive_videos::mark_deleted_videos(tx, &user, &seen, &at)
        })
        .await?;
    Ok(())
}
