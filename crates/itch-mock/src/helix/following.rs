//! Fake Get Followed Channels (`GET /helix/channels/followed`, reference `#get-followed-channels`): the
//! channels the token's user follows, newest first, with `total`. Needs a user token with `user:read:follows`
//! and `user_id` equal to the token's user. The largest channel's broadcaster follows the other channels and
//! about 150 small ones; a follower follows the one channel it is a follower of.

use serde::Serialize;

use super::{Call, offset_page, paged};
use crate::errors::ApiError;
use crate::seed::rfc3339;

#[derive(Serialize)]
struct Followed {
    broadcaster_id: String,
    broadcaster_login: String,
    broadcaster_name: String,
    followed_at: String,
}

pub(super) fn get(call: &Call) -> Result<Vec<u8>, ApiError> {
    let me = call.caller.user_with_scope("user:read:follows")?;
    let user_id = call.query.required("user_id")?;
    let w = call.world;
    if call.user_by_id(user_id) != Some(me) {
        return Err(ApiError::bad_request(
            "The ID in user_id must match the user ID found in the request's OAuth token.",
        ));
    }
    let first = call.query.first(20, 100)?;
    let mut list = w.followed_by(me);
    if let Some(b) = call.query.one("broadcaster_id") {
        let b = call.user_by_id(b);
        list.retain(|(u, _)| Some(*u) == b);
    }
    let total = list.len() as u64;
    let scope = call.scope("followed", w.user_id(me));
    let (page, cursor) = offset_page(call, list, scope, first)?;
    let data = page
        .into_iter()
        .map(|(u, at)| Followed {
            broadcaster_id: w.user_id(u).to_string(),
            broadcaster_login: w.login(u),
            broadcaster_name: w.display_name(u),
            followed_at: rfc3339(at),
        })
        .collect();
    Ok(paged(data, cursor, Some(total)))
}
