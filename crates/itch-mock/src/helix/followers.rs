//! Fake Get Channel Followers (`GET /helix/channels/followers`, reference `#get-channel-followers`): newest
//! first, `first` up to 100 (default 20), `total` always.
//!
//! The list itself only for a user token with `moderator:read:followers` whose user is the broadcaster or one
//! of its moderators; anyone else (app tokens included) gets the total with `data: []`, as Twitch documents,
//! where twitch-cli's mock answers 401. Cursors hold a position in the list, not an offset from the top, so
//! followers arriving while a client pages do not shift its pages.

use serde::Serialize;

use super::{Call, paged};
use crate::cursor;
use crate::errors::ApiError;
use crate::seed::rfc3339;

const SCOPE: &str = "moderator:read:followers";

#[derive(Serialize)]
struct Follower {
    user_id: String,
    user_login: String,
    user_name: String,
    followed_at: String,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let broadcaster = call.query.required("broadcaster_id")?;
    let first = call.query.first(20, 100)?;
    let w = call.world;
    // Users who are not broadcasters of the world have a channel too, with nobody following it.
    let Some(c) = call.channel_by_id(broadcaster) else {
        return Ok(paged::<Follower>(Vec::new(), None, Some(0)));
    };
    let total = w.follower_total(c);
    let allowed = call.caller.user_having(SCOPE).is_some_and(|u| w.can_moderate(u, c));
    let entry = |u, at| Follower {
        user_id: w.user_id(u).to_string(),
        user_login: w.login(u),
        user_name: w.display_name(u),
        followed_at: rfc3339(at),
    };
    if let Some(user_id) = call.query.one("user_id") {
        if !allowed {
            call.caller.user_with_scope(SCOPE)?;
            return Err(ApiError::unauthorized(
                "The user in the access token must be the broadcaster or one of its moderators",
            ));
        }
        let data = call.user_by_id(user_id).and_then(|u| Some(entry(u, w.follows(u, c)?)));
        return Ok(paged(data.into_iter().collect(), None, Some(total)));
    }
    if !allowed {
        return Ok(paged::<Follower>(Vec::new(), None, Some(total)));
    }
    let scope = call.scope("followers", w.channels[c].id);
    let (positions, next) = w.follower_page(c, call.after(scope)?, first);
    let data = positions
        .into_iter()
        .map(|i| entry(w.follower(c, i), w.followed_at(c, i)))
        .collect();
    Ok(paged(data, next.map(|p| cursor::encode(scope, p)), Some(total)))
}
