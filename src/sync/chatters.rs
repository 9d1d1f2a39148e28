//! Chatters: who is in chat now. Helix answers only a moderator's (or the broadcaster's) user token with
//! `moderator:read:chatters`; without one, the chat room's NAMES list is read anonymously over IRC (the
//! live-chat presence) and its logins resolved to accounts through Get Users. When neither works the part is
//! skipped with a note, not an error: chatters are a snapshot of the moment, and a later sync takes another.

use super::{ChannelContext, ChannelSummary};
use crate::archive::chatters as archive_chatters;
use crate::client::helix::chatters::{self, Chatter};
use crate::client::helix::users;
use crate::client::{Login, UserId, irc};
use crate::error::{Error, Result};

pub(crate) async fn sync_chatters(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    let from_helix = match ctx.client.token_user_id().await? {
        Some(me) => helix_chatters(ctx, &me).await?,
        None => None,
    };
    let (all, source) = match from_helix {
        Some(all) => (all, "helix"),
        None => match presence(ctx).await {
            Ok(all) => (all, "irc"),
            Err(error @ Error::Irc { .. }) => {
                summary.notes.push(format!(
                    "chatters of {}: no moderator login for Helix, and {error}; skipped",
                    ctx.user.login
                ));
                return Ok(());
            }
            Err(e) => return Err(e),
        },
    };
    let (broadcaster, stamp) = (ctx.id().clone(), ctx.stamp());
    let total = ctx
        .archive
        .write("saving chatters", move |tx| {
            archive_chatters::save_chatters_snapshot(tx, &broadcaster, &all, source, &stamp)
        })
        .await?;
    summary.chatters = Some(total);
    Ok(())
}

/// Helix Get Chatters as `me`; `None` when `me` is not a moderator of the channel.
async fn helix_chatters(ctx: &ChannelContext, me: &UserId) -> Result<Option<Vec<Chatter>>> {
    let mut pager = chatters::chatters(&ctx.client, ctx.id(), me);
    let mut all = Vec::new();
    loop {
        ctx.check()?;
        match pager.next_page().await {
            Ok(Some(page)) => all.extend(page.items),
            Ok(None) => return Ok(Some(all)),
            Err(Error::Unauthorized { .. } | Error::Helix { status: 401 | 403, .. }) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// The chat room's NAMES list over IRC, as accounts (a login Get Users no longer knows is left out).
async fn presence(ctx: &ChannelContext) -> Result<Vec<Chatter>> {
    let logins = irc::chat_presence(&ctx.client.endpoints().irc, &Login::parse(&ctx.user.login)?).await?;
    let logins: Vec<Login> = logins.iter().filter_map(|l| Login::parse(l).ok()).collect();
    let mut all = Vec::with_capacity(logins.len());
    for chunk in logins.chunks(100) {
        ctx.check()?;
        for (user, _) in users::fetch_users_by_login(&ctx.client, chunk).await? {
            all.push(Chatter {
                user_id: user.id,
                user_login: user.login,
                user_name: user.display_name,
            });
        }
    }
    Ok(all)
}
