//! Fake Get Chatters (`GET /helix/chat/chatters`, reference `#get-chatters`): who is in a channel's chat, with
//! `total`, `first` up to 1000 (default 100). Needs a user token with `moderator:read:chatters` whose user is
//! `moderator_id` and the broadcaster or one of its moderators (403 otherwise).

use serde::Serialize;

use super::{Call, offset_page, paged};
use crate::errors::ApiError;

#[derive(Serialize)]
struct Chatter {
    user_id: String,
    user_login: String,
    user_name: String,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let me = call.caller.user_with_scope("moderator:read:chatters")?;
    let broadcaster = call.query.required("broadcaster_id")?;
    let moderator = call.query.required("moderator_id")?;
    let first = call.query.first(100, 1000)?;
    let w = call.world;
    if call.user_by_id(moderator) != Some(me) {
        return Err(ApiError::bad_request(
            "The ID in moderator_id must match the user ID found in the request's OAuth token.",
        ));
    }
    let c = call
        .channel_by_id(broadcaster)
        .filter(|&c| w.can_moderate(me, c))
        .ok_or_else(|| {
            ApiError::forbidden(
                "The user in moderator_id must be the broadcaster or one of the broadcaster's moderators.",
            )
        })?;
    let chatters = w.chatters(c);
    let total = chatters.len() as u64;
    let scope = call.scope("chatters", w.channels[c].id ^ (w.now as u64));
    let (page, cursor) = offset_page(call, chatters, scope, first)?;
    let data = page
        .into_iter()
        .map(|u| Chatter {
            user_id: w.user_id(u).to_string(),
            user_login: w.login(u),
            user_name: w.display_name(u),
        })
        .collect();
    Ok(paged(data, cursor, Some(total)))
}
