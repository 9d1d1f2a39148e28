//! Fake Search Channels (`GET /helix/search/channels`, reference `#search-channels`): the world's channels
//! whose login starts with `query` (any case), or whose game does too with `live_only=true`.

use serde::Serialize;

use super::{Call, offset_page, paged};
use crate::errors::ApiError;
use crate::seed::rfc3339;

#[derive(Serialize)]
struct Found {
    broadcaster_language: &'static str,
    broadcaster_login: String,
    display_name: String,
    game_id: &'static str,
    game_name: &'static str,
    id: String,
    is_live: bool,
    /// Deprecated by Twitch, always empty.
    tag_ids: Vec<String>,
    tags: Vec<&'static str>,
    thumbnail_url: String,
    title: String,
    /// `""` when offline, as on Twitch.
    started_at: String,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let query = call.query.required("query")?.to_lowercase();
    let live_only = call.query.flag("live_only")?;
    let first = call.query.first(20, 100)?;
    let w = call.world;
    let found: Vec<usize> = (0..w.channels.len())
        .filter(|&c| {
            let ch = &w.channels[c];
            let live = ch.stream.is_some();
            let by_name = ch.login.starts_with(&query);
            let by_game = live_only && ch.game.name.to_lowercase().starts_with(&query);
            (by_name || by_game) && (live || !live_only)
        })
        .collect();
    let scope = call.scope(&format!("search/{live_only}/{query}"), 0);
    let (page, cursor) = offset_page(call, found, scope, first)?;
    let data = page
        .into_iter()
        .map(|c| {
            let ch = &w.channels[c];
            Found {
                broadcaster_language: ch.language,
                broadcaster_login: ch.login.clone(),
                display_name: ch.display_name.clone(),
                game_id: ch.game.id,
                game_name: ch.game.name,
                id: ch.id.to_string(),
                is_live: ch.stream.is_some(),
                tag_ids: Vec::new(),
                tags: ch.tags.clone(),
                thumbnail_url: w.user(crate::world::UserRef::Broadcaster(c)).profile_image_url,
                title: ch.title.clone(),
                started_at: ch.stream.map_or(String::new(), |s| rfc3339(s.started_at)),
            }
        })
        .collect();
    Ok(paged(data, cursor, None))
}
