//! The `schedule` part: the channel's stream schedule (Helix Get Channel Stream Schedule, app token), read whole
//! from now to a few weeks ahead each sync (a schedule is short: one page of 25 for a typical channel) and
//! compared with the archive in one transaction, which records what changed (see [`archive::schedule`]). A
//! channel without a schedule (Twitch's 404) is "no schedule", not a failure. One transaction per sync, so an
//! interrupted sync leaves either the whole read or nothing, and there is no checkpoint to resume.

use super::{ChannelContext, ChannelSummary};
use crate::archive::schedule as archive;
use crate::client::helix::schedule;
use crate::error::Result;

/// How far ahead a read goes: a recurring segment repeats every week without end, so the list is cut here (after
/// the page that passes it). Four weeks of a weekly plan are what a viewer looks at.
pub(crate) const HORIZON_DAYS: i64 = 28;

pub(crate) async fn sync_stream_schedule(ctx: &ChannelContext, summary: &mut ChannelSummary) -> Result<()> {
    let horizon = crate::archive::now() + chrono::Duration::days(HORIZON_DAYS);
    let read = schedule::fetch_schedule(&ctx.client, ctx.id(), horizon).await?;
    summary.schedule_segments = read.as_ref().map(|r| r.segments.len() as u64);
    summary.schedule_none = read.is_none();
    let (broadcaster, stamp) = (ctx.id().clone(), ctx.stamp());
    let changes = ctx
        .archive
        .write("saving the stream schedule", move |tx| {
            archive::save_schedule(tx, &broadcaster, read.as_ref(), &stamp)
        })
        .await?;
    summary.schedule_new = changes.new;
    summary.schedule_changed = changes.changed;
    summary.schedule_gone = changes.gone;
    Ok(())
}
