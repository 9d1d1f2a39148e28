//! Fake Get Streams (`GET /helix/streams`, reference `#get-streams`): live broadcasts only, filtered by
//! `user_id`, `user_login`, `game_id`, `language` (each repeatable, up to 100), ordered by viewers.
//! An offline channel is simply missing, as on Twitch.

use serde::Serialize;

use super::{Call, offset_page, paged};
use crate::errors::ApiError;
use crate::seed::rfc3339;

#[derive(Serialize)]
struct StreamOut {
    id: String,
    user_id: String,
    user_login: String,
    user_name: String,
    game_id: &'static str,
    game_name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    tags: Vec<&'static str>,
    viewer_count: u64,
    started_at: String,
    language: &'static str,
    thumbnail_url: String,
    /// Deprecated by Twitch, always empty since 2023.
    tag_ids: Vec<String>,
    /// Deprecated by Twitch, always false.
    is_mature: bool,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let q = call.query;
    for name in ["user_id", "user_login", "game_id", "language"] {
        super::at_most_100(call, &[name])?;
    }
    if !matches!(q.one("type").unwrap_or("all"), "all" | "live") {
        return Err(ApiError::bad_request(
            "The parameter \"type\" was malformed: the value must be one of all, live",
        ));
    }
    let first = q.first(20, 100)?;
    let w = call.world;
    let (ids, logins) = (q.all("user_id"), q.all("user_login"));
    let (games, languages) = (q.all("game_id"), q.all("language"));
    let mut live: Vec<usize> = (0..w.channels.len())
        .filter(|&c| {
            let ch = &w.channels[c];
            let id = ch.id.to_string();
            ch.stream.is_some()
                && (ids.is_empty() && logins.is_empty()
                    || ids.contains(&id.as_str())
                    || logins.iter().any(|l| l.eq_ignore_ascii_case(&ch.login)))
                && (games.is_empty() || games.contains(&ch.game.id))
                && (languages.is_empty() || languages.contains(&ch.language))
        })
        .collect();
    live.sort_by_key(|&c| std::cmp::Reverse(w.viewer_count(c)));
    let (page, cursor) = offset_page(call, live, call.scope("streams", 0), first)?;
    let data = page
        .into_iter()
        .map(|c| {
            let ch = &w.channels[c];
            let stream = ch.stream.expect("filtered on live channels");
            StreamOut {
                id: stream.id.to_string(),
                user_id: ch.id.to_string(),
                user_login: ch.login.clone(),
                user_name: ch.display_name.clone(),
                game_id: ch.game.id,
                game_name: ch.game.name,
                kind: "live",
                title: ch.title.clone(),
                tags: ch.tags.clone(),
                viewer_count: w.viewer_count(c),
                started_at: rfc3339(stream.started_at),
                language: ch.language,
                thumbnail_url: format!(
                    "https://static-cdn.jtvnw.net/previews-ttv/live_user_{}-{{width}}x{{height}}.jpg",
                    ch.login
                ),
                tag_ids: Vec::new(),
                is_mature: false,
            }
        })
        .collect();
    Ok(paged(data, cursor, None))
}
