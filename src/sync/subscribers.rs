//! The `subscribers` part: snapshots of who subscribes to the channel (Helix Get Broadcaster Subscriptions),
//! taken when the logged-in user is the channel (Twitch shows the list to the broadcaster only, with
//! `channel:read:subscriptions`). Without the scope (401) or for another channel (403) the part notes how to log
//! in and ends ok: the other parts are not affected.
//!
//! A snapshot needs the whole list, one request per 100 subscribers, so the list is read whole only when it may
//! have changed. Every sync reads the first page, which carries Twitch's `total` and `points`; the rest is read
//! when there is no complete snapshot yet, when the total, the points or the first page itself (its subscriptions
//! in order, as a digest) differ from the latest complete snapshot's, when that snapshot is older than
//! `full_every`, or with `--full`. Otherwise the sync records the total and points alone, in a row that says the
//! list was not read (`list_read = 0`): a no-change re-sync costs one request, and the archive never claims an
//! empty list or an unchanged one it did not see. What this cannot see until the next full read: a swap past the
//! first page that leaves total and points as they were (one subscriber lost, another of the same tier gained).
//!
//! A list read whole is written a page at a time as it arrives, with the cursor of the next, so memory holds one
//! page of a long list and a killed sync resumes the same snapshot where it stopped.

use sha2::{Digest, Sha256};

use super::{ChannelContext, ChannelSummary};
use crate::archive::subscriptions as archive;
use crate::client::Page;
use crate::client::helix::subscriptions::{self, Subscription};
use crate::error::{Error, Result};

/// What the summary says when Twitch refuses the list.
const NOTE: &str =
    "subscribers need the broadcaster's login with `channel:read:subscriptions`: run `itch auth login --scopes subs`";

pub(crate) async fn sync_subscribers(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    if ctx.client.token_user_id().await?.as_ref() != Some(ctx.id()) {
        return Ok(());
    }
    let broadcaster = ctx.id().clone();
    let (resume, latest) = ctx
        .archive
        .read("reading where the subscriber snapshots stand", move |c| {
            Ok((
                archive::load_resume(c, &broadcaster)?,
                archive::load_latest_complete(c, &broadcaster)?,
            ))
        })
        .await?;
    let (mut snapshot, cursor) = resume.unzip();
    // Only a resumed snapshot's cursor may be stale; a fresh walk's 400 is an error like any other.
    let mut resumed = snapshot.is_some();
    // A resumed snapshot is read to its end; a new one first looks at the first page.
    let mut first_page = !resumed;
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
                first_page = true;
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
        let digest = first_page.then(|| first_page_digest(&page.items));
        if let Some(digest) = &digest
            && !done
            && !list_due(ctx, latest.as_ref(), &page, digest)
        {
            let (broadcaster, stamp, digest) = (ctx.id().clone(), ctx.stamp(), digest.clone());
            let (total, points) = (page.total, page.points);
            ctx.archive
                .write("saving the subscriber total", move |tx| {
                    archive::save_counts_only(tx, &broadcaster, &page, &digest, &stamp)
                })
                .await?;
            tracing::debug!(channel = %ctx.user.login, "subscribers: first page as before, the list was not read");
            summary.subscriber_total = total;
            summary.subscriber_points = points;
            return Ok(());
        }
        first_page = false;
        let (broadcaster, stamp, current) = (ctx.id().clone(), ctx.stamp(), snapshot);
        let id = ctx
            .archive
            .write("saving a page of subscribers", move |tx| {
                archive::save_subscription_page(tx, &broadcaster, current, &page, digest.as_deref(), &stamp)
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

/// Whether the whole list must be read, given its first page (which is not the whole list).
fn list_due(
    ctx: &ChannelContext,
    latest: Option<&archive::LatestSnapshot>,
    page: &Page<Subscription>,
    digest: &str,
) -> bool {
    let Some(latest) = latest else { return true };
    ctx.options.full_read_due(Some(&latest.taken_at))
        || latest.total != page.total
        || latest.points != page.points
        || latest.first_page_digest.as_deref() != Some(digest)
}

/// The sha256 (hex) of a first page's subscriptions in Twitch's order: who, tier, gift, gifter and plan.
fn first_page_digest(items: &[Subscription]) -> String {
    let mut hasher = Sha256::new();
    for s in items {
        for field in [
            s.user_id.as_str(),
            s.tier.as_str(),
            if s.is_gift { "gift" } else { "" },
            s.gifter().unwrap_or(""),
            s.plan_name.as_str(),
        ] {
            hasher.update(field.as_bytes());
            hasher.update([0]);
        }
        hasher.update([b'\n']);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
