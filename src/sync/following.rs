//! Following: the channels the logged-in user follows, synced when that user's own channel is synced (Helix
//! lists them only for the user's own token, with `user:read:follows`). The list is short: read whole.

use super::{ChannelContext, ChannelSummary};
use crate::archive::follows;
use crate::client::helix::following;
use crate::error::{Error, Result};

pub(crate) async fn sync_following(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    if ctx.client.token_user_id().await?.as_ref() != Some(ctx.id()) {
        return Ok(());
    }
    let mut pager = following::followed_channels(&ctx.client, ctx.id());
    let mut all = Vec::new();
    loop {
        ctx.check()?;
        match pager.next_page().await {
            Ok(Some(page)) => all.extend(page.items),
            Ok(None) => break,
            Err(Error::Unauthorized { .. }) => {
                summary
                    .notes
                    .push("following needs the `user:read:follows` scope: run `itch auth login`".into());
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    let (user, stamp) = (ctx.id().clone(), ctx.stamp());
    let (new, gone) = ctx
        .archive
        .write("saving followed channels", move |tx| {
            follows::save_following(tx, &user, &all, &stamp)
        })
        .await?;
    summary.following_new = new;
    summary.following_gone = gone;
    Ok(())
}
