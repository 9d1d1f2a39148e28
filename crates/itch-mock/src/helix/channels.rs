//! Fake Get Channel Information (`GET /helix/channels`, reference `#get-channel-information`): by
//! `broadcaster_id`, repeatable up to 100, duplicates and unknown ids ignored. Any user has a channel; one
//! that never streamed has an empty title and game.

use serde::Serialize;

use super::{Call, at_most_100, data_only};
use crate::errors::ApiError;

#[derive(Serialize)]
struct ChannelInfo {
    broadcaster_id: String,
    broadcaster_login: String,
    broadcaster_name: String,
    broadcaster_language: &'static str,
    game_id: &'static str,
    game_name: &'static str,
    title: String,
    delay: u32,
    tags: Vec<&'static str>,
    content_classification_labels: Vec<&'static str>,
    is_branded_content: bool,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    call.query.required("broadcaster_id")?;
    at_most_100(call, &["broadcaster_id"])?;
    let mut seen = std::collections::HashSet::new();
    let data = call
        .query
        .all("broadcaster_id")
        .into_iter()
        .filter_map(|id| call.user_by_id(id))
        .filter(|u| seen.insert(*u))
        .map(|u| {
            let w = call.world;
            let c = w.channel_info(u);
            ChannelInfo {
                broadcaster_id: w.user_id(u).to_string(),
                broadcaster_login: w.login(u),
                broadcaster_name: w.display_name(u),
                broadcaster_language: c.language,
                game_id: c.game.map_or("", |g| g.id),
                game_name: c.game.map_or("", |g| g.name),
                title: c.title,
                delay: 0,
                tags: c.tags,
                content_classification_labels: c.labels,
                is_branded_content: false,
            }
        })
        .collect();
    Ok(data_only(data))
}
