//! Games (categories) met along the way, the channel's and the live stream's: fetched once and archived before
//! anything refers to them.

use super::ChannelContext;
use crate::archive::Timestamp;
use crate::archive::games as archive_games;
use crate::client::GameId;
use crate::client::helix::games;
use crate::error::Result;

/// Fetches and archives the games among `ids` that the archive does not know yet.
pub(crate) async fn ensure_games(ctx: &ChannelContext, ids: Vec<GameId>) -> Result<()> {
    let keys: Vec<String> = ids.iter().map(|g| g.0.clone()).collect();
    let known = ctx
        .archive
        .read("looking up games", move |conn| {
            archive_games::load_known_games(conn, &keys)
        })
        .await?;
    let missing: Vec<GameId> = ids.into_iter().filter(|g| !known.contains(&g.0)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let found = games::fetch_games(&ctx.client, &missing).await?;
    let seen = Timestamp::now();
    ctx.archive
        .write("saving games", move |tx| archive_games::save_games(tx, &found, &seen))
        .await
}
