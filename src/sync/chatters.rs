//! Chatters: who is in chat now. Helix answers only a moderator's (or the broadcaster's) user token with
//! `moderator:read:chatters`; without one the part is skipped with a note, not an error.

use super::{ChannelContext, ChannelSummary, now};
use crate::archive::chatters as archive_chatters;
use crate::client::helix::chatters;
use crate::error::{Error, Result};

pub(crate) async fn sync_chatters(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    let Some(me) = ctx.client.token_user_id().await? else {
        summary
            .notes
            .push("chatters need `itch auth login` as a broadcaster or moderator; skipped".into());
        return Ok(());
    };
    let mut pager = chatters::chatters(&ctx.client, ctx.id(), &me);
    let mut all = Vec::new();
    loop {
        ctx.check()?;
        match pager.next_page().await {
            Ok(Some(page)) => all.extend(page.items),
            Ok(None) => break,
            Err(Error::Unauthorized { .. } | Error::Helix { status: 401 | 403, .. }) => {
                summary.notes.push(format!(
                    "chatters of {}: the logged-in user is not a moderator there; skipped",
                    ctx.user.login
                ));
                return Ok(());
            }
            Err(e) => return Err(e),
        }
    }
    let (broadcaster, at, run) = (ctx.id().to_string(), now(), ctx.run);
    let total = ctx
        .archive
        .write("saving chatters", move |tx| {
            archive_chatters::save_chatters_snapshot(tx, &broadcaster, &all, &at, run)
        })
        .await?;
    summary.chatters = Some(total);
    Ok(())
}
