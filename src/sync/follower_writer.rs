//! The follower walk's writer: one task that commits what the walk and the hydration hand it, in groups, so
//! neither ever waits on the disk. The walk sends its pages in order; each group commits its pages' follows with
//! their checkpoint, in page order, plus whatever hydrated accounts came in, all in one transaction. The
//! checkpoint therefore always names the cursor after the last page whose follows are committed: a kill loses
//! only pages not yet committed, which the resumed walk reads again (no gap, no duplicate). The ids a committed
//! page needs hydrated go to the hydration from here, after the archive said which accounts it already has.

use serde_json::Value;
use tokio::sync::mpsc;

use super::ChannelContext;
use crate::archive::runs::{self, Walk};
use crate::archive::{self, Stamp, follows};
use crate::client::helix::followers::Follower;
use crate::client::helix::users::User;
use crate::error::Result;

/// The part whose checkpoint the follower walk keeps (`sync_checkpoints.part`).
pub(super) const PART: &str = "followers";
/// Follows and accounts at most in one group's transaction: a kill loses at most this much fetched work.
const GROUP_ROWS: usize = 10_000;

/// A page of a walk to commit.
pub(super) struct StagedPage {
    pub walk: Walk,
    pub walk_id: String,
    /// The first page of a new walk: staged rows of any older walk of this channel are dropped.
    pub first_of_walk: bool,
    /// False for a `--limit` trial, which leaves the checkpoint alone.
    pub checkpoint: bool,
    pub next: Option<String>,
    pub total: Option<u64>,
    pub items: Vec<Follower>,
}

/// Accounts Get Users returned, with their raw JSON.
pub(super) type Accounts = Vec<(User, Value)>;

/// What goes into one transaction.
#[derive(Default)]
struct Group {
    pages: Vec<StagedPage>,
    accounts: Vec<Accounts>,
}

impl Group {
    fn rows(&self) -> usize {
        self.pages.iter().map(|p| p.items.len()).sum::<usize>() + self.accounts.iter().map(Vec::len).sum::<usize>()
    }
}

/// Commits pages and accounts as they come until the walk has hung up and the hydration is done. Sends the
/// ids of each committed page whose accounts are not archived yet to `hydrate`, and closes it once the last
/// page is committed. Returns early, without error, if the hydration is gone (its error is the one to report).
pub(super) async fn write(
    ctx: &ChannelContext,
    mut pages: mpsc::Receiver<StagedPage>,
    mut accounts: mpsc::UnboundedReceiver<Accounts>,
    hydrate: mpsc::Sender<Vec<String>>,
) -> Result<()> {
    let mut hydrate = Some(hydrate);
    let mut walk_done = false;
    loop {
        let mut group = Group::default();
        tokio::select! {
            biased;
            Some(batch) = accounts.recv() => group.accounts.push(batch),
            page = pages.recv(), if !walk_done => match page {
                Some(page) => group.pages.push(page),
                None => walk_done = true,
            },
            else => return Ok(()),
        }
        while group.rows() < GROUP_ROWS {
            if let Ok(batch) = accounts.try_recv() {
                group.accounts.push(batch);
            } else if let Some(page) = (!walk_done).then(|| pages.try_recv().ok()).flatten() {
                group.pages.push(page);
            } else {
                break;
            }
        }
        let to_hydrate = if group.pages.is_empty() && group.accounts.is_empty() {
            Vec::new()
        } else {
            commit(ctx, group).await?
        };
        for ids in to_hydrate {
            let sent = match &hydrate {
                Some(sender) => sender.send(ids).await.is_ok(),
                None => true,
            };
            if !sent {
                return Ok(());
            }
        }
        if walk_done {
            // Every page is committed and its ids sent: the hydration finishes what it has, then hangs up.
            hydrate = None;
        }
    }
}

/// Commits one group; returns, per page, the ids whose accounts are not archived yet.
async fn commit(ctx: &ChannelContext, group: Group) -> Result<Vec<Vec<String>>> {
    let (broadcaster, stamp) = (ctx.id().clone(), ctx.stamp());
    ctx.archive
        .write("saving followers", move |tx| {
            for batch in &group.accounts {
                archive::users::stage_users(tx, batch, &stamp)?;
            }
            let mut to_hydrate = Vec::new();
            for page in &group.pages {
                let ids = stage_page(tx, &broadcaster, page, &stamp)?;
                if !ids.is_empty() {
                    to_hydrate.push(ids);
                }
            }
            Ok(to_hydrate)
        })
        .await
}

/// Stages one page with its checkpoint; returns the ids whose accounts are not archived yet.
fn stage_page(
    tx: &rusqlite::Transaction<'_>,
    broadcaster: &crate::client::UserId,
    page: &StagedPage,
    stamp: &Stamp,
) -> rusqlite::Result<Vec<String>> {
    if page.first_of_walk && page.checkpoint {
        follows::drop_stale_staged(tx, broadcaster, &page.walk_id)?;
    }
    follows::stage_follows(tx, broadcaster, &page.walk_id, &page.items, stamp)?;
    if page.checkpoint {
        let walk_page = runs::WalkPage {
            walk: page.walk,
            walk_id: &page.walk_id,
            next_cursor: page.next.as_deref(),
            total: page.total,
            items: page.items.len() as u64,
        };
        runs::save_walk_page(tx, broadcaster, PART, &walk_page, stamp)?;
    }
    let ids: Vec<String> = page.items.iter().map(|f| f.user_id.0.clone()).collect();
    let hydrated = archive::users::load_hydrated(tx, &ids)?;
    Ok(ids.into_iter().filter(|id| !hydrated.contains(id)).collect())
}
