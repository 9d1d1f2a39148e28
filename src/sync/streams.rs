//! The live stream: when the channel is live, its stream and a viewer-count snapshot; when it is not, the
//! streams still open in the archive are closed.

use super::{ChannelContext, ChannelSummary};
use crate::archive::streams as archive_streams;
use crate::client::GameId;
use crate::client::helix::streams;
use crate::error::Result;

pub(crate) async fn sync_stream(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    let live = streams::fetch_streams(&ctx.client, std::slice::from_ref(ctx.id()))
        .await?
        .pop();
    if let Some((stream, _)) = &live
        && !stream.game_id.is_empty()
    {
        super::games::ensure_games(ctx, vec![GameId(stream.game_id.clone())]).await?;
    }
    summary.live_viewers = live.as_ref().map(|(s, _)| s.viewer_count);
    let (user, stamp) = (ctx.id().clone(), ctx.stamp());
    ctx.archive
        .write("saving the stream", move |tx| {
            let live_id = live.as_ref().map(|(s, _)| s.id.0.clone());
            if let Some((stream, raw)) = &live {
                archive_streams::save_stream_snapshot(tx, stream, raw, &stamp)?;
            }
            archive_streams::mark_ended_streams(tx, &user, live_id.as_deref(), &stamp.seen_at)
        })
        .await?;
    Ok(())
}
