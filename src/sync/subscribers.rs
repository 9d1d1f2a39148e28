//! The `subscribers` part: a snapshot of who subscribes to the channel (Helix Get Broadcaster Subscriptions),
//! taken when the logged-in user is the channel (Twitch shows the list to the broadcaster only, with
//! `channel:read:subscriptions`). Each page is written as it arrives, with the cursor of the next, so memory holds
//! one page of a long list and a killed sync resumes the same snapshot where it stopped. Without the scope (401)
//! or for another channel (403) the part notes how to log in and ends ok: the other parts are not affected.

use super::{ChannelContext, ChannelSummary};
use crate::archive::subscriptions as archive;
use crate::client::helix::subscriptions;
use crate::error::{Error, Result};

/// What the summary says when Twitch refuses the list.
const NOTE: &str =
    "subscribers need the broadcaster's login with `channel:read:subscriptions`: run `itch auth login --scopes subs`";

pub(crate) async fn sync_subscribers(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    if ctx.client.token_user_id().await?.as_ref() != Some(ctx.id()) {
        return Ok(());
    }
    let broadcaster = ctx.id().clone();
    let resume = ctx
        .archive
        .read("reading where the subscriber snapshot stopped", move |c| {
            archive::load_resume(c, &broadcaster)
        })
        .await?;
    let (mut snapshot, cursor) = resume.unzip();
    // Only a resumed snapshot's cursor may be stale; a fresh walk's 400 is an error like any other.
    let mut resumed = snapshot.is_some();
    let mut pager = subscriptions::subscriptions(&ctx.client, ctx.id()).resume_after(cursor);
    loop {
        ctx.check()?;
        let page = match pager.next_page().await {
            Ok(Some(page)) => page,
            Ok(None) => break,
            Err(Error::Unauthorized { .. } | Error::Helix { status: 401 | 403, .. }) => {
                summary.notes.push(NOTE.into());
                return Ok(());
            }
            // A resume point Twitch no longer takes: that snapshot stays incomplete, and a new one starts.
            Err(Error::Helix { status: 400, .. }) if resumed => {
                resumed = false;
                let id = snapshot.take().expect("a resumed snapshot");
                ctx.archive
                    .write("giving up a subscriber snapshot", move |tx| {
                        archive::save_snapshot_abandoned(tx, id)
                    })
                    .await?;
                summary
                    .notes
                    .push("the subscriber list changed too much to resume: it was read again".into());
                pager = subscriptions::subscriptions(&ctx.client, ctx.id());
                continue;
            }
            Err(e) => return Err(e),
        };
        let done = page.cursor.is_none();
        let (broadcaster, stamp, current) = (ctx.id().clone(), ctx.stamp(), snapshot);
        let id = ctx
            .archive
            .write("saving a page of subscribers", move |tx| {
                archive::save_subscription_page(tx, &broadcaster, current, &page, &stamp)
            })
            .await?;
        snapshot = Some(id);
        if done {
            break;
        }
    }
    if let Some(id) = snapshot {
        let (total, points, _) = ctx
            .archive
            .read("reading the subscriber snapshot", move |c| {
                archive::load_snapshot_counts(c, id)
            })
            .await?;
        summary.subscriber_total = total;
        summary.subscriber_points = points;
    }
    Ok(())
}
